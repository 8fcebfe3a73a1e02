import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openPglite } from "../platform/db/index.js";
import { CliWorld } from "../test/cli.js";

/** `tandem rewards export`: a review period as CSV or JSON to a file or standard output, audited. */

const world = new CliWorld("rewards");
const dataDir = world.dataDir;
afterAll(() => world.teardown());
// The embedded database of the data directory, whatever database the suite runs on.
const tandem = (args: string[]) => world.run(args, { useDatabase: false });

beforeAll(async () => {
  const db = await openPglite(path.join(dataDir, "db"));
  try {
    await migrate(db);
    await db.query("INSERT INTO departments (id, name) VALUES ('D1', 'Sales, EMEA')");
    await db.query(
      `INSERT INTO people (id, employee_number, legal_name, work_email, department_id, employment_type, status)
       VALUES ('P1', 'E-001', 'Ada Lovelace', 'ada@corp.test', 'D1', 'employee', 'active'),
              ('P2', 'E-002', '+Bob', 'bob@corp.test', 'D1', 'employee', 'active')`,
    );
    await db.query("UPDATE people SET manager_id = 'P1' WHERE id = 'P2'");
    await db.query(
      `INSERT INTO rewards_points (id, person_id, kind, source_id, points, label, earned_at)
       VALUES ('R1', 'P2', 'near_miss', 'rep1', 15, 'Reported a near miss', '2026-08-01T10:00:00Z'),
              ('R2', 'P2', 'phish_real', 'rep2', 20, 'Reported a suspicious mail', '2026-09-01T10:00:00Z'),
              ('R3', 'P2', 'policy', 'pol:v1', 5, 'Old', '2026-03-01T10:00:00Z')`,
    );
    await db.query(
      `INSERT INTO rewards_objectives (id, period, title, metric, target, scope)
       VALUES ('O1', '2026-H2', 'Thirty points', 'points', 30, 'everyone')`,
    );
  } finally {
    await db.close();
  }
}, 120_000);

describe("tandem rewards export", () => {
  it("writes the period as CSV to a file and as JSON to standard output, and audits both", async () => {
    const out = path.join(dataDir, "h2.csv");
    const csv = await tandem(["rewards", "export", "--period", "2026-H2", "--format", "csv", "--out", out]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stderr).toContain("Wrote the 2026-H2 export");
    const lines = fs.readFileSync(out, "utf8").split("\r\n");
    expect(lines[0]).toBe(
      "employee_number,name,department,manager,points,Thirty points: met,Thirty points: value,Thirty points: target,period,exported_by,exported_at",
    );
    expect(lines[1]).toMatch(/^E-001,Ada Lovelace,"Sales, EMEA",,0,no,0,30,2026-H2,cli,/);
    expect(lines[2]).toMatch(/^E-002,'\+Bob,"Sales, EMEA",Ada Lovelace,35,yes,35,30,2026-H2,cli,/);

    const json = await tandem(["rewards", "export", "--period", "2026-H1", "--format", "json"]);
    expect(json.code, json.stderr).toBe(0);
    const e = JSON.parse(json.stdout) as {
      period: string;
      rows: { employeeNumber: string; points: number }[];
    };
    expect(e.period).toBe("2026-H1");
    expect(e.rows.find((r) => r.employeeNumber === "E-002")?.points).toBe(5);

    const db = await openPglite(path.join(dataDir, "db"));
    try {
      const a = await db.query<{ actor_label: string; target_id: string }>(
        "SELECT actor_label, target_id FROM audit_log WHERE action = 'rewards.exported' ORDER BY seq",
      );
      expect(a.rows).toEqual([
        { actor_label: "cli", target_id: "2026-H2" },
        { actor_label: "cli", target_id: "2026-H1" },
      ]);
    } finally {
      await db.close();
    }
  }, 180_000);

  it("names the argument that is wrong", async () => {
    const period = await tandem(["rewards", "export", "--period", "2026-H3"]);
    expect(period.code).not.toBe(0);
    expect(period.stderr).toContain("--period");
    const format = await tandem(["rewards", "export", "--period", "2026-H2", "--format", "xml"]);
    expect(format.code).not.toBe(0);
    expect(format.stderr).toContain("--format");
    const out = await tandem([
      "rewards",
      "export",
      "--period",
      "2026-H2",
      "--out",
      path.join(dataDir, "no/such/dir/x.csv"),
    ]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain("--out");
    const missing = await tandem(["rewards", "export"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("--period");
  }, 180_000);
});
