import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/index.js";
import { iso } from "./context.js";
import { type CategoryDetails, categoryDetails, type ReporterView, type ReportStatus } from "./schemas.js";
import { selfHelp, statusText } from "./wording.js";

export interface ReportRow {
  id: string;
  reference: string;
  category: CategoryDetails["category"];
  channel: "web" | "anonymous" | "api" | "email";
  title: string;
  description: string;
  details: Record<string, unknown> | string;
  anonymous: boolean;
  reporter_user_id: string | null;
  reporter_email: string | null;
  reporter_department: string | null;
  status: ReportStatus;
  severity: "low" | "medium" | "high" | "critical" | null;
  assignee_user_id: string | null;
  verdict: "benign" | "malicious" | "needs_more_info" | null;
  outcome: string | null;
  merged_into: string | null;
  incident_id: string | null;
  suspect_sender: string | null;
  url_host: string | null;
  subject_key: string | null;
  urls: string[] | string;
  flags: string[];
  acknowledged_at: Date | string | null;
  closed_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export const REPORT_COLUMNS = `r.id, r.reference, r.category, r.channel, r.title, r.description, r.details,
  r.anonymous, r.reporter_user_id, r.reporter_email, r.reporter_department, r.status, r.severity,
  r.assignee_user_id, r.verdict, r.outcome, r.merged_into, r.incident_id, r.suspect_sender, r.url_host,
  r.subject_key, r.urls, r.flags, r.acknowledged_at, r.closed_at, r.created_at, r.updated_at`;

export const json = <T>(v: T | string): T => (typeof v === "string" ? (JSON.parse(v) as T) : v);

export function detailsOf(r: ReportRow): CategoryDetails {
  const parsed = categoryDetails.safeParse({ ...json(r.details), category: r.category });
  return parsed.success ? parsed.data : ({ category: r.category } as CategoryDetails);
}

export async function reportRow(q: Queryable, id: string, lock = false): Promise<ReportRow | undefined> {
  return (
    await q.query<ReportRow>(
      `SELECT ${REPORT_COLUMNS} FROM reports r WHERE r.id = $1${lock ? " FOR UPDATE" : ""}`,
      [id],
    )
  ).rows[0];
}

export async function messagesOf(q: Queryable, reportIds: string[]) {
  const r = await q.query<{
    id: string;
    report_id: string;
    author: "security" | "reporter";
    author_name: string | null;
    body: string;
    created_at: Date | string;
  }>(
    `SELECT m.id, m.report_id, m.author, u.display_name AS author_name, m.body, m.created_at
     FROM report_messages m LEFT JOIN users u ON u.id = m.author_user_id
     WHERE m.report_id = ANY ($1::text[]) ORDER BY m.id`,
    [reportIds],
  );
  return r.rows.map((m) => ({
    id: m.id,
    author: m.author,
    // The reporter sees "Security", not who in Security; Security sees the name.
    authorName: m.author_name,
    body: m.body,
    createdAt: iso(m.created_at) as string,
  }));
}

export async function attachmentsOf(q: Queryable, reportId: string) {
  return (
    await q.query<{ id: string; filename: string; content_type: string; size: number; sha256: string }>(
      "SELECT id, filename, content_type, size, sha256 FROM report_attachments WHERE report_id = $1 ORDER BY id",
      [reportId],
    )
  ).rows.map((a) => ({
    id: a.id,
    filename: a.filename,
    contentType: a.content_type,
    size: Number(a.size),
    sha256: a.sha256,
  }));
}

/**
 * The reporter's view. A report merged into another shows the other's progress and outcome
 * (every reporter hears how it ended); the conversation is the reporter's own.
 */
export async function toReporterView(q: Queryable, row: ReportRow): Promise<ReporterView> {
  const primary = row.merged_into ? await reportRow(q, row.merged_into) : undefined;
  const shown = primary && primary.status !== "merged" ? primary : row;
  const status: ReportStatus = row.status === "merged" && shown.status !== "closed" ? "merged" : shown.status;
  const messages = await messagesOf(q, [row.id]);
  const attachments = await attachmentsOf(q, row.id);
  return {
    id: row.id,
    reference: row.reference,
    category: row.category,
    title: row.title,
    description: row.description,
    status,
    statusText: statusText(status),
    outcome: status === "closed" ? (row.outcome ?? shown.outcome) : null,
    selfHelp: selfHelp(detailsOf(row)),
    anonymous: row.anonymous,
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
    messages: messages.map((m) => ({ ...m, authorName: m.author === "security" ? "Security team" : null })),
    attachments: attachments.map((a) => ({ filename: a.filename, size: a.size })),
  };
}

/** A signed-in reporter's own report (404 for anyone else's). */
export async function ownReport(q: Queryable, userId: string, id: string): Promise<ReportRow> {
  const row = await reportRow(q, id);
  if (!row || row.reporter_user_id !== userId) throw notFound("report.not_found", "No such report");
  return row;
}
