/**
 * A real third-party SCIM 2.0 service provider for connector tests: SCIMMY (the protocol,
 * schemas, PATCH, list responses) behind scimmy-routers (the HTTP endpoints on Express),
 * with an in-memory store of Users and Groups. Listens on 127.0.0.1 (plain HTTP, or HTTPS
 * with a throw-away certificate), checks a bearer token, and can answer 429 with
 * Retry-After for the next N requests.
 *
 * SCIMMY leaves storage and filtering to the implementer: this file is that part, as a
 * SaaS app's own code would be (userName unique, case-insensitive filters, groups reported
 * on users, members kept in step when a user is deleted).
 *
 * Test-only code.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import express from "express";
import { type Filter, parse as parseFilter } from "scim2-parse-filter";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

export type StoredUser = {
  id: string;
  userName: string;
  active?: boolean;
  meta: { created: string; lastModified: string };
  [attribute: string]: unknown;
};

export type StoredGroup = {
  id: string;
  displayName: string;
  members: { value: string; display?: string }[];
  meta: { created: string; lastModified: string };
};

export interface ScimServerOptions {
  /** The bearer token the server accepts; a random one by default. */
  token?: string;
  /** Report each user's groups on the User resource (RFC 7643 `groups`); default true. */
  userGroups?: boolean;
  /** Serve HTTPS with a fresh self-signed certificate for 127.0.0.1 (uses openssl). */
  tls?: boolean;
}

export interface TestScimServer {
  /** e.g. http://127.0.0.1:PORT/scim/v2 */
  baseUrl: string;
  token: string;
  /** With `tls`: the certificate (PEM) to trust. */
  certificatePem?: string;
  users: Map<string, StoredUser>;
  groups: Map<string, StoredGroup>;
  /** Every request answered: method, path (with query) and status. */
  requests: { method: string; path: string; status: number }[];
  /** Adds a group directly to the store; returns its id. */
  addGroup(displayName: string): string;
  /** Adds a user directly to the store (as another admin of the app would); returns its id. */
  addUser(user: { userName: string; [attribute: string]: unknown }): string;
  /** Answers the next `n` requests with 429 Too Many Requests and `Retry-After: seconds`. */
  throttle(n: number, retryAfterSeconds?: number): void;
  stop(): Promise<void>;
}

interface Store {
  users: Map<string, StoredUser>;
  groups: Map<string, StoredGroup>;
  userGroups: boolean;
}

interface Ctx {
  store: Store;
  filter?: string;
}

// ---------------------------------------------------------------------------------------
// Filtering (RFC 7644 §3.4.2.2) over the stored JSON, on the AST of scim2-parse-filter.

