/**
 * A small custom system that takes Tandem's webhook operations, for connector tests: it
 * checks every request's HMAC signature and timestamp on its own (node:crypto, not the
 * connector's code), keeps accounts in memory, replays answers for a repeated idempotency
 * key, and can be told to fail, stall or redirect the next requests.
 *
 * Protocol (docs/connectors.md): POST /operations { operation, account, entitlement };
 * GET /accounts?limit&cursor | ?username | ?email | ?employeeNumber; GET /accounts/:id;
 * GET /entitlements.
 *
 * Test-only code.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { selfSignedCertificate } from "./scim-server.js";

export interface SystemAccount {
  id: string;
  username: string;
  email?: string;
  displayName?: string;
  employeeNumber?: string;
  enabled: boolean;
  entitlements: string[];
}

export interface SystemRequest {
  method: string;
  path: string;
  status: number;
  operation?: string;
  idempotencyKey?: string;
  /** The answer came from the idempotency cache: the operation was not applied again. */
  replayed?: boolean;
}

export interface WebhookSystemOptions {
  /** The signing secret shared with Tandem; a random one by default. */
  secret?: string;
  /** Serve HTTPS with a fresh self-signed certificate (uses openssl). */
  tls?: boolean;
  /** How far a timestamp may be from now, in seconds; default 300. */
  toleranceSeconds?: number;
}

export interface TestWebhookSystem {
  baseUrl: string;
  secret: string;
  certificatePem?: string;
  accounts: Map<string, SystemAccount>;
  entitlements: { id: string; name: string }[];
  sessionsRevoked: string[];
  requests: SystemRequest[];
  /** Answers the next `n` requests (of `method`, when given) with `status` (and Retry-After, when given). */
  failNext(n: number, status: number, retryAfterSeconds?: number, method?: "GET" | "POST"): void;
  /** Applies the next operation, then answers 502 as if the answer was lost on the way. */
  loseNextAnswer(): void;
  /** Holds the next request's answer for `ms`. */
  stallNext(ms: number): void;
  /** Answers the next request with a redirect to `location`. */
  redirectNext(location: string, status?: number): void;
  stop(): Promise<void>;
}

type Answer = { status: number; body?: unknown };

/** The system serves below this path, like an app mounted under a prefix. */
const PREFIX = "/tandem";

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

