import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Access, isPermission, permissionsOf, ROLES, type Role } from "../platform/authz/index.js";
import { loadConfig } from "../platform/config/index.js";
import { createHttpServer, routeRegistry } from "../platform/http/index.js";
import { createLogger } from "../platform/log/index.js";
import { createMetrics } from "../platform/metrics/index.js";
import { type Res, startTestApp, TEST_PASSWORD, type TestApp, type TestClient } from "./harness.js";

/**
 * The route × role matrix, read from the running app: every operation in the OpenAPI
 * document is called anonymously, as each role, and with API tokens, and the outcome is
 * compared with the route's declared access. A route added later is covered without
 * touching this file.
 */

const METHODS = ["get", "put", "post", "delete", "patch"] as const;
const DUMMY_ID = "01J00000000000000000000000";

interface Operation {
  method: string;
  /** Fastify form, e.g. /api/v1/users/:id */
  route: string;
  /** A concrete URL with path parameters filled in. */
  url: string;
  access: Access | undefined;
}

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { "x-tandem-access"?: Access; security?: unknown[] }>>;
}

let h: TestApp;
let doc: OpenApiDoc;
let ops: Operation[];
const accessOf = (op: Operation) => op.access as Access;
const permissionOf = (op: Operation) => {
  const a = accessOf(op);
  return typeof a === "object" ? a.permission : undefined;
};

beforeAll(async () => {
  h = await startTestApp();
  const res = await h.client().get("/api/openapi.json");
  expect(res.statusCode).toBe(200);
  doc = res.json<OpenApiDoc>();
  const registry = routeRegistry(h.t.app);
  ops = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      const route = path.replace(/\{([^}]+)\}/g, ":$1");
      ops.push({
        method: method.toUpperCase(),
        route,
        url: path.replace(/\{[^}]+\}/g, DUMMY_ID),
        access: registry.get(`${method.toUpperCase()} ${route}`)?.access,
      });
    }
  }
});
afterAll(() => h.close());

function send(c: TestClient, op: Operation): Promise<Res> {
  if (op.method === "GET" || op.method === "DELETE") return c.request({ method: op.method, url: op.url });
  return c.request({ method: op.method as "POST", url: op.url, payload: {} });
}

const code = (r: Res) => {
  try {
    return r.json<{ code?: string }>().code;
  } catch {
    return undefined;
  }
};

function expectForbidden(r: Res, label: string) {
  expect(r.statusCode, label).toBe(403);
  expect(String(r.headers["content-type"]), label).toMatch(/^application\/problem\+json/);
  expect(code(r), label).toBe("auth.forbidden");
}

function expectLetThrough(r: Res, label: string) {
  expect([401, 403], `${label} answered ${r.statusCode} ${r.body.slice(0, 200)}`).not.toContain(r.statusCode);
}

async function expectDenialAudited(r: Res, op: Operation) {
  const audit = await h.t.db.query<{ action: string; target_id: string; outcome: string }>(
    "SELECT action, target_id, outcome FROM audit_log WHERE request_id = $1",
    [String(r.headers["x-request-id"])],
  );
  expect(audit.rows, `${op.method} ${op.route}`).toContainEqual({
    action: "authz.denied",
    target_id: `${op.method} ${op.route}`,
    outcome: "denied",
  });
}

describe("every route declares who may call it", () => {
  it("the document lists operations, each with a declared access policy on a known permission", () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(ops.length).toBeGreaterThan(20);
    for (const op of ops) {
      expect(op.access, `${op.method} ${op.route} has no access policy`).toBeDefined();
      const perm = permissionOf(op);
      if (perm) expect(isPermission(perm), `${op.method} ${op.route} needs unknown ${perm}`).toBe(true);
    }
  });

  it("the rendered document shows each operation's access and security", () => {
    for (const op of ops) {
      const path = op.route.replace(/:([^/]+)/g, "{$1}");
      const entry = doc.paths[path]?.[op.method.toLowerCase()];
      expect(entry?.["x-tandem-access"], `${op.method} ${op.route}`).toEqual(op.access);
      expect(entry?.security, `${op.method} ${op.route}`).toEqual(
        op.access === "public" ? [] : expect.any(Array),
      );
    }
  });

  it("every registered /api (and /scim) route is in the document unless hidden", () => {
    const documented = new Set(ops.map((o) => `${o.method} ${o.route}`));
    for (const [key, entry] of routeRegistry(h.t.app)) {
      if (entry.method === "HEAD" || entry.hidden || !/^\/(api|scim)\//.test(entry.url)) continue;
      expect(documented.has(key), `${key} is registered but not documented`).toBe(true);
      expect(entry.access, `${key} has no access policy`).toBeDefined();
    }
  });

  it("an API route without an access declaration stops the server from starting", async () => {
    const config = loadConfig({ TANDEM_DATA_DIR: h.dataDir, TANDEM_LOG_LEVEL: "silent" });
    const app = await createHttpServer({ config, log: createLogger("silent"), metrics: createMetrics() });
    expect(() => app.get("/api/v1/unguarded", async () => ({ ok: true }))).toThrow(
      /declares no access policy/,
    );
    app.get("/api/v1/guarded", { config: { access: "authenticated" } }, async () => ({ ok: true }));
    expect(routeRegistry(app).get("GET /api/v1/guarded")?.access).toBe("authenticated");
    await app.close();
  });
});

