/**
 * Phishing campaigns: a template sent to an audience over a time window. A draft is edited
 * freely; scheduling resolves the audience to one recipient row each (people who work here
 * with a usable work e-mail) and spreads their send times over the window; the sender job
 * then works through them. Every change of state is audited.
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { conflict, notFound, unprocessable } from "../../../platform/http/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { type Audience, audienceSchema, audienceWhere, checkAudience, parseAudience } from "../audience.js";
import { iso } from "../context.js";

export const CAMPAIGN_STATUSES = ["draft", "scheduled", "sending", "finished", "cancelled"] as const;
export const RECIPIENT_STATUSES = ["pending", "sending", "sent", "failed", "uncertain", "dropped"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** A usable work address, as PostgreSQL checks it when the audience is resolved. */
export const VALID_EMAIL_SQL = `(p.work_email ~ '^[^[:space:]@<>(),;:"]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$')`;

export const campaignInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    templateId: z.string().min(1).max(40),
    audience: audienceSchema,
    windowStart: z.string().datetime({ offset: true }),
    windowEnd: z.string().datetime({ offset: true }),
    followUpModuleId: z.string().min(1).max(40).nullable().default(null),
    trackDays: z.number().int().min(1).max(365).default(30),
  })
  .strict();
export type CampaignInput = z.infer<typeof campaignInput>;

const countsSchema = z.object({
  recipients: z.number(),
  pending: z.number(),
  sending: z.number(),
  sent: z.number(),
  failed: z.number(),
  uncertain: z.number(),
  dropped: z.number(),
  opened: z.number(),
  clicked: z.number(),
  submitted: z.number(),
  reported: z.number(),
});
export type CampaignCounts = z.infer<typeof countsSchema>;

export const campaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  templateId: z.string(),
  templateName: z.string(),
  audience: audienceSchema,
  windowStart: z.string(),
  windowEnd: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  followUpModuleId: z.string().nullable(),
  trackDays: z.number(),
  createdAt: z.string(),
  scheduledAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  counts: countsSchema,
});
export type CampaignView = z.infer<typeof campaignSchema>;

interface CampaignRow {
  id: string;
  name: string;
  template_id: string;
  template_name: string;
  audience: unknown;
  window_start: Date | string;
  window_end: Date | string;
  status: CampaignStatus;
  follow_up_module_id: string | null;
  track_days: number;
  created_at: Date | string;
  scheduled_at: Date | string | null;
  finished_at: Date | string | null;
  counts: CampaignCounts;
}

const COUNTS = `json_build_object(
    'recipients', count(*), 'pending', count(*) FILTER (WHERE r.status = 'pending'),
    'sending', count(*) FILTER (WHERE r.status = 'sending'), 'sent', count(*) FILTER (WHERE r.status = 'sent'),
    'failed', count(*) FILTER (WHERE r.status = 'failed'), 'uncertain', count(*) FILTER (WHERE r.status = 'uncertain'),
    'dropped', count(*) FILTER (WHERE r.status = 'dropped'), 'opened', count(r.opened_at),
    'clicked', count(r.clicked_at), 'submitted', count(r.submitted_at), 'reported', count(r.reported_at))`;

const SELECT = `SELECT c.*, t.name AS template_name,
    (SELECT ${COUNTS} FROM phishing_recipients r WHERE r.campaign_id = c.id) AS counts
  FROM phishing_campaigns c JOIN phishing_templates t ON t.id = c.template_id`;

const toView = (r: CampaignRow): CampaignView => ({
  id: r.id,
  name: r.name,
  templateId: r.template_id,
  templateName: r.template_name,
  audience: parseAudience(r.audience),
  windowStart: iso(r.window_start) as string,
  windowEnd: iso(r.window_end) as string,
  status: r.status,
  followUpModuleId: r.follow_up_module_id,
  trackDays: r.track_days,
  createdAt: iso(r.created_at) as string,
  scheduledAt: iso(r.scheduled_at),
  finishedAt: iso(r.finished_at),
  counts: Object.fromEntries(Object.entries(r.counts).map(([k, v]) => [k, Number(v)])) as CampaignCounts,
});

export async function listCampaigns(
  q: Queryable,
  f: { status?: CampaignStatus; limit: number; offset: number },
): Promise<{ items: CampaignView[]; total: number }> {
  const rows = await q.query<CampaignRow>(
    `${SELECT} WHERE ($1::text IS NULL OR c.status = $1) ORDER BY c.window_start DESC, c.id DESC LIMIT $2 OFFSET $3`,
    [f.status ?? null, f.limit, f.offset],
  );
  const total = await q.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM phishing_campaigns c WHERE ($1::text IS NULL OR c.status = $1)",
    [f.status ?? null],
  );
  return { items: rows.rows.map(toView), total: total.rows[0]?.n ?? 0 };
}

