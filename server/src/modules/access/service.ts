/**
 * The access engine's service: previews, plans, revoke-now, and the runners. Routes, event
 * subscribers and the CLI go through it.
 */
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import { type Db, GrowthStats } from "../../platform/db/index.js";
import { addHistogram } from "../../platform/metrics/index.js";
import { releaseBreaker } from "./breaker.js";
import { ConnectorPool } from "./connectors.js";
import { type AccessDeps, engineSettings } from "./context.js";
import { desiredState, personFacts } from "./desired.js";
import { computePlan, leaverTaskSteps } from "./plan.js";
import {
  type CreatedPlan,
  createPlan,
  createPlans,
  type PlanDeps,
  type PlanRequest,
  refreshPlanState,
  scheduleRunner,
} from "./plans.js";
import { Runners } from "./runner.js";
import type { PlanView } from "./schemas.js";
import { cancelPlan, manualStep, retryStep } from "./steps.js";
import { closeTask, createTaskSink } from "./tasks.js";
import { getPlan } from "./views.js";

export function createAccessService(deps: AccessDeps) {
  const { db, jobs, envelope, config, log } = deps;
  const settings = engineSettings(config);
  const pool = new ConnectorPool(envelope, createTaskSink(db));
  const histogram = addHistogram(deps.metrics, {
    name: "tandem_access_revocation_seconds",
    help: "Time from the HR event to verified revocation of a leaver's access, per system",
    labelNames: ["system"] as const,
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
  });
  const runners = new Runners({
    db,
    jobs,
    pool,
    settings,
    log,
    observeRevocation: (system, seconds) => histogram.labels(system).observe(seconds),
  });
  const planDeps: PlanDeps = { jobs, settings, capabilities: (row) => pool.capabilities(row) };
  const stats = new GrowthStats(db);

  /** This process works on what it just planned, when it is a worker (others leave it to the queue). */
  const kick = (systemIds: string[]) => {
    if (config.TANDEM_JOBS && systemIds.length) runners.kick(systemIds);
  };

  async function plan(ctx: AuditContext, req: PlanRequest): Promise<CreatedPlan> {
    const made = await db.tx((q) => createPlan(q, ctx, planDeps, req));
    kick(made.systemIds);
    return made;
  }

  /**
   * Many plans in one transaction (a bulk of HR events delivered together), made together
   * (createPlans). A person no longer on record is skipped; any other failure rolls all of
   * them back, and the caller makes them one by one instead.
   */
  async function planMany(ctx: AuditContext, reqs: readonly PlanRequest[]): Promise<CreatedPlan[]> {
    const made = await db.tx((q) => createPlans(q, ctx, planDeps, reqs));
    // Before the runners start on them: a burst of plans must not leave the steps table planned as small.
    await stats.grew(
      "access_plan_steps",
      made.reduce((n, m) => n + m.steps, 0),
    );
    await stats.grew("access_plans", made.filter((m) => m.created).length);
    kick([...new Set(made.flatMap((m) => m.systemIds))]);
    return made;
  }

  /** What a plan would do now, without writing anything. */
  async function preview(personId: string, opts: { leaver?: boolean } = {}): Promise<PlanView> {
    const person = await personFacts(db, personId);
    const desired = await desiredState(db, person, { forceEmpty: opts.leaver });
    const computed = await computePlan(db, person, desired, { capabilities: planDeps.capabilities });
    if (opts.leaver)
      computed.steps.push(...leaverTaskSteps(person, computed.steps.length, (t) => ({ ...t })));
    const names = await db.query<{ system_id: string; ref: string; name: string }>(
      "SELECT system_id, lower(external_id) AS ref, name FROM entitlements WHERE system_id = ANY ($1::text[])",
      [[...new Set(computed.steps.map((s) => s.systemId).filter((x): x is string => !!x))]],
    );
    const nameOf = (systemId: string | null, ref: string | null) =>
      names.rows.find((n) => n.system_id === systemId && n.ref === ref?.toLowerCase())?.name ?? null;
    const now = new Date().toISOString();
    return {
      id: "dry-run",
      personId,
      reason: opts.leaver ? "leaver" : "manual",
      state: "draft",
      dryRun: true,
      immediate: false,
      createdBy: null,
      createdAt: now,
      heldReason: null,
      heldSystemIds: [],
      sourceEventId: null,
      hrEventAt: null,
      finishedAt: null,
      notes: [
        desired.why,
        ...computed.notes,
        ...computed.toLink.map(
          (a) => `would link account ${a.username} (matched by employee number or email)`,
        ),
      ],
      steps: computed.steps.map((s, i) => {
        const sys = s.systemId ? computed.systems.get(s.systemId) : undefined;
        return {
          id: `dry-run-${i + 1}`,
          planId: "dry-run",
          seq: i + 1,
          systemId: s.systemId,
          systemName: sys?.name ?? null,
          action: s.action,
          accountRef: s.accountRef,
          username: s.username,
          entitlementRef: s.entitlementRef,
          entitlementName: nameOf(s.systemId, s.entitlementRef),
          title: typeof s.spec.title === "string" ? s.spec.title : null,
          state: "pending",
          attempts: 0,
          error: null,
          dueAt: new Date(Date.now() + s.delayHours * 3_600_000).toISOString(),
          appliedAt: null,
          verifiedAt: null,
          manualTaskId: null,
          attestedBy: null,
        };
      }),
    };
  }

  /** Security's "revoke now": everything goes at once, whatever HR's effective date says. */
  async function revokeNow(ctx: AuditContext, personId: string, reason: string | null): Promise<CreatedPlan> {
    const made = await db.tx(async (q) => {
      await personFacts(q, personId);
      await q.query(
        `INSERT INTO access_lockouts (person_id, created_by, reason) VALUES ($1,$2,$3)
         ON CONFLICT (person_id) DO UPDATE SET created_at = now(), created_by = $2, reason = $3`,
        [personId, ctx.actorLabel ?? ctx.actorId ?? null, reason],
      );
      await appendAudit(q, ctx, {
        action: "access.revoke_now",
        targetType: "person",
        targetId: personId,
        details: { reason },
      });
      return createPlan(q, ctx, planDeps, {
        personId,
        reason: "leaver",
        immediate: true,
        forceEmpty: true,
        leaverTasks: true,
        createdBy: ctx.actorLabel ?? ctx.actorId ?? null,
        hrEventAt: new Date(),
      });
    });
    kick(made.systemIds);
    return made;
  }

  async function release(ctx: AuditContext, systemId: string) {
    const r = await db.tx(async (q) => {
      const out = await releaseBreaker(q, ctx, systemId);
      for (const id of out.systemIds) await scheduleRunner(q, jobs, id);
      return out;
    });
    kick(r.systemIds);
    return r;
  }

  async function retry(ctx: AuditContext, stepId: string) {
    const r = await db.tx((q) => retryStep(q, ctx, jobs, stepId));
    if (r.systemId) kick([r.systemId]);
    return getPlan(db, r.planId);
  }

  async function makeManual(ctx: AuditContext, stepId: string, input: Parameters<typeof manualStep>[3]) {
    const r = await db.tx((q) => manualStep(q, ctx, stepId, input));
    return getPlan(db, r.planId);
  }

  /** A person says a task is done (or refuses it); the steps it stands for follow. */
  async function closeTaskAs(
    ctx: AuditContext,
    taskId: string,
    outcome: "done" | "rejected",
    note: string | null,
  ) {
    const r = await db.tx(async (q) => {
      const out = await closeTask(q, ctx, taskId, outcome, note);
      for (const id of out.planIds) await refreshPlanState(q, ctx, id);
      for (const id of out.systemIds) await scheduleRunner(q, jobs, id);
      return out;
    });
    kick(r.systemIds);
    return r.task;
  }

  async function cancel(ctx: AuditContext, planId: string, reason: string | null) {
    await db.tx((q) => cancelPlan(q, ctx, planId, reason));
    return getPlan(db, planId);
  }

  async function close() {
    await runners.stop();
    await pool.close();
  }

  return {
    db: db as Db,
    settings,
    pool,
    runners,
    plan,
    planMany,
    preview,
    getPlan: (id: string) => getPlan(db, id),
    revokeNow,
    release,
    retry,
    makeManual,
    closeTask: closeTaskAs,
    cancel,
    /** Runs every system's due steps now and waits (CLI, tests). */
    drain: async () => runners.drain(await runners.dueSystems()),
    close,
  };
}

export type AccessService = ReturnType<typeof createAccessService>;
