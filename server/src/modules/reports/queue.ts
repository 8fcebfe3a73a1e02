import { z } from "zod";
import type { Queryable } from "../../platform/db/index.js";
import { decodeCursor, encodeCursor, notFound } from "../../platform/http/index.js";
import { iso } from "./context.js";
import { CATEGORIES, CHANNELS, SEVERITIES, STATUSES, VERDICTS } from "./schemas.js";
import { attachmentsOf, detailsOf, json, messagesOf, REPORT_COLUMNS, type ReportRow } from "./views.js";

export const queueQuery = z
  .object({
    status: z.enum([...STATUSES, "open", "all"]).default("open"),
    category: z.enum(CATEGORIES).optional(),
    severity: z.enum([...SEVERITIES, "none"]).optional(),
    verdict: z.enum([...VERDICTS, "none"]).optional(),
    /** "me", "none" or a user id. */
    assignee: z.string().max(40).optional(),
    q: z.string().trim().max(200).optional(),
    sender: z.string().trim().max(254).optional(),
    urlHost: z.string().trim().max(253).optional(),
    subject: z.string().trim().max(300).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type QueueQuery = z.infer<typeof queueQuery>;

const groupView = z.object({
  sender: z.string().nullable(),
  urlHost: z.string().nullable(),
  subject: z.string().nullable(),
  /** How many reports (this one included) share each key. */
  senderCount: z.number(),
  urlHostCount: z.number(),
  subjectCount: z.number(),
});

export const queueItem = z.object({
  id: z.string(),
  reference: z.string(),
  category: z.enum(CATEGORIES),
  channel: z.enum(CHANNELS),
  title: z.string(),
  status: z.enum(STATUSES),
  severity: z.enum(SEVERITIES).nullable(),
  verdict: z.enum(VERDICTS).nullable(),
  assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
  anonymous: z.boolean(),
  reporterName: z.string().nullable(),
  flags: z.array(z.string()),
  group: groupView,
  mergedInto: z.string().nullable(),
  incidentId: z.string().nullable(),
  createdAt: z.string(),
});
export type QueueItem = z.infer<typeof queueItem>;

export const reportDetail = queueItem.extend({
  description: z.string(),
  details: z.record(z.string(), z.unknown()),
  urls: z.array(z.string()),
  reporterEmail: z.string().nullable(),
  reporterDepartment: z.string().nullable(),
  outcome: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  messages: z.array(
    z.object({
      id: z.string(),
      author: z.enum(["security", "reporter"]),
      authorName: z.string().nullable(),
      body: z.string(),
      createdAt: z.string(),
    }),
  ),
  attachments: z.array(
    z.object({
      id: z.string(),
      filename: z.string(),
      contentType: z.string(),
      size: z.number(),
      sha256: z.string(),
    }),
  ),
  duplicates: z.array(z.object({ id: z.string(), reference: z.string(), title: z.string() })),
  mail: z
    .object({ id: z.string(), messageId: z.string().nullable(), size: z.number(), receivedAt: z.string() })
    .nullable(),
});
export type ReportDetail = z.infer<typeof reportDetail>;

interface Row extends ReportRow {
  assignee_name: string | null;
  reporter_name: string | null;
}

const SELECT = `SELECT ${REPORT_COLUMNS}, a.display_name AS assignee_name,
    CASE WHEN r.anonymous THEN NULL ELSE u.display_name END AS reporter_name
  FROM reports r LEFT JOIN users a ON a.id = r.assignee_user_id LEFT JOIN users u ON u.id = r.reporter_user_id`;

async function counts(q: Queryable, column: string, keys: (string | null)[]): Promise<Map<string, number>> {
  const wanted = [...new Set(keys.filter((k): k is string => !!k))];
  if (!wanted.length) return new Map();
  const r = await q.query<{ k: string; n: string }>(
    `SELECT ${column} AS k, count(*)::text AS n FROM reports WHERE ${column} = ANY ($1::text[]) GROUP BY ${column}`,
    [wanted],
  );
  return new Map(r.rows.map((x) => [x.k, Number(x.n)]));
}

async function toItems(q: Queryable, rows: Row[]): Promise<QueueItem[]> {
  const s = await counts(
    q,
    "suspect_sender",
    rows.map((r) => r.suspect_sender),
  );
  const h = await counts(
    q,
    "url_host",
    rows.map((r) => r.url_host),
  );
  const j = await counts(
    q,
    "subject_key",
    rows.map((r) => r.subject_key),
  );
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    category: r.category,
    channel: r.channel,
    title: r.title,
    status: r.status,
    severity: r.severity,
    verdict: r.verdict,
    assignee: r.assignee_user_id ? { id: r.assignee_user_id, name: r.assignee_name ?? "" } : null,
    anonymous: r.anonymous,
    reporterName: r.reporter_name ?? (r.anonymous ? null : r.reporter_email),
    flags: r.flags ?? [],
    group: {
      sender: r.suspect_sender,
      urlHost: r.url_host,
      subject: r.subject_key,
      senderCount: r.suspect_sender ? (s.get(r.suspect_sender) ?? 1) : 0,
      urlHostCount: r.url_host ? (h.get(r.url_host) ?? 1) : 0,
      subjectCount: r.subject_key ? (j.get(r.subject_key) ?? 1) : 0,
    },
    mergedInto: r.merged_into,
    incidentId: r.incident_id,
    createdAt: iso(r.created_at) as string,
  }));
}