export async function getCampaign(q: Queryable, id: string): Promise<CampaignView> {
  const r = await q.query<CampaignRow>(`${SELECT} WHERE c.id = $1`, [id]);
  if (!r.rows[0]) throw notFound("awareness.phishing.campaign_not_found", "No such phishing campaign");
  return toView(r.rows[0]);
}

async function lockCampaign(q: Queryable, id: string) {
  const r = await q.query<{
    status: CampaignStatus;
    audience: unknown;
    window_start: Date;
    window_end: Date;
    name: string;
  }>(
    "SELECT status, audience, window_start, window_end, name FROM phishing_campaigns WHERE id = $1 FOR UPDATE",
    [id],
  );
  const row = r.rows[0];
  if (!row) throw notFound("awareness.phishing.campaign_not_found", "No such phishing campaign");
  return row;
}

/** Refuses what zod cannot see: the window's order, an archived or unknown template, unknown ids. */
async function checkCampaign(q: Queryable, c: CampaignInput): Promise<void> {
  if (Date.parse(c.windowEnd) <= Date.parse(c.windowStart))
    throw unprocessable("awareness.phishing.bad_window", "The window must end after it starts", [
      { path: "windowEnd", message: "must be after windowStart" },
    ]);
  const t = await q.query<{ archived: boolean }>("SELECT archived FROM phishing_templates WHERE id = $1", [
    c.templateId,
  ]);
  if (!t.rows[0] || t.rows[0].archived)
    throw unprocessable(
      "awareness.phishing.unknown_template",
      "Choose a template that exists and is not archived",
      [
        {
          path: "templateId",
          message: t.rows[0] ? "this template is archived" : `no template ${c.templateId}`,
        },
      ],
    );
  if (c.followUpModuleId) {
    const m = await q.query("SELECT 1 FROM awareness_modules WHERE id = $1 AND status <> 'retired'", [
      c.followUpModuleId,
    ]);
    if (!m.rows[0])
      throw unprocessable("awareness.phishing.unknown_module", "The follow-up training does not exist", [
        { path: "followUpModuleId", message: `no active training module ${c.followUpModuleId}` },
      ]);
  }
  await checkAudience(q, c.audience);
}

/** A campaign's columns from name to track_days, in table order (shared by insert and update). */
const campaignValues = (c: CampaignInput) => [
  c.name,
  c.templateId,
  JSON.stringify(c.audience),
  c.windowStart,
  c.windowEnd,
  c.followUpModuleId,
  c.trackDays,
];

