/**
 * A real third-party SCIM 2.0 service provider for connector tests: SCIMMY (the protocol,
 * schemas, PATCH, list responses) behind scimmy-routers (the HTTP endpoints on Express),
 * with an in-memory store of Users and Groups. Listens on 127.0.0.1 (plain HTTP, or HTTPS
 * with a throw-away certificate), checks a bearer token, and can answer 429 with
 * Retry-After for the next N requests.
 *
 * SCIMMY leaves storage and filtering to the implementer: this file is that part, as a
 * SaaS app's own code would be (userName unique, case-insensitive filters, groups reported
 * on users, members kept in step when a user is deleted). Like a real app's store it keeps
 * indexes, so a request costs what it touches, not the size of the store: userName → id
 * for the uniqueness check and `userName eq` lookups, user → groups for the `groups`
 * reported on a user, and `id eq` filters answered by looking the ids up. What the store
 * cannot help is SCIMMY's own work on a Group PATCH: it reads the whole group, and each
 * operation re-validates the whole member list, so a PATCH of a group with thousands of
 * members costs time in proportion to its members times its operations.
 *
 * SCIM Bulk (RFC 7644 §3.7) is served by SCIMMY (its BulkRequest behind scimmy-routers'
 * POST /Bulk) and is on unless the `bulk` option says otherwise. SCIMMY's service provider
 * configuration is one per process, so it stays at the widest setting (Bulk on, the limits
 * below), and a server with Bulk off or tighter limits says so itself: a middleware in front
 * of the SCIMMY router rewrites the `bulk` part of its /ServiceProviderConfig answer and
 * answers POST /Bulk with 501 (off), or 413 beyond its own limits, before SCIMMY sees it.
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
const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

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
  /**
   * SCIM Bulk: on by default with SCIMMY's limits (BULK_LIMITS); false answers POST /Bulk
   * with 501 and advertises bulk.supported false; an object sets tighter limits.
   */
  bulk?: boolean | { maxOperations?: number; maxPayloadSize?: number };
}

/** The widest Bulk limits a test server advertises (SCIMMY's process-wide setting). */
export const BULK_LIMITS = { maxOperations: 1000, maxPayloadSize: 1_048_576 } as const;

export interface TestScimServer {
  /** e.g. http://127.0.0.1:PORT/scim/v2 */
  baseUrl: string;
  token: string;
  /** With `tls`: the certificate (PEM) to trust. */
  certificatePem?: string;
  /** The store, to read: change it through SCIM or addUser/addGroup, which keep its indexes. */
  users: ReadonlyMap<string, StoredUser>;
  groups: ReadonlyMap<string, StoredGroup>;
  /** Every request answered: method, path (with query) and status. */
  requests: { method: string; path: string; status: number }[];
  /** Adds a group directly to the store; returns its id. */
  addGroup(displayName: string): string;
  /**
   * Adds a user directly to the store (as another admin of the app would); returns its id.
   * Throws when the userName is taken, as the app would refuse it.
   */
  addUser(user: { userName: string; [attribute: string]: unknown }): string;
  /** Answers the next `n` requests with 429 Too Many Requests and `Retry-After: seconds`. */
  throttle(n: number, retryAfterSeconds?: number): void;
  /** Drops the connection, unanswered, of the next `n` requests whose method and path match. */
  dropNext(n: number, match: (method: string, path: string) => boolean): void;
  stop(): Promise<void>;
}

