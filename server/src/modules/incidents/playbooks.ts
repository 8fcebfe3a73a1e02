/**
 * Playbooks: templates of tasks by department role (IT/Security contain, Legal assesses
 * notification duties, HR communicates internally and handles employee matters, Finance
 * handles payment fraud, Communications the outside world), editable in the UI. Applying one
 * to an incident creates its tasks with due dates counted from now.
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import { iso } from "./context.js";
import { addTimeline, getIncident } from "./repo.js";
import { DEPARTMENT_ROLES } from "./schemas.js";
import { createTask } from "./tasks.js";

export const playbookTask = z
  .object({
    title: z.string().trim().min(1).max(300),
    departmentRole: z.enum(DEPARTMENT_ROLES),
    dueHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90),
  })
  .strict();

export const playbookInput = z
  .object({
    key: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9-]{1,59}$/, "lowercase letters, digits and dashes"),
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().max(2000).default(""),
    tasks: z.array(playbookTask).min(1).max(50),
    active: z.boolean().default(true),
  })
  .strict();

export const playbookSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  tasks: z.array(playbookTask),
  active: z.boolean(),
  version: z.number(),
  updatedAt: z.string(),
});

interface PlaybookRow {
  id: string;
  key: string;
  name: string;
  description: string;
  tasks: z.infer<typeof playbookTask>[] | string;
  active: boolean;
  version: number;
  updated_at: Date;
}

const toPlaybook = (r: PlaybookRow) => ({
  id: r.id,
  key: r.key,
  name: r.name,
  description: r.description,
  tasks: typeof r.tasks === "string" ? JSON.parse(r.tasks) : r.tasks,
  active: r.active,
  version: r.version,
  updatedAt: iso(r.updated_at) as string,
});

export async function listPlaybooks(q: Queryable, activeOnly = false) {
  const r = await q.query<PlaybookRow>(
    `SELECT * FROM incident_playbooks WHERE ($1::boolean IS NOT TRUE OR active) ORDER BY name`,
    [activeOnly],
  );
  return r.rows.map(toPlaybook);
}

export async function getPlaybook(q: Queryable, id: string) {
  const r = await q.query<PlaybookRow>("SELECT * FROM incident_playbooks WHERE id = $1", [id]);
  if (!r.rows[0]) throw notFound("playbook.not_found", "No such playbook");
  return toPlaybook(r.rows[0]);
}

export async function savePlaybook(
  q: Queryable,
  ctx: AuditContext,
  input: z.infer<typeof playbookInput>,
  id?: string,
) {
  const clash = await q.query("SELECT 1 FROM incident_playbooks WHERE key = $1 AND id <> $2", [
    input.key,
    id ?? "",
  ]);
  if (clash.rowCount) throw conflict("playbook.key_in_use", "Another playbook has this key", "key");
  const pid = id ?? ulid();
  if (id) {
    const r = await q.query(
      `UPDATE incident_playbooks SET key = $2, name = $3, description = $4, tasks = $5, active = $6,
         version = version + 1, updated_at = now() WHERE id = $1`,
      [id, input.key, input.name, input.description, JSON.stringify(input.tasks), input.active],
    );
    if (!r.rowCount) throw notFound("playbook.not_found", "No such playbook");
  } else {
    await q.query(
      "INSERT INTO incident_playbooks (id, key, name, description, tasks, active) VALUES ($1,$2,$3,$4,$5,$6)",
      [pid, input.key, input.name, input.description, JSON.stringify(input.tasks), input.active],
    );
  }
  await appendAudit(q, ctx, {
    action: id ? "playbook.updated" : "playbook.created",
    targetType: "playbook",
    targetId: pid,
    details: { key: input.key, tasks: input.tasks.length, active: input.active },
  });
  return getPlaybook(q, pid);
}

/** Creates the playbook's tasks on the incident; records which playbook was applied. */
export async function applyPlaybook(
  q: Queryable,
  ctx: AuditContext,
  notifier: Notifier,
  incidentId: string,
  playbookId: string,
): Promise<number> {
  const r = await q.query<PlaybookRow>("SELECT * FROM incident_playbooks WHERE id = $1 AND active", [
    playbookId,
  ]);
  if (!r.rows[0])
    throw unprocessable("playbook.unknown", "No such active playbook", [
      { path: "playbookId", message: "unknown playbook" },
    ]);
  const pb = toPlaybook(r.rows[0]);
  const incident = await getIncident(q, incidentId);
  if (incident.status === "closed") throw conflict("incident.closed", "A closed incident cannot be changed");
  const now = Date.now();
  for (const t of pb.tasks as z.infer<typeof playbookTask>[]) {
    await createTask(
      q,
      ctx,
      notifier,
      incidentId,
      {
        title: t.title,
        departmentRole: t.departmentRole,
        dueAt: new Date(now + t.dueHours * 3_600_000).toISOString(),
      },
      { quiet: true },
    );
  }
  await q.query("UPDATE incidents SET playbook_id = $2, updated_at = now() WHERE id = $1", [
    incidentId,
    playbookId,
  ]);
  await addTimeline(
    q,
    incidentId,
    ctx,
    "playbook",
    `Playbook "${pb.name}" applied: ${pb.tasks.length} task(s)`,
    {
      playbookId,
    },
  );
  await appendAudit(q, ctx, {
    action: "incident.playbook_applied",
    targetType: "incident",
    targetId: incidentId,
    details: { playbookId, tasks: pb.tasks.length },
  });
  return pb.tasks.length;
}
