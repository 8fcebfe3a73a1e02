/**
 * Making a plan durable: one transaction links matched accounts, supersedes what older
 * plans of the person had not started, stores the plan and its steps, opens manual tasks,
 * asks the circuit breaker, and enqueues the runners, so a crash loses or doubles nothing.
 * A batch of plans (a bulk of HR events) is made the same way with a fixed number of
 * statements, as if each plan had been made after the one before it.
 */

import type { ConnectorCapabilities } from "../../connectors/index.js";
import { type AuditContext, appendAuditMany } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import type { Jobs, SendOptions } from "../../platform/jobs/index.js";
import { type AccountRow, accountsOfPeople, linkAccounts } from "./accounts.js";
import { type BreakerVerdict, checkBreaker, REMOVALS } from "./breaker.js";
import { type SystemRow, systemRows } from "./catalogue.js";
import { issueCertificate } from "./certificate.js";
import type { EngineSettings } from "./context.js";
import { type Desired, desiredStates, type PersonFacts, peopleFacts } from "./desired.js";
import { leaverTaskSteps, type PlannedStep, planFrom } from "./plan.js";
import type { PlanReason, PlanState } from "./schemas.js";
import { openTask, openTasks, type TaskInput } from "./tasks.js";
import { departurePlans } from "./views.js";

export const RUN_JOB = "access.run_system";

export interface PlanRequest {
  personId: string;
  reason: PlanReason;
  /** Never held by the breaker (revoke now, a high-risk leaver). */
  immediate?: boolean;
  /** Revoke everything whatever HR says. */
  forceEmpty?: boolean;
  /** Open the leaver's device and badge tasks (once per departure). */
  leaverTasks?: boolean;
  removalDelayHours?: number;
  createdBy: string | null;
  sourceKey?: string | null;
  sourceEventId?: string | null;
  hrEventAt?: Date | null;
}

export interface PlanDeps {
  jobs: Jobs;
  settings: EngineSettings;
  capabilities: (row: SystemRow) => ConnectorCapabilities;
}

export interface CreatedPlan {
  planId: string;
  created: boolean;
  state: PlanState;
  /** Systems with steps to run now (kick their runners after commit). */
  systemIds: string[];
  /** Steps the plan added (0 for a plan that existed already). */
  steps: number;
}

/** Enqueues a system's runner: now, or at a later moment (one job per system and moment). */
export async function scheduleRunner(q: Queryable, jobs: Jobs, systemId: string, at?: Date): Promise<void> {
  const later = at && at.getTime() > Date.now() + 1000 ? at : undefined;
  await jobs.send(
    q,
    RUN_JOB,
    { systemId },
    later
      ? { startAfter: later, singletonKey: `${systemId}@${later.toISOString()}` }
      : { singletonKey: `${systemId}@now` },
  );
}

/** scheduleRunner for several systems (and moments) with one statement. */
export async function scheduleRunners(
  q: Queryable,
  jobs: Jobs,
  runs: readonly { systemId: string; at?: Date }[],
): Promise<void> {
  const seen = new Set<string>();
  const items: ({ data: object } & SendOptions)[] = [];
  for (const r of runs) {
    const later = r.at && r.at.getTime() > Date.now() + 1000 ? r.at : undefined;
    const key = later ? `${r.systemId}@${later.toISOString()}` : `${r.systemId}@now`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({
      data: { systemId: r.systemId },
      singletonKey: key,
      ...(later ? { startAfter: later } : {}),
    });
  }
  await jobs.sendMany(q, RUN_JOB, items);
}

/** The task a manual_task step opens for a person when the plan is made (other steps open none). */
function stepTaskInput(personId: string | null, s: PlannedStep): TaskInput | null {
  if (s.action !== "manual_task") return null;
  const spec = s.spec as { title: string; instructions: string; assigneeRole?: string; dueInHours?: number };
  return {
    personId,
    systemId: s.systemId,
    title: spec.title,
    instructions: spec.instructions,
    assigneeRole: spec.assigneeRole ?? null,
    dueAt: new Date(Date.now() + (spec.dueInHours ?? 24) * 3_600_000),
  };
}