describe("anonymous callers", () => {
  it("get 401 everywhere but public routes, which the access layer lets through", async () => {
    for (const op of ops) {
      const r = await send(h.client(), op);
      const label = `anonymous ${op.method} ${op.route}`;
      if (op.access === "public") {
        expect(code(r), label).not.toBe("auth.unauthenticated");
        expect(code(r), label).not.toBe("auth.forbidden");
      } else {
        expect(r.statusCode, label).toBe(401);
        expect(code(r), label).toBe("auth.unauthenticated");
        expect(String(r.headers["content-type"]), label).toMatch(/^application\/problem\+json/);
      }
    }
  });
});

describe("each role", () => {
  for (const role of ROLES) {
    it(`${role}: 403 auth.forbidden (audited) without a route's permission, let through with it`, async () => {
      const c = await h.signedIn([role]);
      const held = permissionsOf([role]);
      for (const op of ops) {
        const label = `${role} ${op.method} ${op.route}`;
        const r = await send(c, op);
        const perm = permissionOf(op);
        if (perm && !held.has(perm)) {
          expectForbidden(r, label);
          await expectDenialAudited(r, op);
        } else {
          expectLetThrough(r, label);
        }
        // Some routes end the caller's session (sign out); sign in again for the next one.
        if ((await c.get("/api/v1/auth/session")).statusCode === 401) {
          expect((await c.login(c.email, TEST_PASSWORD)).statusCode).toBe(200);
        }
      }
    }, 300_000);
  }

  it("agrees with the agreed policy for the platform's own routes", async () => {
    // A fixed slice of the matrix, so a wrong entry in the permission map is caught too.
    const expected: [string, string, Role[]][] = [
      ["GET", "/api/v1/users", ["admin"]],
      ["POST", "/api/v1/users", ["admin"]],
      ["PUT", "/api/v1/settings/sso", ["admin"]],
      ["GET", "/api/v1/audit", ["admin", "auditor", "security"]],
      ["POST", "/api/v1/audit/checkpoints", ["admin", "auditor"]],
      ["GET", "/api/v1/tokens", ["admin", "hr", "security", "it", "legal", "auditor"]],
    ];
    for (const [method, url, allowed] of expected) {
      const op = ops.find((o) => o.method === method && o.route === url);
      expect(op, `${method} ${url}`).toBeDefined();
      const perm = permissionOf(op as Operation) as string;
      for (const role of ROLES) {
        expect(permissionsOf([role]).has(perm), `${role} ${method} ${url}`).toBe(allowed.includes(role));
      }
    }
    const employee = await h.signedIn(["employee"]);
    expectForbidden(await employee.get("/api/v1/users"), "employee lists users");
    const auditor = await h.signedIn(["auditor"]);
    expectLetThrough(await auditor.get("/api/v1/audit"), "auditor reads the audit log");
    expect((await auditor.get("/api/v1/audit")).statusCode).toBe(200);
  });
});

describe("API tokens", () => {
  it("reach a route only with its permission among their scopes", async () => {
    // Someone holding every role can mint a token with any permission a route needs.
    const owner = await h.signedIn([...ROLES]);
    const held = [...permissionsOf(ROLES)];
    const needed = [...new Set(ops.map(permissionOf).filter((p): p is string => !!p))];
    const tokens = new Map<string, { with: string; without: string }>();
    for (const perm of needed) {
      const mint = async (scopes: string[]) => {
        const r = await owner.post("/api/v1/tokens", { name: `matrix ${perm}`, scopes, expiresInDays: 1 });
        expect(r.statusCode, r.body).toBe(201);
        return r.json<{ secret: string }>().secret;
      };
      const others = held.filter((p) => p !== perm).slice(0, 50);
      tokens.set(perm, { with: await mint([perm]), without: await mint(others) });
    }
    const bearer = (secret: string) => Object.assign(h.client(), { bearer: secret });
    for (const op of ops) {
      const label = `token ${op.method} ${op.route}`;
      const perm = permissionOf(op);
      if (!perm) {
        if (op.access === "authenticated") {
          const anyToken = [...tokens.values()][0]?.with as string;
          expectLetThrough(await send(bearer(anyToken), op), label);
        }
        continue;
      }
      const t = tokens.get(perm) as { with: string; without: string };
      const denied = await send(bearer(t.without), op);
      expectForbidden(denied, `${label} without ${perm}`);
      await expectDenialAudited(denied, op);
      expectLetThrough(await send(bearer(t.with), op), `${label} with ${perm}`);
    }
  }, 300_000);
});
