import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../../platform/audit/index.js";
import { type Res, startTestApp, type TestApp } from "../../../test/harness.js";
import { attributeSources } from "../repo.js";
import { APPLY_BATCH } from "./apply.js";

/** CSV import of people over the real API, on the test database (PGlite, or PostgreSQL). */

let h: TestApp;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;

const HEADER =
  "employee_number,legal_name,preferred_name,work_email,department,job_role,manager_employee_number,location,employment_type,status,start_date,end_date,termination_type";

interface P {
  n: string;
  name?: string;
  preferred?: string;
  email?: string;
  dept?: string;
  role?: string;
  mgr?: string;
  loc?: string;
  type?: string;
  status?: string;
  start?: string;
  end?: string;
  term?: string;
}
const cell = (v: string | undefined) =>
  v === undefined ? "" : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
/** One CSV line; name and email default from the employee number. */
const line = (p: P) =>
  [
    p.n,
    p.name ?? `Person ${p.n}`,
    p.preferred,
    p.email ?? `${p.n.toLowerCase()}@corp.test`,
    p.dept ?? "Finance",
    p.role ?? "Accountant",
    p.mgr,
    p.loc ?? "Cape Town",
    p.type ?? "employee",
    p.status ?? "active",
    p.start ?? "2024-01-01",
    p.end,
    p.term,
  ]
    .map(cell)
    .join(",");
const file = (...rows: P[]) => `${[HEADER, ...rows.map(line)].join("\n")}\n`;

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

interface LineError {
  line: number;
  field: string | null;
  message: string;
}
interface Result {
  run: { id: string; state: string; dryRun: boolean; counts: Record<string, number> };
  applied: boolean;
  counts: Record<string, number>;
  items: {
    line: number;
    employeeNumber: string;
    action: string;
    changes: Record<string, { from: string | null; to: string | null }>;
    events: string[];
  }[];
  errors: LineError[];
  ignoredColumns: string[];
  orgCreates: { departments: string[]; jobRoles: { title: string }[]; locations: string[] };
}

