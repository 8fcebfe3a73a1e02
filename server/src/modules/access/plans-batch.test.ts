import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Queryable } from "../../platform/db/index.js";
import { AppError } from "../../platform/http/index.js";
import {
  buildPerson,
  buildProfile,
  buildRole,
  entitlementId,
  syncSystem,
  terminate,
} from "../../test/access.js";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { saveAccounts } from "./accounts.js";
import { type CreatedPlan, createPlan, createPlans, type PlanDeps, type PlanRequest } from "./plans.js";

/**
 * Plans made together (a bulk of HR events) are the plans made one after the other: each
 * batch is made in a transaction that is rolled back, then the same requests one by one on
 * the same data, and what both wrote is compared (ids and clocks aside).
 */

let h: TestApp;
let sec: Awaited<ReturnType<TestApp["signedIn"]>>;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let deps: PlanDeps;
const HR = { actorLabel: "hr event" };

beforeAll(async () => {
  // No job workers: nothing but the test makes plans or runs them.
  h = await startTestApp();
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
  const access = h.t.access;
  deps = { jobs: h.t.jobs, settings: access.settings, capabilities: (row) => access.pool.capabilities(row) };
});
afterAll(() => h?.close());

async function manualSystem(name: string, breakerThreshold?: number): Promise<string> {
  const res = await sec.post("/api/v1/access/systems", {
    name,
    connectorType: "manual",
    ...(breakerThreshold ? { breakerThreshold } : {}),
    config: { systemName: name, owner: "Service desk", entitlements: [{ id: "staff", name: "Staff" }] },
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ id: string }>().id;
  await syncSystem(sec, id);
  return id;
}

/** An account as the system reported it, not linked to anyone. */
const account = (externalId: string, over: { employeeNumber?: string; email?: string } = {}) => ({
  account: { externalId, username: externalId, enabled: true, entitlements: ["staff"], ...over },
  personId: null,
});

const ULID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g;

/** What the engine has stored, with the ids it made replaced by names that do not depend on them. */
async function snapshot(q: Queryable, sinceSeq: number, made: CreatedPlan[]) {
  const plans = (
    await q.query<Record<string, unknown> & { id: string; source_key: string }>(
      `SELECT id, person_id, reason, state, dry_run, immediate, created_by, source_key, source_event_id,
         hr_event_at, notes, held_system_ids, held_reason, finished_at IS NOT NULL AS finished
       FROM access_plans ORDER BY source_key`,
    )
  ).rows;
  const steps = (
    await q.query<Record<string, unknown> & { id: string; plan_id: string; seq: number }>(
      `SELECT s.id, s.plan_id, s.seq, s.system_id, s.action, s.account_id, s.account_ref, s.entitlement_ref,
         d.seq AS depends_on, s.spec, s.state, s.error, t.title AS task, s.due_at > now() + interval '1 minute' AS later
       FROM access_plan_steps s LEFT JOIN access_plan_steps d ON d.id = s.depends_on
       LEFT JOIN access_tasks t ON t.id = s.manual_task_id ORDER BY s.plan_id, s.seq`,
    )
  ).rows;
  const tasks = (
    await q.query<Record<string, unknown> & { id: string }>(
      `SELECT id, person_id, system_id, title, instructions, assignee_role, state FROM access_tasks
       ORDER BY person_id, title`,
    )
  ).rows;
  const accounts = (await q.query("SELECT id, person_id FROM accounts ORDER BY id")).rows;
  const audit = (
    await q.query<Record<string, unknown>>(
      `SELECT actor_label, action, target_type, target_id, outcome, details FROM audit_log WHERE seq > $1`,
      [sinceSeq],
    )
  ).rows;
  const names = new Map<string, string>();
  for (const p of plans) names.set(p.id, `plan ${p.source_key}`);
  for (const s of steps) names.set(s.id, `step ${names.get(s.plan_id)} #${s.seq}`);
  for (const t of tasks) names.set(t.id, `task ${t.person_id} ${t.title} ${t.system_id}`);
  const named = (x: unknown) =>
    JSON.parse(JSON.stringify(x).replace(ULID, (id) => names.get(id) ?? id)) as Record<string, unknown>;
  /** Without their ids, in an order that does not depend on them. */
  const plain = <T extends { id: string }>(rows: T[]) =>
    rows
      .map(({ id: _, ...rest }) => named(rest))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return {
    plans: plain(plans),
    steps: plain(steps),
    tasks: plain(tasks),
    accounts,
    audit: audit.map((a) => JSON.stringify(named(a))).sort(),
    made: made.map((m) => named({ ...m, systemIds: [...m.systemIds].sort() })),
  };
}

const auditSeq = async (q: Queryable) =>
  Number((await q.query<{ n: string }>("SELECT COALESCE(max(seq), 0)::text AS n FROM audit_log")).rows[0]?.n);

class Rollback extends Error {}

/** Runs `make` in a transaction, snapshots what it stored, and rolls it all back. */
async function attempt(make: (q: Queryable) => Promise<CreatedPlan[]>) {
  let snap: Awaited<ReturnType<typeof snapshot>> | undefined;
  await h.t.db
    .tx(async (q) => {
      const since = await auditSeq(q);
      const made = await make(q);
      snap = await snapshot(q, since, made);
      throw new Rollback();
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return snap as Awaited<ReturnType<typeof snapshot>>;
}

/** The batch, and the same requests one by one (planMany's old way: a person gone is skipped). */
async function bothWays(reqs: PlanRequest[]) {
  const together = await attempt((q) => createPlans(q, HR, deps, reqs));
  const oneByOne = await attempt(async (q) => {
    const out: CreatedPlan[] = [];
    for (const req of reqs) {
      try {
        out.push(await createPlan(q, HR, deps, req));
      } catch (err) {
        if (!(err instanceof AppError && err.code === "person.not_found")) throw err;
      }
    }
    return out;
  });
  return { together, oneByOne };
}

describe("plans made together", () => {
  it("are the plans, steps, tasks, links and audit entries made one by one", async () => {
    const alpha = await manualSystem("Alpha desk", 1);
    const beta = await manualSystem("Beta desk", 1);
    const role = await buildRole(hr, "Clerk");
    await buildProfile(sec, {
      name: "Clerks",
      jobRoleId: role,
      entitlements: [{ systemId: alpha, entitlementId: await entitlementId(sec, alpha, "Staff") }],
    });
    const [l1, l2, l3, earlier] = [
      await buildPerson(hr, { jobRoleId: role }),
      await buildPerson(hr, { jobRoleId: role }),
      await buildPerson(hr, { jobRoleId: role }),
      await buildPerson(hr, { jobRoleId: role }),
    ] as const;
    const joiner = await buildPerson(hr, { jobRoleId: role });
    for (const p of [l1, l2, l3, earlier]) await terminate(hr, p.id);
    await h.t.db.query("UPDATE people SET high_risk = true WHERE id = $1", [l3.id]);
    await saveAccounts(h.t.db, alpha, [
      account("a-l1", { employeeNumber: l1.employeeNumber }),
      account("a-l3", { employeeNumber: l3.employeeNumber }),
      // Matches two people: the first plan that links it takes it.
      account("a-both", { employeeNumber: l1.employeeNumber, email: l2.workEmail }),
    ]);
    await saveAccounts(h.t.db, alpha, [{ ...account("a-l2"), personId: l2.id }]);
    await saveAccounts(h.t.db, beta, [
      account("b-l1", { email: l1.workEmail.toUpperCase() }),
      account("b-l2", { email: l2.workEmail }),
      account("b-l3", { employeeNumber: l3.employeeNumber }),
      account("b-other", { employeeNumber: "nobody" }),
    ]);
    // A plan made before (its cause delivered again in the batch).
    await h.t.db.tx((q) =>
      createPlan(q, HR, deps, {
        personId: earlier.id,
        reason: "leaver",
        leaverTasks: true,
        createdBy: "hr event",
        sourceKey: "k-earlier",
        hrEventAt: new Date("2026-01-02T03:04:05Z"),
      }),
    );

    const at = (day: number) => new Date(`2026-02-${String(day).padStart(2, "0")}T09:00:00Z`);
    const req = (personId: string, reason: PlanRequest["reason"], sourceKey: string, day: number) => ({
      personId,
      reason,
      createdBy: "hr event",
      sourceKey,
      sourceEventId: `event-${sourceKey}`,
      hrEventAt: at(day),
      leaverTasks: reason === "leaver",
    });
    const reqs: PlanRequest[] = [
      req(l1.id, "leaver", "k-l1", 1),
      req(joiner.id, "joiner", "k-joiner", 2),
      req("01ZZZZZZZZZZZZZZZZZZZZZZZZ", "leaver", "k-gone", 3),
      req(l2.id, "leaver", "k-l2", 4),
      req(l1.id, "leaver", "k-l1", 5),
      req(earlier.id, "leaver", "k-earlier", 6),
      req(l3.id, "mover", "k-l3-move", 7),
      { ...req(l3.id, "leaver", "k-l3", 8), immediate: true },
      // A late joiner event of a leaver: part of the departure, timed from its first HR event.
      req(l1.id, "joiner", "k-l1-late", 9),
    ];
    const { together, oneByOne } = await bothWays(reqs);
    expect(together).toEqual(oneByOne);

    // And what that is: the gone person skipped, the repeated causes answered with their plan.
    expect(together.made).toHaveLength(8);
    expect(together.made.map((m) => [m.planId, m.created])).toEqual([
      ["plan k-l1", true],
      ["plan k-joiner", true],
      ["plan k-l2", true],
      ["plan k-l1", false],
      ["plan k-earlier", false],
      ["plan k-l3-move", true],
      ["plan k-l3", true],
      ["plan k-l1-late", true],
    ]);
    const plan = (key: string) => together.plans.find((p) => p.source_key === key) as Record<string, unknown>;
    expect(plan("k-l1-late")).toMatchObject({ reason: "leaver" });
    expect(new Date(plan("k-l1-late").hr_event_at as string).toISOString()).toBe(at(1).toISOString());
    expect(plan("k-l3-move")).toMatchObject({ reason: "leaver", state: "running" });
    const stepsOf = (key: string) => together.steps.filter((s) => s.plan_id === `plan ${key}`);
    // The second plan of a person cancels what the first had not started; the tasks are opened once.
    expect(
      stepsOf("k-l3-move")
        .filter((s) => s.system_id)
        .every((s) => s.state === "cancelled"),
    ).toBe(true);
    expect(stepsOf("k-l3").filter((s) => s.task)).toHaveLength(0);
    expect(stepsOf("k-l3-move").filter((s) => s.task)).toHaveLength(6);
    expect(stepsOf("k-l1").filter((s) => s.task)).toHaveLength(5);
    expect(stepsOf("k-joiner").map((s) => s.action)).toEqual(["create", "grant"]);
    // The account that matches two people goes to the first plan; the other person's stay theirs.
    const owner = (id: string) =>
      (together.accounts as { id: string; person_id: string | null }[]).find((a) => a.id === id)?.person_id;
    const ids = (
      await h.t.db.query<{ id: string; external_id: string }>("SELECT id, external_id FROM accounts")
    ).rows;
    const idOf = (ext: string) => ids.find((a) => a.external_id === ext)?.id as string;
    expect(owner(idOf("a-both"))).toBe(l1.id);
    expect(owner(idOf("b-l1"))).toBe(l1.id);
    expect(owner(idOf("b-l2"))).toBe(l2.id);
    expect(owner(idOf("b-other"))).toBeNull();
    expect(stepsOf("k-l2").filter((s) => s.account_id === idOf("a-both"))).toHaveLength(0);
    expect(together.audit.filter((a) => a.includes('"access.account_linked"'))).toHaveLength(6);
  });

  it("are held by the circuit breaker beyond the share, as one by one", async () => {
    const gamma = await manualSystem("Gamma desk");
    const staff = [];
    for (let i = 0; i < 5; i++) staff.push(await buildPerson(hr));
    for (const p of staff) await terminate(hr, p.id);
    await saveAccounts(h.t.db, gamma, [
      ...staff.map((p) => account(`g-${p.employeeNumber}`, { employeeNumber: p.employeeNumber })),
      ...[1, 2, 3, 4, 5, 6].map((i) => account(`g-other-${i}`)),
    ]);
    // 11 accounts, 20 %: the third person's plan is over the share; the revoke-now never held.
    const reqs: PlanRequest[] = staff.map((p, i) => ({
      personId: p.id,
      reason: "leaver",
      createdBy: "hr event",
      sourceKey: `k-bulk-${i}`,
      leaverTasks: true,
      immediate: i === 1,
    }));
    const { together, oneByOne } = await bothWays(reqs);
    expect(together).toEqual(oneByOne);
    expect(together.made.map((m) => m.state)).toEqual(["running", "running", "held", "held", "held"]);
    const held = together.plans.filter((p) => p.state === "held");
    expect(held.map((p) => p.source_key)).toEqual(["k-bulk-2", "k-bulk-3", "k-bulk-4"]);
    expect(String(held[0]?.held_reason)).toMatch(/Gamma desk: .* 3 of 11 accounts/);
    expect(together.plans.every((p) => p.dry_run === false)).toBe(true);
  });

  it("raise person.not_found for a single request of a person not on record", async () => {
    await expect(
      h.t.db.tx((q) =>
        createPlan(q, HR, deps, {
          personId: "01ZZZZZZZZZZZZZZZZZZZZZZZZ",
          reason: "leaver",
          createdBy: null,
        }),
      ),
    ).rejects.toMatchObject({ code: "person.not_found" });
  });
});
