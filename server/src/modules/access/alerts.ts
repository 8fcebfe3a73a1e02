/** Alerts for people who must act at once: a high-risk leaver tells Security and Legal. */

import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { iso } from "./context.js";

export interface AlertInput {
  kind: string;
  personId: string | null;
  audience: string[];
  title: string;
  detail: string | null;
  /** The cause: a second delivery of the same cause raises nothing new. */
  sourceKey: string;
}

interface AlertRow {
  id: string;
  kind: string;
  person_id: string | null;
  audience: string[];
  title: string;
  detail: string | null;
  created_at: Date | string;
  acknowledged_by: string | null;
  acknowledged_at: Date | string | null;
}

const toAlert = (r: AlertRow) => ({
  id: r.id,
  kind: r.kind,
  personId: r.person_id,
  audience: r.audience,
  title: r.title,
  detail: r.detail,
  createdAt: iso(r.created_at) as string,
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: iso(r.acknowledged_at),
});

/** Records the alert and audits it as access.high_risk_alert; returns null when it was raised already. */
export async function raiseAlert(q: Queryable, ctx: AuditContext, a: AlertInput): Promise<string | null> {
  const id = ulid();
  const r = await q.query(
    `INSERT INTO access_alerts (id, kind, person_id, audience, title, detail, source_key)
     VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (source_key) WHERE source_key IS NOT NULL DO NOTHING`,
    [id, a.kind, a.personId, a.audience, a.title, a.detail, a.sourceKey],
  );
  if (!r.rowCount) return null;
  await appendAudit(q, ctx, {
    action: "access.high_risk_alert",
    targetType: "person",
    targetId: a.personId,
    details: { alertId: id, kind: a.kind, audience: a.audience },
  });
  return id;
}

export async function listAlerts(q: Queryable, f: { open?: boolean; limit: number }) {
  const r = await q.query<AlertRow>(
    `SELECT * FROM access_alerts WHERE ($1::boolean IS NULL OR (acknowledged_at IS NULL) = $1)
     ORDER BY created_at DESC, id DESC LIMIT $2`,
    [f.open ?? null, f.limit],
  );
  return r.rows.map(toAlert);
}

export async function acknowledgeAlert(q: Queryable, ctx: AuditContext, id: string) {
  const r = await q.query<AlertRow>("SELECT * FROM access_alerts WHERE id = $1 FOR UPDATE", [id]);
  const row = r.rows[0];
  if (!row) throw notFound("access.alert_not_found", "No such alert");
  if (row.acknowledged_at)
    throw new AppError(409, "access.alert_acknowledged", "The alert was acknowledged already");
  const done = await q.query<AlertRow>(
    "UPDATE access_alerts SET acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 RETURNING *",
    [id, ctx.actorLabel ?? ctx.actorId ?? "unknown"],
  );
  await appendAudit(q, ctx, {
    action: "access.alert_acknowledged",
    targetType: "person",
    targetId: row.person_id,
    details: { alertId: id },
  });
  return toAlert(done.rows[0] as AlertRow);
}