export async function startWebhookSystem(opts: WebhookSystemOptions = {}): Promise<TestWebhookSystem> {
  const secret = opts.secret ?? `whsec-${randomUUID()}`;
  const tolerance = opts.toleranceSeconds ?? 300;
  const accounts = new Map<string, SystemAccount>();
  const entitlements = [
    { id: "engineering", name: "Engineering" },
    { id: "vpn", name: "VPN" },
    { id: "billing-admin", name: "Billing administrator" },
  ];
  const sessionsRevoked: string[] = [];
  const requests: SystemRequest[] = [];
  const done = new Map<string, { hash: string; answer: Answer }>();
  let failing = {
    n: 0,
    status: 500,
    retryAfter: undefined as number | undefined,
    method: undefined as string | undefined,
  };
  let loseAnswer = false;
  let stall = 0;
  let redirect: { location: string; status: number } | undefined;

  function verified(req: http.IncomingMessage, body: string): string | null {
    const ts = req.headers["x-tandem-timestamp"];
    const sig = req.headers["x-tandem-signature"];
    if (typeof ts !== "string" || typeof sig !== "string") return "missing signature";
    if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > tolerance) return "stale timestamp";
    const signed = req.method === "GET" ? `${ts}.GET ${req.url}` : `${ts}.${body}`;
    const want = Buffer.from(`sha256=${createHmac("sha256", secret).update(signed).digest("hex")}`);
    const got = Buffer.from(sig);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return "bad signature";
    return null;
  }

  const view = (a: SystemAccount) => structuredClone(a);

  function operate(op: {
    operation?: unknown;
    account?: Record<string, unknown>;
    entitlement?: { id?: unknown };
  }): Answer {
    const acc = op.account ?? {};
    const id = typeof acc.id === "string" ? acc.id : undefined;
    const fields = (a: SystemAccount) => {
      for (const k of ["username", "email", "displayName", "employeeNumber"] as const) {
        if (typeof acc[k] === "string") a[k] = acc[k] as string;
      }
      if (typeof acc.enabled === "boolean") a.enabled = acc.enabled;
    };
    const taken = (username: unknown, self?: string) =>
      typeof username === "string" &&
      [...accounts.values()].find((a) => a.id !== self && same(a.username, username));
    if (op.operation === "create") {
      if (typeof acc.username !== "string" || !acc.username)
        return { status: 400, body: { error: "username is required" } };
      const holder = taken(acc.username);
      if (holder) return { status: 409, body: { error: "username is taken", account: view(holder) } };
      const a: SystemAccount = { id: randomUUID(), username: acc.username, enabled: true, entitlements: [] };
      fields(a);
      accounts.set(a.id, a);
      return { status: 201, body: { account: view(a) } };
    }
    const a = id ? accounts.get(id) : undefined;
    if (!a) return { status: 404, body: { error: "no such account" } };
    switch (op.operation) {
      case "update":
        if (taken(acc.username, a.id)) return { status: 409, body: { error: "username is taken" } };
        fields(a);
        break;
      case "disable":
      case "enable":
        a.enabled = op.operation === "enable";
        break;
      case "delete":
        accounts.delete(a.id);
        return { status: 204 };
      case "grant":
      case "revoke": {
        const ent = entitlements.find((e) => e.id === op.entitlement?.id);
        if (!ent) return { status: 404, body: { error: "no such entitlement" } };
        const held = new Set(a.entitlements);
        if (op.operation === "grant") held.add(ent.id);
        else held.delete(ent.id);
        a.entitlements = [...held].sort();
        break;
      }
      case "revoke_sessions":
        sessionsRevoked.push(a.id);
        return { status: 204 };
      default:
        return { status: 400, body: { error: "unknown operation" } };
    }
    return { status: 200, body: { account: view(a) } };
  }

  function readBack(url: URL): Answer {
    if (url.pathname === "/entitlements") return { status: 200, body: { entitlements } };
    if (url.pathname === "/accounts") {
      const q = url.searchParams;
      const limit = Math.max(1, Math.min(Number(q.get("limit") ?? 100) || 100, 1000));
      let list = [...accounts.values()];
      for (const k of ["username", "email", "employeeNumber"] as const) {
        const v = q.get(k);
        if (v !== null) list = list.filter((a) => same(a[k], v));
      }
      const start = Number(q.get("cursor") ?? 0) || 0;
      const page = list.slice(start, start + limit);
      const next = start + limit < list.length ? String(start + limit) : null;
      return { status: 200, body: { accounts: page.map(view), next } };
    }
    const m = /^\/accounts\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const a = accounts.get(decodeURIComponent(m[1]!));
      return a ? { status: 200, body: view(a) } : { status: 404, body: { error: "no such account" } };
    }
    return { status: 404, body: { error: "no such endpoint" } };
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = new URL((req.url ?? "/").replace(PREFIX, ""), "http://system.invalid");
      const log: SystemRequest = { method: req.method ?? "", path: req.url ?? "", status: 0 };
      const key = req.headers["idempotency-key"];
      if (typeof key === "string") log.idempotencyKey = key;
      const send = (a: Answer, headers: Record<string, string> = {}) => {
        log.status = a.status;
        requests.push(log);
        res.writeHead(
          a.status,
          a.body === undefined ? headers : { "content-type": "application/json", ...headers },
        );
        res.end(a.body === undefined ? undefined : JSON.stringify(a.body));
      };
      if (stall > 0) {
        const ms = stall;
        stall = 0;
        await new Promise((r) => setTimeout(r, ms));
      }
      if (redirect) {
        const r = redirect;
        redirect = undefined;
        return send({ status: r.status }, { location: r.location });
      }
      const refused = verified(req, body);
      if (refused) return send({ status: 401, body: { error: refused } });
      if (failing.n > 0 && (!failing.method || failing.method === req.method)) {
        failing.n--;
        const headers: Record<string, string> =
          failing.retryAfter === undefined ? {} : { "retry-after": String(failing.retryAfter) };
        return send({ status: failing.status, body: { error: "try again later" } }, headers);
      }
      if (!req.url?.startsWith(`${PREFIX}/`))
        return send({ status: 404, body: { error: "no such endpoint" } });
      if (req.method === "GET") return send(readBack(url));
      if (req.method !== "POST" || url.pathname !== "/operations") {
        return send({ status: 404, body: { error: "no such endpoint" } });
      }
      if (typeof key !== "string" || !key)
        return send({ status: 400, body: { error: "Idempotency-Key is required" } });
      let op: Parameters<typeof operate>[0];
      try {
        op = JSON.parse(body);
      } catch {
        return send({ status: 400, body: { error: "body is not JSON" } });
      }
      log.operation = String(op.operation);
      const hash = createHash("sha256").update(body).digest("hex");
      const before = done.get(key);
      if (before) {
        if (before.hash !== hash)
          return send({ status: 422, body: { error: "Idempotency-Key reused for another operation" } });
        log.replayed = true;
        return send(before.answer);
      }
      const answer = operate(op);
      if (answer.status < 300) done.set(key, { hash, answer });
      if (loseAnswer) {
        loseAnswer = false;
        return send({ status: 502, body: { error: "bad gateway" } });
      }
      return send(answer);
    });
  };

  let certificatePem: string | undefined;
  let server: http.Server | https.Server;
  if (opts.tls) {
    const { key, cert } = selfSignedCertificate();
    certificatePem = cert;
    server = https.createServer({ key, cert }, handler);
  } else {
    server = http.createServer(handler);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `${opts.tls ? "https" : "http"}://127.0.0.1:${port}${PREFIX}`,
    secret,
    ...(certificatePem ? { certificatePem } : {}),
    accounts,
    entitlements,
    sessionsRevoked,
    requests,
    failNext(n, status, retryAfterSeconds, method) {
      failing = { n, status, retryAfter: retryAfterSeconds, method };
    },
    loseNextAnswer() {
      loseAnswer = true;
    },
    stallNext(ms) {
      stall = ms;
    },
    redirectNext(location, status = 307) {
      redirect = { location, status };
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
