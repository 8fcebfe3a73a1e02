/**
 * Reported simulations. The Reporting module announces every report with the links found in
 * it and the X-Tandem-Simulation header values of the reported mail; a value (or a tracking
 * link) that belongs to a recipient marks the report as that recipient's simulated mail.
 * Anonymous reports arrive without either, so nothing ever links them to a recipient.
 */

import { appendAudit } from "../../../platform/audit/index.js";
import type { Db, Queryable } from "../../../platform/db/index.js";
import type { DomainEvent, Events } from "../../../platform/events/index.js";
import { findPersonBy } from "../../people/index.js";
import { PHISHING_EVENTS } from "./context.js";
import type { FilterReason } from "./filters.js";
import { findTarget, insertInteraction, TRACKING_CTX, wellFormedToken } from "./tracking.js";

/** The Reporting module's event (subscribed to by name: awareness never imports reports). */
export const REPORT_RECEIVED = "reports.received";

export interface ReportReceived {
  reportId: string;
  reporterUserId: string | null;
  urls?: string[];
  simulationMarkers?: string[];
}

const LINK = /\/t\/[cols]\/([A-Za-z0-9_-]{16,128})(?:\.gif)?(?:[/?#]|$)/;

/** Tokens in a report: the header values first, then tracking links. */
export function tokensOf(p: Pick<ReportReceived, "urls" | "simulationMarkers">): string[] {
  const found = [
    ...(p.simulationMarkers ?? []).map((m) => m.trim()),
    ...(p.urls ?? []).map((u) => LINK.exec(u)?.[1] ?? ""),
  ].filter(wellFormedToken);
  return [...new Set(found)].slice(0, 10);
}

export interface MatchResult {
  recipientId: string;
  counted: boolean;
  reason: FilterReason | null;
}

/**
 * Matches one report to the recipient of its simulated mail and counts it once per
 * recipient: the first report sets reported_at and report_id. A report by somebody else
 * (a forwarded copy) is recorded but does not count for the recipient. Handling the same
 * report again changes nothing.
 */
export async function matchReport(
  q: Queryable,
  events: Events,
  p: ReportReceived,
): Promise<MatchResult | null> {
  for (const token of tokensOf(p)) {
    const t = await findTarget(q, token, true);
    if (!t) continue;
    const seen = await q.query(
      "SELECT 1 FROM phishing_interactions WHERE recipient_id = $1 AND kind = 'report' AND shape->>'reportId' = $2",
      [t.recipient_id, p.reportId],
    );
    if (seen.rowCount) return null;
    let reason: FilterReason | null = null;
    if (t.expired) reason = "expired";
    else if (p.reporterUserId) {
      const reporter = await findPersonBy(q, { userId: p.reporterUserId });
      if (reporter && reporter.id !== t.person_id) reason = "not_recipient";
    }
    if (!reason && t.reported_at) reason = "duplicate";
    const now = new Date();
    const sentAt = t.sent_at ?? t.send_at;
    await insertInteraction(q, t.recipient_id, "report", now, !reason, reason, {
      method: "report",
      reportId: p.reportId,
      secondsSinceSent: Math.max(0, Math.round((now.getTime() - new Date(sentAt).getTime()) / 1000)),
    });
    if (!reason) {
      await q.query(
        "UPDATE phishing_recipients SET reported_at = $2, report_id = $3 WHERE id = $1 AND reported_at IS NULL",
        [t.recipient_id, now, p.reportId],
      );
      await appendAudit(q, TRACKING_CTX, {
        action: "phishing.reported",
        targetType: "phishing_recipient",
        targetId: t.recipient_id,
        details: { campaignId: t.campaign_id, reportId: p.reportId },
      });
    }
    // The report is a simulated mail whoever sent it in: Reporting closes it as such. Only a
    // counted report is the recipient's own (points and figures follow that event).
    if (reason)
      await events.publish(q, PHISHING_EVENTS.reportRecognised, {
        reportId: p.reportId,
        campaignId: t.campaign_id,
        recipientId: t.recipient_id,
        reason,
      });
    else
      await events.publish(q, PHISHING_EVENTS.reported, {
        personId: t.person_id,
        campaignId: t.campaign_id,
        recipientId: t.recipient_id,
        reportId: p.reportId,
      });
    return { recipientId: t.recipient_id, counted: !reason, reason };
  }
  return null;
}

export function subscribeReported(db: Db, events: Events) {
  events.subscribe<ReportReceived>(
    REPORT_RECEIVED,
    "awareness.phishing_reported",
    async (e: DomainEvent<ReportReceived>) => {
      if (!tokensOf(e.payload).length) return;
      await db.tx((q) => matchReport(q, events, e.payload));
    },
  );
}
