import type { LoadFigures } from "./load.js";
import type { SqlStats } from "./sql-counter.js";

export const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The middle value (lower middle for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
}

/** Of several runs, the one with the median requests/s (so its latencies belong to it). */
export function medianRun<T extends LoadFigures>(runs: T[]): T {
  const m = median(runs.map((r) => r.requestsPerSec));
  const run = runs.find((r) => r.requestsPerSec === m);
  if (!run) throw new Error("no runs");
  return run;
}

/** SQL statements and database time per request the server received. */
export function perRequest(stats: SqlStats, run: { requestsSeenByServer: number }) {
  const n = Math.max(run.requestsSeenByServer, 1);
  return {
    sqlStatementsPerRequest: round(stats.statements / n, 2),
    dbBusyPercentOfWallTime: round((100 * stats.busyMs) / Math.max(stats.windowMs, 1), 1),
    dbBusyMsPerRequest: round(stats.busyMs / n),
    statements: stats.byStatement.map((s) => ({ ...s, perRequest: round(s.count / n, 2) })),
  };
}
