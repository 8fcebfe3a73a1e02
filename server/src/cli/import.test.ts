import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openPglite, openPostgres } from "../platform/db/index.js";
import { CliWorld } from "../test/cli.js";

/**
 * `tandem import people` as an operator runs it: a child process on a data directory of this
 * file's own (embedded database), or on a fresh PostgreSQL database when TANDEM_TEST_DB=postgres.
 * The steps build on each other and run in order.
 */

const SLOW = 240_000;

const world = new CliWorld("import");
const dataDir = world.dataDir;
const files = world.tempDir("files");
const tandem = (args: string[]) => world.run(args);

beforeAll(() => world.setup());
afterAll(() => world.teardown());

/** The CLI's database, opened after the child has exited (the embedded one allows one process). */
async function database<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = world.databaseUrl
    ? await openPostgres(world.databaseUrl)
    : await openPglite(path.join(dataDir, "db"));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function write(name: string, text: string): string {
  const file = path.join(files, name);
  fs.writeFileSync(file, text);
  return file;
}

const HEADER = "employee_number,legal_name,work_email,department,manager_employee_number,status,start_date";
const PEOPLE = write(
  "people.csv",
  `${HEADER}\r\nP1,"Moyo, Ada",ada@corp.test,Finance,P2,active,2024-01-01\r\nP2,Ben Boss,ben@corp.test,Finance,,active,2023-01-01\r\nP3,Cy Clerk,cy@corp.test,Finance,P2,candidate,\r\n`,
);

describe("tandem import people", () => {
  it(
    "a dry run prints what would happen and changes nothing; unknown departments are errors",
    async () => {
      const r = await tandem(["import", "people", PEOPLE, "--dry-run"]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/people\.csv: 3 rows — dry run, nothing changed/);
      expect(r.stdout).toMatch(/errors\s+3/);
      expect(r.stdout).toContain('line 2, field department: No department called "Finance"');
      const ok = await tandem(["import", "people", PEOPLE, "--dry-run", "--create-missing-org"]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/creates\s+3/);
      expect(ok.stdout).toMatch(/it would create: department Finance/);
      expect(await database((db) => db.query("SELECT 1 FROM people"))).toMatchObject({ rows: [] });
    },
    SLOW,
  );

  it(
    "applies the file (a manager defined further down included), and a second run changes nothing",
    async () => {
      const r = await tandem(["import", "people", PEOPLE, "--create-missing-org"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/3 rows — applied/);
      expect(r.stdout).toMatch(/creates\s+3/);
      const again = await tandem(["import", "people", PEOPLE, "--json"]);
      expect(again.code, again.stderr).toBe(0);
      const result = JSON.parse(again.stdout) as { applied: boolean; counts: Record<string, number> };
      expect(result.applied).toBe(true);
      expect(result.counts).toMatchObject({ rows: 3, creates: 0, updates: 0, unchanged: 3, errors: 0 });
      const rows = await database((db) =>
        db.query<{ n: string; m: string | null; status: string }>(
          `SELECT p.employee_number AS n, m.employee_number AS m, p.status
           FROM people p LEFT JOIN people m ON m.id = p.manager_id ORDER BY p.employee_number`,
        ),
      );
      expect(rows.rows).toEqual([
        { n: "P1", m: "P2", status: "active" },
        { n: "P2", m: null, status: "active" },
        { n: "P3", m: "P2", status: "candidate" },
      ]);
    },
    SLOW,
  );

  it(
    "a file with an error applies nothing, prints each error as line N, field F, and exits 1",
    async () => {
      const bad = write(
        "bad.csv",
        `${HEADER}\nP4,Dee,dee@corp.test,Finance,,active,2024-01-01\nP5,Eve,not-an-email,Finance,,active,2024-01-01\n`,
      );
      const r = await tandem(["import", "people", bad]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/NOT applied, nothing changed/);
      expect(r.stdout).toContain('line 3, field work_email: "not-an-email" is not an email address');
      expect(
        await database((db) => db.query("SELECT 1 FROM people WHERE employee_number = 'P4'")),
      ).toMatchObject({
        rows: [],
      });
    },
    SLOW,
  );

  it(
    "maps other headers with --map, and refuses an unknown field or a missing file",
    async () => {
      const other = write("other.csv", "Personnel No,Name,Mail\nP6,Fay,fay@corp.test\n");
      const r = await tandem([
        "import",
        "people",
        other,
        "--map",
        "Personnel No=employee_number,Name=legal_name",
        "--map",
        "Mail=work_email",
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/creates\s+1/);
      const badMap = await tandem(["import", "people", other, "--map", "Name=full_name"]);
      expect(badMap.code).not.toBe(0);
      expect(badMap.stderr).toMatch(/"full_name" is not a field of the people CSV/);
      const missing = await tandem(["import", "people", path.join(files, "nope.csv")]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/no such file/);
    },
    SLOW,
  );

  it(
    "reports progress on stderr for big files",
    async () => {
      const lines = [HEADER];
      for (let i = 1; i <= 10_000; i++)
        lines.push(`B${i},Person ${i},b${i}@corp.test,Finance,,active,2024-01-01`);
      const big = write("big.csv", `${lines.join("\n")}\n`);
      const r = await tandem(["import", "people", big, "--dry-run"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/checked 10000 rows/);
      expect(r.stdout).toMatch(/creates\s+10000/);
    },
    SLOW,
  );
});
