import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { InjectOptions } from "fastify";
import { buildApp, type Tandem } from "../app.js";
import { hashPassword, insertUser } from "../platform/auth/index.js";
import { type Config, loadConfig } from "../platform/config/index.js";
import { type Db, openPglite, openPostgres } from "../platform/db/index.js";
import { createLogger, type Logger } from "../platform/log/index.js";

export const TEST_PASSWORD = "correct horse battery staple";

/** Which database this run uses: PGlite by default, PostgreSQL when TANDEM_TEST_DB=postgres. */
export const onPostgres = process.env.TANDEM_TEST_DB === "postgres";

/**
 * A database of the test's own: a fresh in-memory PGlite, or a fresh schema on the
 * PostgreSQL server named by TEST_DATABASE_URL, so test files run in parallel safely.
 */
export async function testDatabase(): Promise<{ db: Db; schema?: string; drop: () => Promise<void> }> {
  if (!onPostgres) {
    const db = await openPglite();
    return { db, drop: () => db.close() };
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TANDEM_TEST_DB=postgres needs TEST_DATABASE_URL");
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const db = await openPostgres(url, { schema, max: 5 });
  return {
    db,
    schema,
    drop: async () => {
      await db.exec(
        `DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_boss" CASCADE`,
      );
      await db.close();
    },
  };
}

/**
 * Another connection pool on the PostgreSQL schema of testDatabase(): what a second app
 * node sees of the same database. Only on PostgreSQL (PGlite is single-process).
 */
export async function openSameSchema(schema: string): Promise<Db> {
  const url = process.env.TEST_DATABASE_URL;
  if (!onPostgres || !url)
    throw new Error("openSameSchema needs TANDEM_TEST_DB=postgres and TEST_DATABASE_URL");
  return openPostgres(url, { schema, max: 5 });
}

export function tempDir(prefix = "tandem-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestApp {
  t: Tandem;
  config: Config;
  dataDir: string;
  client: () => TestClient;
  /** Creates a user with a password and the given roles, returns a signed-in client. */
  signedIn: (roles: string[], email?: string) => Promise<TestClient & { userId: string; email: string }>;
  close: () => Promise<void>;
}

export async function startTestApp(
  env: Record<string, string> = {},
  opts: { jobs?: boolean; log?: Logger } = {},
): Promise<TestApp> {
  const dataDir = tempDir();
  const { db, schema, drop } = await testDatabase();
  const config = loadConfig({
    TANDEM_DATA_DIR: dataDir,
    TANDEM_LOG_LEVEL: "silent",
    TANDEM_JOBS: opts.jobs ? "true" : "false",
    TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
    TANDEM_RATE_LIMIT_PER_MINUTE: "100000",
    TANDEM_AUTH_RATE_LIMIT_PER_MINUTE: "100000",
    // Tests start reconciliations themselves; a schedule firing mid-test would only add noise.
    TANDEM_ACCESS_RECONCILE_CRON: "off",
    ...env,
  });
  const t = await buildApp(config, {
    db,
    log: opts.log ?? createLogger("silent"),
    jobsSchema: schema ? `${schema}_boss` : undefined,
    env: { ...env },
  });
  let n = 0;
  const app: TestApp = {
    t,
    config,
    dataDir,
    client: () => new TestClient(t),
    async signedIn(roles, email) {
      const address = email ?? `user${++n}-${roles.join("-") || "none"}@example.test`;
      const user = await insertUser(db, {
        email: address,
        displayName: address.split("@")[0]!,
        roles,
        passwordHash: await hashPassword(TEST_PASSWORD),
      });
      const c = new TestClient(t);
      await c.login(address, TEST_PASSWORD);
      return Object.assign(c, { userId: user.id, email: address });
    },
    async close() {
      await t.close();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return app;
}

export interface Res {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json: <T = Record<string, unknown>>() => T;
}

/** A cookie-keeping client over app.inject that sends the CSRF header like the web app. */
export class TestClient {
  cookies = new Map<string, string>();
  csrf = "";
  bearer?: string;

  constructor(private readonly t: Tandem) {}

  async request(opts: InjectOptions & { url: string }): Promise<Res> {
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string>) };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (this.csrf && !("x-csrf-token" in headers)) headers["x-csrf-token"] = this.csrf;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    const res = await this.t.app.inject({ ...opts, headers });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === "" || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()))
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return {
      statusCode: res.statusCode,
      headers: res.headers as Res["headers"],
      body: res.body,
      json: <T>() => JSON.parse(res.body) as T,
    };
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request({ method: "GET", url, headers });
  }
  post(url: string, payload?: unknown, headers?: Record<string, string>) {
    return this.request({ method: "POST", url, payload: payload as InjectOptions["payload"], headers });
  }
  put(url: string, payload?: unknown) {
    return this.request({ method: "PUT", url, payload: payload as InjectOptions["payload"] });
  }
  patch(url: string, payload?: unknown) {
    return this.request({ method: "PATCH", url, payload: payload as InjectOptions["payload"] });
  }
  delete(url: string) {
    return this.request({ method: "DELETE", url });
  }

  async login(email: string, password: string): Promise<Res> {
    const pre = await this.get("/api/v1/auth/csrf");
    this.csrf = pre.json<{ csrfToken: string }>().csrfToken;
    const res = await this.post("/api/v1/auth/login", { email, password });
    if (res.statusCode === 200) this.csrf = res.json<{ csrfToken: string }>().csrfToken;
    return res;
  }
}