interface Store {
  users: Map<string, StoredUser>;
  groups: Map<string, StoredGroup>;
  userGroups: boolean;
  /** Lower-cased userName → user id (userName is unique, case-insensitively). */
  byUserName: Map<string, string>;
  /** User id → the ids of the groups that list it as a member. */
  memberOf: Map<string, Set<string>>;
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

function parsed(filter: string): Filter {
  try {
    return parseFilter(filter);
  } catch (err) {
    throw new SCIMMY.Types.Error(400, "invalidFilter", `Cannot parse the filter: ${(err as Error).message}`);
  }
}

function applyFilter<T>(items: Iterable<T>, filter: string | undefined): T[] {
  if (!filter) return [...items];
  const ast = parsed(filter);
  const out: T[] = [];
  for (const item of items) if (matches(item, ast)) out.push(item);
  return out;
}

/** The ids a filter names when it is `id eq "x"` or an `or` of those; otherwise null. */
function idsNamed(f: Filter): string[] | null {
  if (f.op === "eq" && f.attrPath === "id" && typeof f.compValue === "string") return [f.compValue];
  if (f.op !== "or") return null;
  const ids: string[] = [];
  for (const part of f.filters) {
    const named = idsNamed(part);
    if (!named) return null;
    ids.push(...named);
  }
  return ids;
}

/** The userName a filter asks for when it is `userName eq "x"`; otherwise null. */
function userNameNamed(f: Filter): string | null {
  return f.op === "eq" && f.attrPath.toLowerCase() === "username" && typeof f.compValue === "string"
    ? f.compValue
    : null;
}

/** Whether the filter looks at an attribute named `name` (at the top of the resource). */
function mentions(f: Filter, name: string): boolean {
  switch (f.op) {
    case "and":
    case "or":
      return f.filters.some((x) => mentions(x, name));
    case "not":
      return mentions(f.filter, name);
    default: {
      const top = f.attrPath.toLowerCase().split(".")[0] ?? "";
      return top === name || top.endsWith(`:${name}`);
    }
  }
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
  const groups: { value: string; display: string; type: string }[] = [];
  for (const id of store.memberOf.get(u.id) ?? []) {
    const g = store.groups.get(id);
    if (g) groups.push({ value: g.id, display: g.displayName, type: "direct" });
  }
  return { ...u, groups };
}

const userNameKey = (userName: unknown) => String(userName ?? "").toLowerCase();

function checkUniqueUserName(store: Store, userName: unknown, self?: string): void {
  const holder = store.byUserName.get(userNameKey(userName));
  if (holder !== undefined && holder !== self) {
    throw new SCIMMY.Types.Error(409, "uniqueness", "userName is already taken");
  }
}

/** Stores `user` (new, or replacing `previous`) and keeps the userName index in step. */
function putUser(store: Store, user: StoredUser, previous?: StoredUser): void {
  if (previous) {
    const key = userNameKey(previous.userName);
    if (store.byUserName.get(key) === previous.id) store.byUserName.delete(key);
  }
  store.users.set(user.id, user);
  store.byUserName.set(userNameKey(user.userName), user.id);
}

/** Removes a user, from the userName index and from every group listing it. */
function dropUser(store: Store, id: string): boolean {
  const user = store.users.get(id);
  if (!user) return false;
  store.users.delete(id);
  const key = userNameKey(user.userName);
  if (store.byUserName.get(key) === id) store.byUserName.delete(key);
  for (const groupId of store.memberOf.get(id) ?? []) {
    const g = store.groups.get(groupId);
    if (g) g.members = g.members.filter((m) => m.value !== id);
  }
  store.memberOf.delete(id);
  return true;
}

/** Stores `group` (new, or replacing `previous`) and keeps the user → groups index in step. */
function putGroup(store: Store, group: StoredGroup, previous?: StoredGroup): void {
  const listed = new Set(group.members.map((m) => m.value));
  for (const m of previous?.members ?? []) {
    if (!listed.has(m.value)) store.memberOf.get(m.value)?.delete(group.id);
  }
  for (const userId of listed) {
    const held = store.memberOf.get(userId);
    if (held) held.add(group.id);
    else store.memberOf.set(userId, new Set([group.id]));
  }
  store.groups.set(group.id, group);
}

function dropGroup(store: Store, id: string): boolean {
  const group = store.groups.get(id);
  if (!group) return false;
  store.groups.delete(id);
  for (const m of group.members) store.memberOf.get(m.value)?.delete(id);
  return true;
}

/** The users a list request asks for: filtered on the stored users, `groups` built for the matches only. */
/**
 * Every user, for a list without a filter. SCIMMY converts each listed resource before it
 * pages, which for thousands of users costs seconds a page; handed a sparse array as long as
 * the list with only the asked page filled (SCIMMY's documented way to report a total), it
 * converts that page alone. Only for the paging clients do (from the start, or page after
 * page, unsorted): SCIMMY's own offset would cut into a page otherwise, so anything else
 * gets every user.
 */
function allUsers(store: Store, constraints: { startIndex?: number; count?: number; sortBy?: string }) {
  const all = [...store.users.values()];
  const start = Number(constraints.startIndex ?? 1);
  const count = Number(constraints.count ?? 20);
  if (constraints.sortBy !== undefined || !(start === 1 || start > count))
    return all.map((u) => userOut(store, u));
  const page: StoredUser[] = new Array(all.length);
  for (let i = start - 1; i < Math.min(all.length, start - 1 + count); i++)
    page[i] = userOut(store, all[i] as StoredUser);
  return page;
}

function listUsers(store: Store, filter: string | undefined): StoredUser[] {
  if (!filter) return [...store.users.values()].map((u) => userOut(store, u));
  const ast = parsed(filter);
  const ids = idsNamed(ast);
  if (ids) {
    const found: StoredUser[] = [];
    for (const id of new Set(ids)) {
      const u = store.users.get(id);
      if (u) found.push(userOut(store, u));
    }
    return found;
  }
  const userName = userNameNamed(ast);
  if (userName !== null) {
    const id = store.byUserName.get(userName.toLowerCase());
    const u = id === undefined ? undefined : store.users.get(id);
    return u ? [userOut(store, u)] : [];
  }
  // A filter on groups needs them built first; any other is decided on the stored user.
  const onGroups = store.userGroups && mentions(ast, "groups");
  const out: StoredUser[] = [];
  for (const u of store.users.values()) {
    const seen = onGroups ? userOut(store, u) : u;
    if (matches(seen, ast)) out.push(onGroups ? seen : userOut(store, u));
  }
  return out;
}

let declared = false;

function declareResources(): void {
  if (declared) return;
  declared = true;
  // Process-wide: the widest Bulk setting any server offers (see the top of the file).
  SCIMMY.Config.set({ bulk: { supported: true, ...BULK_LIMITS } });
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
        putUser(store, next, existing);
        return userOut(store, next);
      }
      const id = randomUUID();
      const stamp = now();
      const user = { ...data, id, meta: { created: stamp, lastModified: stamp } } as StoredUser;
      putUser(store, user);
      return userOut(store, user);
    })
    .egress((resource, ctx: Ctx) => {
      const { store } = ctx;
      if (resource.id) {
        const u = store.users.get(resource.id);
        if (!u) throw notFound(resource.id);
        return userOut(store, u);
      }
      if (!ctx.filter) return allUsers(store, resource.constraints ?? {});
      return listUsers(store, ctx.filter);
    })
    .degress((resource, ctx: Ctx) => {
      if (!resource.id || !dropUser(ctx.store, resource.id)) throw notFound(resource.id);
    });

  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, instance, ctx: Ctx) => {
      const { store } = ctx;
      const data = plain(instance);
      const members: StoredGroup["members"] = [];
      const listed = new Set<string>();
      for (const m of (data.members as { value?: string; display?: string }[] | undefined) ?? []) {
        if (!m.value || !store.users.has(m.value)) {
          throw new SCIMMY.Types.Error(400, "invalidValue", `No user ${m.value} to be a member`);
        }
        if (!listed.has(m.value)) {
          listed.add(m.value);
          members.push({ value: m.value });
        }
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
      putGroup(store, group, existing);
      return group;
    })
    .egress((resource, ctx: Ctx) => {
      const { store } = ctx;
      if (resource.id) {
        const g = store.groups.get(resource.id);
        if (!g) throw notFound(resource.id);
        return g;
      }
      const ids = ctx.filter ? idsNamed(parsed(ctx.filter)) : null;
      if (ids) return [...new Set(ids)].flatMap((id) => store.groups.get(id) ?? []);
      return applyFilter(store.groups.values(), ctx.filter);
    })
    .degress((resource, ctx: Ctx) => {
      if (!resource.id || !dropGroup(ctx.store, resource.id)) throw notFound(resource.id);
    });
}