/** The values at `attrPath` (URN-qualified or not, sub-attributes through multi-valued ones). */
function valuesAt(resource: unknown, attrPath: string): unknown[] {
  let parts: string[];
  let start: unknown = resource;
  if (attrPath.toLowerCase().startsWith("urn:")) {
    const cut = attrPath.lastIndexOf(":");
    start = childOf(resource, attrPath.slice(0, cut));
    parts = attrPath.slice(cut + 1).split(".");
  } else {
    parts = attrPath.split(".");
  }
  let current: unknown[] = [start];
  for (const part of parts) {
    current = current
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .map((v) => childOf(v, part))
      .filter((v) => v !== undefined && v !== null);
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function childOf(value: unknown, key: string): unknown {
  if (!value || typeof value !== "object") return undefined;
  const k = Object.keys(value).find((name) => name.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : (value as Record<string, unknown>)[k];
}

function compare(op: string, actual: unknown, expected: unknown, caseExact: boolean): boolean {
  if (typeof actual === "string" && typeof expected === "string") {
    const a = caseExact ? actual : actual.toLowerCase();
    const e = caseExact ? expected : expected.toLowerCase();
    switch (op) {
      case "eq":
        return a === e;
      case "ne":
        return a !== e;
      case "co":
        return a.includes(e);
      case "sw":
        return a.startsWith(e);
      case "ew":
        return a.endsWith(e);
      case "gt":
        return a > e;
      case "ge":
        return a >= e;
      case "lt":
        return a < e;
      case "le":
        return a <= e;
    }
  }
  if (op === "eq") return actual === expected;
  if (op === "ne") return actual !== expected;
  if (typeof actual === "number" && typeof expected === "number") {
    return op === "gt"
      ? actual > expected
      : op === "ge"
        ? actual >= expected
        : op === "lt"
          ? actual < expected
          : op === "le"
            ? actual <= expected
            : false;
  }
  return false;
}

function matches(resource: unknown, f: Filter): boolean {
  switch (f.op) {
    case "and":
      return f.filters.every((x) => matches(resource, x));
    case "or":
      return f.filters.some((x) => matches(resource, x));
    case "not":
      return !matches(resource, f.filter);
    case "[]":
      return valuesAt(resource, f.attrPath).some((v) => matches(v, f.valFilter));
    case "pr":
      return valuesAt(resource, f.attrPath).some((v) => v !== "");
    default: {
      const values = valuesAt(resource, f.attrPath);
      const caseExact = f.attrPath === "id";
      if (f.op === "ne") return values.every((v) => compare("ne", v, f.compValue, caseExact));
      return values.some((v) => compare(f.op, v, f.compValue, caseExact));
    }
  }
}

function applyFilter<T>(items: T[], filter: string | undefined): T[] {
  if (!filter) return items;
  let ast: Filter;
  try {
    ast = parseFilter(filter);
  } catch (err) {
    throw new SCIMMY.Types.Error(400, "invalidFilter", `Cannot parse the filter: ${(err as Error).message}`);
  }
  return items.filter((item) => matches(item, ast));
}

// ---------------------------------------------------------------------------------------
// SCIMMY resource handlers. SCIMMY keeps its declarations in one process-wide registry, so
// they are declared once and find the store of the server that received the request in
// the context each request carries.

const plain = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value ?? {}));
const now = () => new Date().toISOString();
// SCIMMY's own errors carry no scimType for 404 (RFC 7644 §3.12 defines none for it).
const notFound = (id: string | undefined) =>
  new SCIMMY.Types.Error(404, null as unknown as string, `Resource ${id} not found`);

function userOut(store: Store, u: StoredUser): StoredUser {
  if (!store.userGroups) return u;
  const groups = [...store.groups.values()]
    .filter((g) => g.members.some((m) => m.value === u.id))
    .map((g) => ({ value: g.id, display: g.displayName, type: "direct" }));
  return { ...u, groups };
}

function checkUniqueUserName(store: Store, userName: unknown, self?: string): void {
  const name = String(userName ?? "").toLowerCase();
  for (const u of store.users.values()) {
    if (u.id !== self && u.userName.toLowerCase() === name) {
      throw new SCIMMY.Types.Error(409, "uniqueness", "userName is already taken");
    }
  }
}

let declared = false;

function declareResources(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false))
    .ingress((resource, instance, ctx: Ctx) => {
      const { store } = ctx;
      const { meta: _meta, schemas: _schemas, groups: _groups, id: _id, ...data } = plain(instance);
      checkUniqueUserName(store, data.userName, resource.id);
      if (resource.id) {
        const existing = store.users.get(resource.id);
        if (!existing) throw notFound(resource.id);
        const next = {
          ...data,
          id: existing.id,
          meta: { created: existing.meta.created, lastModified: now() },
        } as StoredUser;
        store.users.set(existing.id, next);
        return userOut(store, next);
      }
      const id = randomUUID();
      const stamp = now();
      const user = { ...data, id, meta: { created: stamp, lastModified: stamp } } as StoredUser;
      store.users.set(id, user);
      return userOut(store, user);
    })
    .egress((resource, ctx: Ctx) => {
      const { store } = ctx;
      if (resource.id) {
        const u = store.users.get(resource.id);
        if (!u) throw notFound(resource.id);
        return userOut(store, u);
      }
      const all = [...store.users.values()].map((u) => userOut(store, u));
      return applyFilter(all, ctx.filter);
    })
    .degress((resource, ctx: Ctx) => {
      const { store } = ctx;
      if (!resource.id || !store.users.delete(resource.id)) throw notFound(resource.id);
      for (const g of store.groups.values()) g.members = g.members.filter((m) => m.value !== resource.id);
    });

  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, instance, ctx: Ctx) => {
      const { store } = ctx;
      const data = plain(instance);
      const members: StoredGroup["members"] = [];
      for (const m of (data.members as { value?: string; display?: string }[] | undefined) ?? []) {
        if (!m.value || !store.users.has(m.value)) {
          throw new SCIMMY.Types.Error(400, "invalidValue", `No user ${m.value} to be a member`);
        }
        if (!members.some((x) => x.value === m.value)) members.push({ value: m.value });
      }
      const existing = resource.id ? store.groups.get(resource.id) : undefined;
      if (resource.id && !existing) throw notFound(resource.id);
      const stamp = now();
      const group: StoredGroup = {
        id: existing?.id ?? randomUUID(),
        displayName: String(data.displayName),
        members,
        meta: { created: existing?.meta.created ?? stamp, lastModified: stamp },
      };
      store.groups.set(group.id, group);
      return group;
    })
    .egress((resource, ctx: Ctx) => {
      const { store } = ctx;
      if (resource.id) {
        const g = store.groups.get(resource.id);
        if (!g) throw notFound(resource.id);
        return g;
      }
      return applyFilter([...store.groups.values()], ctx.filter);
    })
    .degress((resource, ctx: Ctx) => {
      if (!resource.id || !ctx.store.groups.delete(resource.id)) throw notFound(resource.id);
    });
}

