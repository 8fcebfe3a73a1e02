import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Api, assign, buildEmployee, buildModule } from "../../../test/awareness.js";
import { startTestApp, type TestApp } from "../../../test/harness.js";
import { seedAwarenessDemo } from "../index.js";

/**
 * Security objectives per review period with progress from live data, and the export of a
 * period for performance evaluations (CSV and JSON, HR and admins only, audited).
 */

let h: TestApp;
let hr: Api;
let security: Api;
let admin: Api;
let manager: Api;
const now = new Date();
const PERIOD = `${now.getUTCFullYear()}-H${now.getUTCMonth() < 6 ? 1 : 2}`;
let n = 0;

beforeAll(async () => {
  h = await startTestApp();
  hr = await h.signedIn(["hr"]);
  security = await h.signedIn(["security"]);
  admin = await h.signedIn(["admin"]);
  manager = await h.signedIn(["manager"]);
});
afterAll(() => h.close());

async function points(personId: string, kind: string, value: number) {
  await h.t.db.query(
    "INSERT INTO rewards_points (id, person_id, kind, source_id, points, label) VALUES ($1, $2, $3, $4, $5, 'test')",
    [`P${++n}-${personId}`.slice(0, 40), personId, kind, `src-${n}`, value],
  );
}

/** A counted click on a practice phishing mail, now. */
async function click(personId: string) {
  const t = `T${++n}${Date.now()}`;
  await h.t.db.query(
    `INSERT INTO phishing_templates (id, name, from_name, from_address, subject, body_html, body_text, lesson_md)
     VALUES ($1, 'Parcel', 'Courier', 'courier@parcel.test', 'Your parcel', '<p>{{link}}</p>', '{{link}}', 'Look at the sender')`,
    [t],
  );
  await h.t.db.query(
    `INSERT INTO phishing_campaigns (id, name, template_id, window_start, window_end, status)
     VALUES ($1, 'Parcel run', $1, now() - interval '2 hours', now() - interval '1 hour', 'finished')`,
    [t],
  );
  await h.t.db.query(
    `INSERT INTO phishing_recipients (id, campaign_id, person_id, email, send_at, status, sent_at, clicked_at)
     VALUES ($1, $1, $2, 'x@corp.test', now() - interval '2 hours', 'sent', now() - interval '2 hours', now() - interval '1 hour')`,
    [t, personId],
  );
}

interface Objective {
  id: string;
  title: string;
  target: number;
  progress: { people: number; met: number };
  departmentName: string | null;
  personName: string | null;
  setBy: string | null;
}

