import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildApp } from "../server/src/app.js";
import {
  SCIM_ENTERPRISE_USER,
  SCIM_USER,
  ScimClient,
  type ScimUser,
} from "../server/src/connectors/scim/index.js";
import { createApiToken, insertUser } from "../server/src/platform/auth/index.js";
import { loadConfig } from "../server/src/platform/config/index.js";
import { createLogger } from "../server/src/platform/log/index.js";
import { intFromEnv, percentile, runAsScript } from "./util.js";

/**
 * Benchmark "scim-throughput": how many SCIM 2.0 writes Tandem takes per second from an
 * identity provider. Tandem is built from its composition root (`buildApp`) on the embedded
 * database in a temporary directory and listens on 127.0.0.1; Tandem's own SCIM client sends
 * real HTTP requests to `/scim/v2` with a `people:scim` API token, a bounded number at a time.
 * It creates N users with the enterprise extension (employee number, department), then PATCHes
 * each (replace displayName and the department). Reports throughput, latency percentiles and
 * errors per phase; it never judges them.
 *
 *   BENCH_SCIM_USERS        users created, then patched (default 2000)
 *   BENCH_SCIM_CONCURRENCY  requests in flight at once (default 8)
 */

export interface ScimBenchSettings {
  users: number;
  concurrency: number;
}

const E = SCIM_ENTERPRISE_USER;
const DEPARTMENTS = ["Engineering", "Finance", "Sales"];

const say = (msg: string) => process.stderr.write(`[bench scim-throughput] ${msg}\n`);
const round2 = (n: number) => Math.round(n * 100) / 100;

interface PhaseResult {
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p95Ms: number;
  errors: number;
  /** CPU time of this process (server, embedded database and client all run in it). */
  cpuSeconds: number;
  firstErrors?: string[];
}

/** Runs op(0..count-1) with at most `concurrency` in flight; times each op, counts failures. */
async function phase<T>(
  label: string,
  count: number,
  concurrency: number,
  op: (i: number) => Promise<T>,
): Promise<{ result: PhaseResult; values: (T | undefined)[] }> {
  const values: (T | undefined)[] = new Array(count);
  const latencies: number[] = [];
  const firstErrors: string[] = [];
  let errors = 0;
  let next = 0;
  let done = 0;
  const step = Math.max(1, Math.floor(count / 10));
  const started = performance.now();
  const cpu = process.cpuUsage();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const t0 = performance.now();
      try {
        values[i] = await op(i);
        latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        if (firstErrors.length < 5) firstErrors.push((e as Error).message);
      }
      if (++done % step === 0) say(`${label}: ${done}/${count}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const result: PhaseResult = {
    seconds: round2(seconds),
    opsPerSec: Math.round(latencies.length / seconds),
    p50Ms: round2(percentile(latencies, 50)),
    p95Ms: round2(percentile(latencies, 95)),
    errors,
    cpuSeconds: round2((used.user + used.system) / 1e6),
    ...(firstErrors.length ? { firstErrors } : {}),
  };
  say(`${label}: ${result.seconds} s, ${result.opsPerSec}/s, ${errors} errors`);
  return { result, values };
}

export async function scimBench(s: ScimBenchSettings) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-scim-"));
  const env = {
    TANDEM_DATA_DIR: path.join(dir, "data"),
    TANDEM_LOG_LEVEL: "warn",
    TANDEM_JOBS: "true",
    TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
    TANDEM_RATE_LIMIT_PER_MINUTE: "1000000000",
  };
  const config = loadConfig(env);
  const t = await buildApp(config, { log: createLogger("warn", process.stderr), env: {} });
  try {
    const owner = await insertUser(t.db, {
      email: "scim.bench@example.test",
      displayName: "SCIM Bench",
      roles: ["hr"],
    });
    const scimToken = await createApiToken(t.db, {
      userId: owner.id,
      name: "bench scim",
      scopes: ["people:scim"],
      expiresInDays: 1,
    });
    const orgToken = await createApiToken(t.db, {
      userId: owner.id,
      name: "bench org",
      scopes: ["org:write"],
      expiresInDays: 1,
    });
    const origin = await t.app.listen({ host: "127.0.0.1", port: 0 });
    for (const name of DEPARTMENTS) {
      const r = await fetch(`${origin}/api/v1/departments`, {
        method: "POST",
        headers: { authorization: `Bearer ${orgToken.secret}`, "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
      if (r.status !== 201) throw new Error(`creating department ${name}: ${r.status} ${await r.text()}`);
    }
    // No retries: a 429 or 503 is an error of the run, not a pause hidden in the latencies.
    const scim = new ScimClient({ baseUrl: `${origin}/scim/v2`, token: scimToken.secret, maxRetries: 0 });

    say(`creating ${s.users} users, ${s.concurrency} at a time`);
    const create = await phase("create", s.users, s.concurrency, async (i) => {
      const k = String(i + 1).padStart(6, "0");
      const created = await scim.users.create({
        schemas: [SCIM_USER, E],
        userName: `scim.user.${k}@corp.test`,
        externalId: `idp-${k}`,
        name: { givenName: "Bench", familyName: `User${k}` },
        displayName: `Bench User${k}`,
        active: true,
        emails: [{ value: `scim.user.${k}@corp.test`, type: "work", primary: true }],
        [E]: { employeeNumber: `S${k}`, department: DEPARTMENTS[i % DEPARTMENTS.length] },
      } as Omit<ScimUser, "id" | "meta">);
      return created.id;
    });

    const ids = create.values.filter((id): id is string => typeof id === "string");
    say(`patching ${ids.length} users, ${s.concurrency} at a time`);
    const patch = await phase("patch", ids.length, s.concurrency, async (i) => {
      await scim.users.patch(ids[i] as string, [
        { op: "replace", path: "displayName", value: `Renamed User ${i + 1}` },
        { op: "replace", path: `${E}:department`, value: DEPARTMENTS[(i + 1) % DEPARTMENTS.length] },
      ]);
    });

    const people = await t.db.query<{ n: string }>("SELECT count(*)::text AS n FROM people");
    return {
      benchmark: "scim-throughput",
      workload: {
        users: s.users,
        concurrency: s.concurrency,
        departments: DEPARTMENTS.length,
        transport: "HTTP/1.1 keep-alive on 127.0.0.1, Tandem's SCIM client (fetch), no retries",
        database: "PGlite, file-backed (temporary directory)",
        jobs: true,
        rateLimitPerMinute: 1_000_000_000,
        cpus: os.cpus().length,
        loadAvg1m: round2(os.loadavg()[0] ?? 0),
      },
      create: create.result,
      patch: patch.result,
      peopleInDatabase: Number(people.rows[0]?.n),
    };
  } finally {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function settingsFromEnv(): ScimBenchSettings {
  return {
    users: intFromEnv("BENCH_SCIM_USERS", 2000, 1),
    concurrency: intFromEnv("BENCH_SCIM_CONCURRENCY", 8, 1),
  };
}

await runAsScript(import.meta.url, () => scimBench(settingsFromEnv()));