/** A SCIM error answer (RFC 7644 §3.12). */
function sendError(res: express.Response, status: number, detail: string): void {
  res
    .status(status)
    .type("application/scim+json")
    .send(JSON.stringify({ schemas: [SCIM_ERROR], status: String(status), detail }));
}

/**
 * This server's own Bulk setting in front of SCIMMY's process-wide one: the `bulk` part of
 * /ServiceProviderConfig, and POST /Bulk refused when off (501) or beyond this server's
 * limits (413). Requests without the right token go on to SCIMMY, which answers 401.
 */
function ownBulkSetting(
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number },
  authorized: (req: express.Request) => boolean,
): express.RequestHandler {
  const readJson = express.json({
    type: ["application/scim+json", "application/json"],
    limit: bulk.maxPayloadSize,
  });
  return (req, res, next) => {
    if (req.method === "GET" && req.path === "/ServiceProviderConfig") {
      const json = res.json.bind(res);
      res.json = (body: unknown) =>
        json(res.statusCode < 300 && body && typeof body === "object" ? { ...plain(body), bulk } : body);
      return next();
    }
    if (req.method !== "POST" || req.path !== "/Bulk" || !authorized(req)) return next();
    if (!bulk.supported) return sendError(res, 501, "Endpoint Not Implemented");
    if (Number(req.header("content-length")) > bulk.maxPayloadSize) {
      return sendError(
        res,
        413,
        `The size of the bulk operation exceeds maxPayloadSize limit (${bulk.maxPayloadSize})`,
      );
    }
    readJson(req, res, (err?: unknown) => {
      if (err) {
        const status = Number((err as { status?: unknown }).status) || 400;
        return sendError(res, status, (err as Error).message);
      }
      const ops = (req.body as { Operations?: unknown } | undefined)?.Operations;
      if (Array.isArray(ops) && ops.length > bulk.maxOperations) {
        return sendError(
          res,
          413,
          `Number of operations in BulkRequest exceeds maxOperations limit (${bulk.maxOperations})`,
        );
      }
      next();
    });
  };
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
  const store: Store = {
    users: new Map(),
    groups: new Map(),
    userGroups: opts.userGroups ?? true,
    byUserName: new Map(),
    memberOf: new Map(),
  };
  const bulk = {
    supported: opts.bulk !== false,
    maxOperations: BULK_LIMITS.maxOperations,
    maxPayloadSize: BULK_LIMITS.maxPayloadSize,
    ...(typeof opts.bulk === "object" ? opts.bulk : {}),
  };
  if (bulk.maxOperations > BULK_LIMITS.maxOperations || bulk.maxPayloadSize > BULK_LIMITS.maxPayloadSize) {
    throw new Error(`a test SCIM server's Bulk limits are at most ${JSON.stringify(BULK_LIMITS)}`);
  }
  const authorized = (req: express.Request) => req.header("authorization") === `Bearer ${token}`;
  const requests: TestScimServer["requests"] = [];
  let throttled = 0;
  const dropping = { n: 0, match: (_method: string, _path: string) => false };
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
    if (dropping.n > 0 && dropping.match(req.method, req.originalUrl)) {
      dropping.n--;
      requests.push({ method: req.method, path: req.originalUrl, status: 0 });
      req.socket.destroy();
      return;
    }
    if (throttled > 0) {
      throttled--;
      res
        .status(429)
        .set("retry-after", String(retryAfter))
        .type("application/scim+json")
        .send(
          JSON.stringify({
            schemas: [SCIM_ERROR],
            status: "429",
            detail: "Too many requests",
          }),
        );
      return;
    }
    next();
  });
  app.use("/scim/v2", ownBulkSetting(bulk, authorized));
  // Each router adds its authentication scheme to SCIMMY's process-wide configuration:
  // start from none, so the answer lists one however many servers a process starts.
  SCIMMY.Config.set("authenticationSchemes", []);
  app.use(
    "/scim/v2",
    new SCIMMYRouters({
      type: "bearer",
      handler: (req) => {
        if (!authorized(req)) throw new Error("Invalid bearer token");
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
      putGroup(store, { id, displayName, members: [], meta: { created: stamp, lastModified: stamp } });
      return id;
    },
    addUser(user) {
      if (store.byUserName.has(userNameKey(user.userName))) {
        throw new Error(`userName ${user.userName} is already taken`);
      }
      const stamp = now();
      const id = randomUUID();
      putUser(store, { ...user, id, meta: { created: stamp, lastModified: stamp } });
      return id;
    },
    dropNext(n, match) {
      dropping.n = n;
      dropping.match = match;
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