async function objective(by: Api, body: Record<string, unknown>) {
  const r = await by.post("/api/v1/awareness/rewards/objectives", { period: PERIOD, ...body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json<Objective>();
}

async function department(prefix: string) {
  const name = `${prefix} ${Date.now()}${++n}`;
  const r = await hr.post("/api/v1/departments", { name });
  expect(r.statusCode, r.body).toBe(201);
  return { id: r.json<{ id: string }>().id, name };
}

describe("objectives", () => {
  it("measures everyone, a department and one person against live data", async () => {
    const d = await department("Treasury");
    const [e1, e2, e3] = await Promise.all([1, 2, 3].map(() => buildEmployee(h, hr, { departmentId: d.id })));
    await points(e1!.person.id, "near_miss", 15);
    await points(e1!.person.id, "phish_real", 10);
    await click(e3!.person.id);
    const m = await buildModule(security);
    await assign(security, { itemType: "module", itemId: m.id, audience: { departmentIds: [d.id] } });
    await h.t.db.query(
      "UPDATE awareness_assignments SET due_at = now() - interval '1 day' WHERE item_id = $1",
      [m.id],
    );

    const pts = await objective(security, {
      title: "Earn 20 points",
      metric: "points",
      target: 20,
      scope: "department",
      departmentId: d.id,
    });
    const rep = await objective(hr, {
      title: "Report one phish",
      metric: "phish_reports",
      target: 1,
      scope: "person",
      personId: e2!.person.id,
    });
    const clicks = await objective(hr, {
      title: "No clicks",
      metric: "no_clicks",
      scope: "department",
      departmentId: d.id,
    });
    const train = await objective(hr, {
      title: "All training",
      metric: "training_completed",
      scope: "department",
      departmentId: d.id,
    });
    expect(pts).toMatchObject({
      progress: { people: 3, met: 1 },
      departmentName: d.name,
      setBy: security.email,
    });
    expect(rep).toMatchObject({ progress: { people: 1, met: 0 }, personName: expect.any(String) });
    expect(clicks.progress).toEqual({ people: 3, met: 2 });
    expect(train.progress).toEqual({ people: 3, met: 0 });

    // e1 passes the training; e2 reports a practice phishing mail: progress follows.
    const start = await e1!.api.post(`/api/v1/awareness/me/modules/${m.id}/attempts`);
    const a = start.json<{
      attemptId: string;
      questions: { id: string; options: { id: string; text: string }[] }[];
    }>();
    const answers = a.questions.map((q) => ({
      questionId: q.id,
      optionIds: q.options.filter((o) => /: right/.test(o.text)).map((o) => o.id),
    }));
    expect(
      (await e1!.api.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, { answers })).statusCode,
    ).toBe(200);
    await points(e2!.person.id, "phish_simulated", 20);
    const list = await hr.get(`/api/v1/awareness/rewards/objectives?period=${PERIOD}`);
    expect(list.statusCode, list.body).toBe(200);
    const byId = new Map(list.json<{ items: Objective[] }>().items.map((o) => [o.id, o]));
    expect(byId.get(train.id)?.progress).toEqual({ people: 3, met: 1 });
    expect(byId.get(rep.id)?.progress).toEqual({ people: 1, met: 1 });
    expect(byId.get(pts.id)?.progress).toEqual({ people: 3, met: 2 });

    // Each person sees the objectives that apply to them, with their value and target.
    const mine = (await e1!.api.get(`/api/v1/awareness/me/rewards?period=${PERIOD}`)).json<{
      objectives: { id: string; value: number; target: number; met: boolean; team: unknown }[];
    }>();
    const ids = mine.objectives.map((o) => o.id);
    expect(ids).toEqual(expect.arrayContaining([pts.id, clicks.id, train.id]));
    expect(ids).not.toContain(rep.id);
    expect(mine.objectives.find((o) => o.id === pts.id)).toMatchObject({
      value: 25,
      target: 20,
      met: true,
      team: { people: 3, met: 2 },
    });
    expect(mine.objectives.find((o) => o.id === train.id)).toMatchObject({ value: 1, target: 1, met: true });
    const e3Mine = (await e3!.api.get("/api/v1/awareness/me/rewards")).json<{
      objectives: { id: string; value: number; met: boolean }[];
    }>();
    expect(e3Mine.objectives.find((o) => o.id === clicks.id)).toMatchObject({ value: 1, met: false });
    expect(e3Mine.objectives.map((o) => o.id)).not.toContain(rep.id);

    // Changing the target changes who meets it; removing an objective is audited too.
    const patched = await hr.patch(`/api/v1/awareness/rewards/objectives/${pts.id}`, { target: 30 });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json<Objective>().progress).toEqual({ people: 3, met: 0 });
    expect((await hr.delete(`/api/v1/awareness/rewards/objectives/${train.id}`)).statusCode).toBe(204);
    expect((await hr.get(`/api/v1/awareness/rewards/objectives/${train.id}`)).statusCode).toBe(404);
    const audit = await h.t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_id = ANY($1::text[]) ORDER BY seq",
      [[pts.id, train.id]],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      "rewards.objective_created",
      "rewards.objective_created",
      "rewards.objective_changed",
      "rewards.objective_deleted",
    ]);
  });

  it("refuses bad input naming the field and writes nothing; only HR, Security and admins manage them", async () => {
    const count = async () =>
      Number((await h.t.db.query<{ n: string }>("SELECT count(*) AS n FROM rewards_objectives")).rows[0]?.n);
    const before = await count();
    const base = { title: "Report", metric: "phish_reports", target: 1, scope: "everyone" };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...base, period: "2026-H3" }, 400, "period"],
      [{ ...base, period: "1999" }, 422, "period"],
      [{ ...base, scope: "department" }, 422, "departmentId"],
      [{ ...base, scope: "department", departmentId: "nope" }, 422, "departmentId"],
      [{ ...base, personId: "someone" }, 422, "personId"],
      [{ ...base, scope: "person", personId: "nobody" }, 422, "personId"],
      [{ ...base, metric: "likes" }, 400, "metric"],
      [{ ...base, target: -1 }, 400, "target"],
    ];
    for (const [body, status, field] of cases) {
      const r = await hr.post("/api/v1/awareness/rewards/objectives", { period: PERIOD, ...body });
      expect(r.statusCode, r.body).toBe(status);
      expect(
        r
          .json<{ errors: { path: string }[] }>()
          .errors.map((e) => e.path)
          .join(" "),
        r.body,
      ).toContain(field);
    }
    expect(await count()).toBe(before);
    expect((await hr.get("/api/v1/awareness/rewards/objectives?period=someday")).statusCode).toBe(422);
    const emp = await buildEmployee(h, hr);
    for (const c of [emp.api, manager])
      expect(
        (await c.post("/api/v1/awareness/rewards/objectives", { period: PERIOD, ...base })).statusCode,
      ).toBe(403);
    expect((await manager.get("/api/v1/awareness/rewards/objectives")).statusCode).toBe(403);
    expect((await h.client().get("/api/v1/awareness/rewards/objectives")).statusCode).toBe(401);
    expect(
      (await admin.post("/api/v1/awareness/rewards/objectives", { period: PERIOD, ...base })).statusCode,
    ).toBe(201);
  });
});

