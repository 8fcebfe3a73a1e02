import { z } from "zod";
import type { AuditContext } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { decodeCursor, encodeCursor, notFound } from "../../platform/http/index.js";
import { iso } from "./context.js";
import type { IncidentView, Severity, Status } from "./schemas.js";

export interface IncidentRow {
  id: string;
  reference: string;
  title: string;
  summary: string;
  severity: Severity;
  status: Status;
  owner_user_id: string | null;
  owner_name: string | null;
  people_involved: boolean;
  personal_data_breach: boolean;
  aware_at: Date | null;
  playbook_id: string | null;
  merged_into: string | null;
  created_at: Date;
  acknowledged_at: Date | null;
  contained_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  open_tasks: number;
  version: number;
}

const SELECT = `SELECT i.*, u.display_name AS owner_name,
  (SELECT count(*)::int FROM incident_tasks t WHERE t.incident_id = i.id AND t.status = 'open') AS open_tasks
  FROM incidents i LEFT JOIN users u ON u.id = i.owner_user_id`;

export function toIncident(r: IncidentRow): IncidentView {
  return {
    id: r.id,
    reference: r.reference,
    title: r.title,
    summary: r.summary,
    severity: r.severity,
    status: r.status,
    ownerUserId: r.owner_user_id,
    ownerName: r.owner_name,
    peopleInvolved: r.people_involved,
    personalDataBreach: r.personal_data_breach,
    awareAt: iso(r.aware_at),
    playbookId: r.playbook_id,
    mergedInto: r.merged_into,
    createdAt: iso(r.created_at) as string,
    acknowledgedAt: iso(r.acknowledged_at),
    containedAt: iso(r.contained_at),
    resolvedAt: iso(r.resolved_at),
    closedAt: iso(r.closed_at),
    openTasks: r.open_tasks,
    version: r.version,
  };
}

export async function findIncident(q: Queryable, id: string, lock = false): Promise<IncidentRow | null> {
  if (lock) await q.query("SELECT id FROM incidents WHERE id = $1 FOR UPDATE", [id]);
  const r = await q.query<IncidentRow>(`${SELECT} WHERE i.id = $1`, [id]);
  return r.rows[0] ?? null;
}

export async function getIncident(q: Queryable, id: string, lock = false): Promise<IncidentRow> {
  const row = await findIncident(q, id, lock);
  if (!row) throw notFound("incident.not_found", "No such incident");
  return row;
}

export async function listIncidents(
  q: Queryable,
  f: { q?: string; status?: Status | "active"; severity?: Severity; limit: number; cursor?: string },
) {
  const after = decodeCursor(f.cursor, z.object({ at: z.string(), id: z.string() }));
  const r = await q.query<IncidentRow>(
    `${SELECT}
     WHERE ($1::text IS NULL OR i.title ILIKE '%' || $1 || '%' OR i.reference ILIKE '%' || $1 || '%')
       AND ($2::text IS NULL OR ($2 = 'active' AND i.status <> 'closed') OR i.status = $2)
       AND ($3::text IS NULL OR i.severity = $3)
       AND ($4::timestamptz IS NULL OR (i.created_at, i.id) < ($4::timestamptz, $5))
     ORDER BY i.created_at DESC, i.id DESC LIMIT $6`,
    [f.q ?? null, f.status ?? null, f.severity ?? null, after?.at ?? null, after?.id ?? "", f.limit + 1],
  );
  const more = r.rows.length > f.limit;
  const rows = r.rows.slice(0, f.limit);
  const last = rows[rows.length - 1];
  return {
    items: rows.map(toIncident),
    nextCursor: more && last ? encodeCursor({ at: iso(last.created_at) as string, id: last.id }) : null,
  };
}

/** Appends to the incident's timeline: every change, message and decision, in order. */
export async function addTimeline(
  q: Queryable,
  incidentId: string,
  ctx: AuditContext,
  kind: string,
  text: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  await q.query(
    `INSERT INTO incident_timeline (incident_id, actor_id, actor_label, kind, text, data)
     VALUES ($1,$2,$3,$4,$5,$6)`,
    [incidentId, ctx.actorId ?? null, ctx.actorLabel ?? null, kind, text, JSON.stringify(data)],
  );
}

export async function listTimeline(q: Queryable, incidentId: string) {
  const r = await q.query<{
    seq: string;
    at: Date;
    actor_id: string | null;
    actor_label: string | null;
    kind: string;
    text: string;
    data: Record<string, unknown> | string;
  }>("SELECT * FROM incident_timeline WHERE incident_id = $1 ORDER BY seq", [incidentId]);
  return r.rows.map((t) => ({
    seq: Number(t.seq),
    at: iso(t.at) as string,
    actorId: t.actor_id,
    actorLabel: t.actor_label,
    kind: t.kind,
    text: t.text,
    data: typeof t.data === "string" ? JSON.parse(t.data) : t.data,
  }));
}

export async function nextReference(q: Queryable, sequence: string, prefix: string): Promise<string> {
  const r = await q.query<{ n: string }>(`SELECT nextval('${sequence}')::text AS n`);
  return `${prefix}-${String(r.rows[0]?.n ?? "0").padStart(4, "0")}`;
}

/** Users holding one of the roles (for alerts), or a user's existence (for owners/assignees). */
export async function userExists(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query("SELECT 1 FROM users WHERE id = $1 AND NOT disabled", [id]);
  return r.rowCount > 0;
}
