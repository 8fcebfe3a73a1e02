import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Api,
  assign,
  buildEmployee,
  buildModule,
  buildPolicy,
  publishPolicy,
} from "../../../test/awareness.js";
import { startTestApp, type TestApp } from "../../../test/harness.js";

/**
 * The points ledger: each source kind earns its points once however often its event is
 * delivered, anonymous reports earn nothing, point values apply to new entries only; and
 * the leaderboards name only people who opted in.
 */

let h: TestApp;
let hr: Api;
let security: Api;

beforeAll(async () => {
  h = await startTestApp();
  hr = await h.signedIn(["hr"]);
  security = await h.signedIn(["security"]);
});
afterAll(() => h.close());

/** The events a real action published for one subscriber queue (what a worker would fetch). */
async function queued(subscriber: string) {
  const r = await h.t.db.query<{ data: unknown }>(
    `SELECT data FROM ${h.t.jobs.schema}.job WHERE name = $1 ORDER BY created_on`,
    [`event.${subscriber}`],
  );
  return r.rows.map(
    (x) => (typeof x.data === "string" ? JSON.parse(x.data) : x.data) as Record<string, unknown>,
  );
}

/** Delivers every queued event of the subscriber twice, as a worker retrying would. */
async function deliverTwice(subscriber: string, match: (e: { payload: Record<string, unknown> }) => boolean) {
  const events = (await queued(subscriber)).filter((e) => match(e as { payload: Record<string, unknown> }));
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) for (let i = 0; i < 2; i++) await h.t.jobs.runInline(`event.${subscriber}`, e);
  return events.length;
}

const event = (type: string, payload: Record<string, unknown>) => ({
  type,
  occurredAt: new Date().toISOString(),
  payload,
});

async function entries(personId: string) {
  const r = await h.t.db.query<{ kind: string; source_id: string; points: number; label: string }>(
    "SELECT kind, source_id, points, label FROM rewards_points WHERE person_id = $1 ORDER BY id",
    [personId],
  );
  return r.rows;
}

interface MyRewards {
  linked: boolean;
  leaderboardOptIn: boolean;
  total: number;
  thisYear: number;
  history: { kind: string; label: string; points: number }[];
}