/** A manual_task step opens its task for a person when the plan is made; other steps open none. */
export async function openStepTask(
  q: Queryable,
  ctx: AuditContext,
  personId: string | null,
  s: PlannedStep,
): Promise<string | null> {
  const t = stepTaskInput(personId, s);
  return t ? openTask(q, ctx, t) : null;
}

/** Takes transaction-scoped advisory locks with one statement, in one global order (no deadlocks). */
async function lockKeys(q: Queryable, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await q.query(
    `SELECT pg_advisory_xact_lock(l.k)
     FROM (SELECT DISTINCT hashtext(x) AS k FROM unnest($1::text[]) AS x ORDER BY 1) l`,
    [[...new Set(keys)]],
  );
}

/** An older plan's step a newer plan of the person cancels: not started, not leased by a runner. */
const SUPERSEDED = `p.state IN ('held', 'running', 'failed')
       AND s.state IN ('pending', 'applied', 'failed') AND (s.lease_until IS NULL OR s.lease_until < now())`;

/** Cancels what older plans of the people have not started (the new plans recompute it); their states after. */
async function supersede(q: Queryable, personIds: readonly string[]): Promise<Map<string, PlanState>> {
  const r = await q.query<{ plan_id: string }>(
    `UPDATE access_plan_steps s SET state = 'cancelled', error = 'superseded by a newer plan', lease_until = NULL
     FROM access_plans p
     WHERE p.id = s.plan_id AND p.person_id = ANY ($1::text[]) AND ${SUPERSEDED}
     RETURNING s.plan_id`,
    [personIds],
  );
  return refreshPlanStates(q, { actorLabel: "access engine" }, [...new Set(r.rows.map((x) => x.plan_id))]);
}

/** Which of these people have older plans with steps a new plan would cancel. */
async function supersedable(q: Queryable, personIds: readonly string[]): Promise<Set<string>> {
  const r = await q.query<{ person_id: string }>(
    `SELECT DISTINCT p.person_id FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
     WHERE p.person_id = ANY ($1::text[]) AND ${SUPERSEDED}`,
    [personIds],
  );
  return new Set(r.rows.map((x) => x.person_id));
}

/** Whose departure's task list has been opened already (since they were last rehired)? */
async function leaverTasksOpened(q: Queryable, personIds: readonly string[]): Promise<Set<string>> {
  if (personIds.length === 0) return new Set();
  const r = await q.query<{ person_id: string }>(
    `SELECT DISTINCT p.person_id FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
     WHERE p.person_id = ANY ($1::text[]) AND p.reason = 'leaver' AND s.action = 'manual_task'
       AND s.spec ? 'catalogue' AND s.state <> 'cancelled'
       AND p.created_at > COALESCE((SELECT max(j.created_at) FROM access_plans j
                                    WHERE j.person_id = p.person_id AND j.source_key LIKE 'person.rehired:%'),
                                   '-infinity')`,
    [personIds],
  );
  return new Set(r.rows.map((x) => x.person_id));
}

export async function createPlan(
  q: Queryable,
  ctx: AuditContext,
  deps: PlanDeps,
  req: PlanRequest,
): Promise<CreatedPlan> {
  const [made] = await createPlans(q, ctx, deps, [req]);
  if (!made) throw notFound("person.not_found", "No such person");
  return made;
}

/**
 * Makes the plans of many requests (a bulk of HR events) as if each were made after the one
 * before it, with a number of statements that does not grow with their number. A request
 * whose cause (source key) has a plan already, made before or earlier in the batch, returns
 * that plan; a person no longer on record is skipped (createPlan raises person.not_found).
 * Returns the plans in request order.
 *
 * The requests are taken in runs in which no person appears twice (a second request of a
 * person must see what the first one wrote). When a circuit breaker counts, a run also ends
 * before a person whose older plans a new plan would cancel, if an earlier plan of the run
 * is to be counted: the breaker must see those plans as they were when it counted.
 */
