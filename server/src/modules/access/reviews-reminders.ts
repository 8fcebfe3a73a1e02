/**
 * Reminders: reviewers with open items hear once per reminder day before the due date (the
 * nearest day reached), and once a day while a campaign that does not close by itself is
 * overdue. Each reminder is recorded once (per campaign, reviewer and slot) and audited.
 */
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Db } from "../../platform/db/index.js";
import type { CampaignRow } from "./reviews-views.js";

const SCHEDULER: AuditContext = { actorLabel: "access reviews" };
const DAY_MS = 86_400_000;

/** Sends the reminders due for one active campaign at `now`; returns how many were sent. */
export async function remindReviewers(db: Db, c: CampaignRow, now: Date): Promise<number> {
  const dueAt = new Date(c.due_at);
  let kind: "due_soon" | "overdue";
  let slot: string;
  if (now < dueAt) {
    const daysLeft = (dueAt.getTime() - now.getTime()) / DAY_MS;
    const reached = c.reminder_days.filter((d) => daysLeft <= d);
    if (!reached.length) return 0;
    kind = "due_soon";
    slot = `${Math.min(...reached)}d`;
  } else {
    if (!c.remind_overdue) return 0;
    kind = "overdue";
    slot = now.toISOString().slice(0, 10);
  }
  const reviewers = await db.query<{
    key: string;
    reviewer_person_id: string | null;
    reviewer_user_id: string | null;
    open: number;
  }>(
    `SELECT COALESCE('person:' || reviewer_person_id, 'user:' || reviewer_user_id) AS key,
       reviewer_person_id, reviewer_user_id, count(*)::int AS open
     FROM access_review_items WHERE campaign_id = $1 AND state = 'open'
     GROUP BY reviewer_person_id, reviewer_user_id ORDER BY 1`,
    [c.id],
  );
  let sent = 0;
  for (const r of reviewers.rows) {
    sent += await db.tx(async (q) => {
      const ins = await q.query(
        `INSERT INTO access_review_reminders (campaign_id, reviewer_key, kind, slot, open_items)
         VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING RETURNING campaign_id`,
        [c.id, r.key, kind, slot, r.open],
      );
      if (!ins.rowCount) return 0;
      await appendAudit(q, SCHEDULER, {
        action: "access.review_reminder",
        targetType: r.reviewer_person_id ? "person" : "user",
        targetId: r.reviewer_person_id ?? r.reviewer_user_id,
        details: {
          campaignId: c.id,
          campaign: c.name,
          kind,
          slot,
          openItems: r.open,
          dueAt: dueAt.toISOString(),
        },
      });
      return 1;
    });
  }
  return sent;
}
