/**
 * Incident tasks: by department role, with an optional assignee and due date (the SLA). The
 * sweep (jobs.ts) reminds before the due date and escalates to the incident owner after it.
 */

import type { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import { iso } from "./context.js";
import { addTimeline, getIncident, userExists } from "./repo.js";
import type { DepartmentRole, taskInput, taskPatch } from "./schemas.js";

/** Tandem roles that stand for a department role (Finance and Communications have none). */
export const ROLE_AUDIENCE: Record<DepartmentRole, string[]> = {
  security: ["security"],
  it: ["it"],
  legal: ["legal"],
  hr: ["hr"],
  finance: [],
  communications: [],
};

export interface TaskRow {
  id: string;
  incident_id: string;
  title: string;
  department_role: DepartmentRole;
  assignee_user_id: string | null;
  due_at: Date | null;
  status: "open" | "done" | "cancelled";
  done_at: Date | null;
  created_at: Date;
}

export const toTask = (t: TaskRow, now = Date.now()) => ({
  id: t.id,
  incidentId: t.incident_id,
  title: t.title,
  departmentRole: t.department_role,
  assigneeUserId: t.assignee_user_id,
  dueAt: iso(t.due_at),
  status: t.status,
  doneAt: iso(t.done_at),
  overdue: t.status === "open" && !!t.due_at && new Date(t.due_at).getTime() < now,
  createdAt: iso(t.created_at) as string,
});

export async function listTasks(q: Queryable, incidentId: string) {
  const r = await q.query<TaskRow>(
    "SELECT * FROM incident_tasks WHERE incident_id = $1 ORDER BY created_at, id",
    [incidentId],
  );
  return r.rows.map((t) => toTask(t));
}

export async function createTask(
  q: Queryable,
  ctx: AuditContext,
  notifier: Notifier,
  incidentId: string,
  input: z.infer<typeof taskInput>,
  opts: { quiet?: boolean } = {},
) {
  const incident = await getIncident(q, incidentId);
  if (incident.status === "closed") throw conflict("incident.closed", "A closed incident cannot be changed");
  if (input.assigneeUserId && !(await userExists(q, input.assigneeUserId)))
    throw unprocessable("incident.unknown_user", "No active user with that id", [
      { path: "assigneeUserId", message: "unknown user" },
    ]);
  const id = ulid();
  await q.query(
    `INSERT INTO incident_tasks (id, incident_id, title, department_role, assignee_user_id, due_at)
     VALUES ($1,$2,$3,$4,$5,$6)`,
    [id, incidentId, input.title, input.departmentRole, input.assigneeUserId ?? null, input.dueAt ?? null],
  );
  if (!opts.quiet) {
    await addTimeline(q, incidentId, ctx, "task", `Task added for ${input.departmentRole}: ${input.title}`, {
      taskId: id,
    });
    await appendAudit(q, ctx, {
      action: "incident.task_created",
      targetType: "incident",
      targetId: incidentId,
      details: { taskId: id, departmentRole: input.departmentRole },
    });
  }
  // Playbook tasks arrive with the incident's own alert; a task added later is announced.
  if (!opts.quiet) {
    const roles = ROLE_AUDIENCE[input.departmentRole];
    const owner = incident.owner_user_id ? [incident.owner_user_id] : [];
    await notifier.notify(q, {
      kind: "incident.task",
      severity: "normal",
      title: `${incident.reference}: new task for ${input.departmentRole}: ${input.title}`,
      link: `/incidents/${incidentId}`,
      to: input.assigneeUserId
        ? { userIds: [input.assigneeUserId] }
        : { roles, userIds: roles.length ? [] : owner },
    });
  }
  const r = await q.query<TaskRow>("SELECT * FROM incident_tasks WHERE id = $1", [id]);
  return toTask(r.rows[0] as TaskRow);
}

export async function updateTask(
  q: Queryable,
  ctx: AuditContext,
  notifier: Notifier,
  incidentId: string,
  taskId: string,
  input: z.infer<typeof taskPatch>,
) {
  const r = await q.query<TaskRow>(
    "SELECT * FROM incident_tasks WHERE id = $1 AND incident_id = $2 FOR UPDATE",
    [taskId, incidentId],
  );
  const t = r.rows[0];
  if (!t) throw notFound("incident.task_not_found", "No such task on this incident");
  if (input.assigneeUserId && !(await userExists(q, input.assigneeUserId)))
    throw unprocessable("incident.unknown_user", "No active user with that id", [
      { path: "assigneeUserId", message: "unknown user" },
    ]);
  const status = input.status ?? t.status;
  await q.query(
    `UPDATE incident_tasks SET status = $3, assignee_user_id = $4, due_at = $5,
       done_at = CASE WHEN $3 = 'done' THEN COALESCE(done_at, now()) ELSE NULL END,
       reminded_at = CASE WHEN $5::timestamptz IS DISTINCT FROM due_at THEN NULL ELSE reminded_at END,
       escalated_at = CASE WHEN $5::timestamptz IS DISTINCT FROM due_at THEN NULL ELSE escalated_at END
     WHERE id = $1 AND incident_id = $2`,
    [
      taskId,
      incidentId,
      status,
      input.assigneeUserId === undefined ? t.assignee_user_id : input.assigneeUserId,
      input.dueAt === undefined ? t.due_at : input.dueAt,
    ],
  );
  const what =
    input.status && input.status !== t.status
      ? `Task ${input.status}: ${t.title}`
      : `Task changed: ${t.title}`;
  await addTimeline(q, incidentId, ctx, "task", what, { taskId, status });
  await appendAudit(q, ctx, {
    action: "incident.task_updated",
    targetType: "incident",
    targetId: incidentId,
    details: {
      taskId,
      status,
      assigneeChanged: input.assigneeUserId !== undefined,
      dueChanged: input.dueAt !== undefined,
    },
  });
  if (input.assigneeUserId && input.assigneeUserId !== t.assignee_user_id) {
    await notifier.notify(q, {
      kind: "incident.task",
      severity: "normal",
      title: `A task was assigned to you: ${t.title}`,
      link: `/incidents/${incidentId}`,
      to: { userIds: [input.assigneeUserId] },
    });
  }
  const after = await q.query<TaskRow>("SELECT * FROM incident_tasks WHERE id = $1", [taskId]);
  return toTask(after.rows[0] as TaskRow);
}