describe("export", () => {
  it("gives one row per person with points and each objective, as CSV and JSON, audited", async () => {
    const d = await department('Audit, Risk & "Co"');
    const boss = await buildEmployee(h, hr, { departmentId: d.id, legalName: "Mara Manager" });
    const odd = await buildEmployee(h, hr, {
      departmentId: d.id,
      managerId: boss.person.id,
      legalName: '=Eve "Quote", Jr',
    });
    await points(odd.person.id, "near_miss", 15);
    await points(odd.person.id, "phish_real", 20);
    const o = await objective(hr, {
      title: "Reports, at least one",
      metric: "phish_reports",
      target: 1,
      scope: "department",
      departmentId: d.id,
    });

    const json = await hr.get(`/api/v1/awareness/rewards/export?period=${PERIOD}&format=json`);
    expect(json.statusCode, json.body).toBe(200);
    const e = json.json<{
      period: string;
      exportedBy: string;
      objectives: { id: string }[];
      rows: {
        employeeNumber: string;
        name: string;
        department: string;
        manager: string | null;
        points: number;
        objectives: { objectiveId: string; met: boolean; value: number; target: number }[];
      }[];
    }>();
    expect(e).toMatchObject({ period: PERIOD, exportedBy: hr.email });
    expect(e.objectives.map((x) => x.id)).toContain(o.id);
    const row = e.rows.find((r) => r.employeeNumber === odd.person.employeeNumber);
    expect(row).toMatchObject({
      name: '=Eve "Quote", Jr',
      department: d.name,
      manager: "Mara Manager",
      points: 35,
    });
    expect(row?.objectives.find((x) => x.objectiveId === o.id)).toEqual({
      objectiveId: o.id,
      title: "Reports, at least one",
      met: true,
      value: 1,
      target: 1,
    });
    const bossRow = e.rows.find((r) => r.employeeNumber === boss.person.employeeNumber);
    expect(bossRow?.objectives.find((x) => x.objectiveId === o.id)).toMatchObject({ met: false, value: 0 });

    const csv = await admin.get(`/api/v1/awareness/rewards/export?period=${PERIOD}&format=csv`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(String(csv.headers["content-type"])).toMatch(/^text\/csv/);
    expect(String(csv.headers["content-disposition"])).toBe(`attachment; filename="rewards-${PERIOD}.csv"`);
    const lines = csv.body.split("\r\n");
    const header = lines[0]!;
    expect(header.startsWith("employee_number,name,department,manager,points,")).toBe(true);
    expect(header).toContain(
      '"Reports, at least one: met","Reports, at least one: value","Reports, at least one: target"',
    );
    expect(header.endsWith("period,exported_by,exported_at")).toBe(true);
    const line = lines.find((l) => l.startsWith(`${odd.person.employeeNumber},`));
    const dq = `"Audit, Risk & ""Co""${d.name.slice('Audit, Risk & "Co"'.length)}"`;
    expect(line).toContain(`${odd.person.employeeNumber},"'=Eve ""Quote"", Jr",${dq},Mara Manager,35,`);
    expect(line).toContain(`,${PERIOD},${admin.email},`);
    const cols = header.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    const at = cols.indexOf('"Reports, at least one: met"');
    const cells = line!.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    expect(cells.slice(at, at + 3)).toEqual(["yes", "1", "1"]);

    const audit = await h.t.db.query<{ actor_id: string; details: unknown }>(
      "SELECT actor_id, details FROM audit_log WHERE action = 'rewards.exported' ORDER BY seq",
    );
    expect(audit.rows.map((r) => r.actor_id)).toEqual([hr.userId, admin.userId]);
    expect(JSON.stringify(audit.rows[1]?.details)).toContain('"format":"csv"');
  });

  it("is for HR and admins only, and refuses a bad period or format naming the field", async () => {
    const emp = await buildEmployee(h, hr);
    for (const c of [manager, security, emp.api]) {
      const r = await c.get(`/api/v1/awareness/rewards/export?period=${PERIOD}&format=csv`);
      expect(r.statusCode).toBe(403);
    }
    expect((await h.client().get(`/api/v1/awareness/rewards/export?period=${PERIOD}`)).statusCode).toBe(401);
    const bad = await hr.get("/api/v1/awareness/rewards/export?period=2026-H5&format=csv");
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("period");
    const fmt = await hr.get(`/api/v1/awareness/rewards/export?period=${PERIOD}&format=xlsx`);
    expect(fmt.statusCode).toBe(400);
    expect(fmt.body).toContain("format");
  });
});

describe("demo", () => {
  it("derives points from passed training and acknowledgements, and adds objectives for the period, once", async () => {
    const count = async (sql: string) => Number((await h.t.db.query<{ n: string }>(sql)).rows[0]?.n);
    await buildEmployee(h, hr);
    // A period with no objectives yet (the demo leaves a period HR already planned alone).
    const later = new Date(Date.UTC(now.getUTCFullYear() + 3, 1, 1));
    const pointsBefore = await count("SELECT count(*) AS n FROM rewards_points");
    const demo = await seedAwarenessDemo(h.t, { ctx: { actorLabel: "demo-test" }, now: later });
    expect(demo.passed + demo.acknowledged).toBeGreaterThan(0);
    const passed = await count("SELECT count(*) AS n FROM awareness_attempts WHERE passed");
    const acks = await count("SELECT count(*) AS n FROM awareness_acknowledgements");
    expect(await count("SELECT count(*) AS n FROM rewards_points WHERE kind = 'training'")).toBe(passed);
    expect(await count("SELECT count(*) AS n FROM rewards_points WHERE kind = 'policy'")).toBe(acks);
    expect(demo.rewards.entries).toBe(
      (await count("SELECT count(*) AS n FROM rewards_points")) - pointsBefore,
    );
    const objectives = await h.t.db.query<{ metric: string; set_by: string }>(
      "SELECT metric, set_by FROM rewards_objectives WHERE set_by = 'demo-test' AND period = $1",
      [`${later.getUTCFullYear()}-H1`],
    );
    expect(objectives.rows.map((o) => o.metric)).toEqual(
      expect.arrayContaining(["training_completed", "policies_acknowledged", "no_clicks", "points"]),
    );
    const entries = await count("SELECT count(*) AS n FROM rewards_points");
    await seedAwarenessDemo(h.t, { ctx: { actorLabel: "demo-test" } });
    expect(await count("SELECT count(*) AS n FROM rewards_points")).toBe(entries);
  });
});
