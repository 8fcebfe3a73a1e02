/**
 * Making a plan durable: one transaction links matched accounts, supersedes what older
 * plans of the person had not started, stores the plan and its steps, opens manual tasks,
 * asks the circuit breaker, and enqueues the runners, so a crash loses or doubles nothing.
 */
import { ulid } from "ulid";
import type { ConnectorCapabilities } from "../../connectors/index.js";
import { type AuditContext, appendAuditMany } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import type { Jobs, SendOptions } from "../../platform/jobs/index.js";
import { linkAccount } from "./accounts.js";
import { checkBreaker } from "./breaker.js";
import type { SystemRow } from "./catalogue.js";
import { issueCertificate } from "./certificate.js";
import type { EngineSettings } from "./context.js";
import { desiredState, personFacts } from "./desired.js";
import { computePlan, LEAVER_TASKS, type PlannedStep } from "./plan.js";
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

/** Cancels what older plans of the person have not started; the new plan recomputes it. */
async function supersede(q: Queryable, personId: string): Promise<string[]> {
  const r = await q.query<{ plan_id: string }>(
    `UPDATE access_plan_steps s SET state = 'cancelled', error = 'superseded by a newer plan', lease_until = NULL
     FROM access_plans p
     WHERE p.id = s.plan_id AND p.person_id = $1 AND p.state IN ('held', 'running', 'failed')
       AND s.state IN ('pending', 'applied', 'failed') AND (s.lease_until IS NULL OR s.lease_until < now())
     RETURNING s.plan_id`,
    [personId],
  );
  const plans = [...new Set(r.rows.map((x) => x.plan_id))];
  await refreshPlanStates(q, { actorLabel: "access engine" }, plans);
  return plans;
}

/** Has this departure's task list been opened already (since the person was last rehired)? */
async function hasLeaverTasks(q: Queryable, personId: string): Promise<boolean> {
  const r = await q.query(
    `SELECT 1 FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
     WHERE p.person_id = $1 AND p.reason = 'leaver' AND s.action = 'manual_task' AND s.spec ? 'catalogue'
       AND s.state <> 'cancelled'
       AND p.created_at > COALESCE((SELECT max(created_at) FROM access_plans j
                                    WHERE j.person_id = $1 AND j.source_key LIKE 'person.rehired:%'), '-infinity')
     LIMIT 1`,
    [personId],
  );
  return r.rowCount > 0;
}

