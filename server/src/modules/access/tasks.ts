/**
 * Manual tasks: what a person must do by hand (collect a laptop, disable an account on a
 * system Tandem cannot reach) and attest. An attested task verifies the steps it stands for.
 */

import type { ManualTask, ManualTaskRequest, ManualTaskState, TaskSink } from "../../connectors/index.js";
import { type AuditContext, appendAudit, appendAuditMany } from "../../platform/audit/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { iso } from "./context.js";
import type { TaskListItem, TaskView } from "./schemas.js";

export interface TaskInput {
  personId?: string | null;
  systemId?: string | null;
  title: string;
  instructions: string;
  assigneeRole?: string | null;
  assigneePersonId?: string | null;
  dueAt?: Date | null;
}

interface TaskRow {
  id: string;
  person_id: string | null;
  system_id: string | null;
  title: string;
  instructions: string;
  assignee_role: string | null;
  assignee_person_id: string | null;
  assignee: string | null;
  due_at: Date | string | null;
  state: TaskView["state"];
  attested_by: string | null;
  attested_at: Date | string | null;
  note: string | null;
  created_at: Date | string;
  action: string | null;
  template: string | null;
  account_ref: string | null;
  entitlement_ref: string | null;
  change: Record<string, unknown> | null;
}

export const toTask = (r: TaskRow): TaskView => ({
  id: r.id,
  personId: r.person_id,
  systemId: r.system_id,
  title: r.title,
  instructions: r.instructions,
  assigneeRole: r.assignee_role,
  assigneePersonId: r.assignee_person_id,
  assignee: r.assignee,
  dueAt: iso(r.due_at),
  state: r.state,
  attestedBy: r.attested_by,
  attestedAt: iso(r.attested_at),
  note: r.note,
  createdAt: iso(r.created_at) as string,
});

export async function openTask(q: Queryable, ctx: AuditContext, t: TaskInput): Promise<string> {
  return (await openTasks(q, ctx, [t]))[0] as string;
}

/** Opens several tasks with one insert and their audit entries together; ids in input order. */
export async function openTasks(
  q: Queryable,
  ctx: AuditContext,
  tasks: readonly TaskInput[],
): Promise<string[]> {
  if (tasks.length === 0) return [];
  const ids = tasks.map(() => ulid());
  await q.query(
    `INSERT INTO access_tasks (id, person_id, system_id, title, instructions, assignee_role, assignee_person_id, due_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::timestamptz[])`,
    [
      ids,
      tasks.map((t) => t.personId ?? null),
      tasks.map((t) => t.systemId ?? null),
      tasks.map((t) => t.title),
      tasks.map((t) => t.instructions),
      tasks.map((t) => t.assigneeRole ?? null),
      tasks.map((t) => t.assigneePersonId ?? null),
      tasks.map((t) => (t.dueAt ? t.dueAt.toISOString() : null)),
    ],
  );
  await appendAuditMany(
    q,
    ctx,
    tasks.map((t, i) => ({
      action: "access.task_opened",
      targetType: "access_task",
      targetId: ids[i] as string,
      details: { title: t.title, personId: t.personId ?? null, systemId: t.systemId ?? null },
    })),
  );
  return ids;
}

export async function listTasks(
  q: Queryable,
  f: { state?: TaskView["state"]; personId?: string; limit: number },
): Promise<TaskListItem[]> {
  const r = await q.query<TaskRow & { person_name: string | null; system_name: string | null }>(
    `SELECT t.*, (SELECT COALESCE(p.preferred_name, p.legal_name) FROM people p WHERE p.id = t.person_id) AS person_name,
       (SELECT s.name FROM systems s WHERE s.id = t.system_id) AS system_name
     FROM access_tasks t WHERE ($1::text IS NULL OR t.state = $1) AND ($2::text IS NULL OR t.person_id = $2)
     ORDER BY t.due_at NULLS LAST, t.id LIMIT $3`,
    [f.state ?? null, f.personId ?? null, f.limit],
  );
  return r.rows.map((row) => ({ ...toTask(row), personName: row.person_name, systemName: row.system_name }));
}

/**
 * Closes a task on someone's word: done (attested) or rejected. Attested, a task Tandem
 * opened in place of a step verifies that step at once, and a task the manual connector
 * waits on wakes its step so the connector reads the attested state back. Rejected, the
 * steps fail with the reason (a retry asks again). Returns the plans and systems touched.
 */
