import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import { findUserById } from "../../platform/auth/index.js";
import { permissionsOf } from "../../platform/authz/index.js";
import type { Queryable } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { VERDICT } from "./context.js";
import type { Verdict } from "./schemas.js";
import { type ReportRow, reportRow } from "./views.js";

/**
 * Security's side of a report: severity, assignment, verdicts, questions to the reporter,
 * merging duplicates and closing with an outcome for the reporter. Each change is one
 * transaction with its audit entry; the first change acknowledges the report.
 */

const FINISHED = new Set(["closed", "merged"]);

async function lockOpen(q: Queryable, id: string, field = "id"): Promise<ReportRow> {
  const row = await reportRow(q, id, true);
  if (!row) throw notFound("report.not_found", "No such report");
  if (FINISHED.has(row.status))
    throw conflict("report.finished", `The report is ${row.status}; reopen nothing, report anew`, field);
  return row;
}

/** The first triage action acknowledges a new report (time to acknowledge is measured from it). */
async function touch(q: Queryable, id: string, status?: string): Promise<void> {
  await q.query(
    `UPDATE reports SET acknowledged_at = COALESCE(acknowledged_at, now()),
       status = COALESCE($2, CASE WHEN status = 'new' THEN 'acknowledged' ELSE status END), updated_at = now()
     WHERE id = $1`,
    [id, status ?? null],
  );
}

const audit = (
  q: Queryable,
  ctx: AuditContext,
  row: ReportRow,
  action: string,
  details: Record<string, unknown>,
) =>
  appendAudit(q, ctx, {
    action,
    targetType: "report",
    targetId: row.id,
    details: { reference: row.reference, ...details },
  });

export interface TriagePatch {
  severity?: "low" | "medium" | "high" | "critical" | null;
  assigneeUserId?: string | null;
  status?: "acknowledged" | "in_review";
}

export async function updateReport(
  q: Queryable,
  ctx: AuditContext,
  id: string,
  p: TriagePatch,
): Promise<void> {
  const row = await lockOpen(q, id);
  if (p.assigneeUserId) {
    const u = await findUserById(q, p.assigneeUserId);
    if (!u || u.disabled || !permissionsOf(u.roles ?? []).has("reports:triage"))
      throw unprocessable("report.bad_assignee", "Reports can be assigned to Security and IT only", [
        { path: "assigneeUserId", message: "is not someone who triages reports" },
      ]);
  }
  await q.query(
    `UPDATE reports SET severity = CASE WHEN $2 THEN $3 ELSE severity END,
       assignee_user_id = CASE WHEN $4 THEN $5 ELSE assignee_user_id END WHERE id = $1`,
    [
      id,
      p.severity !== undefined,
      p.severity ?? null,
      p.assigneeUserId !== undefined,
      p.assigneeUserId ?? null,
    ],
  );
  await touch(q, id, p.status);
  await audit(q, ctx, row, "report.triaged", { ...p });
}

export async function askReporter(
  q: Queryable,
  ctx: AuditContext & { actorId?: string | null },
  id: string,
  body: string,
  field = "body",
): Promise<ReportRow> {
  const row = await lockOpen(q, id, field);
  if (row.channel === "email" && !row.reporter_user_id)
    throw unprocessable("report.reporter_unreachable", "This reporter has no account to read questions in", [
      { path: field, message: "the reporter can only be answered by e-mail" },
    ]);
  await q.query(
    "INSERT INTO report_messages (id, report_id, author, author_user_id, body) VALUES ($1, $2, 'security', $3, $4)",
    [ulid(), id, ctx.actorId ?? null, body],
  );
  await touch(q, id, "waiting_for_reporter");
  await audit(q, ctx, row, "report.question_asked", {});
  return row;
}

export async function setVerdict(
  q: Queryable,
  ctx: AuditContext,
  events: Events,
  id: string,
  v: { verdict: Verdict; question?: string | null },
): Promise<void> {
  if (v.verdict === "needs_more_info" && !v.question?.trim())
    throw unprocessable("report.question_needed", "Say what you need to know from the reporter", [
      { path: "question", message: "is required when more information is needed" },
    ]);
  const row = await lockOpen(q, id);
  await q.query("UPDATE reports SET verdict = $2, updated_at = now() WHERE id = $1", [id, v.verdict]);
  if (v.verdict === "needs_more_info") await askReporter(q, ctx, id, v.question!.trim(), "question");
  else
    await touch(
      q,
      id,
      row.status === "waiting_for_reporter" || row.status === "new" ? "in_review" : undefined,
    );
  await audit(q, ctx, row, "report.verdict", { verdict: v.verdict });
  await events.publish(q, VERDICT, { reportId: id, verdict: v.verdict });
}

/** Folds duplicates into one report; their reporters follow the primary's progress and outcome. */
export async function mergeReports(
  q: Queryable,
  ctx: AuditContext,
  id: string,
  duplicateIds: string[],
): Promise<void> {
  const primary = await lockOpen(q, id);
  const ids = [...new Set(duplicateIds)];
  if (ids.includes(id))
    throw unprocessable("report.merge_self", "A report cannot be merged into itself", [
      { path: "duplicateIds", message: "contains the report itself" },
    ]);
  const rows = (
    await q.query<{ id: string; status: string; reference: string }>(
      "SELECT id, status, reference FROM reports WHERE id = ANY ($1::text[]) ORDER BY id FOR UPDATE",
      [ids],
    )
  ).rows;
  const missing = ids.filter((d) => !rows.some((r) => r.id === d));
  if (missing.length) throw notFound("report.not_found", `No such reports: ${missing.join(", ")}`);
  const finished = rows.filter((r) => FINISHED.has(r.status) || r.status === "escalated");
  if (finished.length)
    throw conflict(
      "report.not_mergeable",
      `Already ${finished.map((r) => `${r.reference} ${r.status}`).join(", ")}`,
      "duplicateIds",
    );
  await q.query(
    "UPDATE reports SET status = 'merged', merged_into = $1, updated_at = now() WHERE id = ANY ($2::text[])",
    [id, ids],
  );
  await q.query(
    "UPDATE reports SET merged_into = $1, updated_at = now() WHERE merged_into = ANY ($2::text[])",
    [id, ids],
  );
  await touch(q, id);
  await audit(q, ctx, primary, "report.merged", { duplicates: rows.map((r) => r.reference) });
}

/** Closes a report (and the duplicates merged into it) with the outcome its reporters read. */
export async function closeReport(
  q: Queryable,
  ctx: AuditContext,
  id: string,
  c: { outcome: string; verdict?: Verdict | null },
): Promise<void> {
  const row = await lockOpen(q, id);
  if (c.verdict === "needs_more_info")
    throw unprocessable("report.bad_verdict", "A closed report cannot wait for more information", [
      { path: "verdict", message: "must be benign or malicious to close" },
    ]);
  await q.query(
    `UPDATE reports SET status = 'closed', outcome = $2, verdict = COALESCE($3, verdict), closed_at = now(),
       acknowledged_at = COALESCE(acknowledged_at, now()), updated_at = now()
     WHERE id = $1 OR merged_into = $1`,
    [id, c.outcome, c.verdict ?? null],
  );
  await audit(q, ctx, row, "report.closed", { verdict: c.verdict ?? row.verdict });
}
