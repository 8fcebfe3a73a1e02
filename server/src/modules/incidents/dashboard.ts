/** Metrics for the incidents dashboard: response times, volumes, deadlines met, and reports. */
import { z } from "zod";
import type { Queryable } from "../../platform/db/index.js";
import type { ReportsPort } from "./reports-port.js";

export const dashboardQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

const count = z.object({ key: z.string(), count: z.number() });

export const dashboardSchema = z.object({
  from: z.string(),
  to: z.string(),
  incidents: z.object({
    total: z.number(),
    open: z.number(),
    bySeverity: z.array(count),
    byStatus: z.array(count),
    byMonth: z.array(count),
    medianMinutes: z.object({
      acknowledge: z.number().nullable(),
      contain: z.number().nullable(),
      close: z.number().nullable(),
    }),
  }),
  deadlines: z.object({ met: z.number(), missed: z.number(), running: z.number(), notRequired: z.number() }),
  actions: z.object({ open: z.number(), overdue: z.number(), done: z.number() }),
  reports: z.object({
    total: z.number(),
    nearMissShare: z.number(),
    medianAcknowledgeMinutes: z.number().nullable(),
    byCategory: z.array(count),
    byDepartment: z.array(count),
  }),
});

const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

export async function dashboard(q: Queryable, reports: ReportsPort, f: z.infer<typeof dashboardQuery>) {
  const to = f.to ? new Date(f.to) : new Date();
  const from = f.from ? new Date(f.from) : new Date(to.getTime() - 90 * 86_400_000);
  const range = [from, to];
  const where = "created_at >= $1 AND created_at < $2 AND merged_into IS NULL";
  const group = async (col: string) =>
    (
      await q.query<{ key: string; count: number }>(
        `SELECT ${col} AS key, count(*)::int AS count FROM incidents WHERE ${where} GROUP BY 1 ORDER BY 1`,
        range,
      )
    ).rows;
  const totals = await q.query<{
    total: number;
    open: number;
    ack: string | null;
    contain: string | null;
    close: string | null;
  }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE status <> 'closed')::int AS open,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - created_at) / 60) AS ack,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM contained_at - created_at) / 60) AS contain,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at) / 60) AS close
     FROM incidents WHERE ${where}`,
    range,
  );
  const clocks = await q.query<{ met: number; missed: number; running: number; not_required: number }>(
    `SELECT count(*) FILTER (WHERE state = 'notified' AND notified_at <= due_at)::int AS met,
       count(*) FILTER (WHERE (state = 'notified' AND notified_at > due_at) OR (state = 'running' AND due_at < now()))::int AS missed,
       count(*) FILTER (WHERE state = 'running' AND due_at >= now())::int AS running,
       count(*) FILTER (WHERE state = 'not_required')::int AS not_required
     FROM incident_clocks WHERE aware_at >= $1 AND aware_at < $2`,
    range,
  );
  const actions = await q.query<{ open: number; overdue: number; done: number }>(
    `SELECT count(*) FILTER (WHERE status <> 'done')::int AS open,
       count(*) FILTER (WHERE status <> 'done' AND due_at < now())::int AS overdue,
       count(*) FILTER (WHERE status = 'done')::int AS done
     FROM incident_actions WHERE created_at >= $1 AND created_at < $2`,
    range,
  );
  const r = await reports.stats(q, { from, to });
  const t = totals.rows[0];
  const c = clocks.rows[0];
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    incidents: {
      total: t?.total ?? 0,
      open: t?.open ?? 0,
      bySeverity: await group("severity"),
      byStatus: await group("status"),
      byMonth: await group("to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM')"),
      medianMinutes: { acknowledge: num(t?.ack), contain: num(t?.contain), close: num(t?.close) },
    },
    deadlines: {
      met: c?.met ?? 0,
      missed: c?.missed ?? 0,
      running: c?.running ?? 0,
      notRequired: c?.not_required ?? 0,
    },
    actions: actions.rows[0] ?? { open: 0, overdue: 0, done: 0 },
    reports: {
      total: r.total,
      nearMissShare: r.nearMissShare,
      medianAcknowledgeMinutes: r.medianAcknowledgeMinutes,
      byCategory: r.byCategory.map((x) => ({ key: x.category, count: x.count })),
      byDepartment: r.byDepartment.map((x) => ({ key: x.department, count: x.count })),
    },
  };
}
