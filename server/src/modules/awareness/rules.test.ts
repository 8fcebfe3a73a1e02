import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../test/access.js";
import { type Api, buildEmployee, buildModule, buildPolicy, publishPolicy } from "../../test/awareness.js";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { assignFollowUpTraining } from "./index.js";

/**
 * Assignment rules on People lifecycle events (through the job queue), HR case outcomes and
 * follow-ups, each idempotent per (person, item, cycle); leavers' open work is closed.
 */

let h: TestApp;
let hr: Api;
let security: Api;
let policyId: string;
let moduleId: string;
let followUpId: string;

const assignments = async (personId: string) =>
  (
    await h.t.db.query<{ item_id: string; cycle: string; status: string; source: string; due_at: Date }>(
      "SELECT item_id, cycle, status, source, due_at FROM awareness_assignments WHERE person_id = $1 ORDER BY item_id, cycle",
      [personId],
    )
  ).rows;

beforeAll(async () => {
  h = await startTestApp({}, { jobs: true });
  hr = await h.signedIn(["hr"]);
  security = await h.signedIn(["security"]);
  const p = await buildPolicy(hr);
  await publishPolicy(hr, p.id);
  policyId = p.id;
  moduleId = (await buildModule(security)).id;
  followUpId = (await buildModule(security)).id;
  for (const body of [
    { name: "Joiners: policy", trigger: "joiner", itemType: "policy", itemId: policyId, dueDays: 7 },
    { name: "Joiners: training", trigger: "joiner", itemType: "module", itemId: moduleId, dueDays: 14 },
    { name: "HR case: training", trigger: "hr_case", itemType: "module", itemId: followUpId, dueDays: 10 },
    { name: "Follow-up", trigger: "follow_up", itemType: "module", itemId: followUpId, dueDays: 5 },
  ]) {
    const r = await security.post("/api/v1/awareness/rules", { audience: { everyone: true }, ...body });
    expect(r.statusCode, r.body).toBe(201);
  }
});
afterAll(() => h.close());