export async function createPlan(
  q: Queryable,
  ctx: AuditContext,
  deps: PlanDeps,
  req: PlanRequest,
): Promise<CreatedPlan> {
  await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`access.person:${req.personId}`]);
  if (req.sourceKey) {
    const existing = await q.query<{ id: string; state: PlanState }>(
      "SELECT id, state FROM access_plans WHERE source_key = $1",
      [req.sourceKey],
    );
    const hit = existing.rows[0];
    if (hit) return { planId: hit.id, created: false, state: hit.state, systemIds: [] };
  }
  const person = await personFacts(q, req.personId);
  await supersede(q, req.personId);
  const desired = await desiredState(q, person, { forceEmpty: req.forceEmpty });
  let reason = req.reason;
  let hrEventAt = req.hrEventAt ?? null;
  if (desired.empty && reason !== "leaver" && person.status !== "candidate") {
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
  const computed = await computePlan(q, person, desired, {
    removalDelayHours: req.removalDelayHours,
    capabilities: deps.capabilities,
  });
  const steps = [...computed.steps];
  if ((req.leaverTasks || reason === "leaver") && !(await hasLeaverTasks(q, person.id))) {
    for (const t of LEAVER_TASKS) {
      if (t.highRiskOnly && !person.highRisk) continue;
      steps.push({
        key: `t${steps.length + 1}`,
        systemId: null,
        action: "manual_task",
        accountId: null,
        accountRef: null,
        username: null,
        entitlementRef: null,
        dependsOn: null,
        spec: { ...t, catalogue: true, dueInHours: t.highRiskOnly ? 4 : 24 },
        delayHours: 0,
      });
    }
  }
  for (const a of computed.toLink) await linkAccount(q, a.id, person.id);
  await appendAuditMany(
    q,
    ctx,
    computed.toLink.map((a) => ({
      action: "access.account_linked",
      targetType: "account",
      targetId: a.id,
      details: { personId: person.id, systemId: a.system_id, rule: "employee number or work email" },
    })),
  );

  const planId = ulid();
  await q.query(
    `INSERT INTO access_plans (id, person_id, reason, state, immediate, created_by, source_key, source_event_id,
       hr_event_at, notes)
     VALUES ($1,$2,$3,'running',$4,$5,$6,$7,$8,$9)`,
    [
      planId,
      person.id,
      reason,
      req.immediate ?? false,
      req.createdBy,
      req.sourceKey ?? null,
      req.sourceEventId ?? null,
      hrEventAt ? hrEventAt.toISOString() : null,
      JSON.stringify([desired.why, ...computed.notes]),
    ],
  );
  await insertSteps(q, ctx, planId, person.id, steps);

  const verdict = await checkBreaker(
    q,
    { id: planId, personId: person.id, immediate: req.immediate ?? false },
    steps,
    deps.settings.breakerWindowMinutes,
  );
  if (verdict.heldSystemIds.length) {
    await q.query(
      "UPDATE access_plans SET state = 'held', held_system_ids = $2, held_reason = $3 WHERE id = $1",
      [planId, verdict.heldSystemIds, verdict.reasons.join("\n")],
    );
  }
  await appendAuditMany(q, ctx, [
    {
      action: "access.plan_created",
      targetType: "person",
      targetId: person.id,
      details: {
        planId,
        reason,
        steps: steps.length,
        immediate: req.immediate ?? false,
        sourceEventId: req.sourceEventId ?? null,
        held: verdict.heldSystemIds,
      },
    },
    ...(verdict.heldSystemIds.length
      ? [
          {
            action: "access.plan_held",
            targetType: "person",
            targetId: person.id,
            outcome: "failure" as const,
            details: { planId, systems: verdict.heldSystemIds, reasons: verdict.reasons },
          },
        ]
      : []),
  ]);
  const state = await refreshPlanState(q, ctx, planId);
  const systemIds = new Set<string>();
  if (state === "running") {
    const later: { systemId: string; at: Date }[] = [];
    for (const s of steps) {
      if (!s.systemId || s.action === "manual_task") continue;
      if (s.delayHours > 0)
        later.push({ systemId: s.systemId, at: new Date(Date.now() + s.delayHours * 3_600_000) });
      else systemIds.add(s.systemId);
    }
    await scheduleRunners(q, deps.jobs, [...[...systemIds].map((systemId) => ({ systemId })), ...later]);
  }
  return { planId, created: true, state, systemIds: [...systemIds] };
}

/** Stores the steps with one statement; the manual ones open their tasks at once (together). */
async function insertSteps(
  q: Queryable,
  ctx: AuditContext,
  planId: string,
  personId: string,
  steps: PlannedStep[],
): Promise<void> {
  if (steps.length === 0) return;
  const idOf = new Map<string, string>();
  for (const s of steps) idOf.set(s.key, ulid());
  const taskInputs = steps.map((s) => stepTaskInput(personId, s));
  const opened = await openTasks(
    q,
    ctx,
    taskInputs.filter((t): t is TaskInput => t !== null),
  );
  let next = 0;
  const taskIds = taskInputs.map((t) => (t ? (opened[next++] as string) : null));
  await q.query(
    `INSERT INTO access_plan_steps (id, plan_id, seq, system_id, action, account_id, account_ref, entitlement_ref,
       depends_on, spec, state, due_at, manual_task_id)
     SELECT x.id, $1, x.seq, x.system_id, x.action, x.account_id, x.account_ref, x.entitlement_ref, x.depends_on,
       x.spec, x.state, now() + make_interval(secs => x.delay), x.task_id
     FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
       $10::jsonb[], $11::text[], $12::double precision[], $13::text[])
       AS x(id, seq, system_id, action, account_id, account_ref, entitlement_ref, depends_on, spec, state, delay, task_id)`,
    [
      planId,
      steps.map((s) => idOf.get(s.key) as string),
      steps.map((_, i) => i + 1),
      steps.map((s) => s.systemId),
      steps.map((s) => s.action),
      steps.map((s) => s.accountId),
      steps.map((s) => s.accountRef),
      steps.map((s) => s.entitlementRef),
      steps.map((s) => (s.dependsOn ? (idOf.get(s.dependsOn) ?? null) : null)),
      steps.map((s) =>
        JSON.stringify({ ...s.spec, ...(s.username ? { username: s.spec.username ?? s.username } : {}) }),
      ),
      taskIds.map((t) => (t ? "manual" : "pending")),
      steps.map((s) => s.delayHours * 3600),
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