export async function createPlans(
  q: Queryable,
  ctx: AuditContext,
  deps: PlanDeps,
  reqs: readonly PlanRequest[],
): Promise<CreatedPlan[]> {
  if (reqs.length === 0) return [];
  await lockKeys(
    q,
    reqs.map((r) => `access.person:${r.personId}`),
  );
  const keys = [...new Set(reqs.map((r) => r.sourceKey).filter((k): k is string => !!k))];
  /** The plan of each cause: stored before, or made by this batch. */
  const byKey = new Map<string, { id: string; personId: string | null }>();
  const states = new Map<string, PlanState>();
  if (keys.length) {
    const r = await q.query<{ id: string; state: PlanState; source_key: string; person_id: string | null }>(
      "SELECT id, state, source_key, person_id FROM access_plans WHERE source_key = ANY ($1::text[])",
      [keys],
    );
    for (const row of r.rows) {
      byKey.set(row.source_key, { id: row.id, personId: row.person_id });
      states.set(row.id, row.state);
    }
  }
  const facts = await peopleFacts(
    q,
    reqs.filter((r) => !(r.sourceKey && byKey.has(r.sourceKey))).map((r) => r.personId),
  );
  // Which requests make a plan; the others find one, or have no person to plan for.
  const makes: boolean[] = [];
  const taken = new Set<string>();
  for (const r of reqs) {
    const found = !!r.sourceKey && (byKey.has(r.sourceKey) || taken.has(r.sourceKey));
    makes.push(!found && facts.has(r.personId));
    if (!found && facts.has(r.personId) && r.sourceKey) taken.add(r.sourceKey);
  }
  const making = reqs.map((_, i) => i).filter((i) => makes[i]);
  const systems = making.length
    ? new Map((await systemRows(q)).map((s) => [s.id, s]))
    : new Map<string, SystemRow>();
  // Systems whose breaker counts removals (a share of 1 can never be exceeded).
  const guarded = new Set(
    [...systems.values()].filter((s) => Number(s.breaker_threshold) < 1).map((s) => s.id),
  );
  const stirred =
    guarded.size && making.length > 1 && making.some((i) => !(reqs[i] as PlanRequest).immediate)
      ? await supersedable(
          q,
          making.map((i) => (reqs[i] as PlanRequest).personId),
        )
      : new Set<string>();
  const cuts = [0];
  let inRun = new Set<string>();
  let counted = false;
  const seen = new Set<string>();
  for (const i of making) {
    const r = reqs[i] as PlanRequest;
    if (inRun.has(r.personId) || (counted && (stirred.has(r.personId) || seen.has(r.personId)))) {
      cuts.push(i);
      inRun = new Set();
      counted = false;
    }
    inRun.add(r.personId);
    seen.add(r.personId);
    if (guarded.size && !r.immediate) counted = true;
  }
  cuts.push(reqs.length);

  const out: (CreatedPlan | undefined)[] = reqs.map(() => undefined);
  const runs: { systemId: string; at?: Date }[] = [];
  for (let c = 0; c + 1 < cuts.length; c++) {
    const from = cuts[c] as number;
    const to = cuts[c + 1] as number;
    const before = new Map(states);
    const mine = making.filter((i) => i >= from && i < to);
    const made = await makeRun(
      q,
      ctx,
      deps,
      mine.map((i) => ({
        req: reqs[i] as PlanRequest,
        person: facts.get((reqs[i] as PlanRequest).personId) as PersonFacts,
      })),
      { systems, guarded, states, runs },
    );
    mine.forEach((i, n) => {
      const m = made[n] as CreatedPlan;
      out[i] = m;
      const key = (reqs[i] as PlanRequest).sourceKey;
      if (key) byKey.set(key, { id: m.planId, personId: (reqs[i] as PlanRequest).personId });
    });
    // A request that finds its cause's plan sees that plan as it was at the request's turn.
    for (let i = from; i < to; i++) {
      const key = (reqs[i] as PlanRequest).sourceKey;
      if (makes[i] || !key) continue;
      const hit = byKey.get(key);
      if (!hit) continue;
      const later = mine.some((j) => j > i && (reqs[j] as PlanRequest).personId === hit.personId);
      const state = (later ? before : states).get(hit.id) as PlanState;
      out[i] = { planId: hit.id, created: false, state, systemIds: [], steps: 0 };
    }
  }
  await scheduleRunners(q, deps.jobs, runs);
  return out.filter((m): m is CreatedPlan => m !== undefined);
}

