/**
 * Blameless post-mortems: what happened, a timeline summary, contributing factors and what
 * we change, with actions (owner, due date, status) tracked to done. The model deliberately
 * has no field for fault or blame: systems and conditions are examined, not people.
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import { iso } from "./context.js";
import { addTimeline, getIncident, userExists } from "./repo.js";

const section = z.string().trim().max(20_000);

export const postmortemInput = z
  .object({
    whatHappened: section,
    timelineSummary: section,
    contributingFactors: section,
    changes: section,
    /** Completing requires every section filled in. */
    complete: z.boolean().default(false),
  })
  .strict();

export const postmortemSchema = z.object({
  incidentId: z.string(),
  whatHappened: z.string(),
  timelineSummary: z.string(),
  contributingFactors: z.string(),
  changes: z.string(),
  completedAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  actions: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      ownerUserId: z.string().nullable(),
      ownerName: z.string().nullable(),
      dueAt: z.string(),
      status: z.enum(["open", "in_progress", "done"]),
      doneAt: z.string().nullable(),
      overdue: z.boolean(),
    }),
  ),
});

export const actionInput = z
  .object({
    title: z.string().trim().min(1).max(300),
    ownerUserId: z.string().min(1).max(40),
    dueAt: z.iso.datetime({ offset: true }),
  })
  .strict();

export const actionPatch = z
  .object({
    status: z.enum(["open", "in_progress", "done"]).optional(),
    ownerUserId: z.string().min(1).max(40).optional(),
    dueAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export async function getPostmortem(q: Queryable, incidentId: string) {
  const r = await q.query<{
    what_happened: string;
    timeline_summary: string;
    contributing_factors: string;
    changes: string;
    completed_at: Date | null;
    updated_at: Date;
  }>("SELECT * FROM incident_postmortems WHERE incident_id = $1", [incidentId]);
  const p = r.rows[0];
  const a = await q.query<{
    id: string;
    title: string;
    owner_user_id: string | null;
    owner_name: string | null;
    due_at: Date;
    status: "open" | "in_progress" | "done";
    done_at: Date | null;
  }>(
    `SELECT a.*, u.display_name AS owner_name FROM incident_actions a LEFT JOIN users u ON u.id = a.owner_user_id
     WHERE a.incident_id = $1 ORDER BY a.due_at, a.id`,
    [incidentId],
  );
  const now = Date.now();
  return {
    incidentId,
    whatHappened: p?.what_happened ?? "",
    timelineSummary: p?.timeline_summary ?? "",
    contributingFactors: p?.contributing_factors ?? "",
    changes: p?.changes ?? "",
    completedAt: iso(p?.completed_at),
    updatedAt: iso(p?.updated_at),
    actions: a.rows.map((x) => ({
      id: x.id,
      title: x.title,
      ownerUserId: x.owner_user_id,
      ownerName: x.owner_name,
      dueAt: iso(x.due_at) as string,
      status: x.status,
      doneAt: iso(x.done_at),
      overdue: x.status !== "done" && new Date(x.due_at).getTime() < now,
    })),
  };
}

export async function savePostmortem(
  q: Queryable,
  ctx: AuditContext,
  incidentId: string,
  v: z.infer<typeof postmortemInput>,
) {
  const i = await getIncident(q, incidentId, true);
  if (i.status === "closed")
    throw conflict("incident.closed", "The post-mortem of a closed incident is final");
  if (v.complete) {
    const empty = (["whatHappened", "timelineSummary", "contributingFactors", "changes"] as const).filter(
      (k) => !v[k],
    );
    if (empty.length)
      throw unprocessable(
        "postmortem.incomplete",
        "Fill in every section before completing the post-mortem",
        empty.map((k) => ({ path: k, message: "required to complete" })),
      );
  }
  await q.query(
    `INSERT INTO incident_postmortems (incident_id, what_happened, timeline_summary, contributing_factors, changes,
       completed_at, updated_by, updated_at)
     VALUES ($1,$2,$3,$4,$5, CASE WHEN $6 THEN now() END, $7, now())
     ON CONFLICT (incident_id) DO UPDATE SET what_happened = $2, timeline_summary = $3, contributing_factors = $4,
       changes = $5, completed_at = CASE WHEN $6 THEN COALESCE(incident_postmortems.completed_at, now()) END,
       updated_by = $7, updated_at = now()`,
    [
      incidentId,
      v.whatHappened,
      v.timelineSummary,
      v.contributingFactors,
      v.changes,
      v.complete,
      ctx.actorId ?? null,
    ],
  );
  await addTimeline(
    q,
    incidentId,
    ctx,
    "postmortem",
    v.complete ? "Post-mortem completed" : "Post-mortem draft saved",
  );
  await appendAudit(q, ctx, {
    action: v.complete ? "incident.postmortem_completed" : "incident.postmortem_saved",
    targetType: "incident",
    targetId: incidentId,
  });
  return getPostmortem(q, incidentId);
}

export async function addAction(
  q: Queryable,
  ctx: AuditContext,
  notifier: Notifier,
  incidentId: string,
  v: z.infer<typeof actionInput>,
) {
  const i = await getIncident(q, incidentId);
  if (!(await userExists(q, v.ownerUserId)))
    throw unprocessable("incident.unknown_user", "No active user with that id", [
      { path: "ownerUserId", message: "unknown user" },
    ]);
  const id = ulid();
  await q.query(
    "INSERT INTO incident_actions (id, incident_id, title, owner_user_id, due_at) VALUES ($1,$2,$3,$4,$5)",
    [id, incidentId, v.title, v.ownerUserId, v.dueAt],
  );
  await addTimeline(q, incidentId, ctx, "action", `Post-mortem action: ${v.title}`, { actionId: id });
  await appendAudit(q, ctx, {
    action: "incident.action_created",
    targetType: "incident",
    targetId: incidentId,
    details: { actionId: id },
  });
  await notifier.notify(q, {
    kind: "incident.action",
    severity: "normal",
    title: `${i.reference}: a post-mortem action is yours: ${v.title}`,
    link: `/incidents/${incidentId}`,
    to: { userIds: [v.ownerUserId] },
  });
  return getPostmortem(q, incidentId);
}

export async function updateAction(
  q: Queryable,
  ctx: AuditContext,
  incidentId: string,
  actionId: string,
  v: z.infer<typeof actionPatch>,
) {
  if (v.ownerUserId && !(await userExists(q, v.ownerUserId)))
    throw unprocessable("incident.unknown_user", "No active user with that id", [
      { path: "ownerUserId", message: "unknown user" },
    ]);
  const r = await q.query(
    `UPDATE incident_actions SET status = COALESCE($3, status), owner_user_id = COALESCE($4, owner_user_id),
       due_at = COALESCE($5::timestamptz, due_at),
       done_at = CASE WHEN COALESCE($3, status) = 'done' THEN COALESCE(done_at, now()) ELSE NULL END
     WHERE id = $1 AND incident_id = $2`,
    [actionId, incidentId, v.status ?? null, v.ownerUserId ?? null, v.dueAt ?? null],
  );
  if (!r.rowCount) throw notFound("incident.action_not_found", "No such action on this incident");
  await addTimeline(q, incidentId, ctx, "action", `Post-mortem action ${v.status ?? "changed"}`, {
    actionId,
  });
  await appendAudit(q, ctx, {
    action: "incident.action_updated",
    targetType: "incident",
    targetId: incidentId,
    details: { actionId, status: v.status ?? null },
  });
  return getPostmortem(q, incidentId);
}
