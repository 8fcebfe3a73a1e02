import pg from "pg";
import { committed, openCommitScope } from "./commit.js";
import type { Db, Queryable, QueryResult } from "./types.js";

// Timestamps come back as Date, bigint counts as strings unless cast in SQL.
function wrapClient(c: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const res = (await c.query(sql, params as unknown[])) as pg.QueryResult | pg.QueryResult[];
      // A multi-statement string (no parameters) answers with one result per statement.
      const r = Array.isArray(res) ? (res.at(-1) ?? { rows: [], rowCount: 0 }) : res;
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
  };
}

export interface PostgresOptions {
  /** Schema to use as search_path (tests give each file its own). */
  schema?: string;
  max?: number;
}

export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
    application_name: "tandem",
  });
  pool.on("error", () => {
    /* idle client errors are reported by the next query */
  });
  if (opts.schema) {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema.replace(/"/g, "")}"`);
  }
  await pool.query("SELECT 1");
  const base = wrapClient(pool);
  return {
    kind: "postgres",
    query: base.query,
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const handle = wrapClient(client);
        openCommitScope(handle);
        const result = await fn(handle);
        await client.query("COMMIT");
        committed(handle);
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };
}
