/**
 * Results: what was tracked per campaign and why it counted or not, Security's overrides,
 * rates per department and per month, and the people who clicked repeatedly (a list for HR
 * to decide on; nothing here opens an HR case).
 */
import { z } from "zod";
import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import { notFound } from "../../../platform/http/index.js";
import { iso } from "../context.js";
import { FILTER_REASONS } from "./filters.js";
import { afterFirstClick, recomputeStages, type Target } from "./tracking.js";

const KINDS = ["open", "click", "confirm", "submit", "report"] as const;
const rate = (n: number, of: number) => (of ? Math.round((n * 1000) / of) / 10 : null);

export const interactionQuery = z
  .object({
    counted: z.enum(["true", "false"]).optional(),
    kind: z.enum(KINDS).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

const overrideSchema = z.object({
  counted: z.boolean(),
  reason: z.string(),
  by: z.string().nullable(),
  at: z.string(),
});
export const interactionSchema = z.object({
  id: z.string(),
  recipientId: z.string(),
  personName: z.string().nullable(),
  kind: z.enum(KINDS),
  at: z.string(),
  counted: z.boolean().describe("Whether it counts now (an override wins over the automatic decision)"),
  filterReason: z
    .string()
    .nullable()
    .describe(`Why it was not counted: ${FILTER_REASONS.join(", ")}`),
  shape: z.record(z.string(), z.unknown()),
  override: overrideSchema.nullable(),
});
export type InteractionView = z.infer<typeof interactionSchema>;

interface InteractionRow {
  id: string;
  recipient_id: string;
  person_name: string | null;
  kind: (typeof KINDS)[number];
  at: Date;
  counted: boolean;
  filter_reason: string | null;
  shape: Record<string, unknown>;
  override_counted: boolean | null;
  override_reason: string | null;
  override_by: string | null;
  override_at: Date | null;
}

const COLUMNS = `i.id, i.recipient_id, COALESCE(p.preferred_name, p.legal_name) AS person_name, i.kind, i.at,
  i.counted, i.filter_reason, i.shape, i.override_counted, i.override_reason, i.override_by, i.override_at`;
const FROM = `phishing_interactions i JOIN phishing_recipients r ON r.id = i.recipient_id
  LEFT JOIN people p ON p.id = r.person_id`;

const view = (r: InteractionRow): InteractionView => ({
  id: r.id,
  recipientId: r.recipient_id,
  personName: r.person_name,
  kind: r.kind,
  at: iso(r.at) as string,
  counted: r.override_counted ?? r.counted,
  filterReason: r.filter_reason,
  shape: r.shape,
  override:
    r.override_counted === null
      ? null
      : {
          counted: r.override_counted,
          reason: r.override_reason ?? "",
          by: r.override_by,
          at: iso(r.override_at) as string,
        },
});

export async function listInteractions(
  q: Queryable,
  campaignId: string,
  f: z.infer<typeof interactionQuery>,
): Promise<{ items: InteractionView[]; total: number; filtered: Record<string, number> }> {
  const c = await q.query("SELECT 1 FROM phishing_campaigns WHERE id = $1", [campaignId]);
  if (!c.rowCount) throw notFound("awareness.phishing.campaign_not_found", "No such campaign");
  const where = `r.campaign_id = $1 AND ($2::boolean IS NULL OR COALESCE(i.override_counted, i.counted) = $2)
    AND ($3::text IS NULL OR i.kind = $3)`;
  const args = [campaignId, f.counted === undefined ? null : f.counted === "true", f.kind ?? null];
  const rows = await q.query<InteractionRow>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE ${where} ORDER BY i.at DESC, i.id DESC LIMIT $4 OFFSET $5`,
    [...args, f.limit, f.offset],
  );
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${FROM} WHERE ${where}`, args);
  const reasons = await q.query<{ filter_reason: string; n: number }>(
    `SELECT i.filter_reason, count(*)::int AS n FROM ${FROM}
     WHERE r.campaign_id = $1 AND NOT COALESCE(i.override_counted, i.counted) AND i.filter_reason IS NOT NULL
     GROUP BY i.filter_reason ORDER BY i.filter_reason`,
    [campaignId],
  );
  return {
    items: rows.rows.map(view),
    total: total.rows[0]?.n ?? 0,
    filtered: Object.fromEntries(reasons.rows.map((r) => [r.filter_reason, r.n])),
  };
}

export const overrideInput = z
  .object({
    counted: z.boolean(),
    reason: z.string().trim().min(3, "say why, in at least 3 characters").max(500),
  })
  .strict();

/**
 * Security overrides how one interaction was counted, with a reason (audited). The
 * recipient's stage times are recomputed from what counts now; a click that newly counts
 * assigns the follow-up training like any first click.
 */
export async function overrideInteraction(
  q: Queryable,
  events: Events,
  ctx: AuditContext & { actorId?: string | null },
  id: string,
  input: z.infer<typeof overrideInput>,
): Promise<InteractionView> {
  const row = (
    await q.query<
      InteractionRow & {
        campaign_id: string;
        person_id: string;
        follow_up_module_id: string | null;
        clicked_at: Date | null;
      }
    >(
      `SELECT ${COLUMNS}, r.campaign_id, r.person_id, r.clicked_at, c.follow_up_module_id
       FROM ${FROM} JOIN phishing_campaigns c ON c.id = r.campaign_id WHERE i.id = $1 FOR UPDATE OF r`,
      [id],
    )
  ).rows[0];
  if (!row) throw notFound("awareness.phishing.interaction_not_found", "No such interaction");
  await q.query(
    `UPDATE phishing_interactions SET override_counted = $2, override_reason = $3, override_by = $4, override_at = now()
     WHERE id = $1`,
    [id, input.counted, input.reason, ctx.actorLabel ?? ctx.actorId ?? null],
  );
  await recomputeStages(q, row.recipient_id);
  const after = (
    await q.query<{ clicked_at: Date | null }>("SELECT clicked_at FROM phishing_recipients WHERE id = $1", [
      row.recipient_id,
    ])
  ).rows[0];
  if (!row.clicked_at && after?.clicked_at) {
    await afterFirstClick(
      q,
      events,
      {
        recipient_id: row.recipient_id,
        person_id: row.person_id,
        campaign_id: row.campaign_id,
        follow_up_module_id: row.follow_up_module_id,
      } as Target,
      "override",
    );
  }
  await appendAudit(q, ctx, {
    action: "phishing.interaction_overridden",
    targetType: "phishing_interaction",
    targetId: id,
    details: {
      recipientId: row.recipient_id,
      campaignId: row.campaign_id,
      kind: row.kind,
      from: row.override_counted ?? row.counted,
      to: input.counted,
      filterReason: row.filter_reason,
      reason: input.reason,
    },
  });
  const updated = await q.query<InteractionRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE i.id = $1`, [id]);
  return view(updated.rows[0] as InteractionRow);
}

export const resultsQuery = z
  .object({
    from: z.iso.date().optional().describe("Campaigns whose window starts on or after this day"),
    to: z.iso.date().optional().describe("… and on or before this day"),
    departmentId: z.string().min(1).max(40).optional(),
    campaignId: z.string().min(1).max(40).optional().describe("One campaign's figures only"),
  })
  .strict();

const funnel = {
  recipients: z.number().int(),
  sent: z.number().int(),
  opened: z.number().int(),
  clicked: z.number().int(),
  submitted: z.number().int(),
  reported: z.number().int(),
  clickRate: z.number().nullable().describe("Percent of sent mails clicked"),
  reportRate: z.number().nullable().describe("Percent of sent mails reported"),
};
export const resultsSchema = z.object({
  byDepartment: z.array(
    z.object({ departmentId: z.string().nullable(), departmentName: z.string().nullable(), ...funnel }),
  ),
  overTime: z.array(
    z.object({
      period: z.string().describe("YYYY-MM (UTC) of sending"),
      sent: z.number().int(),
      clicked: z.number().int(),
      reported: z.number().int(),
      clickRate: z.number().nullable(),
      reportRate: z.number().nullable(),
    }),
  ),
  campaigns: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      windowStart: z.string(),
      sent: z.number().int(),
      clickRate: z.number().nullable(),
      reportRate: z.number().nullable(),
    }),
  ),
});

interface Counts {
  recipients: number;
  sent: number;
  opened: number;
  clicked: number;
  submitted: number;
  reported: number;
}
const COUNTS = `count(*) FILTER (WHERE r.status <> 'dropped')::int AS recipients,
  count(r.sent_at)::int AS sent, count(r.opened_at)::int AS opened, count(r.clicked_at)::int AS clicked,
  count(r.submitted_at)::int AS submitted, count(r.reported_at)::int AS reported`;

export async function results(
  q: Queryable,
  f: z.infer<typeof resultsQuery>,
): Promise<z.infer<typeof resultsSchema>> {
  const where = `c.status <> 'draft' AND ($1::date IS NULL OR c.window_start >= $1::date)
    AND ($2::date IS NULL OR c.window_start < $2::date + 1) AND ($3::text IS NULL OR r.department_id = $3)
    AND ($4::text IS NULL OR c.id = $4)`;
  const args = [f.from ?? null, f.to ?? null, f.departmentId ?? null, f.campaignId ?? null];
  const from = "phishing_recipients r JOIN phishing_campaigns c ON c.id = r.campaign_id";
  const byDept = await q.query<Counts & { department_id: string | null; department_name: string | null }>(
    `SELECT r.department_id, d.name AS department_name, ${COUNTS}
     FROM ${from} LEFT JOIN departments d ON d.id = r.department_id
     WHERE ${where} GROUP BY r.department_id, d.name ORDER BY d.name NULLS LAST`,
    args,
  );
  const months = await q.query<{ period: string; sent: number; clicked: number; reported: number }>(
    `SELECT to_char(r.sent_at AT TIME ZONE 'UTC', 'YYYY-MM') AS period, count(*)::int AS sent,
       count(r.clicked_at)::int AS clicked, count(r.reported_at)::int AS reported
     FROM ${from} WHERE ${where} AND r.sent_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
    args,
  );
  const campaigns = await q.query<{
    id: string;
    name: string;
    window_start: Date;
    sent: number;
    clicked: number;
    reported: number;
  }>(
    `SELECT c.id, c.name, c.window_start, count(r.sent_at)::int AS sent, count(r.clicked_at)::int AS clicked,
       count(r.reported_at)::int AS reported
     FROM ${from} WHERE ${where} GROUP BY c.id, c.name, c.window_start ORDER BY c.window_start DESC, c.id`,
    args,
  );
  return {
    byDepartment: byDept.rows.map((r) => ({
      departmentId: r.department_id,
      departmentName: r.department_name,
      recipients: r.recipients,
      sent: r.sent,
      opened: r.opened,
      clicked: r.clicked,
      submitted: r.submitted,
      reported: r.reported,
      clickRate: rate(r.clicked, r.sent),
      reportRate: rate(r.reported, r.sent),
    })),
    overTime: months.rows.map((m) => ({
      period: m.period,
      sent: m.sent,
      clicked: m.clicked,
      reported: m.reported,
      clickRate: rate(m.clicked, m.sent),
      reportRate: rate(m.reported, m.sent),
    })),
    campaigns: campaigns.rows.map((c) => ({
      id: c.id,
      name: c.name,
      windowStart: iso(c.window_start) as string,
      sent: c.sent,
      clickRate: rate(c.clicked, c.sent),
      reportRate: rate(c.reported, c.sent),
    })),
  };
}