function send(
  kind: "preview" | "apply",
  body: string | Buffer,
  query = "",
  headers: Record<string, string> = {},
) {
  return hr.request({
    method: "POST",
    url: `/api/v1/people/import/${kind}${query}`,
    payload: body,
    headers: { "content-type": "text/csv", ...headers },
  });
}
async function preview(body: string | Buffer, query = "", headers: Record<string, string> = {}) {
  const res = await send("preview", body, query, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Result>();
}
async function apply(body: string | Buffer, query = "") {
  const res = await send("apply", body, query);
  expect(res.statusCode, res.body).toBe(200);
  const r = res.json<Result>();
  expect(r.applied).toBe(true);
  return r;
}
const pairs = (errors: LineError[]) => errors.map((e) => `${e.line}:${e.field}`).sort();

async function person(n: string) {
  const r = await h.t.db.query<{
    id: string;
    status: string;
    manager_id: string | null;
    department: string | null;
    end_date: string | null;
    termination_type: string | null;
    user_id: string | null;
    version: number;
    legal_name: string;
  }>(
    `SELECT p.id, p.status, p.manager_id, d.name AS department, p.end_date::text AS end_date, p.termination_type,
       p.user_id, p.version, p.legal_name
     FROM people p LEFT JOIN departments d ON d.id = p.department_id WHERE p.employee_number = $1`,
    [n],
  );
  return r.rows[0];
}
const count = async (sql: string, params: unknown[] = []) =>
  Number((await h.t.db.query<{ n: string }>(`SELECT (${sql})::text AS n`, params)).rows[0]?.n);
const eventTypes = async (personId: string) =>
  (
    await h.t.db.query<{ type: string; state: string }>(
      "SELECT type, state FROM person_events WHERE person_id = $1 ORDER BY created_at, id",
      [personId],
    )
  ).rows.map((e) => `${e.type}:${e.state}`);

beforeAll(async () => {
  h = await startTestApp();
  hr = await h.signedIn(["hr"]);
  const finance = (await hr.post("/api/v1/departments", { name: "Finance" })).json<{ id: string }>().id;
  const eng = (await hr.post("/api/v1/departments", { name: "Engineering" })).json<{ id: string }>().id;
  await hr.post("/api/v1/job-roles", { title: "Accountant", departmentId: finance });
  await hr.post("/api/v1/job-roles", { title: "Engineer", departmentId: eng });
  await hr.post("/api/v1/locations", { name: "Cape Town", timeZone: "Africa/Johannesburg", country: "za" });
  await hr.post("/api/v1/locations", { name: "London", timeZone: "Europe/London", country: "gb" });
});
afterAll(() => h.close());

describe("reading the file", () => {
  it("handles a BOM, CRLF, quoted commas and line breaks and empty lines, and counts lines as an editor does", async () => {
    const body = Buffer.from(
      `\ufeff${HEADER}\r\n${line({ n: "R1", name: "Doe, Jane" })}\r\n\r\n${line({ n: "R2", preferred: "Two\r\nLines" })}\r\n` +
        `${line({ n: "R3", email: "not-an-email" })}\r\n\r\n`,
    );
    const r = await preview(body);
    expect(r.counts).toMatchObject({ rows: 3, creates: 2, errors: 1 });
    expect(pairs(r.errors)).toEqual(["6:work_email"]);
    expect(r.items.map((i) => [i.line, i.employeeNumber, i.action])).toEqual([
      [2, "R1", "create"],
      [4, "R2", "create"],
    ]);
    expect(r.items[0]?.changes.legal_name?.to).toBe("Doe, Jane");
    expect(r.items[1]?.changes.preferred_name?.to).toBe("Two\r\nLines");
    expect(r.ignoredColumns).toEqual([]);
  });

  it("reports a ragged row and an invalid UTF-8 byte with their line, and reads on", async () => {
    const bad = Buffer.concat([
      Buffer.from(`${HEADER}\n${line({ n: "U1" })}\nU2,Too,few,fields\n`),
      Buffer.from("U3,Caf"),
      Buffer.from([0xe9]), // Latin-1 "é": not UTF-8
      Buffer.from(
        `,,u3@corp.test,Finance,Accountant,,Cape Town,employee,active,2024-01-01,,\n${line({ n: "U4" })}\n`,
      ),
    ]);
    const r = await preview(bad);
    expect(r.counts).toMatchObject({ rows: 4, creates: 2, errors: 2 });
    expect(r.errors).toEqual([
      { line: 3, field: null, message: "Has 4 fields where the header has 13" },
      { line: 4, field: "legal_name", message: expect.stringMatching(/not valid UTF-8/i) },
    ]);
  });

  it("refuses UTF-16, an empty file, broken quoting and a file without employee numbers, naming the line", async () => {
    const utf16 = await preview(Buffer.from(`\ufeff${HEADER}\n${line({ n: "W1" })}\n`, "utf16le"));
    expect(utf16.errors).toEqual([{ line: 1, field: null, message: expect.stringMatching(/UTF-16/) }]);
    for (const nothing of ["", "\n\n"]) {
      const empty = await preview(Buffer.from(nothing));
      expect(empty.errors).toEqual([{ line: 1, field: null, message: expect.stringMatching(/empty/) }]);
    }
    const quotes = await preview(
      `${HEADER}\n${line({ n: "W2" })}\nW3,"Bad"quote,,w3@corp.test\n${line({ n: "W4" })}\n`,
    );
    expect(quotes.errors).toEqual([{ line: 3, field: null, message: expect.stringMatching(/malformed/) }]);
    const noKey = await preview("name,email\nAnn,ann@corp.test\n");
    expect(pairs(noKey.errors)).toEqual(["1:employee_number"]);
    expect(noKey.counts.rows).toBe(0);
  });
});

describe("checking rows", () => {
  it("reports every bad input with its line and field, and applies none of it", async () => {
    await apply(file({ n: "X1", email: "taken@corp.test" }, { n: "X2" }));
    const body = file(
      { n: "B1", mgr: "B2" }, // 2: manager defined later: fine
      { n: "B2" }, // 3
      { n: "B3", email: "not-an-email" }, // 4
      { n: "B1", email: "b1.again@corp.test" }, // 5: employee number twice
      { n: "B4", email: "b2@corp.test" }, // 6: email twice in the file
      { n: "B5", email: "TAKEN@corp.test" }, // 7: email of someone in Tandem
      { n: "B6", dept: "Nowhere" }, // 8
      { n: "B7", mgr: "NOPE" }, // 9
      { n: "B8", mgr: "B9" }, // 10: a reporting cycle …
      { n: "B9", mgr: "B8" }, // 11: … of two
      { n: "B10", start: "2024-05-01", end: "2024-04-01" }, // 12
      { n: "X1", status: "candidate" }, // 13: active → candidate is no lifecycle step
      { n: "B11", start: "01/02/2024" }, // 14
      { n: "B12", status: "retired" }, // 15
      { n: "B13", name: "" }, // 16
      { n: "X2", status: "leaver", end: day(-1) }, // 17: a termination needs its type
      { n: "B15", mgr: "B15" }, // 18
      { n: "B16", role: "Astronaut" }, // 19
      { n: "B17", loc: "Mars" }, // 20
      { n: "B18", type: "wizard" }, // 21
    );
    const peopleBefore = await count("SELECT count(*) FROM people");
    const r = await preview(body);
    expect(pairs(r.errors)).toEqual(
      [
        "4:work_email",
        "5:employee_number",
        "6:work_email",
        "7:work_email",
        "8:department",
        "9:manager_employee_number",
        "10:manager_employee_number",
        "11:manager_employee_number",
        "12:end_date",
        "13:status",
        "14:start_date",
        "15:status",
        "16:legal_name",
        "17:termination_type",
        "18:manager_employee_number",
        "19:job_role",
        "20:location",
        "21:employment_type",
      ].sort(),
    );
    const msg = (l: number) => r.errors.find((e) => e.line === l)?.message;
    expect(msg(5)).toMatch(/also on line 2/);
    expect(msg(7)).toMatch(/belongs to employee X1/);
    expect(msg(10)).toMatch(/Reporting cycle: B8 → B9 → B8/);
    expect(msg(13)).toMatch(/Cannot go from active to candidate/);
    expect(r.counts.creates).toBe(2);

    const res = await send("apply", body);
    expect(res.statusCode).toBe(422);
    expect(String(res.headers["content-type"])).toMatch(/^application\/problem\+json/);
    const problem = res.json<{ code: string; errors: { path: string }[]; result: Result }>();
    expect(problem.code).toBe("people_import.file_has_errors");
    expect(problem.errors.map((e) => e.path)).toContain("line 4.work_email");
    expect(problem.result.run.state).toBe("failed");
    expect(await count("SELECT count(*) FROM people")).toBe(peopleBefore);
    expect(await person("B1")).toBeUndefined();
  });

  it("refuses changes to an attribute another source owns", async () => {
    await apply(file({ n: "O1" }));
    await h.t.db.query(
      "INSERT INTO attribute_authority (attribute, source) VALUES ('preferredName', 'scim')",
    );
    try {
      const r = await preview(file({ n: "O1", preferred: "Ollie" }));
      expect(r.errors).toEqual([
        {
          line: 2,
          field: "preferred_name",
          message: expect.stringMatching(/Owned by scim/),
          employeeNumber: "O1",
        },
      ]);
    } finally {
      await h.t.db.query("DELETE FROM attribute_authority WHERE attribute = 'preferredName'");
    }
  });
});

describe("dry run", () => {
  it("shows creates, updates, moves and terminations with their changes, and writes nothing", async () => {
    await apply(file({ n: "D1" }, { n: "D2" }, { n: "D3" }, { n: "D5" }));
    const before = {
      people: await count("SELECT count(*) FROM people"),
      audit: await count("SELECT count(*) FROM audit_log"),
      events: await count("SELECT count(*) FROM person_events"),
    };
    const body = file(
      { n: "D1", name: "Dee One" },
      { n: "D2", dept: "Engineering", role: "Engineer", loc: "London" },
      { n: "D3", status: "leaver", end: day(-1), term: "voluntary" },
      { n: "D4", mgr: "D1" },
      { n: "D5" },
    );
    const r = await preview(body);
    expect(r.counts).toEqual({
      rows: 5,
      creates: 1,
      updates: 1,
      moves: 1,
      terminations: 1,
      unchanged: 1,
      skipped: 0,
      errors: 0,
    });
    const item = (n: string) => r.items.find((i) => i.employeeNumber === n);
    expect(item("D1")).toMatchObject({
      action: "update",
      changes: { legal_name: { from: "Person D1", to: "Dee One" } },
    });
    expect(item("D2")).toMatchObject({
      action: "move",
      changes: {
        department: { from: "Finance", to: "Engineering" },
        job_role: { from: "Accountant", to: "Engineer" },
        location: { from: "Cape Town", to: "London" },
      },
    });
    expect(item("D3")).toMatchObject({
      action: "terminate",
      events: ["termination"],
      changes: { status: { from: "active", to: "leaver" } },
    });
    expect(item("D4")).toMatchObject({
      action: "create",
      changes: { manager_employee_number: { to: "D1" } },
    });
    expect(item("D5")).toBeUndefined();
    expect(r.run).toMatchObject({ dryRun: true, state: "done" });
    expect({
      people: await count("SELECT count(*) FROM people"),
      audit: await count("SELECT count(*) FROM audit_log"),
      events: await count("SELECT count(*) FROM person_events"),
    }).toEqual(before);

    const applied = await apply(body);
    expect(applied.counts).toEqual(r.counts);
    expect((await person("D1"))?.legal_name).toBe("Dee One");
    const d2 = (await person("D2")) as { id: string; department: string };
    expect(d2.department).toBe("Engineering");
    expect(await eventTypes(d2.id)).toEqual(["hire:applied", "transfer:applied"]);
    expect((await person("D4"))?.manager_id).toBe((await person("D1"))?.id);
  });
});

describe("apply", () => {
  it("applied twice, the second run changes nothing and audits nothing but the run itself", async () => {
    const body = file(
      { n: "I1" },
      { n: "I2", mgr: "I1", preferred: "Eye" },
      { n: "I3", mgr: "I2", status: "pre_hire", start: day(30) },
      { n: "I4", status: "candidate", start: "" },
      { n: "I5", mgr: "I1", status: "notice", end: day(20) },
      { n: "I6", status: "leaver", end: day(-5), term: "voluntary" },
    );
    const first = await apply(body);
    expect(first.counts).toMatchObject({ rows: 6, creates: 5, skipped: 1, errors: 0 });
    expect((await person("I3"))?.status).toBe("pre_hire");
    expect((await person("I5"))?.status).toBe("notice");
    expect(await person("I6")).toBeUndefined();
    const snapshot = async () => ({
      audit: await count("SELECT count(*) FROM audit_log"),
      history: await count("SELECT count(*) FROM person_history"),
      events: await count("SELECT count(*) FROM person_events"),
      versions: await count("SELECT sum(version) FROM people"),
      // Provenance, moments included: an unchanged row must not touch it.
      sources: (
        await h.t.db.query<{ d: string }>(
          "SELECT string_agg(person_id || sources::text, ';' ORDER BY person_id) AS d FROM person_sources",
        )
      ).rows[0]?.d,
    });
    const before = await snapshot();
    const seq = await count("SELECT max(seq) FROM audit_log");
    const again = await apply(body);
    expect(again.counts).toEqual({
      rows: 6,
      creates: 0,
      updates: 0,
      moves: 0,
      terminations: 0,
      unchanged: 5,
      skipped: 1,
      errors: 0,
    });
    expect(await snapshot()).toEqual({ ...before, audit: before.audit + 1 });
    const added = await h.t.db.query<{ action: string; target_id: string }>(
      "SELECT action, target_id FROM audit_log WHERE seq > $1",
      [seq],
    );
    expect(added.rows).toEqual([{ action: "people.import_applied", target_id: again.run.id }]);
    expect((await verifyChain(h.t.db)).ok).toBe(true);
  });

  it("a leaver row terminates a working person (now or on the end date) and ends their access", async () => {
    await apply(file({ n: "T1" }, { n: "T2" }));
    const yesterday = day(-1);
    const later = day(10);
    const body = file(
      { n: "T1", status: "leaver", end: yesterday, term: "involuntary" },
      { n: "T2", status: "leaver", end: later, term: "voluntary" },
    );
    const r = await apply(body);
    expect(r.counts).toMatchObject({ terminations: 2, errors: 0 });
    const t1 = await person("T1");
    expect(t1).toMatchObject({ status: "leaver", end_date: yesterday, termination_type: "involuntary" });
    const user = await h.t.db.query<{ disabled: boolean }>("SELECT disabled FROM users WHERE id = $1", [
      t1?.user_id,
    ]);
    expect(user.rows[0]?.disabled).toBe(true);
    const t2 = await person("T2");
    expect(t2).toMatchObject({ status: "active", end_date: later });
    expect(await eventTypes(t2?.id as string)).toEqual(["hire:applied", "termination:scheduled"]);
    const again = await apply(body);
    expect(again.counts).toMatchObject({ unchanged: 2, terminations: 0 });
  });

  it("a file with one error applies nothing, and the run says so", async () => {
    const res = await send(
      "apply",
      file({ n: "E1" }, { n: "E2" }, { n: "E3", start: "2024-13-01" }, { n: "E4" }),
    );
    expect(res.statusCode).toBe(422);
    for (const n of ["E1", "E2", "E3", "E4"]) expect(await person(n)).toBeUndefined();
    const runs = await hr.get("/api/v1/people/import/runs?limit=1");
    expect(runs.statusCode).toBe(200);
    expect(
      runs.json<{ items: { state: string; dryRun: boolean; errors: LineError[] }[] }>().items[0],
    ).toMatchObject({ state: "failed", dryRun: false, errors: [{ line: 4, field: "start_date" }] });
  });

  it("a run that fails part-way keeps whole batches only, and running the file again completes it without doubles", async () => {
    const rows: P[] = [];
    const total = APPLY_BATCH + 200;
    for (let i = 1; i <= total; i++) rows.push({ n: `K${i}`, mgr: i > 1 ? "K1" : undefined });
    const body = file(...rows);
    // The database refuses one row of the second batch, as a full disk would.
    await h.t.db.exec(`CREATE FUNCTION refuse_k600() RETURNS trigger AS $$
      BEGIN IF NEW.employee_number = 'K${APPLY_BATCH + 100}' THEN RAISE EXCEPTION 'no space left on device'; END IF; RETURN NEW; END
      $$ LANGUAGE plpgsql;
      CREATE TRIGGER refuse_k600 BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION refuse_k600();`);
    let failed: Res;
    try {
      failed = await send("apply", body);
    } finally {
      await h.t.db.exec("DROP TRIGGER refuse_k600 ON people; DROP FUNCTION refuse_k600();");
    }
    expect(failed.statusCode, failed.body).toBe(409);
    const problem = failed.json<{ code: string; detail: string; result: Result }>();
    expect(problem.code).toBe("people_import.apply_failed");
    expect(problem.detail).toMatch(/no space left on device/);
    // The refused batch was replayed row by row to find its line (the header is line 1).
    expect(problem.result.errors).toMatchObject([{ line: APPLY_BATCH + 101, field: null }]);
    expect(problem.result.run.state).toBe("failed");
    const kCount = () => count("SELECT count(*) FROM people WHERE employee_number LIKE 'K%'");
    expect(await kCount()).toBe(APPLY_BATCH);
    const again = await apply(body);
    expect(again.counts).toMatchObject({ creates: 200, unchanged: APPLY_BATCH, errors: 0 });
    expect(await kCount()).toBe(total);
    expect(
      await count("SELECT count(DISTINCT employee_number) FROM people WHERE employee_number LIKE 'K%'"),
    ).toBe(total);
    const k1 = await person("K1");
    expect(await count("SELECT count(*) FROM people WHERE manager_id = $1", [k1?.id])).toBe(total - 1);
    expect((await apply(body)).counts).toMatchObject({ creates: 0, unchanged: total });
  });

  it("a manager referenced before their own line works, with no extra transfer events", async () => {
    const r = await apply(file({ n: "M1", mgr: "M2" }, { n: "M2", mgr: "M3" }, { n: "M3" }));
    expect(r.counts.creates).toBe(3);
    const [m1, m2, m3] = [await person("M1"), await person("M2"), await person("M3")];
    expect(m1?.manager_id).toBe(m2?.id);
    expect(m2?.manager_id).toBe(m3?.id);
    expect(await eventTypes(m1?.id as string)).toEqual(["hire:applied"]);
    const roles = await h.t.db.query<{ role: string }>(
      "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role",
      [m3?.user_id],
    );
    expect(roles.rows.map((x) => x.role)).toEqual(["employee", "manager"]);
  });

  it("turns reporting lines around without ever making a loop on the way", async () => {
    await apply(file({ n: "S1" }, { n: "S2", mgr: "S1" }, { n: "S3", mgr: "S2" }));
    // S3 now manages S2, who manages S1: the reverse of before.
    const r = await apply(file({ n: "S1", mgr: "S2" }, { n: "S2", mgr: "S3" }, { n: "S3" }));
    expect(r.counts).toMatchObject({ moves: 3, errors: 0 });
    const [s1, s2, s3] = [await person("S1"), await person("S2"), await person("S3")];
    expect([s1?.manager_id, s2?.manager_id, s3?.manager_id]).toEqual([s2?.id, s3?.id, null]);
  });

  it("follows the lifecycle: start, notice and its withdrawal, rehire", async () => {
    await apply(file({ n: "L1", status: "pre_hire", start: day(5) }, { n: "L2" }, { n: "L3" }));
    await h.t.db.query("UPDATE people SET status = 'leaver', end_date = $2 WHERE employee_number = $1", [
      "L3",
      "2024-06-30",
    ]);
    const r = await apply(
      file(
        { n: "L1", status: "active", start: day(5) },
        { n: "L2", status: "notice", end: day(30) },
        { n: "L3", status: "active", start: day(-1) },
      ),
    );
    expect(r.counts).toMatchObject({ updates: 3, errors: 0 });
    expect((await person("L1"))?.status).toBe("active");
    expect(await person("L2")).toMatchObject({ status: "notice", end_date: day(30) });
    expect(await person("L3")).toMatchObject({ status: "active", end_date: null });
    const back = await apply(file({ n: "L2", status: "active" }));
    expect(back.items[0]?.events).toEqual(["notice_withdrawn"]);
    expect(await person("L2")).toMatchObject({ status: "active", end_date: null });
    const illegal = await preview(file({ n: "L2", status: "pre_hire", start: day(3) }));
    expect(pairs(illegal.errors)).toEqual(["2:status"]);
  });

  it("reads other headers through a column mapping (query or header); a bad mapping is 400", async () => {
    const body = "Personnel No,Full Name,E-Mail,Team\nC1,Cee One,c1@corp.test,Finance\n";
    const mapping = JSON.stringify({
      "Personnel No": "employee_number",
      "Full name": "legal_name",
      "e-mail": "work_email",
    });
    const viaHeader = await preview(body, "", { "x-tandem-column-mapping": mapping });
    expect(viaHeader.errors).toEqual([]);
    expect(viaHeader.ignoredColumns).toEqual(["Team"]);
    const r = await apply(body, `?mapping=${encodeURIComponent(mapping)}`);
    expect(r.counts.creates).toBe(1);
    expect(await person("C1")).toMatchObject({ legal_name: "Cee One", status: "active" });
    const bad = await send("preview", body, `?mapping=${encodeURIComponent('{"Personnel No":"badge"}')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("mapping.Personnel No");
  });

  it("creates missing departments, job roles and locations only when asked", async () => {
    const body = file({ n: "G1", dept: "Legal", role: "Counsel", loc: "Nairobi" });
    const refused = await preview(body);
    expect(pairs(refused.errors)).toEqual(["2:department", "2:job_role", "2:location"]);
    const r = await apply(body, "?createMissingOrg=true");
    expect(r.orgCreates).toEqual({
      departments: ["Legal"],
      jobRoles: [{ title: "Counsel", department: "Legal" }],
      locations: ["Nairobi"],
    });
    expect(await person("G1")).toMatchObject({ department: "Legal" });
    expect((await apply(body)).counts).toMatchObject({ unchanged: 1, errors: 0 });
  });

  it("records people created in bulk exactly as ones created through the API", async () => {
    const id = async (sql: string) => (await h.t.db.query<{ id: string }>(sql)).rows[0]?.id;
    const ids = {
      departmentId: await id("SELECT id FROM departments WHERE name = 'Finance'"),
      jobRoleId: await id("SELECT id FROM job_roles WHERE title = 'Accountant'"),
      locationId: await id("SELECT id FROM locations WHERE name = 'London'"),
    };
    const start = day(40);
    for (const [n, status, startDate] of [
      ["Q1", "active", "2024-02-01"],
      ["Q3", "pre_hire", start],
    ] as const) {
      const res = await hr.post("/api/v1/people", {
        employeeNumber: n,
        legalName: `Quinn ${n}`,
        preferredName: "Q",
        workEmail: `${n.toLowerCase()}@corp.test`,
        ...ids,
        employmentType: "contractor",
        status,
        startDate,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    await apply(
      file(
        { n: "Q2", name: "Quinn Q2", preferred: "Q", loc: "London", type: "contractor", start: "2024-02-01" },
        {
          n: "Q4",
          name: "Quinn Q4",
          preferred: "Q",
          loc: "London",
          type: "contractor",
          status: "pre_hire",
          start,
        },
      ),
    );
    const trail = async (n: string) => {
      const p = (await person(n)) as { id: string; user_id: string; version: number };
      const sources = await attributeSources(h.t.db, p.id);
      const history = await h.t.db.query<{ version: number; snapshot: Record<string, unknown> }>(
        "SELECT version, snapshot FROM person_history WHERE person_id = $1 ORDER BY version",
        [p.id],
      );
      const audit = await h.t.db.query<{
        action: string;
        target_type: string;
        details: Record<string, unknown>;
      }>("SELECT action, target_type, details FROM audit_log WHERE target_id IN ($1, $2) ORDER BY seq", [
        p.id,
        p.user_id,
      ]);
      const roles = await h.t.db.query<{ role: string }>("SELECT role FROM user_roles WHERE user_id = $1", [
        p.user_id,
      ]);
      const events = await h.t.db.query<{
        id: string;
        type: string;
        state: string;
        changes: unknown;
        at: string;
      }>(
        "SELECT id, type, state, changes, effective_at::text AS at FROM person_events WHERE person_id = $1 ORDER BY type",
        [p.id],
      );
      const jobs = await h.t.db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${h.t.jobs.schema}.job WHERE name = 'people.apply_event' AND data->>'eventId' = ANY($1::text[])`,
        [events.rows.map((e) => e.id)],
      );
      const snap = history.rows.map((x) => {
        const { id, employee_number, legal_name, work_email, created_at, updated_at, ...rest } = x.snapshot;
        // Moments written alike (as JSON writes a Date), whichever way the version was made.
        const stamps = [created_at, updated_at].map(
          (v) => typeof v === "string" && new Date(v).toISOString() === v,
        );
        return { version: x.version, keys: Object.keys(x.snapshot).sort(), rest, stamps };
      });
      return {
        version: p.version,
        linked: !!p.user_id,
        sources: sources.map((s) => s.attribute),
        source: [...new Set(sources.map((s) => s.source))],
        history: snap,
        audit: audit.rows.map((a) => ({
          action: a.action,
          target: a.target_type,
          details: Object.keys(a.details).sort(),
        })),
        roles: roles.rows.map((r) => r.role),
        events: events.rows.map(({ id, at, ...e }) => ({ ...e, at: e.state === "scheduled" ? at : "now" })),
        jobs: Number(jobs.rows[0]?.n),
      };
    };
    for (const [viaApi, viaCsv] of [
      ["Q1", "Q2"],
      ["Q3", "Q4"],
    ]) {
      const api = await trail(viaApi as string);
      const csv = await trail(viaCsv as string);
      expect(api.source).toEqual(["manual"]);
      expect(csv.source).toEqual(["csv"]);
      expect({ ...csv, source: null }).toEqual({ ...api, source: null });
    }
    const active = await trail("Q1");
    expect(active.audit.map((a) => a.action)).toEqual([
      "person.created",
      "user.created",
      "person.account_linked",
      "user.roles_changed",
    ]);
    const prehire = await trail("Q3");
    expect(prehire.events.map((e) => `${e.type}:${e.state}`)).toEqual(["hire:applied", "start:scheduled"]);
    expect(prehire.audit.map((a) => a.action)).toContain("person.event_scheduled");
    expect(prehire.jobs).toBe(1);
    expect((await verifyChain(h.t.db)).ok).toBe(true);
  });
});