// ---------------------------------------------------------------------------------------

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    return {
      key: fs.readFileSync(path.join(dir, "key.pem"), "utf8"),
      cert: fs.readFileSync(path.join(dir, "cert.pem"), "utf8"),
    };
  } catch (err) {
    throw new Error(`openssl could not make a test certificate (Debian package: openssl): ${String(err)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts a SCIM 2.0 server on 127.0.0.1 with an empty store. */
export async function startScimServer(opts: ScimServerOptions = {}): Promise<TestScimServer> {
  declareResources();
  const token = opts.token ?? `scim-${randomUUID()}`;
  const store: Store = { users: new Map(), groups: new Map(), userGroups: opts.userGroups ?? true };
  const requests: TestScimServer["requests"] = [];
  let throttled = 0;
  let retryAfter = 1;

  const app = express();
  // scimmy-routers turns startIndex and count into numbers by assigning to req.query, which
  // Express 5 recomputes on every read; a query parser that yields numbers does it instead.
  app.set("query parser", (qs: string) => {
    const query: Record<string, string | number> = Object.fromEntries(new URLSearchParams(qs));
    for (const key of ["startIndex", "count"]) {
      const v = query[key];
      if (typeof v === "string" && /^\d+$/.test(v)) query[key] = Number(v);
    }
    return query;
  });
  app.use((req, res, next) => {
    res.on("finish", () =>
      requests.push({ method: req.method, path: req.originalUrl, status: res.statusCode }),
    );
    if (throttled > 0) {
      throttled--;
      res
        .status(429)
        .set("retry-after", String(retryAfter))
        .type("application/scim+json")
        .send(
          JSON.stringify({
            schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
            status: "429",
            detail: "Too many requests",
          }),
        );
      return;
    }
    next();
  });
  app.use(
    "/scim/v2",
    new SCIMMYRouters({
      type: "bearer",
      handler: (req) => {
        if (req.header("authorization") !== `Bearer ${token}`) throw new Error("Invalid bearer token");
        return "tandem-test-admin";
      },
      context: (req): Ctx => {
        const filter = req.query.filter;
        return { store, ...(typeof filter === "string" ? { filter } : {}) };
      },
    }),
  );

  let certificatePem: string | undefined;
  let server: http.Server | https.Server;
  if (opts.tls) {
    const { key, cert } = selfSignedCertificate();
    certificatePem = cert;
    server = https.createServer({ key, cert }, app);
  } else {
    server = http.createServer(app);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `${opts.tls ? "https" : "http"}://127.0.0.1:${port}/scim/v2`;

  return {
    baseUrl,
    token,
    ...(certificatePem ? { certificatePem } : {}),
    users: store.users,
    groups: store.groups,
    requests,
    addGroup(displayName) {
      const stamp = now();
      const id = randomUUID();
      store.groups.set(id, { id, displayName, members: [], meta: { created: stamp, lastModified: stamp } });
      return id;
    },
    addUser(user) {
      const stamp = now();
      const id = randomUUID();
      store.users.set(id, { ...user, id, meta: { created: stamp, lastModified: stamp } });
      return id;
    },
    throttle(n, retryAfterSeconds = 1) {
      throttled = n;
      retryAfter = retryAfterSeconds;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