interface RunPlan {
  planId: string;
  req: PlanRequest;
  person: PersonFacts;
  reason: PlanReason;
  hrEventAt: Date | null;
  notes: string[];
  steps: PlannedStep[];
  toLink: AccountRow[];
  /** Systems the plan disables or revokes on. */
  removals: string[];
  /** Asked of the breaker (not immediate, removals on a system whose breaker counts). */
  counted: boolean;
  /** Stored as a dry run, out of the counts of the plans before it, until they are made (see makeRun). */
  hidden: boolean;
  verdict: BreakerVerdict;
}

/**
 * Makes the plans of a run (no person twice) in request order. The breaker counts a plan
 * against the plans made before it: plans stored together are kept out of its count (as
 * dry runs) until the plans before them have been counted, then settled with their verdict.
 */
async function makeRun(
  q: Queryable,
  ctx: AuditContext,
  deps: PlanDeps,
  items: readonly { req: PlanRequest; person: PersonFacts }[],
  batch: {
    systems: Map<string, SystemRow>;
    guarded: Set<string>;
    states: Map<string, PlanState>;
    runs: { systemId: string; at?: Date }[];
  },
): Promise<CreatedPlan[]> {
  if (items.length === 0) return [];
  const personIds = items.map((i) => i.person.id);
  for (const [id, state] of await supersede(q, personIds)) batch.states.set(id, state);
  const desired = await desiredStates(
    q,
    items.map((i) => ({ person: i.person, forceEmpty: i.req.forceEmpty })),
  );
  const accounts = await accountsOfPeople(
    q,
    items.map((i) => i.person),
  );
  const plans: RunPlan[] = [];
  for (const [n, { req, person }] of items.entries()) {
    const want = desired[n] as Desired;
    let reason = req.reason;
    let hrEventAt = req.hrEventAt ?? null;
    if (want.empty && reason !== "leaver" && person.status !== "candidate") {
      // Whatever woke it (a late joiner event, a move), a plan that takes everything is part
      // of the departure: a leaver plan, timed from the departure's first HR event.
      reason = "leaver";
      const first = await q.query<{ at: Date | string | null }>(
        `SELECT min(hr_event_at) AS at FROM access_plans WHERE id = ANY ($1::text[])`,
        [await departurePlans(q, person.id)],
      );
      const at = first.rows[0]?.at;
      if (at) hrEventAt = new Date(at);
    }
    plans.push({
      planId: ulid(),
      req,
      person,
      reason,
      hrEventAt,
      notes: [want.why],
      steps: [],
      toLink: [],
      removals: [],
      counted: false,
      hidden: false,
      verdict: { heldSystemIds: [], reasons: [] },
    });
  }
  const opened = await leaverTasksOpened(
    q,
    plans.filter((p) => p.req.leaverTasks || p.reason === "leaver").map((p) => p.person.id),
  );
  /** Accounts linked by an earlier plan of the run: no later person matches them any more. */
  const linked = new Set<string>();
  for (const [n, p] of plans.entries()) {
    const mine = (accounts.get(p.person.id) ?? []).filter((a) => a.person_id || !linked.has(a.id));
    const computed = planFrom(p.person, desired[n] as Desired, mine, batch.systems, {
      removalDelayHours: p.req.removalDelayHours,
      capabilities: deps.capabilities,
    });
    const steps = [...computed.steps];
    if ((p.req.leaverTasks || p.reason === "leaver") && !opened.has(p.person.id))
      steps.push(
        ...leaverTaskSteps(p.person, steps.length, (t) => ({
          ...t,
          catalogue: true,
          dueInHours: t.highRiskOnly ? 4 : 24,
        })),
      );
    for (const a of computed.toLink) linked.add(a.id);
    p.steps = steps;
    p.toLink = computed.toLink;
    p.notes.push(...computed.notes);
    p.removals = [
      ...new Set(steps.filter((s) => s.systemId && REMOVALS.has(s.action)).map((s) => s.systemId as string)),
    ];
    p.counted = !(p.req.immediate ?? false) && p.removals.some((id) => batch.guarded.has(id));
  }
  // A plan after the first counted one must stay out of the counts made before its turn.
  const first = plans.findIndex((p) => p.counted);
  for (const [n, p] of plans.entries())
    p.hidden = first >= 0 && n > first && p.removals.some((id) => batch.guarded.has(id));

  await linkAccounts(
    q,
    plans.flatMap((p) => p.toLink.map((a) => ({ accountId: a.id, personId: p.person.id }))),
  );
  await q.query(
    `INSERT INTO access_plans (id, person_id, reason, state, immediate, created_by, source_key, source_event_id,
       hr_event_at, notes, dry_run)
     SELECT x.id, x.person_id, x.reason, 'running', x.immediate, x.created_by, x.source_key, x.source_event_id,
       x.hr_event_at, x.notes, x.hidden
     FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::text[], $7::text[],
       $8::timestamptz[], $9::jsonb[], $10::boolean[])
       AS x(id, person_id, reason, immediate, created_by, source_key, source_event_id, hr_event_at, notes, hidden)`,
    [
      plans.map((p) => p.planId),
      plans.map((p) => p.person.id),
      plans.map((p) => p.reason),
      plans.map((p) => p.req.immediate ?? false),
      plans.map((p) => p.req.createdBy),
      plans.map((p) => p.req.sourceKey ?? null),
      plans.map((p) => p.req.sourceEventId ?? null),
      plans.map((p) => (p.hrEventAt ? p.hrEventAt.toISOString() : null)),
      plans.map((p) => JSON.stringify(p.notes)),
      plans.map((p) => p.hidden),
    ],
  );
  await insertSteps(q, ctx, plans);

  // Every plan takes its systems' breaker locks, as each count does (they are held already then).
  await lockKeys(
    q,
    plans.flatMap((p) => p.removals.map((id) => `access.breaker:${id}`)),
  );
  let unsettled: RunPlan[] = [];
  for (const p of plans) {
    if (p.counted) {
      if (unsettled.some((u) => u.removals.some((id) => p.removals.includes(id)))) {
        await settle(q, unsettled);
        unsettled = [];
      }
      p.verdict = await checkBreaker(
        q,
        { id: p.planId, personId: p.person.id, immediate: false },
        p.steps,
        deps.settings.breakerWindowMinutes,
      );
    }
    if (p.hidden || p.verdict.heldSystemIds.length) unsettled.push(p);
  }
  await settle(q, unsettled);

  await appendAuditMany(
    q,
    ctx,
    plans.flatMap((p) => [
      ...p.toLink.map((a) => ({
        action: "access.account_linked",
        targetType: "account",
        targetId: a.id,
        details: { personId: p.person.id, systemId: a.system_id, rule: "employee number or work email" },
      })),
      {
        action: "access.plan_created",
        targetType: "person",
        targetId: p.person.id,
        details: {
          planId: p.planId,
          reason: p.reason,
          steps: p.steps.length,
          immediate: p.req.immediate ?? false,
          sourceEventId: p.req.sourceEventId ?? null,
          held: p.verdict.heldSystemIds,
        },
      },
      ...(p.verdict.heldSystemIds.length
        ? [
            {
              action: "access.plan_held",
              targetType: "person",
              targetId: p.person.id,
              outcome: "failure" as const,
              details: { planId: p.planId, systems: p.verdict.heldSystemIds, reasons: p.verdict.reasons },
            },
          ]
        : []),
    ]),
  );
  const refreshed = await refreshPlanStates(
    q,
    ctx,
    plans.map((p) => p.planId),
  );
  return plans.map((p) => {
    const state = refreshed.get(p.planId) ?? "cancelled";
    batch.states.set(p.planId, state);
    const systemIds = new Set<string>();
    if (state === "running") {
      for (const s of p.steps) {
        if (!s.systemId || s.action === "manual_task") continue;
        if (s.delayHours > 0)
          batch.runs.push({ systemId: s.systemId, at: new Date(Date.now() + s.delayHours * 3_600_000) });
        else systemIds.add(s.systemId);
      }
      for (const systemId of systemIds) batch.runs.push({ systemId });
    }
    return { planId: p.planId, created: true, state, systemIds: [...systemIds], steps: p.steps.length };
  });
}

