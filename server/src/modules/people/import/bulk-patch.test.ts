import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../../platform/audit/index.js";
import { startTestApp, type TestApp } from "../../../test/harness.js";
import { attributeSources, setSources } from "../repo.js";

/** Changes applied from a CSV file in bulk, compared with the same changes made by the service. */

let h: TestApp;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
const ids: Record<string, string> = {};

const HEADER =
  "employee_number,legal_name,preferred_name,work_email,department,job_role,manager_employee_number,location";
interface P {
  n: string;
  name?: string;
  preferred?: string;
  dept?: string;
  role?: string;
  mgr?: string;
  loc?: string;
}
const line = (p: P) =>
  [
    p.n,
    // The two people of a pair (A1, A2) share a name: only their records' own fields differ.
    p.name ?? `Person ${p.n.replace(/\d$/, "")}`,
    p.preferred ?? "",
    `${p.n.toLowerCase()}@corp.test`,
    p.dept ?? "Finance",
    p.role ?? "Accountant",
    p.mgr ?? "",
    p.loc ?? "Cape Town",
  ].join(",");
const file = (...rows: P[]) => `${[HEADER, ...rows.map(line)].join("\n")}\n`;

async function apply(body: string) {
  return hr.request({
    method: "POST",
    url: "/api/v1/people/import/apply",
    payload: body,
    headers: { "content-type": "text/csv" },
  });
}
async function applied(body: string) {
  const res = await apply(body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ counts: Record<string, number> }>();
}

async function person(n: string) {
  const r = await h.t.db.query<{ id: string; user_id: string | null; version: number; legal_name: string }>(
    "SELECT id, user_id, version, legal_name FROM people WHERE employee_number = $1",
    [n],
  );
  return r.rows[0] as { id: string; user_id: string | null; version: number; legal_name: string };
}

/**
 * Everything a change leaves behind for one person; people are named by their employee number
 * without its last digit, so that both people of a pair read the same.
 */
async function trail(n: string, since: number) {
  const p = await person(n);
  const names = new Map(
    (await h.t.db.query<{ id: string; n: string }>("SELECT id, employee_number AS n FROM people")).rows.map(
      (r) => [r.id, r.n.replace(/\d$/, "")],
    ),
  );
  const plain = (v: unknown) =>
    JSON.parse(JSON.stringify(v ?? null), (_k, x) =>
      typeof x === "string" && names.has(x) ? names.get(x) : x,
    );
  const q = <T>(sql: string, params: unknown[]) => h.t.db.query<T>(sql, params).then((r) => r.rows);
  const history = await q<{ version: number; event: boolean; snapshot: Record<string, unknown> }>(
    "SELECT version, event_id IS NOT NULL AS event, snapshot FROM person_history WHERE person_id = $1 ORDER BY version",
    [p.id],
  );
  return {
    version: p.version,
    sources: (await attributeSources(h.t.db, p.id)).map(({ attribute, source }) => ({ attribute, source })),
    history: history.map(({ snapshot, ...x }) => {
      const { id, employee_number, legal_name, work_email, created_at, updated_at, user_id, ...rest } =
        snapshot;
      return { ...x, linked: !!user_id, rest: plain(rest) };
    }),
    events: plain(
      await q(
        "SELECT type, state, source, changes FROM person_events WHERE person_id = $1 ORDER BY created_at, id",
        [p.id],
      ),
    ),
    audit: plain(
      await q(
        "SELECT action, target_type, details FROM audit_log WHERE target_id IN ($1, $2) AND seq > $3 ORDER BY seq",
        [p.id, p.user_id, since],
      ),
    ),
    jobs: plain(
      (
        await q<{ name: string; data: { type: string; payload: Record<string, unknown> } }>(
          `SELECT name, data FROM ${h.t.jobs.schema}.job WHERE data->'payload'->>'personId' = $1 AND data->>'type' <> 'person.hired' ORDER BY name`,
          [p.id],
        )
      ).map((j) => {
        const { personId, employeeNumber, ...payload } = j.data.payload;
        return { name: j.name, type: j.data.type, payload };
      }),
    ),
    roles: (
      await q<{ role: string }>("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role", [p.user_id])
    ).map((r) => r.role),
  };
}
const seq = async () =>
  Number((await h.t.db.query<{ s: string }>("SELECT max(seq)::text AS s FROM audit_log")).rows[0]?.s);

beforeAll(async () => {
  h = await startTestApp();
  hr = await h.signedIn(["hr"]);
  const finance = (await hr.post("/api/v1/departments", { name: "Finance" })).json<{ id: string }>().id;
  const eng = (await hr.post("/api/v1/departments", { name: "Engineering" })).json<{ id: string }>().id;
  ids.finance = finance;
  ids.eng = eng;
  await hr.post("/api/v1/job-roles", { title: "Accountant", departmentId: finance });
  ids.engineer = (await hr.post("/api/v1/job-roles", { title: "Engineer", departmentId: eng })).json<{
    id: string;
  }>().id;
  await hr.post("/api/v1/locations", { name: "Cape Town", timeZone: "Africa/Johannesburg", country: "za" });
  ids.london = (
    await hr.post("/api/v1/locations", { name: "London", timeZone: "Europe/London", country: "gb" })
  ).json<{ id: string }>().id;
});
afterAll(() => h.close());

