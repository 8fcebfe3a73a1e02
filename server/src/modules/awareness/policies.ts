/**
 * Policies: Markdown documents in versions. A version is a draft until published; publishing
 * makes it current and asks everyone in the audience to acknowledge it (earlier versions'
 * open requests are closed as superseded, their acknowledgements stay as history).
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { conflict, notFound } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { assignMany, closeOpen } from "./assign.js";
import { type Audience, audiencePeople, audienceSchema, checkAudience, parseAudience } from "./audience.js";
import { addDays, dateOnly, iso } from "./context.js";
import { renderMarkdown } from "./markdown.js";

export const POLICY_STATUSES = ["draft", "published", "retired"] as const;
const body = z.string().trim().min(1).max(200_000);

export const policyInput = z
  .object({
    title: z.string().trim().min(1).max(200),
    owner: z.string().trim().min(1).max(200),
    reviewDue: z.iso.date(),
    audience: audienceSchema,
    ackDueDays: z.number().int().min(1).max(365).default(14),
    body,
    changeNote: z.string().trim().max(2000).default(""),
  })
  .strict();
export type PolicyInput = z.infer<typeof policyInput>;

export const policyPatch = policyInput.omit({ body: true, changeNote: true }).partial().strict();
export const draftInput = z.object({ body, changeNote: z.string().trim().max(2000).default("") }).strict();

const versionSchema = z.object({
  version: z.number(),
  changeNote: z.string(),
  publishedAt: z.string().nullable(),
  publishedBy: z.string().nullable(),
  createdAt: z.string(),
});

export const policySummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  owner: z.string(),
  reviewDue: z.string(),
  reviewOverdue: z.boolean(),
  status: z.enum(POLICY_STATUSES),
  currentVersion: z.number().nullable(),
  draftVersion: z.number().nullable(),
  audience: audienceSchema,
  ackDueDays: z.number(),
  /** Of the current version: people asked, who acknowledged, and who is past the due date. */
  asked: z.number(),
  acknowledged: z.number(),
  overdue: z.number(),
  updatedAt: z.string(),
});
export const policySchema = policySummarySchema.extend({ versions: z.array(versionSchema) });
export const versionBodySchema = versionSchema.extend({
  policyId: z.string(),
  title: z.string(),
  bodyMd: z.string(),
  bodyHtml: z.string(),
});
export type PolicyView = z.infer<typeof policySchema>;

interface PolicyRow {
  id: string;
  title: string;
  owner: string;
  review_due: string | Date;
  status: (typeof POLICY_STATUSES)[number];
  current_version: number | null;
  draft_version: number | null;
  audience: unknown;
  ack_due_days: number;
  asked: string | number;
  acknowledged: string | number;
  overdue: string | number;
  updated_at: Date | string;
}

const SELECT = `SELECT p.id, p.title, p.owner, p.review_due::text AS review_due, p.status, p.current_version,
  p.audience, p.ack_due_days, p.updated_at,
  (SELECT max(v.version) FROM awareness_policy_versions v WHERE v.policy_id = p.id AND v.published_at IS NULL) AS draft_version,
  (SELECT count(*) FROM awareness_assignments a WHERE a.item_type = 'policy' AND a.item_id = p.id
     AND a.cycle = 'v' || p.current_version AND a.status <> 'closed') AS asked,
  (SELECT count(*) FROM awareness_assignments a WHERE a.item_type = 'policy' AND a.item_id = p.id
     AND a.cycle = 'v' || p.current_version AND a.status = 'done') AS acknowledged,
  (SELECT count(*) FROM awareness_assignments a WHERE a.item_type = 'policy' AND a.item_id = p.id
     AND a.status = 'open' AND a.due_at < now()) AS overdue
  FROM awareness_policies p`;

const toSummary = (r: PolicyRow) => {
  const reviewDue = dateOnly(r.review_due) as string;
  return {
    id: r.id,
    title: r.title,
    owner: r.owner,
    reviewDue,
    reviewOverdue: r.status !== "retired" && reviewDue < new Date().toISOString().slice(0, 10),
    status: r.status,
    currentVersion: r.current_version,
    draftVersion: r.draft_version,
    audience: parseAudience(r.audience),
    ackDueDays: r.ack_due_days,
    asked: Number(r.asked),
    acknowledged: Number(r.acknowledged),
    overdue: Number(r.overdue),
    updatedAt: iso(r.updated_at) as string,
  };
};

