import { appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import { tellReporters } from "./notices.js";
import { reportRow } from "./views.js";

/**
 * A report of a simulated phishing mail (the awareness module recognised its own mail and
 * said so with `awareness.phish_reported` or `awareness.phish_report_recognised`, subscribed
 * to by name): it is marked simulated, so it stays out of the real figures, closed with a
 * thank-you, and a signed-in reporter is told.
 */
export const PHISH_REPORTED = "awareness.phish_reported";
/** The same for a report that does not count for the mail's recipient (a repeat, a colleague's copy). */
export const PHISH_RECOGNISED = "awareness.phish_report_recognised";

export const SIMULATION_OUTCOME =
  "Well spotted! This was a simulated phishing mail from your security team, sent so everyone can practise. Reporting it was exactly the right thing to do; you can delete it now.";

const CTX = { actorLabel: "phishing simulation" };

/** Idempotent: a report already marked simulated and finished is left alone. */
export async function closeAsSimulation(
  q: Queryable,
  notifier: Notifier,
  reportId: string,
): Promise<boolean> {
  const row = await reportRow(q, reportId, true);
  if (!row) return false;
  const open = row.status !== "closed" && row.status !== "merged";
  const marked = await q.query("UPDATE reports SET simulated = true WHERE id = $1 AND NOT simulated", [
    reportId,
  ]);
  if (!open && !marked.rowCount) return false;
  if (open)
    await q.query(
      `UPDATE reports SET status = 'closed', outcome = $2, verdict = COALESCE(verdict, 'benign'), closed_at = now(),
         acknowledged_at = COALESCE(acknowledged_at, now()), updated_at = now() WHERE id = $1`,
      [reportId, SIMULATION_OUTCOME],
    );
  await appendAudit(q, CTX, {
    action: "report.simulation_recognised",
    targetType: "report",
    targetId: reportId,
    details: { reference: row.reference, closed: open },
  });
  if (open) await tellReporters(q, notifier, reportId, "outcome");
  return true;
}
