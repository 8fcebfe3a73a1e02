/**
 * Who hears about a report: Security of each new one (in the inbox and the digest, never at
 * once: triage is not an alarm), and a signed-in reporter of a question or of the outcome.
 * Titles carry the reference only; what the report says stays in Tandem.
 */
import type { Queryable } from "../../platform/db/index.js";
import type { Notifier } from "../../platform/notify/index.js";

export const NOTICE_KINDS = {
  received: "reports.new_report",
  question: "reports.question_for_reporter",
  outcome: "reports.outcome_for_reporter",
} as const;

export function registerNoticeKinds(notifier: Notifier): void {
  notifier.registerKind(NOTICE_KINDS.received, "A new report to triage");
  notifier.registerKind(NOTICE_KINDS.question, "Security asks about a report you made");
  notifier.registerKind(NOTICE_KINDS.outcome, "The outcome of a report you made");
}

/** Tells the triage roles a report arrived (once per report, whatever the event's deliveries). */
export async function tellTriage(q: Queryable, notifier: Notifier, reportId: string): Promise<void> {
  const r = await q.query<{ reference: string }>("SELECT reference FROM reports WHERE id = $1", [reportId]);
  const row = r.rows[0];
  if (!row) return;
  await notifier.notify(q, {
    kind: NOTICE_KINDS.received,
    severity: "normal",
    title: `New report ${row.reference} to triage`,
    link: `/reports/triage/${reportId}`,
    to: { roles: ["security"] },
    sourceKey: `${NOTICE_KINDS.received}:${reportId}`,
  });
}

/**
 * Tells the signed-in reporters of a report (and of the duplicates merged into it) that
 * Security asked something or that it is done. Anonymous reporters read it with their code.
 */
export async function tellReporters(
  q: Queryable,
  notifier: Notifier,
  reportId: string,
  what: "question" | "outcome",
): Promise<number> {
  const r = await q.query<{ id: string; reference: string; reporter_user_id: string }>(
    `SELECT id, reference, reporter_user_id FROM reports
     WHERE (id = $1 OR (merged_into = $1 AND $2)) AND reporter_user_id IS NOT NULL AND NOT anonymous`,
    [reportId, what === "outcome"],
  );
  let told = 0;
  for (const row of r.rows) {
    const id = await notifier.notify(q, {
      kind: NOTICE_KINDS[what],
      severity: "normal",
      title:
        what === "question"
          ? `Security has a question about your report ${row.reference}`
          : `Your report ${row.reference} is done: thank you, here is what came of it`,
      link: `/reports/mine/${row.id}`,
      to: { userIds: [row.reporter_user_id] },
      ...(what === "outcome" ? { sourceKey: `${NOTICE_KINDS.outcome}:${row.id}` } : {}),
    });
    if (id) told++;
  }
  return told;
}