/** The triage queue, newest first, filtered; keyset pagination on the id. */
export async function listQueue(
  q: Queryable,
  me: string,
  f: QueueQuery,
): Promise<{ items: QueueItem[]; nextCursor: string | null }> {
  const values: unknown[] = [];
  const v = (x: unknown) => {
    values.push(x);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (f.status === "open") where.push("r.status NOT IN ('closed', 'merged')");
  else if (f.status !== "all") where.push(`r.status = ${v(f.status)}`);
  if (f.category) where.push(`r.category = ${v(f.category)}`);
  if (f.severity) where.push(f.severity === "none" ? "r.severity IS NULL" : `r.severity = ${v(f.severity)}`);
  if (f.verdict) where.push(f.verdict === "none" ? "r.verdict IS NULL" : `r.verdict = ${v(f.verdict)}`);
  if (f.assignee === "none") where.push("r.assignee_user_id IS NULL");
  else if (f.assignee) where.push(`r.assignee_user_id = ${v(f.assignee === "me" ? me : f.assignee)}`);
  if (f.sender) where.push(`r.suspect_sender = ${v(f.sender.toLowerCase())}`);
  if (f.urlHost) where.push(`r.url_host = ${v(f.urlHost.toLowerCase())}`);
  if (f.subject) where.push(`r.subject_key = ${v(f.subject)}`);
  if (f.q) {
    const p = v(f.q);
    where.push(`(r.search @@ plainto_tsquery('simple', ${p}) OR r.reference = upper(${p}))`);
  }
  const after = decodeCursor(f.cursor, z.object({ b: z.string() }).strict());
  if (after) where.push(`r.id < ${v(after.b)}`);
  const rows = (
    await q.query<Row>(
      `${SELECT}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY r.id DESC LIMIT ${v(f.limit + 1)}`,
      values,
    )
  ).rows;
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    items: await toItems(q, page),
    nextCursor: rows.length > f.limit && last ? encodeCursor({ b: last.id }) : null,
  };
}

export async function getDetail(q: Queryable, id: string): Promise<ReportDetail> {
  const row = (await q.query<Row>(`${SELECT} WHERE r.id = $1`, [id])).rows[0];
  if (!row) throw notFound("report.not_found", "No such report");
  const [item] = await toItems(q, [row]);
  const duplicates = await q.query<{ id: string; reference: string; title: string }>(
    "SELECT id, reference, title FROM reports WHERE merged_into = $1 ORDER BY id",
    [id],
  );
  const mail = (
    await q.query<{ id: string; message_id: string | null; size: number; received_at: Date | string }>(
      "SELECT id, message_id, size, received_at FROM report_mail WHERE report_id = $1 ORDER BY id LIMIT 1",
      [id],
    )
  ).rows[0];
  const { category: _c, ...details } = detailsOf(row);
  return {
    ...(item as QueueItem),
    description: row.description,
    details,
    urls: json<string[]>(row.urls),
    reporterEmail: row.anonymous ? null : row.reporter_email,
    reporterDepartment: row.reporter_department,
    outcome: row.outcome,
    acknowledgedAt: iso(row.acknowledged_at),
    closedAt: iso(row.closed_at),
    messages: await messagesOf(q, [id]),
    attachments: await attachmentsOf(q, id),
    duplicates: duplicates.rows,
    mail: mail
      ? {
          id: mail.id,
          messageId: mail.message_id,
          size: Number(mail.size),
          receivedAt: iso(mail.received_at) as string,
        }
      : null,
  };
}