export async function createCampaign(q: Queryable, ctx: AuditContext, c: CampaignInput): Promise<string> {
  await checkCampaign(q, c);
  const id = ulid();
  await q.query(
    `INSERT INTO phishing_campaigns (id, name, template_id, audience, window_start, window_end, follow_up_module_id,
       track_days, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
    [id, ...campaignValues(c), ctx.actorId ?? null],
  );
  await appendAudit(q, ctx, {
    action: "awareness.phishing_campaign_created",
    targetType: "phishing_campaign",
    targetId: id,
    details: { name: c.name, templateId: c.templateId, windowStart: c.windowStart, windowEnd: c.windowEnd },
  });
  return id;
}

export async function updateCampaign(
  q: Queryable,
  ctx: AuditContext,
  id: string,
  c: CampaignInput,
): Promise<void> {
  const cur = await lockCampaign(q, id);
  if (cur.status !== "draft")
    throw conflict(
      "awareness.phishing.not_draft",
      `Only a draft campaign can be edited; this one is ${cur.status}`,
    );
  await checkCampaign(q, c);
  await q.query(
    `UPDATE phishing_campaigns SET name = $2, template_id = $3, audience = $4, window_start = $5, window_end = $6,
       follow_up_module_id = $7, track_days = $8, updated_at = now() WHERE id = $1`,
    [id, ...campaignValues(c)],
  );
  await appendAudit(q, ctx, {
    action: "awareness.phishing_campaign_updated",
    targetType: "phishing_campaign",
    targetId: id,
    details: { name: c.name, templateId: c.templateId, windowStart: c.windowStart, windowEnd: c.windowEnd },
  });
}

export interface Skipped {
  personId: string;
  name: string;
  email: string;
  reason: string;
}

/**
 * Draft → scheduled: the audience becomes recipients in one statement. Each gets a send time
 * spread evenly over what remains of the window (one slot each, a random moment inside it);
 * people without a usable work e-mail are skipped and listed. Returns the earliest send time.
 */
export async function scheduleCampaign(
  q: Queryable,
  ctx: AuditContext,
  id: string,
): Promise<{ scheduled: number; skipped: Skipped[]; firstSendAt: Date | null }> {
  const cur = await lockCampaign(q, id);
  if (cur.status !== "draft")
    throw conflict(
      "awareness.phishing.not_draft",
      `Only a draft campaign can be scheduled; this one is ${cur.status}`,
    );
  const end = new Date(cur.window_end);
  if (end.getTime() <= Date.now())
    throw unprocessable("awareness.phishing.window_over", "The campaign's window has already ended", [
      { path: "windowEnd", message: "must be in the future" },
    ]);
  const audience: Audience = parseAudience(cur.audience);
  const w = audienceWhere(audience, 4);
  const r = await q.query<{
    kind: "skipped" | "scheduled";
    person_id: string;
    name: string;
    email: string;
    first: Date | null;
  }>(
    `WITH aud AS (
       SELECT p.id, coalesce(p.preferred_name, p.legal_name) AS name, p.work_email AS email, p.department_id,
         ${VALID_EMAIL_SQL} AS valid
       FROM people p WHERE ${w.sql}),
     slots AS (
       SELECT a.*, row_number() OVER (ORDER BY random()) - 1 AS slot, count(*) OVER () AS n
       FROM aud a WHERE a.valid),
     ins AS (
       INSERT INTO phishing_recipients (id, campaign_id, person_id, email, department_id, send_at)
       SELECT replace(gen_random_uuid()::text, '-', ''), $1, s.id, s.email, s.department_id,
         greatest($2::timestamptz, now()) + (s.slot + random()) / s.n * ($3::timestamptz - greatest($2::timestamptz, now()))
       FROM slots s
       RETURNING send_at)
     SELECT 'skipped' AS kind, a.id AS person_id, a.name, a.email, NULL::timestamptz AS first FROM aud a WHERE NOT a.valid
     UNION ALL
     SELECT 'scheduled', '', '', (SELECT count(*) FROM ins)::text, (SELECT min(send_at) FROM ins)`,
    [id, cur.window_start, cur.window_end, ...w.params],
  );
  const summary = r.rows.find((x) => x.kind === "scheduled");
  const scheduled = Number(summary?.email ?? 0);
  const skipped = r.rows
    .filter((x) => x.kind === "skipped")
    .map((x) => ({
      personId: x.person_id,
      name: x.name,
      email: x.email,
      reason: x.email.trim() ? "the work e-mail is not a valid address" : "no work e-mail",
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (scheduled === 0)
    throw unprocessable("awareness.phishing.empty_audience", "Nobody in the audience can receive the mail", [
      {
        path: "audience",
        message: `no one in the audience works here with a valid work e-mail (${skipped.length} skipped)`,
      },
    ]);
  await q.query(
    "UPDATE phishing_campaigns SET status = 'scheduled', scheduled_at = now(), updated_at = now() WHERE id = $1",
    [id],
  );
  await appendAudit(q, ctx, {
    action: "awareness.phishing_campaign_scheduled",
    targetType: "phishing_campaign",
    targetId: id,
    details: {
      recipients: scheduled,
      skipped: skipped.map((s) => ({ personId: s.personId, reason: s.reason })),
    },
  });
  return { scheduled, skipped, firstSendAt: summary?.first ? new Date(summary.first) : null };
}

/** Stops a campaign: recipients still waiting are dropped; messages already handed over stay as they are. */
export async function cancelCampaign(q: Queryable, ctx: AuditContext, id: string): Promise<number> {
  const cur = await lockCampaign(q, id);
  if (cur.status === "finished" || cur.status === "cancelled")
    throw conflict("awareness.phishing.not_cancellable", `The campaign is already ${cur.status}`);
  const dropped = await q.query(
    "UPDATE phishing_recipients SET status = 'dropped', last_error = 'campaign cancelled' WHERE campaign_id = $1 AND status = 'pending'",
    [id],
  );
  await q.query(
    "UPDATE phishing_campaigns SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE id = $1",
    [id],
  );
  await appendAudit(q, ctx, {
    action: "awareness.phishing_campaign_cancelled",
    targetType: "phishing_campaign",
    targetId: id,
    details: { from: cur.status, dropped: dropped.rowCount },
  });
  return dropped.rowCount;
}

/** A failed or uncertain recipient goes back to pending (sent as soon as the sender gets to it). */
export async function resendRecipient(
  q: Queryable,
  ctx: AuditContext,
  campaignId: string,
  rid: string,
): Promise<void> {
  const cur = await lockCampaign(q, campaignId);
  const r = await q.query<{ status: string }>(
    "SELECT status FROM phishing_recipients WHERE id = $1 AND campaign_id = $2 FOR UPDATE",
    [rid, campaignId],
  );
  const row = r.rows[0];
  if (!row) throw notFound("awareness.phishing.recipient_not_found", "No such recipient in this campaign");
  if (row.status !== "failed" && row.status !== "uncertain")
    throw conflict(
      "awareness.phishing.not_resendable",
      `Only a failed or uncertain message can be sent again; this one is ${row.status}`,
    );
  if (cur.status === "cancelled" || cur.status === "draft")
    throw conflict("awareness.phishing.not_resendable", `The campaign is ${cur.status}`);
  await q.query(
    "UPDATE phishing_recipients SET status = 'pending', attempts = 0, lease_until = NULL, send_at = now() WHERE id = $1",
    [rid],
  );
  if (cur.status === "finished")
    await q.query(
      "UPDATE phishing_campaigns SET status = 'sending', finished_at = NULL, updated_at = now() WHERE id = $1",
      [campaignId],
    );
  await appendAudit(q, ctx, {
    action: "awareness.phishing_recipient_resend",
    targetType: "phishing_campaign",
    targetId: campaignId,
    details: {
      recipientId: rid,
      from: row.status,
      campaignStatus: cur.status === "finished" ? "sending" : cur.status,
    },
  });
}

export const STAGES = ["opened", "clicked", "submitted", "reported"] as const;

export const recipientSchema = z.object({
  id: z.string(),
  personId: z.string(),
  name: z.string(),
  email: z.string(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  status: z.enum(RECIPIENT_STATUSES),
  attempts: z.number(),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
  openedAt: z.string().nullable(),
  clickedAt: z.string().nullable(),
  submittedAt: z.string().nullable(),
  reportedAt: z.string().nullable(),
});

export async function listRecipients(
  q: Queryable,
  campaignId: string,
  f: {
    status?: (typeof RECIPIENT_STATUSES)[number];
    stage?: (typeof STAGES)[number];
    departmentId?: string;
    q?: string;
    limit: number;
    offset: number;
  },
) {
  await getCampaign(q, campaignId);
  const stageCol = f.stage ? `${f.stage}_at` : null;
  const where = `WHERE r.campaign_id = $1 AND ($2::text IS NULL OR r.status = $2)
    AND ($3::text IS NULL OR r.department_id = $3)
    AND ($4::text IS NULL OR p.legal_name ILIKE '%' || $4 || '%' OR p.preferred_name ILIKE '%' || $4 || '%' OR r.email ILIKE '%' || $4 || '%')
    ${stageCol ? `AND r.${stageCol} IS NOT NULL` : ""}`;
  const params = [campaignId, f.status ?? null, f.departmentId ?? null, f.q ?? null];
  const from =
    "FROM phishing_recipients r JOIN people p ON p.id = r.person_id LEFT JOIN departments d ON d.id = r.department_id";
  const rows = await q.query<Record<string, unknown>>(
    `SELECT r.*, coalesce(p.preferred_name, p.legal_name) AS name, d.name AS department_name ${from} ${where}
     ORDER BY lower(coalesce(p.preferred_name, p.legal_name)), r.id LIMIT $5 OFFSET $6`,
    [...params, f.limit, f.offset],
  );
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n ${from} ${where}`, params);
  return {
    items: rows.rows.map((r) => ({
      id: r.id as string,
      personId: r.person_id as string,
      name: r.name as string,
      email: r.email as string,
      departmentId: (r.department_id as string | null) ?? null,
      departmentName: (r.department_name as string | null) ?? null,
      status: r.status as (typeof RECIPIENT_STATUSES)[number],
      attempts: Number(r.attempts),
      lastError: (r.last_error as string | null) ?? null,
      sentAt: iso(r.sent_at as Date | null),
      openedAt: iso(r.opened_at as Date | null),
      clickedAt: iso(r.clicked_at as Date | null),
      submittedAt: iso(r.submitted_at as Date | null),
      reportedAt: iso(r.reported_at as Date | null),
    })),
    total: total.rows[0]?.n ?? 0,
  };
}
