/**
 * Phishing templates: the simulated mail (subject, HTML and text bodies with merge fields),
 * the landing page a click leads to, and the lesson shown afterwards. Archived templates stay
 * for the campaigns that used them but cannot start new ones.
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { notFound, unprocessable } from "../../../platform/http/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { iso } from "../context.js";
import { checkMergeFields, type MergePerson, mergeValues, type Rendered, renderMessage } from "./merge.js";

export const DIFFICULTIES = ["easy", "medium", "hard"] as const;
export const LANDING_KINDS = ["login", "notice"] as const;

export const templateInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    lure: z
      .string()
      .trim()
      .regex(
        /^[a-z][a-z0-9_]{0,39}$/,
        "lowercase letters, digits and underscores, such as payment or delivery",
      ),
    difficulty: z.enum(DIFFICULTIES).default("medium"),
    fromName: z.string().trim().min(1).max(200),
    fromAddress: z.string().trim().min(1).max(254),
    subject: z.string().trim().min(1).max(300),
    bodyHtml: z.string().min(1).max(200_000),
    bodyText: z.string().min(1).max(100_000),
    landingKind: z.enum(LANDING_KINDS).default("login"),
    landingTitle: z.string().trim().max(200).default(""),
    lessonMd: z.string().trim().min(1).max(50_000),
  })
  .strict();
export type TemplateInput = z.infer<typeof templateInput>;

export const templateSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  lure: z.string(),
  difficulty: z.enum(DIFFICULTIES),
  fromName: z.string(),
  fromAddress: z.string(),
  subject: z.string(),
  landingKind: z.enum(LANDING_KINDS),
  archived: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  campaigns: z.number(),
});
export const templateSchema = templateSummarySchema.extend({
  bodyHtml: z.string(),
  bodyText: z.string(),
  landingTitle: z.string(),
  lessonMd: z.string(),
});
export type TemplateView = z.infer<typeof templateSchema>;

interface TemplateRow {
  id: string;
  name: string;
  lure: string;
  difficulty: (typeof DIFFICULTIES)[number];
  from_name: string;
  from_address: string;
  subject: string;
  body_html: string;
  body_text: string;
  landing_kind: (typeof LANDING_KINDS)[number];
  landing_title: string;
  lesson_md: string;
  archived: boolean;
  created_at: Date | string;
  updated_at: Date | string;
  campaigns: number;
}

const SELECT = `SELECT t.*, (SELECT count(*)::int FROM phishing_campaigns c WHERE c.template_id = t.id) AS campaigns
  FROM phishing_templates t`;

const toView = (r: TemplateRow): TemplateView => ({
  id: r.id,
  name: r.name,
  lure: r.lure,
  difficulty: r.difficulty,
  fromName: r.from_name,
  fromAddress: r.from_address,
  subject: r.subject,
  bodyHtml: r.body_html,
  bodyText: r.body_text,
  landingKind: r.landing_kind,
  landingTitle: r.landing_title,
  lessonMd: r.lesson_md,
  archived: r.archived,
  createdAt: iso(r.created_at) as string,
  updatedAt: iso(r.updated_at) as string,
  campaigns: r.campaigns,
});

const ADDRESS =
  /^[^\s@<>(),;:"[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** A plausible mailbox address (what the mail and a recipient list accept). */
export const isMailAddress = (s: string) => s.length <= 254 && ADDRESS.test(s);

/** The checks zod cannot express: the sender address, merge fields, the tracked link. */
export function checkTemplate(t: TemplateInput): void {
  if (!isMailAddress(t.fromAddress))
    throw unprocessable(
      "awareness.phishing.invalid_from_address",
      "The sender address is not an e-mail address",
      [{ path: "fromAddress", message: "must be an e-mail address such as accounts@example.com" }],
    );
  if (/[\r\n]/.test(t.fromName))
    throw unprocessable("awareness.phishing.invalid_from_name", "The sender name must be one line", [
      { path: "fromName", message: "must not contain line breaks" },
    ]);
  checkMergeFields(t);
}

