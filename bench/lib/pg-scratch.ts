import pg from "pg";

/**
 * A scratch database for a benchmark that can run on PostgreSQL instead of the embedded
 * database: when the environment variable names a server (e.g.
 * postgres://postgres@127.0.0.1:5432/test), a database of the run's own is created on it,
 * and `drop` removes it afterwards. Without it, `url` is null and the embedded one is used.
 */
export interface ScratchDatabase {
  /** DATABASE_URL for Tandem, or null for the embedded database. */
  url: string | null;
  /** How the figures should name the database. */
  label: string;
  drop(): Promise<void>;
}

export async function scratchDatabase(envVar: string, name: string): Promise<ScratchDatabase> {
  const base = process.env[envVar];
  if (!base) return { url: null, label: "PGlite, file-backed (temporary directory)", drop: async () => {} };
  const dbName = `tandem_bench_${name}_${process.pid}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE "${dbName}"`);
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  return {
    url: url.toString(),
    label: `PostgreSQL (${envVar})`,
    drop: () => admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`),
  };
}