export async function listPolicies(
  q: Queryable,
  f: { q?: string; status?: string; reviewOverdue?: boolean; limit: number; offset: number },
) {
  const where = `WHERE ($1::text IS NULL OR p.title ILIKE '%' || $1 || '%' OR p.owner ILIKE '%' || $1 || '%')
    AND ($2::text IS NULL OR p.status = $2)
    AND (NOT $3::boolean OR (p.status <> 'retired' AND p.review_due < current_date))`;
  const params = [f.q ?? null, f.status ?? null, f.reviewOverdue ?? false];
  const [rows, total] = await Promise.all([
    q.query<PolicyRow>(`${SELECT} ${where} ORDER BY p.title, p.id LIMIT $4 OFFSET $5`, [
      ...params,
      f.limit,
      f.offset,
    ]),
    q.query<{ n: string }>(`SELECT count(*) AS n FROM awareness_policies p ${where}`, params),
  ]);
  return { items: rows.rows.map(toSummary), total: Number(total.rows[0]?.n ?? 0) };
}

export async function getPolicy(q: Queryable, id: string): Promise<PolicyView> {
  const r = await q.query<PolicyRow>(`${SELECT} WHERE p.id = $1`, [id]);
  const row = r.rows[0];
  if (!row) throw notFound("awareness.policy_not_found", "No such policy");
  const v = await q.query<{
    version: number;
    change_note: string;
    published_at: Date | null;
    published_by: string | null;
    created_at: Date;
  }>(
    "SELECT version, change_note, published_at, published_by, created_at FROM awareness_policy_versions WHERE policy_id = $1 ORDER BY version DESC",
    [id],
  );
  return {
    ...toSummary(row),
    versions: v.rows.map((x) => ({
      version: x.version,
      changeNote: x.change_note,
      publishedAt: iso(x.published_at),
      publishedBy: x.published_by,
      createdAt: iso(x.created_at) as string,
    })),
  };
}

export async function getVersion(q: Queryable, policyId: string, version: number) {
  const r = await q.query<{
    title: string;
    version: number;
    body_md: string;
    change_note: string;
    published_at: Date | null;
    published_by: string | null;
    created_at: Date;
  }>(
    `SELECT p.title, v.version, v.body_md, v.change_note, v.published_at, v.published_by, v.created_at
     FROM awareness_policy_versions v JOIN awareness_policies p ON p.id = v.policy_id
     WHERE v.policy_id = $1 AND v.version = $2`,
    [policyId, version],
  );
  const x = r.rows[0];
  if (!x) throw notFound("awareness.version_not_found", "No such policy version");
  return {
    policyId,
    title: x.title,
    version: x.version,
    changeNote: x.change_note,
    publishedAt: iso(x.published_at),
    publishedBy: x.published_by,
    createdAt: iso(x.created_at) as string,
    bodyMd: x.body_md,
    bodyHtml: renderMarkdown(x.body_md),
  };
}

async function lockPolicy(q: Queryable, id: string) {
  const r = await q.query<{
    status: string;
    current_version: number | null;
    audience: unknown;
    ack_due_days: number;
  }>(
    "SELECT status, current_version, audience, ack_due_days FROM awareness_policies WHERE id = $1 FOR UPDATE",
    [id],
  );
  if (!r.rows[0]) throw notFound("awareness.policy_not_found", "No such policy");
  return r.rows[0];
}

