import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError } from "../../platform/http/index.js";
import { iso } from "./context.js";

/** What other modules (incidents) may know of reports: no reporter identity, no content. */
export interface ReportSummary {
  id: string;
  reference: string;
  category: string;
  title: string;
  createdAt: string;
  anonymous: boolean;
  status: string;
}

export async function getReportSummaries(q: Queryable, ids: string[]): Promise<ReportSummary[]> {
  if (!ids.length) return [];
  const r = await q.query<{
    id: string;
    reference: string;
    category: string;
    title: string;
    created_at: Date | string;
    anonymous: boolean;
    status: string;
  }>(
    `SELECT id, reference, category, title, created_at, anonymous, status FROM reports
     WHERE id = ANY ($1::text[]) ORDER BY id`,
    [ids],
  );
  return r.rows.map((x) => ({
    id: x.id,
    reference: x.reference,
    category: x.category,
    title: x.title,
    createdAt: iso(x.created_at) as string,
    anonymous: x.anonymous,
    status: x.status,
  }));
}

/**
 * Marks reports as escalated into an incident (in the caller's transaction), with an audit
 * entry per report. Unknown ids: 404 naming them, nothing changed.
 */
export async function markEscalated(
  tx: Queryable,
  ids: string[],
  incidentId: string,
  audit: AuditContext,
): Promise<void> {
  const wanted = [...new Set(ids)];
  const found = await tx.query<{ id: string; reference: string; status: string }>(
    "SELECT id, reference, status FROM reports WHERE id = ANY ($1::text[]) ORDER BY id FOR UPDATE",
    [wanted],
  );
  const missing = wanted.filter((id) => !found.rows.some((r) => r.id === id));
  if (missing.length)
    throw new AppError(404, "report.not_found", `No such reports: ${missing.join(", ")}`, [
      { path: "reportIds", message: `unknown: ${missing.join(", ")}` },
    ]);
  await tx.query(
    `UPDATE reports SET status = 'escalated', incident_id = $2, updated_at = now(),
       acknowledged_at = COALESCE(acknowledged_at, now())
     WHERE id = ANY ($1::text[])`,
    [wanted, incidentId],
  );
  for (const r of found.rows)
    await appendAudit(tx, audit, {
      action: "report.escalated",
      targetType: "report",
      targetId: r.id,
      details: { reference: r.reference, incidentId, from: r.status },
    });
}

export interface ReportStats {
  byCategory: Record<string, number>;
  byDepartment: Record<string, number>;
  nearMissShare: number;
  total: number;
  medianAcknowledgeMinutes: number | null;
}

/** Reports received in [from, to): counts, the near-miss share and the median time to acknowledge. */
export async function reportStats(q: Queryable, range: { from: Date; to: Date }): Promise<ReportStats> {
  const params = [range.from.toISOString(), range.to.toISOString()];
  const inRange = "created_at >= $1::timestamptz AND created_at < $2::timestamptz AND NOT simulated";
  const cats = await q.query<{ k: string; n: string }>(
    `SELECT category AS k, count(*)::text AS n FROM reports WHERE ${inRange} GROUP BY category`,
    params,
  );
  const deps = await q.query<{ k: string; n: string }>(
    `SELECT CASE WHEN anonymous THEN 'Anonymous' ELSE COALESCE(reporter_department, 'Unknown') END AS k,
       count(*)::text AS n FROM reports WHERE ${inRange} GROUP BY 1`,
    params,
  );
  const ack = await q.query<{ m: number | string | null }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM acknowledged_at - created_at) / 60) AS m
     FROM reports WHERE ${inRange} AND acknowledged_at IS NOT NULL`,
    params,
  );
  const byCategory = Object.fromEntries(cats.rows.map((r) => [r.k, Number(r.n)]));
  const byDepartment = Object.fromEntries(deps.rows.map((r) => [r.k, Number(r.n)]));
  const total = Object.values(byCategory).reduce((a, b) => a + b, 0);
  const median = ack.rows[0]?.m;
  return {
    byCategory,
    byDepartment,
    nearMissShare: total ? (byCategory.near_miss ?? 0) / total : 0,
    total,
    medianAcknowledgeMinutes:
      median === null || median === undefined ? null : Math.round(Number(median) * 10) / 10,
  };
}
