import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, TEST_PASSWORD, type TestApp } from "../../test/harness.js";

let h: TestApp;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let deptId: string;
let roleId: string;
let locId: string;
let n = 0;

beforeAll(async () => {
  h = await startTestApp();
  hr = await h.signedIn(["hr"]);
  deptId = (await hr.post("/api/v1/departments", { name: "Finance" })).json<{ id: string }>().id;
  roleId = (
    await hr.post("/api/v1/job-roles", { title: "Accountant", departmentId: deptId, level: "L2" })
  ).json<{ id: string }>().id;
  locId = (
    await hr.post("/api/v1/locations", { name: "Cape Town", timeZone: "Africa/Johannesburg", country: "za" })
  ).json<{ id: string }>().id;
});
afterAll(() => h.close());

type P = {
  id: string;
  status: string;
  version: number;
  userId: string | null;
  highRisk?: boolean;
  highRiskReason?: string | null;
  endDate: string | null;
};

async function hire(extra: Record<string, unknown> = {}) {
  n++;
  const res = await hr.post("/api/v1/people", {
    employeeNumber: `E${1000 + n}`,
    legalName: `Person ${n}`,
    workEmail: `person${n}@corp.test`,
    departmentId: deptId,
    jobRoleId: roleId,
    locationId: locId,
    status: "active",
    startDate: "2024-01-01",
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<P>();
}

const ev = (id: string, body: Record<string, unknown>) => hr.post(`/api/v1/people/${id}/events`, body);

describe("people records", () => {
  it("creates a person with a linked employee account, and refuses duplicates naming the field", async () => {
    const p = await hire();
    expect(p.userId).toBeTruthy();
    const roles = await h.t.db.query<{ role: string }>("SELECT role FROM user_roles WHERE user_id = $1", [
      p.userId,
    ]);
    expect(roles.rows.map((r) => r.role)).toEqual(["employee"]);
    const dup = await hr.post("/api/v1/people", {
      employeeNumber: `E${1000 + n}`,
      legalName: "X",
      workEmail: "other@corp.test",
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("employeeNumber");
    const bad = await hr.post("/api/v1/people", {
      employeeNumber: "Z1",
      legalName: "X",
      workEmail: "x@corp.test",
      startDate: "2025-02-01",
      endDate: "2025-01-01",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors.some((e) => e.path.endsWith("endDate"))).toBe(
      true,
    );
  });

  it("needs If-Match for edits and refuses a stale one with 412 (no lost update)", async () => {
    const p = await hire();
    expect((await hr.patch(`/api/v1/people/${p.id}`, { preferredName: "Pat" })).statusCode).toBe(428);
    const get = await hr.get(`/api/v1/people/${p.id}`);
    const etag = String(get.headers.etag);
    const ok = await hr.request({
      method: "PATCH",
      url: `/api/v1/people/${p.id}`,
      payload: { preferredName: "Pat" },
      headers: { "if-match": etag },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const stale = await hr.request({
      method: "PATCH",
      url: `/api/v1/people/${p.id}`,
      payload: { preferredName: "Sam" },
      headers: { "if-match": etag },
    });
    expect(stale.statusCode).toBe(412);
  });

  it("refuses a manager cycle", async () => {
    const a = await hire();
    const b = await hire({ managerId: a.id });
    const etag = String((await hr.get(`/api/v1/people/${a.id}`)).headers.etag);
    const res = await hr.request({
      method: "PATCH",
      url: `/api/v1/people/${a.id}`,
      payload: { managerId: b.id },
      headers: { "if-match": etag },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("person.manager_cycle");
  });
});

describe("lifecycle", () => {
  it("an immediate termination makes a leaver and ends their Tandem access", async () => {
    const p = await hire({ workEmail: "leaver.now@corp.test" });
    await h.t.db.query(
      "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE id = $1) WHERE id = $2",
      [hr.userId, p.userId],
    );
    const them = h.client();
    expect((await them.login("leaver.now@corp.test", TEST_PASSWORD)).statusCode).toBe(200);
    const res = await ev(p.id, { type: "termination", terminationType: "for_cause" });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().state).toBe("applied");
    const after = (await hr.get(`/api/v1/people/${p.id}`)).json<P>();
    expect(after.status).toBe("leaver");
    expect((await them.get("/api/v1/auth/session")).statusCode).toBe(401);
    const u = await h.t.db.query<{ disabled: boolean }>("SELECT disabled FROM users WHERE id = $1", [
      p.userId,
    ]);
    expect(u.rows[0]?.disabled).toBe(true);
  });

  it("refuses illegal transitions with 409 naming what is allowed", async () => {
    const p = await hire();
    const res = await ev(p.id, { type: "rehire", changes: { startDate: "2030-01-01" } });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("person.illegal_transition");
    expect(res.json().detail).toMatch(/allowed from: leaver, alumni/);
  });

  it("stores a future termination now and applies it at its moment (by the scheduler, not a request)", async () => {
    const p = await hire();
    const res = await ev(p.id, {
      type: "termination",
      terminationType: "voluntary",
      effectiveDate: "2099-03-01",
    });
    expect(res.json().state).toBe("scheduled");
    // Johannesburg is UTC+2: the start of 1 March there is 22:00 UTC the day before.
    expect(res.json().effectiveAt).toBe("2099-02-28T22:00:00.000Z");
    expect((await hr.get(`/api/v1/people/${p.id}`)).json<P>().status).toBe("active");
    const job = await h.t.db.query(
      `SELECT 1 FROM ${h.t.jobs.schema}.job WHERE name = 'people.apply_event' AND singleton_key = $1`,
      [res.json().id],
    );
    expect(job.rowCount).toBe(1);
    // Time passes: the moment arrives.
    await h.t.db.query("UPDATE person_events SET effective_at = now() - interval '1 second' WHERE id = $1", [
      res.json().id,
    ]);
    expect(await h.t.people.applyDue({ actorLabel: "scheduler" })).toBeGreaterThanOrEqual(1);
    expect((await hr.get(`/api/v1/people/${p.id}`)).json<P>().status).toBe("leaver");
    // Applying twice changes nothing.
    expect(await h.t.people.applyDue({ actorLabel: "scheduler" })).toBe(0);
    const timeline = (await hr.get(`/api/v1/people/${p.id}/events`)).json<{
      items: { type: string; state: string }[];
    }>().items;
    expect(timeline.map((e) => `${e.type}:${e.state}`)).toContain("termination:applied");
  });

  /** Schedules a termination far ahead for each person, then lets the moment arrive for all. */
  async function dueTerminations(people: P[]): Promise<string[]> {
    const ids: string[] = [];
    for (const p of people) {
      const res = await ev(p.id, {
        type: "termination",
        terminationType: "voluntary",
        effectiveDate: "2099-05-01",
      });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json<{ id: string }>().id);
    }
    await h.t.db.query(
      "UPDATE person_events SET effective_at = now() - interval '1 second' WHERE id = ANY ($1)",
      [ids],
    );
    return ids;
  }

  const leaverJobs = async (personIds: string[]) =>
    (
      await h.t.db.query<{ data: { payload?: { personId: string }; payloads?: { personId: string }[] } }>(
        `SELECT data FROM ${h.t.jobs.schema}.job WHERE name = 'event.access.leaver'`,
      )
    ).rows
      .map((r) => (r.data.payloads ?? [r.data.payload]).map((x) => x?.personId))
      .filter((ids) => ids.some((id) => id && personIds.includes(id)));

  it("applies terminations falling due together in one go, each on its own record, and publishes them together", async () => {
    const people = [await hire(), await hire(), await hire()];
    const eventIds = await dueTerminations(people);
    const applied = await h.t.db.tx((q) => h.t.people.applyMany(q, { actorLabel: "scheduler" }, eventIds));
    expect(applied).toBe(3);
    for (const p of people) {
      const after = (await hr.get(`/api/v1/people/${p.id}`)).json<P>();
      expect(after.status).toBe("leaver");
      // Each person's own history and audit entry, as one by one.
      const audit = await h.t.db.query(
        "SELECT 1 FROM audit_log WHERE action = 'person.termination' AND target_id = $1",
        [p.id],
      );
      expect(audit.rowCount).toBe(1);
      const history = await h.t.db.query(
        "SELECT 1 FROM person_history WHERE person_id = $1 AND event_id = ANY ($2)",
        [p.id, eventIds],
      );
      expect(history.rowCount).toBe(1);
    }
    // One queued job carries the three terminations to the access engine, not three jobs.
    const jobs = await leaverJobs(people.map((p) => p.id));
    expect(jobs).toHaveLength(1);
    expect([...(jobs[0] ?? [])].sort()).toEqual(people.map((p) => p.id).sort());
    // A second delivery of the same batch changes nothing and publishes nothing.
    expect(await h.t.db.tx((q) => h.t.people.applyMany(q, { actorLabel: "scheduler" }, eventIds))).toBe(0);
    expect(await leaverJobs(people.map((p) => p.id))).toHaveLength(1);
  });

  it("the sweep applies a due batch around an event that cannot be applied, and reports the failure", async () => {
    const people = [await hire(), await hire(), await hire()];
    const eventIds = await dueTerminations(people);
    const stuck = people[1]!.id;
    // A database fault on one person's row only (a real trigger, dropped afterwards).
    await h.t.db.query(`CREATE FUNCTION test_refuse_person() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused for the test'; END $$`);
    await h.t.db.query(
      `CREATE TRIGGER test_refuse_person BEFORE UPDATE ON people FOR EACH ROW
       WHEN (NEW.id = '${stuck}') EXECUTE FUNCTION test_refuse_person()`,
    );
    try {
      await expect(h.t.people.applyDue({ actorLabel: "scheduler" })).rejects.toThrow(/refused for the test/);
    } finally {
      await h.t.db.query("DROP TRIGGER test_refuse_person ON people");
      await h.t.db.query("DROP FUNCTION test_refuse_person()");
    }
    const states = await h.t.db.query<{ person_id: string; state: string }>(
      "SELECT person_id, state FROM person_events WHERE id = ANY ($1)",
      [eventIds],
    );
    const stateOf = new Map(states.rows.map((r) => [r.person_id, r.state]));
    expect(stateOf.get(people[0]!.id)).toBe("applied");
    expect(stateOf.get(stuck)).toBe("scheduled");
    expect(stateOf.get(people[2]!.id)).toBe("applied");
    // The next sweep applies it once the fault is gone.
    expect(await h.t.people.applyDue({ actorLabel: "scheduler" })).toBeGreaterThanOrEqual(1);
    expect((await hr.get(`/api/v1/people/${stuck}`)).json<P>().status).toBe("leaver");
  });

  it("a resignation gives notice now and schedules the termination at the end of the last working day", async () => {
    const p = await hire();
    const res = await ev(p.id, { type: "resignation", lastWorkingDay: "2099-06-30" });
    expect(res.statusCode, res.body).toBe(201);
    const after = (await hr.get(`/api/v1/people/${p.id}`)).json<P>();
    expect(after.status).toBe("notice");
    expect(after.endDate).toBe("2099-06-30");
    const timeline = (await hr.get(`/api/v1/people/${p.id}/events`)).json<{
      items: { type: string; state: string; effectiveAt: string }[];
    }>().items;
    const term = timeline.find((e) => e.type === "termination");
    expect(term?.state).toBe("scheduled");
    expect(term?.effectiveAt).toBe("2099-06-30T22:00:00.000Z");
  });

  it("shows the record as it was on a past date", async () => {
    const p = await hire();
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await ev(p.id, { type: "leave_start" });
    const then = (await hr.get(`/api/v1/people/${p.id}/as-of?at=${encodeURIComponent(before)}`)).json<P>();
    expect(then.status).toBe("active");
    expect((await hr.get(`/api/v1/people/${p.id}`)).json<P>().status).toBe("leave");
  });
});

describe("confidentiality and visibility", () => {
  it("shows the high-risk flag and reason to HR, Security and Legal only, and audits the read", async () => {
    const p = await hire();
    const flag = await hr.put(`/api/v1/people/${p.id}/high-risk`, {
      highRisk: true,
      reason: "threatened to take client lists",
    });
    expect(flag.statusCode, flag.body).toBe(200);
    for (const role of ["hr", "security", "legal"]) {
      const c = role === "hr" ? hr : await h.signedIn([role]);
      const got = (await c.get(`/api/v1/people/${p.id}`)).json<P>();
      expect(got.highRisk).toBe(true);
      expect(got.highRiskReason).toBe("threatened to take client lists");
    }
    for (const role of ["it", "auditor", "admin"]) {
      const c = await h.signedIn([role]);
      const got = (await c.get(`/api/v1/people/${p.id}`)).json<P>();
      expect(got.highRisk).toBeUndefined();
      expect(JSON.stringify(got)).not.toContain("client lists");
    }
    const sec = await h.signedIn(["security"]);
    expect((await sec.put(`/api/v1/people/${p.id}/high-risk`, { highRisk: false })).statusCode).toBe(403);
    const reads = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'person.confidential_read' AND target_id = $1",
      [p.id],
    );
    expect(reads.rowCount).toBeGreaterThanOrEqual(3);
    const stored = await h.t.db.query<{ high_risk_reason_enc: string }>(
      "SELECT high_risk_reason_enc FROM people WHERE id = $1",
      [p.id],
    );
    expect(stored.rows[0]?.high_risk_reason_enc).not.toContain("client");
  });

  it("a manager sees their reports and gets the manager role; others are 404", async () => {
    const boss = await hire({ workEmail: "boss@corp.test" });
    const report = await hire({ managerId: boss.id });
    const stranger = await hire();
    await h.t.db.query(
      "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE id = $1) WHERE id = $2",
      [hr.userId, boss.userId],
    );
    const c = h.client();
    await c.login("boss@corp.test", TEST_PASSWORD);
    const s = (await c.get("/api/v1/auth/session")).json<{ user: { roles: string[] } }>();
    expect(s.user.roles).toEqual(["employee", "manager"]);
    const list = (await c.get("/api/v1/people")).json<{ items: { id: string }[] }>();
    expect(list.items.map((x) => x.id)).toEqual([report.id]);
    expect((await c.get(`/api/v1/people/${report.id}`)).statusCode).toBe(200);
    expect((await c.get(`/api/v1/people/${stranger.id}`)).statusCode).toBe(404);
    expect((await c.get("/api/v1/me/person")).json<{ id: string }>().id).toBe(boss.id);
  });
});

describe("per-attribute source of authority", () => {
  it("lets HR give an attribute to one source; other sources are refused naming the field", async () => {
    const p = await hire();
    const put = await hr.put("/api/v1/people/attribute-authority", {
      items: [{ attribute: "legalName", source: "scim" }],
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json<{ items: unknown[] }>().items).toEqual([{ attribute: "legalName", source: "scim" }]);
    const etag = String((await hr.get(`/api/v1/people/${p.id}`)).headers.etag);
    const res = await hr.request({
      method: "PATCH",
      url: `/api/v1/people/${p.id}`,
      payload: { legalName: "Renamed" },
      headers: { "if-match": etag },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("person.attribute_owned");
    expect(res.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("legalName");
    // Other attributes stay open to manual edits.
    const ok = await hr.request({
      method: "PATCH",
      url: `/api/v1/people/${p.id}`,
      payload: { preferredName: "Ren" },
      headers: { "if-match": etag },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const dup = await hr.put("/api/v1/people/attribute-authority", {
      items: [
        { attribute: "legalName", source: "scim" },
        { attribute: "legalName", source: "csv" },
      ],
    });
    expect(dup.statusCode).toBe(400);
    const it = await h.signedIn(["it"]);
    expect((await it.put("/api/v1/people/attribute-authority", { items: [] })).statusCode).toBe(403);
    expect(
      (await hr.put("/api/v1/people/attribute-authority", { items: [] })).json<{ items: unknown[] }>().items,
    ).toEqual([]);
  });
});