/** Lets the breaker count these plans (no longer dry runs) and holds those it held. */
async function settle(q: Queryable, plans: readonly RunPlan[]): Promise<void> {
  if (plans.length === 0) return;
  await q.query(
    `UPDATE access_plans p SET dry_run = false,
       state = CASE WHEN x.reason IS NULL THEN p.state ELSE 'held' END,
       held_system_ids = ARRAY(SELECT jsonb_array_elements_text(x.held)), held_reason = x.reason
     FROM unnest($1::text[], $2::jsonb[], $3::text[]) AS x(id, held, reason) WHERE p.id = x.id`,
    [
      plans.map((p) => p.planId),
      plans.map((p) => JSON.stringify(p.verdict.heldSystemIds)),
      plans.map((p) => (p.verdict.heldSystemIds.length ? p.verdict.reasons.join("\n") : null)),
    ],
  );
}

/** Stores the steps of many plans with one statement; the manual ones open their tasks at once (together). */
async function insertSteps(
  q: Queryable,
  ctx: AuditContext,
  plans: readonly { planId: string; person: { id: string }; steps: PlannedStep[] }[],
): Promise<void> {
  const rows = plans.flatMap((p) => {
    const idOf = new Map<string, string>();
    for (const s of p.steps) idOf.set(s.key, ulid());
    return p.steps.map((s, i) => ({
      planId: p.planId,
      id: idOf.get(s.key) as string,
      seq: i + 1,
      dependsOn: s.dependsOn ? (idOf.get(s.dependsOn) ?? null) : null,
      step: s,
      task: stepTaskInput(p.person.id, s),
    }));
  });
  if (rows.length === 0) return;
  const opened = await openTasks(
    q,
    ctx,
    rows.map((r) => r.task).filter((t): t is TaskInput => t !== null),
  );
  let next = 0;
  const taskIds = rows.map((r) => (r.task ? (opened[next++] as string) : null));
  await q.query(
    `INSERT INTO access_plan_steps (id, plan_id, seq, system_id, action, account_id, account_ref, entitlement_ref,
       depends_on, spec, state, due_at, manual_task_id)
     SELECT x.id, x.plan_id, x.seq, x.system_id, x.action, x.account_id, x.account_ref, x.entitlement_ref,
       x.depends_on, x.spec, x.state, now() + make_interval(secs => x.delay), x.task_id
     FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::text[], $10::jsonb[], $11::text[], $12::double precision[], $13::text[])
       AS x(id, plan_id, seq, system_id, action, account_id, account_ref, entitlement_ref, depends_on, spec, state,
         delay, task_id)`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.planId),
      rows.map((r) => r.seq),
      rows.map((r) => r.step.systemId),
      rows.map((r) => r.step.action),
      rows.map((r) => r.step.accountId),
      rows.map((r) => r.step.accountRef),
      rows.map((r) => r.step.entitlementRef),
      rows.map((r) => r.dependsOn),
      rows.map((r) =>
        JSON.stringify({
          ...r.step.spec,
          ...(r.step.username ? { username: r.step.spec.username ?? r.step.username } : {}),
        }),
      ),
      taskIds.map((t) => (t ? "manual" : "pending")),
      rows.map((r) => r.step.delayHours * 3600),
      taskIds,
    ],
  );
}

