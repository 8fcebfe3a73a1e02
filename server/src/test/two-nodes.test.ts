import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type Tandem } from "../app.js";
import { verifyChain } from "../platform/audit/index.js";
import { hashPassword, insertUser } from "../platform/auth/index.js";
import { loadConfig } from "../platform/config/index.js";
import { DataDirLockedError, type Db, migrate, openPglite, readMigrations } from "../platform/db/index.js";
import { createLogger } from "../platform/log/index.js";
import { onPostgres, openSameSchema, TEST_PASSWORD, TestClient, tempDir, testDatabase } from "./harness.js";

/**
 * Tandem scales out as stateless nodes on one PostgreSQL. On PostgreSQL this file runs two
 * app nodes on the same schema; on the embedded database (single-process by design) it
 * proves that a second opener of a data directory is refused instead.
 */

if (onPostgres) {
  describe("two nodes on one PostgreSQL", () => {
    let schema: string;
    let dbA: Db;
    let dbB: Db;
    let drop: () => Promise<void>;
    let nodeA: Tandem;
    let nodeB: Tandem;
    const dirs: string[] = [];

    beforeAll(async () => {
      const base = await testDatabase();
      schema = base.schema as string;
      dbA = base.db;
      drop = base.drop;
      dbB = await openSameSchema(schema);
      // Nodes share the database and the master key, nothing else (each has its own disk).
      const env = { TANDEM_MASTER_KEY: randomBytes(32).toString("base64") };
      const start = (db: Db) => {
        const dir = tempDir();
        dirs.push(dir);
        const config = loadConfig({
          ...env,
          TANDEM_DATA_DIR: dir,
          TANDEM_LOG_LEVEL: "silent",
          TANDEM_JOBS: "true",
          TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
          TANDEM_RATE_LIMIT_PER_MINUTE: "100000",
          TANDEM_AUTH_RATE_LIMIT_PER_MINUTE: "100000",
        });
        return buildApp(config, { db, log: createLogger("silent"), jobsSchema: `${schema}_boss`, env });
      };
      // Both nodes start at once on an empty schema: both migrate concurrently.
      const started = await Promise.allSettled([start(dbA), start(dbB)]);
      if (started[0].status === "fulfilled") nodeA = started[0].value;
      if (started[1].status === "fulfilled") nodeB = started[1].value;
      for (const s of started) if (s.status === "rejected") throw s.reason;
    });

    afterAll(async () => {
      await nodeA?.close();
      await nodeB?.close();
      await dbB?.close();
      await drop?.();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    it("both nodes started; every migration is recorded exactly once", async () => {
      const rows = await dbB.query<{ version: number; n: string }>(
        "SELECT version, count(*)::text AS n FROM schema_migrations GROUP BY version ORDER BY version",
      );
      expect(rows.rows.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
      expect(rows.rows.every((r) => r.n === "1")).toBe(true);
      expect((await nodeA.app.inject({ url: "/readyz" })).statusCode).toBe(200);
      expect((await nodeB.app.inject({ url: "/readyz" })).statusCode).toBe(200);
    });

    it("concurrent migrate() calls split the work: each migration applied by exactly one", async () => {
      const fresh = await testDatabase();
      const other = await openSameSchema(fresh.schema as string);
      try {
        const [a, b] = await Promise.all([migrate(fresh.db), migrate(other)]);
        const all = readMigrations().map((m) => `${m.version}_${m.name}`);
        expect([...a, ...b].sort()).toEqual([...all].sort());
        expect(a.filter((m) => b.includes(m))).toEqual([]);
        expect(await migrate(other)).toEqual([]);
      } finally {
        await other.close();
        await fresh.drop();
      }
    });

    it("a session started on node A is valid on node B, CSRF included, and ends everywhere", async () => {
      const email = "two.nodes@example.test";
      await insertUser(dbA, {
        email,
        displayName: "Two Nodes",
        roles: ["admin"],
        passwordHash: await hashPassword(TEST_PASSWORD),
      });
      const onA = new TestClient(nodeA);
      expect((await onA.login(email, TEST_PASSWORD)).statusCode).toBe(200);
      const onB = new TestClient(nodeB);
      onB.cookies = new Map(onA.cookies);
      onB.csrf = onA.csrf;
      const who = await onB.get("/api/v1/auth/session");
      expect(who.statusCode).toBe(200);
      expect(who.json<{ user: { email: string } }>().user.email).toBe(email);
      // A change on node B with the CSRF token node A handed out.
      const created = await onB.post("/api/v1/users", { email: "made.on.b@example.test", displayName: "B" });
      expect(created.statusCode).toBe(201);
      expect((await onA.get("/api/v1/users?q=made.on.b")).json<{ items: unknown[] }>().items).toHaveLength(1);
      // Signing out on node B ends the session on node A too.
      expect((await onB.post("/api/v1/auth/logout")).statusCode).toBe(204);
      expect((await onA.get("/api/v1/auth/session")).statusCode).toBe(401);
    });

    it("audit entries written through both nodes, in turn and at once, form one valid chain", async () => {
      const admin = "chain.admin@example.test";
      await insertUser(dbB, {
        email: admin,
        displayName: "Chain",
        roles: ["admin"],
        passwordHash: await hashPassword(TEST_PASSWORD),
      });
      const a = new TestClient(nodeA);
      expect((await a.login(admin, TEST_PASSWORD)).statusCode).toBe(200);
      const b = new TestClient(nodeB);
      expect((await b.login(admin, TEST_PASSWORD)).statusCode).toBe(200);
      const create = (c: TestClient, node: string, i: number) =>
        c.post(
          "/api/v1/users",
          { email: `chain${i}@example.test`, displayName: `Chain ${i}` },
          { "user-agent": `tandem-test-${node}` },
        );
      for (let i = 0; i < 6; i++) {
        const res = await (i % 2 ? create(b, "b", i) : create(a, "a", i));
        expect(res.statusCode).toBe(201);
      }
      const together = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 ? create(b, "b", 100 + i) : create(a, "a", 100 + i))),
      );
      expect(together.map((r) => r.statusCode)).toEqual(Array(16).fill(201));

      const byNode = await dbA.query<{ user_agent: string; n: string }>(
        `SELECT user_agent, count(*)::text AS n FROM audit_log
         WHERE action = 'user.created' AND user_agent LIKE 'tandem-test-%' GROUP BY user_agent ORDER BY user_agent`,
      );
      expect(byNode.rows).toEqual([
        { user_agent: "tandem-test-a", n: "11" },
        { user_agent: "tandem-test-b", n: "11" },
      ]);
      for (const db of [dbA, dbB]) {
        const result = await verifyChain(db);
        expect(result.broken).toBeUndefined();
        expect(result.ok).toBe(true);
        expect(result.checked).toBe(result.headSeq);
      }
    });
  });
} else {
  describe("the embedded database is single-process", () => {
    let dir: string;
    beforeAll(() => {
      dir = tempDir("tandem-lock-");
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a second openPglite on a data directory held in this process throws DataDirLockedError", async () => {
      const first = await openPglite(dir);
      try {
        await expect(openPglite(dir)).rejects.toBeInstanceOf(DataDirLockedError);
        // The refused attempt did not disturb the holder.
        expect((await first.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      } finally {
        await first.close();
      }
      // Once closed, the directory can be opened again.
      const again = await openPglite(dir);
      await again.close();
    }, 180_000);

    it("a data directory held by another running process is refused, naming that process", async () => {
      const held = path.join(dir, "other");
      const pglite = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../platform/db/pglite.ts");
      const script = `import { openPglite } from ${JSON.stringify(pglite)};
        await openPglite(${JSON.stringify(held)});
        process.stdout.write("held\\n");
        setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      try {
        await new Promise<void>((resolve, reject) => {
          let err = "";
          child.stdout.on("data", (d: Buffer) => d.toString().includes("held") && resolve());
          child.stderr.on("data", (d: Buffer) => {
            err += d.toString();
          });
          child.on("exit", (code) => reject(new Error(`holder exited with ${code}: ${err}`)));
        });
        const refused = await openPglite(held).then(
          (db) => db.close().then(() => undefined),
          (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(DataDirLockedError);
        expect((refused as DataDirLockedError).pid).toBe(child.pid);
      } finally {
        child.kill("SIGKILL");
        await new Promise((resolve) =>
          child.exitCode === null ? child.once("exit", resolve) : resolve(null),
        );
      }
      // The holder is gone: its lock is stale and the directory opens.
      const db = await openPglite(held);
      expect((await db.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      await db.close();
    }, 180_000);
  });
}