export const repeatQuery = z
  .object({
    minClicks: z.coerce.number().int().min(1).max(100).default(2),
    months: z.coerce.number().int().min(1).max(60).default(12),
  })
  .strict();

export const repeatSchema = z.object({
  items: z.array(
    z.object({
      personId: z.string(),
      name: z.string().nullable(),
      departmentName: z.string().nullable(),
      clicks: z.number().int(),
      lastClickAt: z.string(),
      openFollowUp: z.boolean().describe("Follow-up training after a simulation is still open"),
    }),
  ),
});

/** People with at least minClicks counted clicks in the last months (for HR to decide on). */
export async function repeatClickers(
  q: Queryable,
  f: z.infer<typeof repeatQuery>,
): Promise<z.infer<typeof repeatSchema>> {
  const r = await q.query<{
    person_id: string;
    name: string | null;
    department_name: string | null;
    clicks: number;
    last_click_at: Date;
    open_follow_up: boolean;
  }>(
    `SELECT x.person_id, COALESCE(p.preferred_name, p.legal_name) AS name, d.name AS department_name,
       x.clicks, x.last_click_at,
       EXISTS (SELECT 1 FROM awareness_assignments a WHERE a.person_id = x.person_id AND a.status = 'open'
         AND (a.source LIKE 'phishing:%' OR a.cycle LIKE 'follow\\_up:phishing:%')) AS open_follow_up
     FROM (
       SELECT person_id, count(*)::int AS clicks, max(clicked_at) AS last_click_at FROM phishing_recipients
       WHERE clicked_at > now() - make_interval(months => $2) GROUP BY person_id HAVING count(*) >= $1
     ) x
     LEFT JOIN people p ON p.id = x.person_id LEFT JOIN departments d ON d.id = p.department_id
     ORDER BY x.clicks DESC, x.last_click_at DESC LIMIT 1000`,
    [f.minClicks, f.months],
  );
  return {
    items: r.rows.map((x) => ({
      personId: x.person_id,
      name: x.name,
      departmentName: x.department_name,
      clicks: x.clicks,
      lastClickAt: iso(x.last_click_at) as string,
      openFollowUp: x.open_follow_up,
    })),
  };
}
