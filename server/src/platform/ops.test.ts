import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Res, startTestApp, TEST_PASSWORD, type TestApp } from "../test/harness.js";
import { createLogger } from "./log/index.js";

/** Everything the process writes to its log, one JSON line per entry. */
const logLines: string[] = [];
const sink = { write: (line: string) => void logLines.push(line) };

let h: TestApp;
beforeAll(async () => {
  h = await startTestApp({}, { jobs: true, log: createLogger("info", sink) });
});
afterAll(() => h.close());

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe("health and readiness", () => {
  it("/healthz answers 200 while the process is up", async () => {
    const res = await h.client().get("/healthz");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("/readyz answers 200 when the database and the job queue answer", async () => {
    const res = await h.client().get("/readyz");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ready", checks: { database: "ok", queue: "ok" } });
  });

  it("neither needs a session nor counts against the rate limit", async () => {
    const res = await h.client().get("/readyz");
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-ratelimit-limit"]).toBeUndefined();
    expect((await h.client().get("/api/v1/auth/sso")).headers["x-ratelimit-limit"]).toBeDefined();
  });
});

describe("metrics", () => {
  it("/metrics is Prometheus text with request durations by route, not by raw URL", async () => {
    await h.client().get("/healthz");
    await h.client().get("/api/v1/users");
    await h.client().get("/api/v1/no-such-route-7f3a");
    const res = await h.client().get("/metrics");
    expect(res.statusCode).toBe(200);
    expect(String(res.headers["content-type"])).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain("# TYPE tandem_http_request_duration_seconds histogram");
    expect(res.body).toMatch(
      /tandem_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/,
    );
    expect(res.body).toMatch(
      /tandem_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/users",status="401"\} [1-9]/,
    );
    // An unknown URL is not a label value (labels must not grow with what clients send).
    expect(res.body).not.toContain("no-such-route-7f3a");
    expect(res.body).toContain("tandem_process_cpu_seconds_total");
  });
});

describe("response headers", () => {
  it("an API response carries the security headers", async () => {
    const res = await h.client().get("/api/v1/auth/sso");
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toMatch(/(^|;)\s*default-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"] ?? csp).toMatch(/SAMEORIGIN|DENY|frame-ancestors/);
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  it("every response has its own x-request-id; a client cannot choose it", async () => {
    const c = h.client();
    const responses: Res[] = [
      await c.get("/healthz"),
      await c.get("/readyz"),
      await c.get("/metrics"),
      await c.get("/api/openapi.json"),
      await c.get("/api/v1/auth/csrf"),
      await c.get("/api/v1/users"),
      await c.get("/api/v1/nowhere"),
      await c.post("/api/v1/users", "{not json", { "content-type": "application/json" }),
      await c.get("/", { "x-request-id": "chosen-by-client" }),
    ];
    const ids = responses.map((r) => String(r.headers["x-request-id"]));
    for (const id of ids) expect(id).toMatch(ULID);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("API document", () => {
  it("/api/openapi.json is OpenAPI 3.1 with both ways to authenticate", async () => {
    const res = await h.client().get("/api/openapi.json");
    expect(res.statusCode).toBe(200);
    const doc = res.json<{
      openapi: string;
      info: { title: string };
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe("Tandem API");
    expect(Object.keys(doc.paths)).toContain("/api/v1/users");
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["session", "token"]);
    // Operational and documentation routes are not API operations.
    const operational = /^\/(healthz|readyz|metrics|api\/openapi\.json|api\/docs)/;
    expect(Object.keys(doc.paths).filter((p) => operational.test(p))).toEqual([]);
  });

  it("/api/docs renders the documentation as HTML", async () => {
    const c = h.client();
    let res = await c.get("/api/docs");
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 3; hops++) {
      res = await c.get(new URL(String(res.headers.location), "http://tandem.test/api/docs").pathname);
    }
    expect(res.statusCode).toBe(200);
    expect(String(res.headers["content-type"])).toMatch(/^text\/html/);
    expect(res.body).toMatch(/swagger/i);
  });
});

describe("logs", () => {
  it("carry request ids but no personal data, passwords, cookies or query strings", async () => {
    const email = "nomvula.dlamini@example.test";
    const password = "Hunter2-but-much-longer";
    await h.signedIn(["employee"], email);
    logLines.length = 0;

    const stranger = h.client();
    const failed = await stranger.login(email, password);
    expect(failed.statusCode).toBe(401);

    const c = h.client();
    expect((await c.login(email, TEST_PASSWORD)).statusCode).toBe(200);
    const cookie = c.cookies.get("tandem_session") as string;
    expect(cookie).toBeTruthy();
    const session = await c.get("/api/v1/auth/session?include=secret-query-value-1");
    expect(session.statusCode).toBe(200);
    await h.client().get("/api/v1/auth/sso/callback?code=secret-code-value-2&state=secret-state-value-3");
    await c.post("/api/v1/auth/logout");

    // Let pino flush what the last responses logged.
    await new Promise((resolve) => setImmediate(resolve));
    const text = logLines.join("");
    expect(logLines.length).toBeGreaterThan(5);
    for (const secret of [
      email,
      "nomvula",
      password,
      TEST_PASSWORD,
      cookie,
      c.csrf,
      "secret-query-value-1",
      "secret-code-value-2",
      "secret-state-value-3",
    ]) {
      expect(text, `the log contains ${secret}`).not.toContain(secret);
    }
    expect(text).not.toMatch(/"(path|url)":"[^"]*\?/);
    // Every request is traceable by its id.
    const entries = logLines.map((l) => JSON.parse(l) as { reqId?: string; msg?: string });
    expect(entries.filter((e) => e.reqId === session.headers["x-request-id"]).length).toBeGreaterThan(0);
    for (const e of entries.filter((x) => x.msg === "incoming request")) expect(e.reqId).toMatch(ULID);
  });
});