export async function closeTask(
  q: Queryable,
  ctx: AuditContext,
  id: string,
  outcome: "done" | "rejected",
  note: string | null,
): Promise<{ task: TaskView; planIds: string[]; systemIds: string[] }> {
  const found = await q.query<TaskRow>("SELECT * FROM access_tasks WHERE id = $1 FOR UPDATE", [id]);
  const row = found.rows[0];
  if (!row) throw notFound("access.task_not_found", "No such task");
  if (row.state !== "open") throw new AppError(409, "access.task_not_open", `The task is ${row.state}`);
  const by = ctx.actorLabel ?? ctx.actorId ?? "unknown";
  const done = await q.query<TaskRow>(
    `UPDATE access_tasks SET state = $2, attested_by = $3, attested_at = now(), note = $4
     WHERE id = $1 RETURNING *`,
    [id, outcome, by, note],
  );
  const own = await q.query<{ id: string; plan_id: string }>(
    outcome === "done"
      ? `UPDATE access_plan_steps SET state = 'verified', verified_at = now(), attested_by = $2, error = NULL
         WHERE manual_task_id = $1 AND state = 'manual' AND NOT connector_task RETURNING id, plan_id`
      : `UPDATE access_plan_steps SET state = 'failed', error = 'the task was rejected by ' || $2 || COALESCE(': ' || $3, ''),
           lease_until = NULL
         WHERE manual_task_id = $1 AND state = 'manual' RETURNING id, plan_id`,
    outcome === "done" ? [id, by] : [id, by, note],
  );
  // The connector reads the attested state back on its next call: wake those steps now.
  const waiting =
    outcome === "done"
      ? await q.query<{ id: string; plan_id: string; system_id: string }>(
          `UPDATE access_plan_steps SET next_attempt_at = now(), attested_by = $2
           WHERE manual_task_id = $1 AND state = 'manual' AND connector_task RETURNING id, plan_id, system_id`,
          [id, by],
        )
      : { rows: [] as { id: string; plan_id: string; system_id: string }[] };
  await appendAudit(q, ctx, {
    action: outcome === "done" ? "access.task_attested" : "access.task_rejected",
    targetType: "access_task",
    targetId: id,
    details: {
      title: row.title,
      personId: row.person_id,
      steps: [...own.rows, ...waiting.rows].map((s) => s.id),
      note: note ?? null,
    },
  });
  return {
    task: toTask(done.rows[0] as TaskRow),
    planIds: [...new Set([...own.rows, ...waiting.rows].map((s) => s.plan_id))],
    systemIds: [...new Set(waiting.rows.map((s) => s.system_id))],
  };
}

const toManualTask = (r: TaskRow): ManualTask => ({
  id: r.id,
  ...(r.system_id ? { systemId: r.system_id } : {}),
  action: r.action as ManualTask["action"],
  template: r.template as ManualTask["template"],
  accountRef: r.account_ref ?? "",
  ...(r.entitlement_ref ? { entitlementRef: r.entitlement_ref } : {}),
  assignee: r.assignee ?? r.assignee_role ?? "",
  title: r.title,
  instructions: r.instructions,
  dueAt: iso(r.due_at) ?? iso(r.created_at) ?? "",
  ...(r.change ? { change: r.change } : {}),
  openedAt: iso(r.created_at) as string,
  ...stateOf(r),
});

function stateOf(r: TaskRow): ManualTaskState {
  const status = r.state === "open" ? "open" : r.state === "done" ? "done" : "rejected";
  if (status === "open") return { status };
  const note = r.state === "cancelled" ? (r.note ?? "cancelled") : r.note;
  return {
    status,
    attestation: {
      by: r.attested_by ?? "tandem",
      at: iso(r.attested_at) ?? iso(r.created_at) ?? "",
      ...(note ? { note } : {}),
    },
  };
}

/**
 * The manual connector's task store on access_tasks: what it asks people to do, and
 * whether they attested it. Opening a task is audited like any other.
 */
export function createTaskSink(db: Db, ctx: AuditContext = { actorLabel: "access engine" }): TaskSink {
  return {
    openTask: (t: ManualTaskRequest) =>
      db.tx(async (q) => {
        const id = ulid();
        await q.query(
          `INSERT INTO access_tasks (id, system_id, title, instructions, assignee, due_at, action, template,
             account_ref, entitlement_ref, change)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
          [
            id,
            t.systemId ?? null,
            t.title,
            t.instructions,
            t.assignee,
            t.dueAt,
            t.action,
            t.template,
            t.accountRef,
            t.entitlementRef ?? null,
            t.change ? JSON.stringify(t.change) : null,
          ],
        );
        await appendAudit(q, ctx, {
          action: "access.task_opened",
          targetType: "access_task",
          targetId: id,
          details: { title: t.title, systemId: t.systemId ?? null, action: t.action },
        });
        return id;
      }),
    async taskState(id) {
      const r = await db.query<TaskRow>("SELECT * FROM access_tasks WHERE id = $1", [id]);
      return r.rows[0] ? stateOf(r.rows[0]) : null;
    },
    async listTasks({ systemId }) {
      const r = await db.query<TaskRow>(
        `SELECT * FROM access_tasks WHERE action IS NOT NULL AND ($1::text IS NULL OR system_id = $1)
         ORDER BY created_at, id`,
        [systemId ?? null],
      );
      return r.rows.map(toManualTask);
    },
  };
}