describe("the import API", () => {
  it("needs people:import, takes text/csv only, offers a template and lists runs", async () => {
    const anon = await h.client().request({
      method: "POST",
      url: "/api/v1/people/import/preview",
      payload: file({ n: "Z1" }),
      headers: { "content-type": "text/csv" },
    });
    expect(anon.statusCode).toBe(401);
    const employee = await h.signedIn(["employee"]);
    const denied: Res = await employee.request({
      method: "POST",
      url: "/api/v1/people/import/apply",
      payload: file({ n: "Z1" }),
      headers: { "content-type": "text/csv" },
    });
    expect(denied.statusCode).toBe(403);
    expect((await employee.get("/api/v1/people/import/runs")).statusCode).toBe(403);
    const json = await hr.post("/api/v1/people/import/apply", { rows: [] });
    expect(json.statusCode).toBe(415);
    expect(json.json().code).toBe("people_import.send_csv");
    const template = await hr.get("/api/v1/people/import/template");
    expect(template.statusCode).toBe(200);
    expect(template.headers["content-type"]).toMatch(/^text\/csv/);
    expect(template.body).toBe(`${HEADER}\r\n`);
    const dry = await send("apply", file({ n: "Z1" }), "?dryRun=true&fileName=z.csv");
    expect(dry.statusCode).toBe(200);
    expect(await person("Z1")).toBeUndefined();
    const page1 = (await hr.get("/api/v1/people/import/runs?limit=2")).json<{
      items: { id: string; fileName: string | null }[];
      nextCursor: string;
    }>();
    expect(page1.items[0]?.fileName).toBe("z.csv");
    expect(page1.nextCursor).toBeTruthy();
    const page2 = (await hr.get(`/api/v1/people/import/runs?limit=2&cursor=${page1.nextCursor}`)).json<{
      items: { id: string }[];
    }>();
    expect(page2.items.length).toBe(2);
    expect(page2.items.map((i) => i.id)).not.toContain(page1.items[0]?.id);
  });
});