/** Derives a plan's state from its steps; records (and audits) the moment it is done or failed. */
export async function refreshPlanState(q: Queryable, ctx: AuditContext, planId: string): Promise<PlanState> {
  return (await refreshPlanStates(q, ctx, [planId])).get(planId) ?? "cancelled";
}

/** refreshPlanState for many plans at once: the plans are locked and counted with one statement each. */
export async function refreshPlanStates(
  q: Queryable,
  ctx: AuditContext,
  planIds: readonly string[],
): Promise<Map<string, PlanState>> {
  const out = new Map<string, PlanState>();
  if (planIds.length === 0) return out;
  const ids = [...new Set(planIds)].sort();
  // Locked in id order, so two runners refreshing overlapping plans cannot deadlock.
  const p = await q.query<{ id: string; state: PlanState; person_id: string | null }>(
    "SELECT id, state, person_id FROM access_plans WHERE id = ANY ($1::text[]) ORDER BY id FOR UPDATE",
    [ids],
  );
  const c = await q.query<{ plan_id: string; state: string; n: number }>(
    `SELECT plan_id, state, count(*)::int AS n FROM access_plan_steps WHERE plan_id = ANY ($1::text[])
     GROUP BY plan_id, state`,
    [ids],
  );
  const counts = new Map<string, Map<string, number>>();
  for (const r of c.rows) {
    const m = counts.get(r.plan_id) ?? new Map<string, number>();
    m.set(r.state, r.n);
    counts.set(r.plan_id, m);
  }
  const changes: { id: string; person: string | null; next: PlanState; total: number; failed: number }[] = [];
  for (const plan of p.rows) {
    if (plan.state === "held" || plan.state === "cancelled" || plan.state === "draft") {
      out.set(plan.id, plan.state);
      continue;
    }
    const m = counts.get(plan.id) ?? new Map<string, number>();
    const n = (s: string) => m.get(s) ?? 0;
    const total = [...m.values()].reduce((sum, x) => sum + x, 0);
    let next: PlanState;
    if (n("pending") + n("applied") > 0) next = "running";
    else if (n("failed") > 0) next = "failed";
    else if (n("manual") > 0) next = "running";
    else if (total > 0 && n("cancelled") === total) next = "cancelled";
    else next = "done";
    out.set(plan.id, next);
    if (next !== plan.state)
      changes.push({ id: plan.id, person: plan.person_id, next, total, failed: n("failed") });
  }
  if (changes.length === 0) return out;
  await q.query(
    `UPDATE access_plans p SET state = c.next,
       finished_at = CASE WHEN c.next IN ('done', 'cancelled') THEN now() ELSE NULL END
     FROM unnest($1::text[], $2::text[]) AS c(id, next) WHERE p.id = c.id`,
    [changes.map((x) => x.id), changes.map((x) => x.next)],
  );
  const ended = changes.filter((x) => x.next === "done" || x.next === "failed" || x.next === "cancelled");
  await appendAuditMany(
    q,
    ctx,
    ended.map((x) => ({
      action: `access.plan_${x.next}`,
      targetType: "person",
      targetId: x.person,
      outcome: x.next === "failed" ? ("failure" as const) : ("success" as const),
      details: { planId: x.id, steps: x.total, failed: x.failed },
    })),
  );
  // A leaver plan that completes its departure issues the revocation certificate, sealed in this transaction.
  for (const x of changes) if (x.next === "done") await issueCertificate(q, ctx, x.id);
  return out;
}
