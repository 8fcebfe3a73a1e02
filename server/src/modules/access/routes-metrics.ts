/**
 * Access metrics for the dashboard: how fast leavers lose their access, per system and per
 * day, whether that met the offboarding SLA, and the open reconciliation findings. Computed
 * in SQL from the plans and steps (the same definition as the revocation histogram on
 * /metrics: from the HR event to the last verified account step of the leaver plan).
 */
import { z } from "zod";
import type { Queryable } from "../../platform/db/index.js";
import { badRequest } from "../../platform/http/index.js";
import type { AccessDeps } from "./context.js";
import { ACCESS_READ } from "./policy.js";
import { FINDING_KIND_VALUES } from "./schemas.js";

const tags = ["access: metrics"];
const DAY_MS = 86_400_000;
const MAX_DAYS = 366;

const metricsQuery = z
  .object({
    /** Leavers whose HR event is at or after this moment (default: 30 days before `to`). */
    from: z.iso.datetime({ offset: true }).optional(),
    /** … and before this moment (default: now). */
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

const seconds = z.number().nullable();

const systemMetricSchema = z.object({
  systemId: z.string(),
  systemName: z.string(),
  /** Leavers whose access on the system was verified gone. */
  revoked: z.number(),
  /** Leavers with access on the system still being removed. */
  pending: z.number(),
  p50Seconds: seconds,
  p95Seconds: seconds,
  maxSeconds: seconds,
});

const slaSchema = z.object({
  slaMinutes: z.number(),
  /** Leaver plans in the range with access to revoke. */
  leavers: z.number(),
  /** Fully revoked within the SLA. */
  withinSla: z.number(),
  /** Fully revoked late, or still open past the SLA. */
  breached: z.number(),
  /** Still open and still within the SLA. */
  pending: z.number(),
  /** withinSla / (withinSla + breached); null when nothing was decided yet. */
  compliance: z.number().nullable(),
});

const daySchema = slaSchema.omit({ slaMinutes: true }).extend({
  day: z.string(),
  p50Seconds: seconds,
  p95Seconds: seconds,
});

export const accessMetricsSchema = z.object({
  from: z.string(),
  to: z.string(),
  generatedAt: z.string(),
  systems: z.array(systemMetricSchema),
  sla: slaSchema,
  daily: z.array(daySchema),
  findings: z.object({
    open: z.number(),
    byKind: z.array(z.object({ kind: z.enum(FINDING_KIND_VALUES), open: z.number() })),
  }),
});
export type AccessMetrics = z.infer<typeof accessMetricsSchema>;

/**
 * One row per leaver plan and system: the plan's account steps on that system (tasks for
 * people and cancelled steps left out), how many are still open, and when the last was verified.
 */
const PLAN_SYSTEMS = `plan_sys AS (
  SELECT p.id AS plan_id, p.hr_event_at, s.system_id,
    count(*) FILTER (WHERE s.state <> 'verified')::int AS open,
    max(s.verified_at) AS revoked_at
  FROM access_plans p JOIN access_plan_steps s ON s.plan_id = p.id
  WHERE p.reason = 'leaver' AND NOT p.dry_run AND p.hr_event_at IS NOT NULL
    AND p.hr_event_at >= $1 AND p.hr_event_at < $2
    AND s.system_id IS NOT NULL AND s.action <> 'manual_task' AND s.state <> 'cancelled'
  GROUP BY p.id, p.hr_event_at, s.system_id
)`;

/** Per leaver plan: open when any system is, revoked at the last system's revocation. */
const PLANS = `plans AS (
  SELECT plan_id, hr_event_at, sum(open)::int AS open,
    GREATEST(0, EXTRACT(EPOCH FROM max(revoked_at) - hr_event_at))::float8 AS secs,
    (hr_event_at AT TIME ZONE 'UTC')::date AS day
  FROM plan_sys GROUP BY plan_id, hr_event_at
)`;

/** The SLA counts of a set of plans ($3: the SLA in seconds). */
const SLA_COUNTS = `count(p.plan_id)::int AS leavers,
  count(*) FILTER (WHERE p.open = 0 AND p.secs <= $3)::int AS within_sla,
  count(*) FILTER (WHERE (p.open = 0 AND p.secs > $3)
                      OR (p.open > 0 AND EXTRACT(EPOCH FROM now() - p.hr_event_at) > $3))::int AS breached,
  count(*) FILTER (WHERE p.open > 0 AND EXTRACT(EPOCH FROM now() - p.hr_event_at) <= $3)::int AS pending`;

interface SlaRow {
  leavers: number;
  within_sla: number;
  breached: number;
  pending: number;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
const round = (v: number | string | null): number | null => {
  const n = num(v);
  return n === null ? null : Math.round(n * 10) / 10;
};

function toSla(r: SlaRow | undefined) {
  const within = r?.within_sla ?? 0;
  const breached = r?.breached ?? 0;
  return {
    leavers: r?.leavers ?? 0,
    withinSla: within,
    breached,
    pending: r?.pending ?? 0,
    compliance: within + breached ? within / (within + breached) : null,
  };
}

/** The range asked for, checked: `to` after `from`, at most a year apart. */
export function metricsRange(query: { from?: string; to?: string }, now = new Date()) {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
  if (from.getTime() >= to.getTime())
    throw badRequest("access.metrics_range", "The range must end after it starts", [
      { path: "querystring.to", message: "must be after from" },
    ]);
  if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS)
    throw badRequest("access.metrics_range", `The range spans at most ${MAX_DAYS} days`, [
      { path: "querystring.from", message: `at most ${MAX_DAYS} days before to` },
    ]);
  return { from, to };
}

export async function accessMetrics(
  q: Queryable,
  range: { from: Date; to: Date },
  slaMinutes: number,
): Promise<AccessMetrics> {
  const args = [range.from.toISOString(), range.to.toISOString(), slaMinutes * 60];
  const [systems, sla, daily, findings] = await Promise.all([
    q.query<{
      system_id: string;
      system_name: string;
      revoked: number;
      pending: number;
      p50: number | string | null;
      p95: number | string | null;
      max: number | string | null;
    }>(
      `WITH ${PLAN_SYSTEMS},
       timed AS (SELECT ps.*, GREATEST(0, EXTRACT(EPOCH FROM ps.revoked_at - ps.hr_event_at))::float8 AS secs
                 FROM plan_sys ps)
       SELECT t.system_id, sys.name AS system_name,
         count(*) FILTER (WHERE t.open = 0)::int AS revoked,
         count(*) FILTER (WHERE t.open > 0)::int AS pending,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY t.secs) FILTER (WHERE t.open = 0) AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY t.secs) FILTER (WHERE t.open = 0) AS p95,
         max(t.secs) FILTER (WHERE t.open = 0) AS max
       FROM timed t JOIN systems sys ON sys.id = t.system_id
       GROUP BY t.system_id, sys.name ORDER BY sys.name, t.system_id`,
      args.slice(0, 2),
    ),
    q.query<SlaRow>(`WITH ${PLAN_SYSTEMS}, ${PLANS} SELECT ${SLA_COUNTS} FROM plans p`, args),
    q.query<SlaRow & { day: string; p50: number | string | null; p95: number | string | null }>(
      `WITH ${PLAN_SYSTEMS}, ${PLANS},
       days AS (SELECT d::date AS day FROM generate_series(($1::timestamptz AT TIME ZONE 'UTC')::date,
                  (($2::timestamptz - interval '1 millisecond') AT TIME ZONE 'UTC')::date, interval '1 day') d)
       SELECT to_char(d.day, 'YYYY-MM-DD') AS day, ${SLA_COUNTS},
         percentile_cont(0.5) WITHIN GROUP (ORDER BY p.secs) FILTER (WHERE p.open = 0) AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY p.secs) FILTER (WHERE p.open = 0) AS p95
       FROM days d LEFT JOIN plans p ON p.day = d.day
       GROUP BY d.day ORDER BY d.day`,
      args,
    ),
    q.query<{ kind: (typeof FINDING_KIND_VALUES)[number]; open: number }>(
      `SELECT kind, count(*)::int AS open FROM access_findings WHERE state = 'open' GROUP BY kind`,
    ),
  ]);
  const byKind = new Map(findings.rows.map((r) => [r.kind, r.open]));
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    generatedAt: new Date().toISOString(),
    systems: systems.rows.map((r) => ({
      systemId: r.system_id,
      systemName: r.system_name,
      revoked: r.revoked,
      pending: r.pending,
      p50Seconds: round(r.p50),
      p95Seconds: round(r.p95),
      maxSeconds: round(r.max),
    })),
    sla: { slaMinutes, ...toSla(sla.rows[0]) },
    daily: daily.rows.map((r) => ({
      day: r.day,
      ...toSla(r),
      p50Seconds: round(r.p50),
      p95Seconds: round(r.p95),
    })),
    findings: {
      open: [...byKind.values()].reduce((a, b) => a + b, 0),
      byKind: FINDING_KIND_VALUES.map((kind) => ({ kind, open: byKind.get(kind) ?? 0 })),
    },
  };
}

/** GET /api/v1/access/metrics: revocation times per system, SLA compliance, open findings. */
export function metricsRoutes({ app, db, config }: Pick<AccessDeps, "app" | "db" | "config">) {
  app.get(
    "/api/v1/access/metrics",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary:
          "Time from HR event to verified revocation per system (count, p50, p95), offboarding SLA compliance, open findings, and a daily series",
        querystring: metricsQuery,
        response: { 200: accessMetricsSchema },
      },
    },
    async (req) => accessMetrics(db, metricsRange(req.query), config.TANDEM_ACCESS_OFFBOARDING_SLA_MINUTES),
  );
}
