import type { Db } from "./types.js";

/**
 * Keeps the planner statistics of tables that grow in bursts current. The embedded database
 * has no autovacuum, and a server's may lag a minute behind a burst: a table that grew from a
 * few hundred rows to a hundred thousand within that minute is still planned as if it were
 * small — look-ups of a few rows become scans of every row, and each batch is slower than the
 * last. Callers say how many rows they added (after their transaction committed); once the
 * additions since the last ANALYZE reach `growth` times the rows the table had then (and at
 * least `min`), the tables are analysed again. ANALYZE reads a sample, so its cost stays
 * bounded however large the table; with the default growth it runs a handful of times while
 * a table grows a hundredfold.
 */
export class GrowthStats {
  private readonly known = new Map<string, number>();
  private readonly added = new Map<string, number>();
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly opts: { min?: number; growth?: number } = {},
  ) {}

  /** Records `rows` added to `table`; analyses the table when it has grown enough. */
  async grew(table: string, rows: number): Promise<void> {
    if (rows <= 0) return;
    this.added.set(table, (this.added.get(table) ?? 0) + rows);
    if (this.running) return;
    let known = this.known.get(table);
    if (known === undefined) {
      const r = await this.db.query<{ n: number }>(
        "SELECT GREATEST(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = to_regclass($1)",
        [table],
      );
      known = Number(r.rows[0]?.n ?? 0);
      this.known.set(table, known);
    }
    const grown = this.added.get(table) ?? 0;
    if (grown < Math.max(this.opts.min ?? 1000, (this.opts.growth ?? 0.5) * known)) return;
    this.running = (async () => {
      try {
        await this.db.query(`ANALYZE ${quoteIdent(table)}`);
        const r = await this.db.query<{ n: number }>(
          "SELECT GREATEST(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = to_regclass($1)",
          [table],
        );
        this.known.set(table, Number(r.rows[0]?.n ?? known + grown));
        this.added.set(table, 0);
      } finally {
        this.running = null;
      }
    })();
    await this.running;
  }
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