export async function createPolicy(
  q: Queryable,
  ctx: AuditContext,
  input: PolicyInput,
  starterKey: string | null = null,
): Promise<string> {
  await checkAudience(q, input.audience);
  const id = ulid();
  await q.query(
    `INSERT INTO awareness_policies (id, starter_key, title, owner, review_due, audience, ack_due_days)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      id,
      starterKey,
      input.title,
      input.owner,
      input.reviewDue,
      JSON.stringify(input.audience),
      input.ackDueDays,
    ],
  );
  await q.query(
    "INSERT INTO awareness_policy_versions (policy_id, version, body_md, change_note) VALUES ($1, 1, $2, $3)",
    [id, input.body, input.changeNote],
  );
  await appendAudit(q, ctx, {
    action: "awareness.policy_created",
    targetType: "awareness_policy",
    targetId: id,
    details: { title: input.title },
  });
  return id;
}

export async function updatePolicy(
  q: Queryable,
  ctx: AuditContext,
  id: string,
  p: z.infer<typeof policyPatch>,
) {
  await lockPolicy(q, id);
  if (p.audience) await checkAudience(q, p.audience);
  await q.query(
    `UPDATE awareness_policies SET title = COALESCE($2, title), owner = COALESCE($3, owner),
       review_due = COALESCE($4::date, review_due), audience = COALESCE($5::jsonb, audience),
       ack_due_days = COALESCE($6, ack_due_days), updated_at = now() WHERE id = $1`,
    [
      id,
      p.title ?? null,
      p.owner ?? null,
      p.reviewDue ?? null,
      p.audience ? JSON.stringify(p.audience) : null,
      p.ackDueDays ?? null,
    ],
  );
  await appendAudit(q, ctx, {
    action: "awareness.policy_updated",
    targetType: "awareness_policy",
    targetId: id,
    details: { fields: Object.keys(p) },
  });
}

/** Writes the draft: the unpublished latest version, or a new one after the published one. */
export async function saveDraft(q: Queryable, ctx: AuditContext, id: string, d: z.infer<typeof draftInput>) {
  const p = await lockPolicy(q, id);
  if (p.status === "retired") throw conflict("awareness.policy_retired", "A retired policy cannot change");
  const last = await q.query<{ version: number; published_at: Date | null }>(
    "SELECT version, published_at FROM awareness_policy_versions WHERE policy_id = $1 ORDER BY version DESC LIMIT 1",
    [id],
  );
  const top = last.rows[0];
  let version: number;
  if (top && !top.published_at) {
    version = top.version;
    await q.query(
      "UPDATE awareness_policy_versions SET body_md = $3, change_note = $4 WHERE policy_id = $1 AND version = $2",
      [id, version, d.body, d.changeNote],
    );
  } else {
    version = (top?.version ?? 0) + 1;
    await q.query(
      "INSERT INTO awareness_policy_versions (policy_id, version, body_md, change_note) VALUES ($1, $2, $3, $4)",
      [id, version, d.body, d.changeNote],
    );
  }
  await q.query("UPDATE awareness_policies SET updated_at = now() WHERE id = $1", [id]);
  await appendAudit(q, ctx, {
    action: "awareness.policy_draft_saved",
    targetType: "awareness_policy",
    targetId: id,
    details: { version },
  });
  return version;
}

/**
 * Publishes the draft: it becomes the current version, open requests for earlier versions
 * are closed (superseded) and everyone in the audience is asked to acknowledge it.
 */
export async function publishPolicy(
  q: Queryable,
  ctx: AuditContext,
  events: Events,
  id: string,
): Promise<{ version: number; asked: number }> {
  const p = await lockPolicy(q, id);
  const draft = await q.query<{ version: number }>(
    "SELECT max(version) AS version FROM awareness_policy_versions WHERE policy_id = $1 AND published_at IS NULL",
    [id],
  );
  const version = draft.rows[0]?.version;
  if (!version) throw conflict("awareness.nothing_to_publish", "Save a draft version before publishing");
  await q.query(
    "UPDATE awareness_policy_versions SET published_at = now(), published_by = $3 WHERE policy_id = $1 AND version = $2",
    [id, version, ctx.actorLabel ?? ctx.actorId ?? null],
  );
  await q.query(
    "UPDATE awareness_policies SET status = 'published', current_version = $2, updated_at = now() WHERE id = $1",
    [id, version],
  );
  const cycle = `v${version}`;
  await closeOpen(
    q,
    ctx,
    { itemType: "policy", itemId: id, exceptCycle: cycle },
    "superseded by a new version",
  );
  const audience: Audience = parseAudience(p.audience);
  const asked = await assignMany(q, ctx, {
    personIds: await audiencePeople(q, audience),
    itemType: "policy",
    itemId: id,
    policyVersion: version,
    cycle,
    source: "publish",
    reason: `Version ${version} was published`,
    dueAt: addDays(new Date(), p.ack_due_days),
  });
  await appendAudit(q, ctx, {
    action: "awareness.policy_published",
    targetType: "awareness_policy",
    targetId: id,
    details: { version, asked: asked.length },
  });
  await events.publish(q, "awareness.policy_published", { policyId: id, version });
  return { version, asked: asked.length };
}

export async function retirePolicy(q: Queryable, ctx: AuditContext, id: string) {
  const p = await lockPolicy(q, id);
  if (p.status === "retired") return;
  await q.query("UPDATE awareness_policies SET status = 'retired', updated_at = now() WHERE id = $1", [id]);
  await closeOpen(q, ctx, { itemType: "policy", itemId: id }, "policy retired");
  await appendAudit(q, ctx, {
    action: "awareness.policy_retired",
    targetType: "awareness_policy",
    targetId: id,
  });
}