describe("the ledger", () => {
  it("credits an acknowledged policy once, however often the event arrives", async () => {
    const emp = await buildEmployee(h, hr);
    const p = await buildPolicy(hr);
    await publishPolicy(hr, p.id);
    const ack = await emp.api.post(`/api/v1/awareness/me/policies/${p.id}/acknowledge`, { version: 1 });
    expect(ack.statusCode, ack.body).toBe(200);
    await deliverTwice("awareness.rewards_policy", (e) => e.payload.personId === emp.person.id);
    const rows = await entries(emp.person.id);
    expect(rows).toEqual([expect.objectContaining({ kind: "policy", source_id: `${p.id}:v1`, points: 5 })]);
    const me = (await emp.api.get("/api/v1/awareness/me/rewards")).json<MyRewards>();
    expect(me).toMatchObject({ linked: true, total: 5, thisYear: 5, leaderboardOptIn: false });
    expect(me.history).toEqual([expect.objectContaining({ kind: "policy", points: 5 })]);
    expect(me.history[0]?.label).toContain("(version 1)");
  });

  it("credits completed training once, labelled with the module", async () => {
    const dept = await hr.post("/api/v1/departments", { name: `Training ${Date.now()}` });
    const departmentId = dept.json<{ id: string }>().id;
    const emp = await buildEmployee(h, hr, { departmentId });
    const m = await buildModule(security);
    await assign(security, { itemType: "module", itemId: m.id, audience: { departmentIds: [departmentId] } });
    const start = await emp.api.post(`/api/v1/awareness/me/modules/${m.id}/attempts`);
    expect(start.statusCode, start.body).toBe(201);
    const a = start.json<{
      attemptId: string;
      questions: { id: string; options: { id: string; text: string }[] }[];
    }>();
    const answers = a.questions.map((q) => ({
      questionId: q.id,
      optionIds: q.options.filter((o) => /: right/.test(o.text)).map((o) => o.id),
    }));
    const done = await emp.api.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, { answers });
    expect(done.json<{ passed: boolean }>().passed).toBe(true);
    await deliverTwice("awareness.rewards_training", (e) => e.payload.personId === emp.person.id);
    expect(await entries(emp.person.id)).toEqual([
      expect.objectContaining({
        kind: "training",
        source_id: a.attemptId,
        points: 10,
        label: expect.stringMatching(/^Tailgating/),
      }),
    ]);
  });

  it("credits a reported practice phishing mail once per recipient", async () => {
    const emp = await buildEmployee(h, hr);
    const payload = {
      personId: emp.person.id,
      campaignId: "C1",
      recipientId: `R-${emp.person.id}`,
      reportId: "X1",
    };
    for (let i = 0; i < 2; i++)
      await h.t.jobs.runInline("event.awareness.rewards_phish", event("awareness.phish_reported", payload));
    expect(await entries(emp.person.id)).toEqual([
      expect.objectContaining({ kind: "phish_simulated", source_id: payload.recipientId, points: 20 }),
    ]);
  });

  it("credits a signed-in reporter's phishing and near-miss reports, and no anonymous report", async () => {
    const emp = await buildEmployee(h, hr);
    const phish = await emp.api.post("/api/v1/reports", {
      title: "Mail asking for my password",
      details: { category: "phishing_email", sender: "it-desk@examp1e.test" },
    });
    expect(phish.statusCode, phish.body).toBe(201);
    const near = await emp.api.post("/api/v1/reports", {
      title: "Almost paid a fake invoice",
      details: { category: "near_miss", whatStoppedIt: "A call to the supplier" },
    });
    expect(near.statusCode, near.body).toBe(201);
    const other = await emp.api.post("/api/v1/reports", {
      title: "A question about badges",
      details: { category: "other" },
    });
    expect(other.statusCode, other.body).toBe(201);
    const anon = await emp.api.post("/api/v1/reports/anonymous", {
      title: "Phishing mail to the team",
      details: { category: "phishing_email" },
    });
    expect(anon.statusCode, anon.body).toBe(201);
    const ids = [phish, near, other, anon].map((r) => r.json<{ id: string }>().id);
    const delivered = await deliverTwice("awareness.rewards_report", (e) =>
      ids.includes(String(e.payload.reportId)),
    );
    expect(delivered).toBe(4);
    const rows = await entries(emp.person.id);
    expect(rows.map((r) => [r.kind, r.source_id, r.points]).sort()).toEqual(
      [
        ["near_miss", ids[1], 15],
        ["phish_real", ids[0], 20],
      ].sort(),
    );
    // The anonymous report is in no one's ledger.
    const anyone = await h.t.db.query("SELECT 1 FROM rewards_points WHERE source_id = $1", [ids[3]]);
    expect(anyone.rowCount).toBe(0);
  });

  it("a changed point value applies to new entries only; HR and Security set them, nobody else", async () => {
    const emp = await buildEmployee(h, hr);
    const send = (recipientId: string) =>
      h.t.jobs.runInline(
        "event.awareness.rewards_phish",
        event("awareness.phish_reported", { personId: emp.person.id, campaignId: "C", recipientId }),
      );
    await send(`A-${emp.person.id}`);
    const bad = await hr.put("/api/v1/awareness/rewards/point-values", { phish_simulated: -1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("phish_simulated");
    const unknown = await hr.put("/api/v1/awareness/rewards/point-values", { bonus: 5 });
    expect(unknown.statusCode).toBe(400);
    expect(
      (await emp.api.put("/api/v1/awareness/rewards/point-values", { phish_simulated: 99 })).statusCode,
    ).toBe(403);
    const ok = await security.put("/api/v1/awareness/rewards/point-values", { phish_simulated: 35 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<{ items: { kind: string; points: number }[] }>().items).toContainEqual(
      expect.objectContaining({ kind: "phish_simulated", points: 35 }),
    );
    await send(`B-${emp.person.id}`);
    expect((await entries(emp.person.id)).map((r) => r.points)).toEqual([20, 35]);
    const audit = await h.t.db.query<{ details: unknown }>(
      "SELECT details FROM audit_log WHERE action = 'rewards.point_values_changed'",
    );
    expect(JSON.stringify(audit.rows)).toContain('"from":20');
    await security.put("/api/v1/awareness/rewards/point-values", { phish_simulated: 20 });
  });
});

describe("leaderboards", () => {
  async function award(personId: string, points: number, source: string) {
    await h.t.db.query(
      "INSERT INTO rewards_points (id, person_id, kind, source_id, points, label) VALUES ($1, $2, 'near_miss', $3, $4, 'test')",
      [`${personId}-${source}`.slice(0, 40), personId, source, points],
    );
  }

  it("ranks departments and teams per head and names only people who opted in", async () => {
    const tag = Date.now().toString(36);
    const deptA = (await hr.post("/api/v1/departments", { name: `Finance ${tag}` })).json<{ id: string }>()
      .id;
    const deptB = (await hr.post("/api/v1/departments", { name: `Logistics ${tag}` })).json<{ id: string }>()
      .id;
    const boss = await buildEmployee(h, hr, { departmentId: deptB, legalName: `Bea Boss ${tag}` });
    const a = await Promise.all(
      [1, 2, 3].map((i) =>
        buildEmployee(h, hr, { departmentId: deptA, managerId: boss.person.id, legalName: `Ann${i} ${tag}` }),
      ),
    );
    const b = await Promise.all(
      [1, 2].map((i) => buildEmployee(h, hr, { departmentId: deptB, legalName: `Bob${i} ${tag}` })),
    );
    await award(a[0]!.person.id, 60, "s1");
    await award(a[1]!.person.id, 30, "s2");
    await award(b[0]!.person.id, 100, "s3");
    const opt = await a[0]!.api.put("/api/v1/awareness/me/rewards", { leaderboardOptIn: true });
    expect(opt.statusCode, opt.body).toBe(200);
    expect(opt.json<MyRewards>().leaderboardOptIn).toBe(true);

    const dep = await a[1]!.api.get("/api/v1/awareness/rewards/leaderboard?by=department&span=year");
    expect(dep.statusCode, dep.body).toBe(200);
    const board = dep.json<{
      groups: { name: string; heads: number; points: number; perHead: number; mine: boolean }[];
      individuals: { name: string; points: number; me: boolean }[];
      me: { points: number; optedIn: boolean; rank: number | null };
    }>();
    expect(board.groups).toContainEqual(
      expect.objectContaining({ name: `Finance ${tag}`, heads: 3, points: 90, perHead: 30, mine: true }),
    );
    // Logistics has three people (the boss and two) with 100 points.
    expect(board.groups).toContainEqual(
      expect.objectContaining({
        name: `Logistics ${tag}`,
        heads: 3,
        points: 100,
        perHead: 33.3,
        mine: false,
      }),
    );
    expect(board.individuals).toContainEqual(
      expect.objectContaining({ name: `Ann1 ${tag}`, points: 60, me: false }),
    );
    for (const hidden of [`Ann2 ${tag}`, `Ann3 ${tag}`, `Bob1 ${tag}`, `Bob2 ${tag}`])
      expect(dep.body).not.toContain(hidden);
    expect(board.me).toEqual({ linked: true, points: 30, optedIn: false, rank: null });

    const team = await a[0]!.api.get("/api/v1/awareness/rewards/leaderboard?by=team&span=quarter");
    const t = team.json<typeof board>();
    expect(t.groups).toContainEqual(
      expect.objectContaining({ name: `Team of Bea Boss ${tag}`, heads: 3, points: 90, mine: true }),
    );
    expect(t.me).toMatchObject({ optedIn: true, points: 60 });
    expect(t.me.rank).toBeGreaterThanOrEqual(1);

    // Opting out removes the name; the points still count for the department.
    await a[0]!.api.put("/api/v1/awareness/me/rewards", { leaderboardOptIn: false });
    const after = await b[0]!.api.get("/api/v1/awareness/rewards/leaderboard?by=department&span=year");
    expect(after.body).not.toContain(`Ann1 ${tag}`);
    expect(after.json<typeof board>().groups).toContainEqual(
      expect.objectContaining({ name: `Finance ${tag}`, points: 90 }),
    );
    const audit = await h.t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_id = $1 AND action LIKE 'rewards.leaderboard%' ORDER BY seq",
      [a[0]!.person.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      "rewards.leaderboard_opted_in",
      "rewards.leaderboard_opted_out",
    ]);
  });

  it("leaves out groups too small to stay anonymous, and checks a custom span", async () => {
    const tag = Date.now().toString(36);
    const dept = (await hr.post("/api/v1/departments", { name: `Tiny ${tag}` })).json<{ id: string }>().id;
    const solo = await buildEmployee(h, hr, { departmentId: dept });
    await award(solo.person.id, 500, "solo");
    const r = await solo.api.get("/api/v1/awareness/rewards/leaderboard?by=department&span=year");
    const board = r.json<{ groups: { name: string }[]; hiddenGroups: number; minGroup: number }>();
    expect(board.groups.map((g) => g.name)).not.toContain(`Tiny ${tag}`);
    expect(board.hiddenGroups).toBeGreaterThanOrEqual(1);
    expect(board.minGroup).toBe(3);
    const bad = await solo.api.get(
      "/api/v1/awareness/rewards/leaderboard?span=custom&from=2026-13-01&to=2026-03-01",
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("from");
    const back = await solo.api.get(
      "/api/v1/awareness/rewards/leaderboard?span=custom&from=2026-03-01&to=2026-02-01",
    );
    expect(back.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("to");
    const past = await solo.api.get(
      "/api/v1/awareness/rewards/leaderboard?span=custom&from=2001-01-01&to=2001-12-31",
    );
    expect(past.statusCode).toBe(200);
    expect(past.json<{ me: { points: number } }>().me.points).toBe(0);
    expect((await h.client().get("/api/v1/awareness/rewards/leaderboard")).statusCode).toBe(401);
  });
});