describe("bulk changes", () => {
  it("leave the same record, history, sources, events, audit, accounts and jobs as the service", async () => {
    // Pairs: the first of each is changed by the service, the second by the file.
    // A1/A2 move to a new department, role, manager and place; their old managers O1/O2 lose
    // their only report, their new managers N1/N2 gain their first. B1/B2 change names only.
    const start = [
      { n: "O1" },
      { n: "O2" },
      { n: "N1" },
      { n: "N2" },
      { n: "A1", mgr: "O1" },
      { n: "A2", mgr: "O2" },
      { n: "B1" },
      { n: "B2" },
    ];
    await applied(file(...start));
    // An earlier edit by hand: the change takes the attribute back for the file.
    for (const n of ["A1", "A2"]) await setSources(h.t.db, (await person(n)).id, ["departmentId"], "manual");
    const since = await seq();

    const a1 = await person("A1");
    const n1 = await person("N1");
    const b1 = await person("B1");
    const ctx = { actorId: hr.userId, actorLabel: hr.email };
    await h.t.db.tx(async (q) => {
      await h.t.people.patch(
        q,
        ctx,
        a1.id,
        { departmentId: ids.eng, jobRoleId: ids.engineer, locationId: ids.london, managerId: n1.id },
        "csv",
      );
      await h.t.people.patch(q, ctx, b1.id, { legalName: "Bea One", preferredName: "Bea" }, "csv");
    });
    const r = await applied(
      file(
        { n: "A2", dept: "Engineering", role: "Engineer", mgr: "N2", loc: "London" },
        { n: "B2", name: "Bea One", preferred: "Bea" },
      ),
    );
    expect(r.counts).toMatchObject({ moves: 1, updates: 1, errors: 0 });

    for (const [byService, byFile] of [
      ["A1", "A2"],
      ["B1", "B2"],
      ["O1", "O2"],
      ["N1", "N2"],
    ] as const) {
      expect(await trail(byFile, since), `${byFile} as ${byService}`).toEqual(await trail(byService, since));
    }
    const moved = await trail("A2", since);
    expect(moved.events.map((e: { type: string }) => e.type)).toEqual(["hire", "transfer"]);
    // Every subscriber of person.moved gets the same event.
    const payload = {
      status: "active",
      departmentId: ids.eng,
      jobRoleId: ids.engineer,
      managerId: "N",
      changed: ["departmentId", "jobRoleId", "locationId", "managerId"],
      source: "csv",
    };
    expect(moved.jobs).toEqual(
      ["event.access.mover", "event.awareness.phishing_moved"].map((name) => ({
        name,
        type: "person.moved",
        payload,
      })),
    );
    expect((await trail("O2", since)).roles).toEqual(["employee"]);
    expect((await trail("N2", since)).roles).toEqual(["employee", "manager"]);
    expect((await verifyChain(h.t.db)).ok).toBe(true);
  });

  it("a change the database refuses is found on its line, and nothing of its batch is written", async () => {
    await applied(file({ n: "R1" }, { n: "R2" }, { n: "R3" }));
    await h.t.db.exec(`CREATE FUNCTION refuse_r2() RETURNS trigger AS $$
      BEGIN IF NEW.employee_number = 'R2' THEN RAISE EXCEPTION 'the record is frozen'; END IF; RETURN NEW; END
      $$ LANGUAGE plpgsql;
      CREATE TRIGGER refuse_r2 BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION refuse_r2();`);
    let res: Awaited<ReturnType<typeof apply>>;
    try {
      res = await apply(
        file({ n: "R1", name: "Ray One" }, { n: "R2", name: "Ray Two" }, { n: "R3", name: "Ray Three" }),
      );
    } finally {
      await h.t.db.exec("DROP TRIGGER refuse_r2 ON people; DROP FUNCTION refuse_r2();");
    }
    expect(res.statusCode, res.body).toBe(409);
    const problem = res.json<{ result: { errors: { line: number; message: string }[] } }>();
    expect(problem.result.errors).toMatchObject([{ line: 3, message: "the record is frozen" }]);
    for (const n of ["R1", "R2", "R3"]) expect((await person(n)).legal_name).toBe("Person R");
    const again = await applied(
      file({ n: "R1", name: "Ray One" }, { n: "R2", name: "Ray Two" }, { n: "R3", name: "Ray Three" }),
    );
    expect(again.counts).toMatchObject({ updates: 3, errors: 0 });
    expect((await person("R2")).legal_name).toBe("Ray Two");
  });
});
