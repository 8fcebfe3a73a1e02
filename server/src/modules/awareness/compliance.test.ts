import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Api,
  assign,
  buildEmployee,
  buildModule,
  buildPolicy,
  publishPolicy,
} from "../../test/awareness.js";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { seedAwarenessDemo } from "./index.js";
import { loadStarter } from "./starter.js";

/**
 * Escalation levels (person, then manager, then HR; each step sent once), compliance rates
 * per department, a manager's team, assignment on demand, and the starter content and demo.
 */

let h: TestApp;
let hr: Api;
let security: Api;
const DAY = 86_400_000;

beforeAll(async () => {
  h = await startTestApp({
    TANDEM_AWARENESS_REMIND_AFTER_DAYS: "1",
    TANDEM_AWARENESS_MANAGER_AFTER_DAYS: "7",
    TANDEM_AWARENESS_HR_AFTER_DAYS: "14",
  });
  hr = await h.signedIn(["hr"]);
  security = await h.signedIn(["security"]);
});
afterAll(() => h.close());

const inbox = async (userId: string, kind: string) =>
  Number(
    (
      await h.t.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
         WHERE r.user_id = $1 AND n.kind = $2`,
        [userId, kind],
      )
    ).rows[0]?.n,
  );

describe("escalation", () => {
  it("reminds the person, then tells the manager, then HR, one step per run and never twice", async () => {
    const dept = await hr.post("/api/v1/departments", { name: `Sales ${Date.now()}` });
    const departmentId = dept.json<{ id: string }>().id;
    const boss = await buildEmployee(h, hr, { departmentId });
    const emp = await buildEmployee(h, hr, { departmentId, managerId: boss.person.id });
    const m = await buildModule(security);
    await assign(security, { itemType: "module", itemId: m.id, audience: { departmentIds: [departmentId] } });
    const due = new Date(Date.now() - 60 * DAY);
    await h.t.db.query("UPDATE awareness_assignments SET due_at = $2 WHERE item_id = $1", [m.id, due]);
    const level = async () =>
      (
        await h.t.db.query<{ escalation_level: number }>(
          "SELECT escalation_level FROM awareness_assignments WHERE item_id = $1 AND person_id = $2",
          [m.id, emp.person.id],
        )
      ).rows[0]?.escalation_level;
    const at = (days: number) => new Date(due.getTime() + days * DAY);

    await h.t.awareness.daily(at(0.5));
    expect(await level()).toBe(0);
    await h.t.awareness.daily(at(2));
    expect(await level()).toBe(1);
    expect(await inbox(emp.api.userId, "awareness.reminder")).toBe(1);
    await h.t.awareness.daily(at(3));
    expect(await inbox(emp.api.userId, "awareness.reminder")).toBe(1);
    await h.t.awareness.daily(at(8));
    expect(await level()).toBe(2);
    expect(await inbox(boss.api.userId, "awareness.team_overdue")).toBe(1);
    expect(await inbox(hr.userId, "awareness.hr_overdue")).toBe(0);
    await h.t.awareness.daily(at(9));
    expect(await inbox(boss.api.userId, "awareness.team_overdue")).toBe(1);
    await h.t.awareness.daily(at(15));
    expect(await level()).toBe(3);
    expect(await inbox(hr.userId, "awareness.hr_overdue")).toBe(1);
    await h.t.awareness.daily(at(40));
    expect(await inbox(hr.userId, "awareness.hr_overdue")).toBe(1);
    expect(await inbox(emp.api.userId, "awareness.reminder")).toBe(1);

    // The manager's team view and the nudge list show it.
    const team = await boss.api.get("/api/v1/awareness/team");
    expect(team.statusCode, team.body).toBe(200);
    const t = team.json<{
      members: { personId: string; open: number }[];
      items: { personId: string; escalationLevel: number }[];
    }>();
    expect(t.members.map((x) => x.personId)).toEqual([emp.person.id]);
    expect(t.items).toContainEqual(expect.objectContaining({ personId: emp.person.id, escalationLevel: 3 }));
    const nudge = await hr.get(`/api/v1/awareness/assignments?status=overdue&departmentId=${departmentId}`);
    expect(nudge.json<{ total: number }>().total).toBe(2);
  });

  it("a completed or closed assignment is never escalated", async () => {
    const emp = await buildEmployee(h, hr);
    const p = await buildPolicy(hr);
    await publishPolicy(hr, p.id);
    await emp.api.post(`/api/v1/awareness/me/policies/${p.id}/acknowledge`, { version: 1 });
    await h.t.db.query(
      "UPDATE awareness_assignments SET due_at = now() - interval '30 days' WHERE item_id = $1",
      [p.id],
    );
    await h.t.awareness.daily(new Date());
    const r = await h.t.db.query<{ escalation_level: number }>(
      "SELECT escalation_level FROM awareness_assignments WHERE item_id = $1 AND person_id = $2",
      [p.id, emp.person.id],
    );
    expect(r.rows[0]?.escalation_level).toBe(0);
  });
});

describe("compliance", () => {
  it("rates per department count done against assigned, for hr, security and auditors only", async () => {
    const dept = await hr.post("/api/v1/departments", { name: `Legal ${Date.now()}` });
    const departmentId = dept.json<{ id: string }>().id;
    const a = await buildEmployee(h, hr, { departmentId });
    await buildEmployee(h, hr, { departmentId });
    const p = await buildPolicy(hr, { audience: { departmentIds: [departmentId] } });
    await publishPolicy(hr, p.id);
    await a.api.post(`/api/v1/awareness/me/policies/${p.id}/acknowledge`, { version: 1 });
    const auditor = await h.signedIn(["auditor"]);
    const r = await auditor.get("/api/v1/awareness/compliance");
    expect(r.statusCode).toBe(200);
    const row = r
      .json<{ departments: { departmentId: string; policiesAsked: number; acknowledgementRate: number }[] }>()
      .departments.find((d) => d.departmentId === departmentId);
    expect(row).toMatchObject({ policiesAsked: 2, acknowledgementRate: 50 });
    for (const role of ["employee", "manager", "it"]) {
      expect((await (await h.signedIn([role])).get("/api/v1/awareness/compliance")).statusCode).toBe(403);
    }
  });

  it("assignment on demand skips people who have it open, and refuses drafts naming the field", async () => {
    const dept = await hr.post("/api/v1/departments", { name: `Ops ${Date.now()}` });
    const departmentId = dept.json<{ id: string }>().id;
    await buildEmployee(h, hr, { departmentId });
    await buildEmployee(h, hr, { departmentId });
    const m = await buildModule(security);
    const audience = { departmentIds: [departmentId] };
    expect(await assign(security, { itemType: "module", itemId: m.id, audience })).toMatchObject({
      created: 2,
      skipped: 0,
    });
    expect(
      await assign(security, { itemType: "module", itemId: m.id, audience, cycle: "2031-q1" }),
    ).toMatchObject({
      created: 0,
      skipped: 2,
    });
    const draft = await buildModule(security, {}, false);
    const r = await security.post("/api/v1/awareness/assignments", {
      itemType: "module",
      itemId: draft.id,
      audience,
    });
    expect(r.statusCode).toBe(422);
    expect(r.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("itemId");
    const auditor = await h.signedIn(["auditor"]);
    expect(
      (await auditor.post("/api/v1/awareness/assignments", { itemType: "module", itemId: m.id, audience }))
        .statusCode,
    ).toBe(403);
  });
});

describe("starter content and demo", () => {
  it("ships six modules with 5 to 10 questions each and four policies", () => {
    const s = loadStarter();
    expect(s.policies.map((p) => p.key).sort()).toEqual([
      "acceptable-use",
      "ai-use",
      "data-protection",
      "information-security",
    ]);
    expect(s.modules).toHaveLength(6);
    for (const m of s.modules) {
      expect(m.input.questions.length, m.key).toBeGreaterThanOrEqual(5);
      expect(m.input.questions.length, m.key).toBeLessThanOrEqual(10);
    }
  });

  it("seeds once (idempotent), then the demo adds a mix of done and overdue work", async () => {
    const first = await h.t.awareness.seedStarter();
    expect(first).toEqual({ policies: 4, modules: 6, rules: 14 });
    expect(await h.t.awareness.seedStarter()).toEqual({ policies: 0, modules: 0, rules: 0 });
    const demo = await seedAwarenessDemo(h.t, { ctx: { actorLabel: "test" } });
    expect(demo.alreadySeeded).toBe(false);
    expect(demo.acknowledged + demo.passed).toBeGreaterThan(0);
    const again = await seedAwarenessDemo(h.t, { ctx: { actorLabel: "test" } });
    expect(again.alreadySeeded).toBe(true);
    const certs = await h.t.db.query("SELECT 1 FROM awareness_certificates");
    expect(certs.rowCount).toBeGreaterThan(0);
  });
});
