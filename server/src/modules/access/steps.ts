/** What people do with steps and plans: retry a failed step, hand it to a person, cancel a plan. */
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import { manualSpec } from "./plan.js";
import { refreshPlanState, scheduleRunner } from "./plans.js";
import { openTask } from "./tasks.js";

interface StepRow {
  id: string;
  plan_id: string;
  seq: number;
  system_id: string | null;
  system_name: string | null;
  action: string;
  account_ref: string | null;
  entitlement_ref: string | null;
  spec: Record<string, unknown>;
  state: string;
  error: string | null;
  lease_until: Date | string | null;
  person_id: string | null;
  plan_state: string;
}

async function lockStep(q: Queryable, id: string): Promise<StepRow> {
  const r = await q.query<StepRow>(
    `SELECT s.*, sys.name AS system_name, p.person_id, p.state AS plan_state
     FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
     LEFT JOIN systems sys ON sys.id = s.system_id
     WHERE s.id = $1 FOR UPDATE OF s`,
    [id],
  );
  const row = r.rows[0];
  if (!row) throw notFound("access.step_not_found", "No such step");
  return row;
}

const busy = (s: StepRow) => s.lease_until !== null && new Date(s.lease_until).getTime() > Date.now();

/** Puts a failed step (and the steps that waited on it) back in the queue, with fresh attempts. */
export async function retryStep(q: Queryable, ctx: AuditContext, jobs: Jobs, id: string) {
  const s = await lockStep(q, id);
  if (s.state !== "failed")
    throw new AppError(
      409,
      "access.step_not_failed",
      `Only a failed step can be retried; this one is ${s.state}`,
    );
  if (s.plan_state === "cancelled")
    throw new AppError(409, "access.plan_cancelled", "The plan was cancelled");
  await q.query(
    `UPDATE access_plan_steps SET state = 'pending', attempts = 0, error = NULL, next_attempt_at = now(),
       lease_until = NULL WHERE id = $1 OR (depends_on = $1 AND state = 'failed')`,
    [id],
  );
  await appendAudit(q, ctx, {
    action: "access.step_retried",
    targetType: "person",
    targetId: s.person_id,
    details: { planId: s.plan_id, stepId: id, action: s.action, previousError: s.error },
  });
  await refreshPlanState(q, ctx, s.plan_id);
  if (s.system_id) await scheduleRunner(q, jobs, s.system_id);
  return { planId: s.plan_id, systemId: s.system_id };
}

/** Hands a step Tandem could not finish to a person: a task to do by hand and attest. */
export async function manualStep(
  q: Queryable,
  ctx: AuditContext,
  id: string,
  input: {
    assigneeRole?: string | null;
    assigneePersonId?: string | null;
    dueAt?: string | null;
    note?: string | null;
  },
) {
  const s = await lockStep(q, id);
  if (!["pending", "applied", "failed"].includes(s.state))
    throw new AppError(
      409,
      "access.step_not_open",
      `The step is ${s.state}; there is nothing left to do by hand`,
    );
  if (busy(s))
    throw new AppError(
      409,
      "access.step_running",
      "The step is being carried out right now; try again shortly",
    );
  const who = ctx.actorLabel ?? "someone";
  const why = `handed over by ${who}${s.error ? ` after: ${s.error}` : ""}${input.note ? `; ${input.note}` : ""}`;
  const spec = manualSpec(
    s.action,
    { name: s.system_name ?? "the system" },
    (s.spec.username as string | undefined) ?? s.account_ref,
    s.entitlement_ref,
    why,
  ) as { title: string; instructions: string };
  const taskId = await openTask(q, ctx, {
    personId: s.person_id,
    systemId: s.system_id,
    title: spec.title,
    instructions: spec.instructions,
    assigneeRole: input.assigneeRole ?? (input.assigneePersonId ? null : "it"),
    assigneePersonId: input.assigneePersonId ?? null,
    dueAt: input.dueAt ? new Date(input.dueAt) : new Date(Date.now() + 24 * 3_600_000),
  });
  await q.query(
    `UPDATE access_plan_steps SET state = 'manual', manual_task_id = $2, lease_until = NULL
     WHERE id = $1 OR (depends_on = $1 AND state IN ('pending', 'failed'))`,
    [id, taskId],
  );
  await appendAudit(q, ctx, {
    action: "access.step_made_manual",
    targetType: "person",
    targetId: s.person_id,
    details: { planId: s.plan_id, stepId: id, taskId, action: s.action, previousError: s.error },
  });
  await refreshPlanState(q, ctx, s.plan_id);
  return { planId: s.plan_id, taskId };
}

/** Cancels what a plan has not done yet (a held batch a person rejects, a plan made in error). */
export async function cancelPlan(q: Queryable, ctx: AuditContext, planId: string, reason: string | null) {
  const p = await q.query<{ state: string; person_id: string | null }>(
    "SELECT state, person_id FROM access_plans WHERE id = $1 FOR UPDATE",
    [planId],
  );
  const plan = p.rows[0];
  if (!plan) throw notFound("access.plan_not_found", "No such plan");
  if (!["held", "running", "failed", "draft"].includes(plan.state))
    throw new AppError(409, "access.plan_finished", `The plan is ${plan.state}`);
  const steps = await q.query<{ id: string; manual_task_id: string | null }>(
    `UPDATE access_plan_steps SET state = 'cancelled', error = $2, lease_until = NULL
     WHERE plan_id = $1 AND state IN ('pending', 'applied', 'failed', 'manual') RETURNING id, manual_task_id`,
    [planId, `cancelled by ${ctx.actorLabel ?? "someone"}${reason ? `: ${reason}` : ""}`],
  );
  const tasks = steps.rows.map((s) => s.manual_task_id).filter((t): t is string => !!t);
  if (tasks.length) {
    await q.query(
      "UPDATE access_tasks SET state = 'cancelled' WHERE id = ANY ($1::text[]) AND state = 'open'",
      [tasks],
    );
  }
  await q.query(
    "UPDATE access_plans SET state = 'cancelled', held_system_ids = '{}', finished_at = now() WHERE id = $1",
    [planId],
  );
  await appendAudit(q, ctx, {
    action: "access.plan_cancelled",
    targetType: "person",
    targetId: plan.person_id,
    details: { planId, from: plan.state, steps: steps.rowCount, reason },
  });
}
