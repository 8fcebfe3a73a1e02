import { accessEngineBench, settingsFromEnv as accessSettings } from "./access-engine.js";
import { reconcileBench, settingsFromEnv as reconcileSettings } from "./access-reconcile.js";
import { httpAuthGet, type Settings } from "./http-auth-get.js";
import { settingsFromEnv as importSettings, peopleImportBench } from "./people-import.js";
import { phishingSendBench, settingsFromEnv as phishingSettings } from "./phishing-send.js";
import { reportsBench, settingsFromEnv as reportsSettings } from "./reports-intake.js";
import { scimBench, settingsFromEnv as scimSettings } from "./scim.js";
import { intFromEnv } from "./util.js";

/**
 * `npm run bench`: runs the benchmarks and prints their figures as one JSON object on
 * stdout (progress goes to stderr). It never judges time: `meetsTarget` is a figure too.
 *
 *   BENCH_DURATION     seconds per measured run (default 10)
 *   BENCH_WARMUP       seconds of discarded warm-up before each run (default 2)
 *   BENCH_CONNECTIONS  concurrent keep-alive connections (default 20)
 *   BENCH_ROUNDS       alternating bare/Tandem rounds, median reported (default 1)
 *   BENCH_PROFILE      auto (default: CPU-profile Tandem when it misses the target), 1, 0
 *   BENCH_TANDEM_LOG_LEVEL  Tandem's log level during the run (default warn)
 *   BENCH_DATABASE_URL  run Tandem on this PostgreSQL (a schema of its own) instead of PGlite
 *   BENCH_ONLY         comma-separated benchmarks to run: http-auth-get, people-import,
 *                      scim-throughput, access-engine, access-reconcile, reports-intake,
 *                      phishing-send
 *                      (default: all)
 *   BENCH_IMPORT_ROWS  people in the import benchmark's CSV (default 100000)
 *   BENCH_SCIM_USERS   users the SCIM benchmark creates, then patches (default 2000)
 *   BENCH_SCIM_CONCURRENCY  SCIM requests in flight at once (default 8)
 *   BENCH_ACCESS_*     the access-engine benchmark's settings (see bench/access-engine.ts)
 *   BENCH_RECONCILE_*  the access-reconcile benchmark's settings (see bench/access-reconcile.ts)
 *   BENCH_REPORTS_*    the reports-intake benchmark's settings (see bench/reports-intake.ts)
 *   BENCH_PHISHING_*   the phishing-send benchmark's settings (see bench/phishing-send.ts)
 */

function settings(): Settings {
  const profile = process.env.BENCH_PROFILE || "auto";
  if (profile !== "auto" && profile !== "1" && profile !== "0")
    throw new Error("BENCH_PROFILE must be auto, 1 or 0");
  const level = process.env.BENCH_TANDEM_LOG_LEVEL || "warn";
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(level)) {
    throw new Error(`BENCH_TANDEM_LOG_LEVEL must be a pino level, got "${level}"`);
  }
  return {
    durationSec: intFromEnv("BENCH_DURATION", 10, 1),
    warmupSec: intFromEnv("BENCH_WARMUP", 2, 0),
    connections: intFromEnv("BENCH_CONNECTIONS", 20, 1),
    rounds: intFromEnv("BENCH_ROUNDS", 1, 1),
    profile,
    tandemLogLevel: level,
    databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
  };
}

let s: Settings | undefined;
try {
  s = settings();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exitCode = 2;
}
const BENCHMARKS: Record<string, (s: Settings) => Promise<unknown>> = {
  "http-auth-get": (s) => httpAuthGet(s),
  "people-import": () => peopleImportBench(importSettings()),
  "scim-throughput": () => scimBench(scimSettings()),
  "access-engine": () => accessEngineBench(accessSettings()),
  "access-reconcile": () => reconcileBench(reconcileSettings()),
  "reports-intake": () => reportsBench(reportsSettings()),
  "phishing-send": () => phishingSendBench(phishingSettings()),
};

if (s) {
  const only = (process.env.BENCH_ONLY ?? Object.keys(BENCHMARKS).join(",")).split(",").map((x) => x.trim());
  const unknown = only.filter((n) => !(n in BENCHMARKS));
  if (unknown.length) {
    process.stderr.write(
      `bench: unknown benchmark ${unknown.join(", ")} (known: ${Object.keys(BENCHMARKS).join(", ")})\n`,
    );
    process.exitCode = 2;
  } else {
    const results: unknown[] = [];
    for (const name of only) {
      try {
        process.stderr.write(`bench: ${name}\n`);
        results.push(await BENCHMARKS[name]!(s));
      } catch (e) {
        process.stderr.write(`bench: ${name}: ${(e as Error).stack ?? e}\n`);
        results.push({ benchmark: name, error: (e as Error).message });
        process.exitCode = 1;
      }
    }
    process.stdout.write(`${JSON.stringify({ benchmarks: results }, null, 2)}\n`);
  }
}