describe("joiners", () => {
  it("a hire through the People API gets the onboarding pack; a second delivery adds nothing", async () => {
    const { api, person } = await buildEmployee(h, hr);
    const rows = await eventually("onboarding pack", async () => {
      const r = await assignments(person.id);
      return r.length === 2 ? r : undefined;
    });
    expect(rows.map((r) => [r.item_id, r.cycle])).toEqual(
      [
        [policyId, "v1"],
        [moduleId, "onboarding"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const due = rows.find((r) => r.item_id === moduleId)?.due_at as Date;
    expect(new Date(due).getTime() - Date.now()).toBeGreaterThan(13 * 86_400_000);
    const before = await h.t.db.query("SELECT 1 FROM audit_log WHERE action = 'awareness.assigned'");
    // The same event delivered again (a retry after a crash): nothing new.
    const event = {
      type: "person.hired",
      occurredAt: new Date().toISOString(),
      payload: { personId: person.id },
    };
    await h.t.jobs.runInline("event.awareness.joiner", event);
    await h.t.jobs.runInline("event.awareness.starter", { ...event, type: "person.started" });
    expect(await assignments(person.id)).toHaveLength(2);
    const after = await h.t.db.query("SELECT 1 FROM audit_log WHERE action = 'awareness.assigned'");
    expect(after.rowCount).toBe(before.rowCount);
    const mine = await api.get("/api/v1/awareness/me");
    expect(mine.json<{ items: unknown[] }>().items).toHaveLength(2);
  });

  it("a pre-hire's due date counts from the start date; a disabled rule assigns nothing", async () => {
    const start = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const { person } = await buildEmployee(h, hr, { status: "pre_hire", startDate: start });
    const rows = await eventually("pre-hire pack", async () => {
      const r = await assignments(person.id);
      return r.length === 2 ? r : undefined;
    });
    const due = new Date(rows.find((r) => r.item_id === moduleId)?.due_at as Date);
    expect(due.toISOString().slice(0, 10)).toBe(
      new Date(new Date(`${start}T00:00:00Z`).getTime() + 14 * 86_400_000).toISOString().slice(0, 10),
    );
    const list = await security.get("/api/v1/awareness/rules?trigger=joiner");
    for (const r of list.json<{ items: { id: string }[] }>().items) {
      const off = await security.patch(`/api/v1/awareness/rules/${r.id}`, { enabled: false });
      expect(off.statusCode, off.body).toBe(200);
    }
    const { person: later } = await buildEmployee(h, hr);
    await h.t.jobs.runInline("event.awareness.joiner", {
      type: "person.hired",
      occurredAt: new Date().toISOString(),
      payload: { personId: later.id },
    });
    expect(await assignments(later.id)).toHaveLength(0);
    for (const r of list.json<{ items: { id: string }[] }>().items)
      await security.patch(`/api/v1/awareness/rules/${r.id}`, { enabled: true });
  });
});

describe("leavers", () => {
  it("open assignments are closed when the termination takes effect (not counted as overdue)", async () => {
    const { person } = await buildEmployee(h, hr);
    await eventually("pack", async () => ((await assignments(person.id)).length === 2 ? true : undefined));
    const t = await hr.post(`/api/v1/people/${person.id}/events`, {
      type: "termination",
      terminationType: "voluntary",
    });
    expect(t.statusCode, t.body).toBe(201);
    const rows = await eventually("closed", async () => {
      const r = await assignments(person.id);
      return r.every((x) => x.status === "closed") ? r : undefined;
    });
    expect(rows).toHaveLength(2);
    const overdue = await security.get(`/api/v1/awareness/assignments?personId=${person.id}&status=overdue`);
    expect(overdue.json<{ total: number }>().total).toBe(0);
  });
});

describe("leavers falling due together", () => {
  it("closes the open assignments of every leaver of a batch (delivered to the subscriber together)", async () => {
    const people = [];
    for (let i = 0; i < 3; i++) people.push((await buildEmployee(h, hr)).person);
    for (const p of people)
      await eventually("pack", async () => ((await assignments(p.id)).length === 2 ? true : undefined));
    const eventIds: string[] = [];
    for (const p of people) {
      const t = await hr.post(`/api/v1/people/${p.id}/events`, {
        type: "termination",
        terminationType: "voluntary",
        effectiveDate: "2099-05-01",
      });
      expect(t.statusCode, t.body).toBe(201);
      eventIds.push(t.json<{ id: string }>().id);
    }
    await h.t.db.query("UPDATE person_events SET effective_at = now() WHERE id = ANY ($1)", [eventIds]);
    await h.t.db.tx((q) => h.t.people.applyMany(q, { actorLabel: "scheduler" }, eventIds));
    for (const p of people)
      await eventually("closed", async () => {
        const r = await assignments(p.id);
        return r.length === 2 && r.every((x) => x.status === "closed") ? true : undefined;
      });
  });
});

describe("HR case outcome and follow-up", () => {
  it("an HR case closed with a training outcome assigns the follow-up module once", async () => {
    const { person } = await buildEmployee(h, hr);
    await eventually("pack", async () => ((await assignments(person.id)).length === 2 ? true : undefined));
    const c = await hr.post("/api/v1/hr-cases", {
      title: "Files to a personal address",
      subjectPersonId: person.id,
    });
    expect(c.statusCode, c.body).toBe(201);
    const caseId = c.json<{ id: string }>().id;
    const closed = await hr.post(`/api/v1/hr-cases/${caseId}/close`, { outcome: "training" });
    expect(closed.statusCode, closed.body).toBe(200);
    const rows = await eventually("follow-up", async () => {
      const r = (await assignments(person.id)).filter((x) => x.item_id === followUpId);
      return r.length ? r : undefined;
    });
    expect(rows.map((r) => r.cycle)).toEqual([`hr_case:${caseId}`]);
    const event = {
      type: "incidents.hr_case_closed",
      occurredAt: new Date().toISOString(),
      payload: { caseId, personId: person.id, outcome: "training" },
    };
    await h.t.jobs.runInline("event.awareness.hr_case", event);
    // Outcomes that are not training assign nothing.
    await h.t.jobs.runInline("event.awareness.hr_case", {
      ...event,
      payload: { caseId: "other", personId: person.id, outcome: "no_action" },
    });
    expect((await assignments(person.id)).filter((x) => x.item_id === followUpId)).toHaveLength(1);
  });

  it("assignFollowUpTraining assigns the follow-up modules once per reason", async () => {
    const { person } = await buildEmployee(h, hr);
    const reason = { key: "phishing:campaign-7", text: "clicked a simulated phishing link" };
    expect(await h.t.db.tx((q) => assignFollowUpTraining(q, person.id, reason))).toBe(1);
    expect(await h.t.db.tx((q) => assignFollowUpTraining(q, person.id, reason))).toBe(0);
    expect(await h.t.db.tx((q) => assignFollowUpTraining(q, "01J00000000000000000000000", reason))).toBe(0);
    const rows = (await assignments(person.id)).filter((x) => x.item_id === followUpId);
    expect(rows.map((r) => r.cycle)).toEqual(["follow_up:phishing:campaign-7"]);
  });
});

describe("rules API", () => {
  it("validates items and triggers, and is closed to employees", async () => {
    const bad = await security.post("/api/v1/awareness/rules", {
      name: "x",
      trigger: "annual",
      itemType: "policy",
      itemId: policyId,
      audience: { everyone: true },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("body.itemType");
    const unknown = await security.post("/api/v1/awareness/rules", {
      name: "x",
      trigger: "annual",
      itemType: "module",
      itemId: "01J00000000000000000000000",
      audience: { everyone: true },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("itemId");
    const employee = await h.signedIn(["employee"]);
    expect((await employee.get("/api/v1/awareness/rules")).statusCode).toBe(403);
    expect((await security.delete("/api/v1/awareness/rules/01J00000000000000000000000")).statusCode).toBe(
      404,
    );
  });
});