export async function listTemplates(
  q: Queryable,
  f: { q?: string; includeArchived?: boolean; limit: number; offset: number },
): Promise<{ items: z.infer<typeof templateSummarySchema>[]; total: number }> {
  const where = `WHERE ($1::boolean OR NOT t.archived)
    AND ($2::text IS NULL OR t.name ILIKE '%' || $2 || '%' OR t.lure ILIKE '%' || $2 || '%' OR t.subject ILIKE '%' || $2 || '%')`;
  const params = [f.includeArchived ?? false, f.q ?? null];
  const rows = await q.query<TemplateRow>(
    `${SELECT} ${where} ORDER BY t.archived, lower(t.name), t.id LIMIT $3 OFFSET $4`,
    [...params, f.limit, f.offset],
  );
  const total = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM phishing_templates t ${where}`,
    params,
  );
  return {
    items: rows.rows.map((r) => {
      const { bodyHtml: _h, bodyText: _t, landingTitle: _l, lessonMd: _m, ...summary } = toView(r);
      return summary;
    }),
    total: total.rows[0]?.n ?? 0,
  };
}

export async function getTemplate(q: Queryable, id: string, lock = false): Promise<TemplateView> {
  const r = await q.query<TemplateRow>(`${SELECT} WHERE t.id = $1${lock ? " FOR UPDATE OF t" : ""}`, [id]);
  const row = r.rows[0];
  if (!row) throw notFound("awareness.phishing.template_not_found", "No such phishing template");
  return toView(row);
}

/** A template's columns from name to lesson_md, in table order (shared by insert and update). */
const templateValues = (input: TemplateInput) => [
  input.name,
  input.lure,
  input.difficulty,
  input.fromName,
  input.fromAddress,
  input.subject,
  input.bodyHtml,
  input.bodyText,
  input.landingKind,
  input.landingTitle,
  input.lessonMd,
];

export async function createTemplate(
  q: Queryable,
  ctx: AuditContext,
  input: TemplateInput,
  starterKey: string | null = null,
): Promise<string> {
  checkTemplate(input);
  const id = ulid();
  await q.query(
    `INSERT INTO phishing_templates (id, starter_key, name, lure, difficulty, from_name, from_address, subject,
       body_html, body_text, landing_kind, landing_title, lesson_md, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
    [id, starterKey, ...templateValues(input), ctx.actorId ?? null],
  );
  await appendAudit(q, ctx, {
    action: "awareness.phishing_template_created",
    targetType: "phishing_template",
    targetId: id,
    details: { name: input.name, lure: input.lure, starterKey },
  });
  return id;
}

export async function updateTemplate(q: Queryable, ctx: AuditContext, id: string, input: TemplateInput) {
  const before = await getTemplate(q, id, true);
  checkTemplate(input);
  await q.query(
    `UPDATE phishing_templates SET name = $2, lure = $3, difficulty = $4, from_name = $5, from_address = $6,
       subject = $7, body_html = $8, body_text = $9, landing_kind = $10, landing_title = $11, lesson_md = $12,
       updated_at = now() WHERE id = $1`,
    [id, ...templateValues(input)],
  );
  const changed = (Object.keys(input) as (keyof TemplateInput)[]).filter((k) => before[k] !== input[k]);
  await appendAudit(q, ctx, {
    action: "awareness.phishing_template_updated",
    targetType: "phishing_template",
    targetId: id,
    details: { changed },
  });
}

export async function archiveTemplate(q: Queryable, ctx: AuditContext, id: string): Promise<void> {
  const t = await getTemplate(q, id, true);
  if (t.archived) return;
  await q.query("UPDATE phishing_templates SET archived = true, updated_at = now() WHERE id = $1", [id]);
  await appendAudit(q, ctx, {
    action: "awareness.phishing_template_archived",
    targetType: "phishing_template",
    targetId: id,
    details: { name: t.name },
  });
}

interface PersonMergeRow {
  legal_name: string;
  preferred_name: string | null;
  work_email: string;
  department: string | null;
  job_title: string | null;
  manager_name: string | null;
}

/** SQL for a person's merge values, on `people p` (read-only, like audiences). */
export const PERSON_MERGE_SQL = `p.legal_name, p.preferred_name, p.work_email,
  (SELECT d.name FROM departments d WHERE d.id = p.department_id) AS department,
  (SELECT j.title FROM job_roles j WHERE j.id = p.job_role_id) AS job_title,
  (SELECT coalesce(m.preferred_name, m.legal_name) FROM people m WHERE m.id = p.manager_id) AS manager_name`;

export const toMergePerson = (r: PersonMergeRow): MergePerson => ({
  legalName: r.legal_name,
  preferredName: r.preferred_name,
  email: r.work_email,
  department: r.department,
  jobTitle: r.job_title,
  managerName: r.manager_name,
});

const SAMPLE: MergePerson = {
  legalName: "Alex Sample",
  preferredName: null,
  email: "alex.sample@example.com",
  department: "Finance",
  jobTitle: "Accounts Payable Clerk",
  managerName: "Jordan Lead",
};

/** The template as one person (or a sample person) would receive it, with a dummy token. */
export async function previewTemplate(
  q: Queryable,
  id: string,
  personId: string | undefined,
  opts: { company: string; baseUrl: string },
): Promise<Rendered> {
  const t = await getTemplate(q, id);
  let person = SAMPLE;
  if (personId) {
    const r = await q.query<PersonMergeRow>(`SELECT ${PERSON_MERGE_SQL} FROM people p WHERE p.id = $1`, [
      personId,
    ]);
    if (!r.rows[0])
      throw unprocessable("awareness.phishing.unknown_person", "No such person", [
        { path: "personId", message: `no person ${personId}` },
      ]);
    person = toMergePerson(r.rows[0]);
  }
  const token = "preview";
  return renderMessage(
    t,
    mergeValues(person, opts.company, `${opts.baseUrl}/t/c/${token}`),
    `${opts.baseUrl}/t/o/${token}.gif`,
  );
}
