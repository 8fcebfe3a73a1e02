import { performance } from "node:perf_hooks";
import type { Db, Queryable } from "../../server/src/platform/db/index.js";

/**
 * Wraps the application's database handle to count statements while a benchmark runs:
 * how many of each statement, and for how long at least one statement was in flight
 * ("busy"). PGlite runs one statement at a time on the server's own thread, so busy time
 * is close to the time the event loop spent inside the embedded database.
 * The wrapper costs two map look-ups per statement.
 */

export interface SqlStats {
  statements: number;
  busyMs: number;
  windowMs: number;
  byStatement: { sql: string; count: number; ms: number }[];
}

const keys = new Map<string, string>();
/** A statement's label: whitespace folded, cut short; remembered so the hot path does no regex work. */
function normalise(sql: string): string {
  let key = keys.get(sql);
  if (key === undefined) {
    key = sql.replace(/\s+/g, " ").trim().slice(0, 140);
    if (keys.size < 10_000) keys.set(sql, key);
  }
  return key;
}

export function countingDb(db: Db): {
  db: Db;
  reset: () => void;
  stats: (by?: "count" | "ms", top?: number) => SqlStats;
} {
  let counts = new Map<string, number>();
  let times = new Map<string, number>();
  let statements = 0;
  let busyMs = 0;
  let inflight = 0;
  let busySince = 0;
  let windowStart = performance.now();

  async function timed<T>(sql: string, run: () => Promise<T>): Promise<T> {
    const key = normalise(sql);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    statements++;
    const t0 = performance.now();
    if (inflight++ === 0) busySince = t0;
    try {
      return await run();
    } finally {
      const t1 = performance.now();
      times.set(key, (times.get(key) ?? 0) + (t1 - t0));
      if (--inflight === 0) busyMs += t1 - busySince;
    }
  }

  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => timed(sql, () => q.query(sql, params)),
  });

  const counted: Db = {
    kind: db.kind,
    query: (sql, params) => timed(sql, () => db.query(sql, params)),
    tx: (fn) => db.tx((q) => fn(wrap(q))),
    exec: (sql) => timed(sql, () => db.exec(sql)),
    close: () => db.close(),
  };

  return {
    db: counted,
    reset() {
      counts = new Map();
      times = new Map();
      statements = 0;
      busyMs = 0;
      if (inflight > 0) busySince = performance.now();
      windowStart = performance.now();
    },
    /** The statements by count (default) or by time spent in them (in flight, so waits count too). */
    stats(by: "count" | "ms" = "count", top = 12) {
      const now = performance.now();
      const open = inflight > 0 ? now - busySince : 0;
      return {
        statements,
        busyMs: Math.round(busyMs + open),
        windowMs: Math.round(now - windowStart),
        byStatement: [...counts]
          .map(([sql, count]) => ({ sql, count, ms: Math.round(times.get(sql) ?? 0) }))
          .sort((a, b) => (by === "ms" ? b.ms - a.ms : b.count - a.count))
          .slice(0, top),
      };
    },
  };
}
