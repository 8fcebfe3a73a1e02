import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildApp } from "../../server/src/app.js";
import { createApiToken, hashPassword, insertUser } from "../../server/src/platform/auth/index.js";
import { permissionsOf } from "../../server/src/platform/authz/index.js";
import { loadConfig } from "../../server/src/platform/config/index.js";
import { openDatabase, openPostgres } from "../../server/src/platform/db/index.js";
import { CpuProfiler } from "../lib/profile.js";
import { announce } from "../lib/serve.js";
import { countingDb } from "../lib/sql-counter.js";

/**
 * Tandem as `tandem serve` runs it by default: embedded PostgreSQL (PGlite) in a data
 * directory on disk, background jobs on, the same plugins and hooks. Differences, all on
 * purpose: a throw-away temp data directory, logging at BENCH_TANDEM_LOG_LEVEL (warn by
 * default, so no per-request log lines), the general rate limit raised so the load is not
 * answered with 429s, and a statement counter around the database handle.
 * Seeds one user (through Tandem's own code) and an API token for the parent to use.
 */

const ROLES = ["employee"];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-"));
const env = {
  TANDEM_DATA_DIR: dataDir,
  TANDEM_HOST: "127.0.0.1",
  TANDEM_PORT: "0",
  TANDEM_LOG_LEVEL: process.env.BENCH_TANDEM_LOG_LEVEL || "warn",
  TANDEM_JOBS: "true",
  TANDEM_RATE_LIMIT_PER_MINUTE: "1000000000",
};
const config = loadConfig(env);

// BENCH_DATABASE_URL runs the same benchmark on PostgreSQL, in a schema of its own.
const pgUrl = process.env.BENCH_DATABASE_URL;
const schema = pgUrl ? `bench_${process.pid}_${randomBytes(3).toString("hex")}` : undefined;
const counter = countingDb(pgUrl ? await openPostgres(pgUrl, { schema }) : await openDatabase(config));
const t = await buildApp(config, { db: counter.db, env, jobsSchema: schema && `${schema}_boss` });

const email = "bench.user@example.test";
const password = randomBytes(18).toString("base64url");
const user = await insertUser(t.db, {
  email,
  displayName: "Bench User",
  roles: ROLES,
  passwordHash: await hashPassword(password),
});
const { secret } = await createApiToken(t.db, {
  userId: user.id,
  name: "bench",
  scopes: [...permissionsOf(ROLES)],
  expiresInDays: 1,
});

await t.app.listen({ host: "127.0.0.1", port: 0 });
const address = t.app.server.address();
const port = typeof address === "object" && address ? address.port : 0;

const profiler = new CpuProfiler();
announce(
  t.app.server,
  port,
  {
    email,
    password,
    apiToken: secret,
    logLevel: config.TANDEM_LOG_LEVEL,
    database: pgUrl
      ? "PostgreSQL (BENCH_DATABASE_URL), a schema of its own"
      : "embedded PostgreSQL (PGlite) in a fresh temp data directory on disk",
  },
  {
    "window-reset": () => counter.reset(),
    sql: () => counter.stats(),
    "profile-start": () => profiler.start(),
    "profile-stop": () => profiler.stop(),
  },
  async () => {
    await t.close();
    if (schema)
      await counter.db.exec(`DROP SCHEMA "${schema}" CASCADE; DROP SCHEMA "${schema}_boss" CASCADE`);
    await counter.db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  },
);
