import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { committed, openCommitScope } from "./commit.js";
import type { Db, Queryable, QueryResult } from "./types.js";

function wrap(q: {
  query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[]; affectedRows?: number }>;
}): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await q.query(sql, params ?? []);
      return { rows: r.rows as T[], rowCount: r.affectedRows || r.rows.length };
    },
  };
}

export class DataDirLockedError extends Error {
  constructor(
    public readonly lockFile: string,
    public readonly pid: number,
  ) {
    super(
      `The embedded database in ${path.dirname(lockFile)} is in use by process ${pid}. ` +
        "Stop that Tandem first, or run Tandem on PostgreSQL (DATABASE_URL) to share one database between processes.",
    );
    this.name = "DataDirLockedError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Lock files this process holds, so a second open within the same process is refused too. */
const heldHere = new Set<string>();

/** PGlite is single-process: a lock file keeps a second process (server or CLI) off the same files. */
function acquireLock(dir: string): () => void {
  const lockFile = path.resolve(dir, "tandem.lock");
  if (heldHere.has(lockFile)) throw new DataDirLockedError(lockFile, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      heldHere.add(lockFile);
      return () => {
        heldHere.delete(lockFile);
        try {
          if (fs.readFileSync(lockFile, "utf8") === String(process.pid)) fs.unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(fs.readFileSync(lockFile, "utf8"));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DataDirLockedError(lockFile, pid);
      }
      fs.unlinkSync(lockFile); // stale lock from a process that is gone
    }
  }
  throw new Error(`Could not lock ${lockFile}`);
}

/** Embedded PostgreSQL. dataDir undefined means in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Db> {
  let release = () => {};
  let pg: PGlite;
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    release = acquireLock(dataDir);
    pg = new PGlite(path.join(dataDir, "pg"));
  } else {
    pg = new PGlite();
  }
  try {
    await pg.waitReady;
  } catch (e) {
    release();
    throw e;
  }
  const base = wrap(pg);
  return {
    kind: "pglite",
    query: base.query,
    tx: async (fn) => {
      let handle: Queryable | undefined;
      const result = await pg.transaction((t) => {
        handle = wrap(t);
        openCommitScope(handle);
        return fn(handle);
      });
      committed(handle);
      return result;
    },
    exec: async (sql) => {
      await pg.exec(sql);
    },
    close: async () => {
      await pg.close();
      release();
    },
  };
}
