import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { GrowthStats } from "./index.js";

let h: TestApp;
beforeAll(async () => {
  h = await startTestApp();
  await h.t.db.query("CREATE TABLE growth_probe (id int PRIMARY KEY, kind text NOT NULL)");
  await h.t.db.query("ANALYZE growth_probe");
});
afterAll(async () => {
  await h.t.db.query("DROP TABLE growth_probe");
  await h.close();
});

/** What the planner believes of the table: rows, and distinct values of `kind` (none until analysed). */
async function beliefs() {
  const r = await h.t.db.query<{ n: number; kinds: number | null }>(
    `SELECT c.reltuples::float8 AS n,
       (SELECT s.n_distinct::float8 FROM pg_stats s WHERE s.tablename = 'growth_probe' AND s.attname = 'kind'
          AND s.schemaname = n.nspname) AS kinds
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass('growth_probe')`,
  );
  return r.rows[0] as { n: number; kinds: number | null };
}

async function insert(from: number, count: number) {
  await h.t.db.query(
    "INSERT INTO growth_probe SELECT g, 'k' || (g % 7) FROM generate_series($1::int, $1::int + $2::int - 1) g",
    [from, count],
  );
}

describe("GrowthStats", () => {
  it("analyses a table once it has grown by the share asked, and not before", async () => {
    const stats = new GrowthStats(h.t.db, { min: 100, growth: 0.5 });
    await insert(0, 80);
    await stats.grew("growth_probe", 80);
    // Below the minimum: the planner still knows nothing of the rows.
    expect((await beliefs()).kinds).toBeNull();
    await insert(80, 40);
    await stats.grew("growth_probe", 40);
    const first = await beliefs();
    expect(first.n).toBe(120);
    expect(first.kinds).toBe(7);
    // Grown by less than the minimum: left alone.
    await insert(120, 50);
    await stats.grew("growth_probe", 50);
    expect((await beliefs()).n).toBe(120);
    // Past it: analysed again.
    await insert(170, 60);
    await stats.grew("growth_probe", 60);
    expect((await beliefs()).n).toBe(230);
    // Now half of what it had (115) is more than the minimum: 110 more is not enough, 120 is.
    await insert(230, 110);
    await stats.grew("growth_probe", 110);
    expect((await beliefs()).n).toBe(230);
    await insert(340, 10);
    await stats.grew("growth_probe", 10);
    expect((await beliefs()).n).toBe(350);
  });

  it("ignores nothing added and a table that does not exist yet is taken as empty", async () => {
    const stats = new GrowthStats(h.t.db, { min: 10 });
    await stats.grew("growth_probe", 0);
    await expect(stats.grew("no_such_table_here", 5)).resolves.toBeUndefined();
  });
});
