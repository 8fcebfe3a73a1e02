/**
 * Counting what recipients do with a simulated mail. Every tracked request becomes an
 * interaction row, counted or filtered with the reason; a recipient's stage times (opened,
 * clicked, submitted, reported) are the first counted moment of each. The recipient row is
 * locked for the decision, so the same click twice, at once or later, counts once.
 */
import { createHash } from "node:crypto";
import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Db, Queryable } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { findPerson, WORKING } from "../../people/index.js";
import { assignFollowUpTraining, assignMany } from "../assign.js";
import { addDays } from "../context.js";
import { PHISHING_EVENTS } from "./context.js";
import {
  classify,
  type FilterReason,
  type FilterSettings,
  type RequestFacts,
  type Shape,
} from "./filters.js";

export type Kind = "open" | "click" | "confirm" | "submit" | "report";

export const TRACKING_CTX: AuditContext = { actorLabel: "phishing tracking" };

/** Interactions kept per recipient and kind per hour; a link fetched in a loop adds no more rows. */
const ROWS_PER_HOUR = 50;

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
export const wellFormedToken = (token: string) => TOKEN.test(token);

export interface Target {
  recipient_id: string;
  person_id: string;
  campaign_id: string;
  sent_at: Date | null;
  send_at: Date;
  follow_up_module_id: string | null;
  landing_kind: "login" | "notice";
  landing_title: string;
  lesson_md: string;
  opened_at: Date | null;
  clicked_at: Date | null;
  submitted_at: Date | null;
  reported_at: Date | null;
  report_id: string | null;
  expired: boolean;
}

/** The recipient a token belongs to, with its campaign and template (locked when asked). */
export async function findTarget(q: Queryable, token: string, lock = false): Promise<Target | undefined> {
  if (!wellFormedToken(token)) return undefined;
  const r = await q.query<Target>(
    `SELECT r.id AS recipient_id, r.person_id, r.campaign_id, r.sent_at, r.send_at, c.follow_up_module_id,
       t.landing_kind, t.landing_title, t.lesson_md, r.opened_at, r.clicked_at, r.submitted_at,
       r.reported_at, r.report_id,
       (c.window_end + make_interval(days => c.track_days)) < now() AS expired
     FROM phishing_recipients r JOIN phishing_campaigns c ON c.id = r.campaign_id
     JOIN phishing_templates t ON t.id = c.template_id
     WHERE r.token_hash = $1 ${lock ? "FOR UPDATE OF r" : ""}`,
    [hashToken(token)],
  );
  return r.rows[0];
}

export async function insertInteraction(
  q: Queryable,
  recipientId: string,
  kind: Kind,
  at: Date,
  counted: boolean,
  reason: FilterReason | null,
  shape: Shape | Record<string, unknown>,
): Promise<string> {
  const id = ulid();
  await q.query(
    `INSERT INTO phishing_interactions (id, recipient_id, kind, at, counted, filter_reason, shape)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, recipientId, kind, at, counted, reason, JSON.stringify(shape)],
  );
  return id;
}

/**
 * Follow-up training after a counted click: the campaign's module when it names one (once
 * per campaign), otherwise the enabled follow-up rules (assignFollowUpTraining).
 */
export async function assignAfterClick(
  q: Queryable,
  t: Pick<Target, "person_id" | "campaign_id" | "follow_up_module_id">,
) {
  const reason = {
    key: `phishing:${t.campaign_id}`,
    text: "Follow-up after a simulated phishing mail: how to spot such a mail and report it",
  };
  if (!t.follow_up_module_id) return assignFollowUpTraining(q, t.person_id, reason, TRACKING_CTX);
  const person = await findPerson(q, t.person_id);
  if (!person || !WORKING.includes(person.status)) return 0;
  const m = await q.query<{ due_days: number }>(
    "SELECT due_days FROM awareness_modules WHERE id = $1 AND status = 'published'",
    [t.follow_up_module_id],
  );
  if (!m.rows[0]) return 0;
  const made = await assignMany(q, TRACKING_CTX, {
    personIds: [t.person_id],
    itemType: "module",
    itemId: t.follow_up_module_id,
    cycle: reason.key,
    source: reason.key,
    reason: reason.text,
    dueAt: addDays(new Date(), m.rows[0].due_days),
  });
  return made.length;
}

/** What a counted click does once per recipient: training, the event and the audit entry. */
export async function afterFirstClick(q: Queryable, events: Events, t: Target, via: string) {
  await assignAfterClick(q, t);
  await events.publish(q, PHISHING_EVENTS.clicked, {
    personId: t.person_id,
    campaignId: t.campaign_id,
    recipientId: t.recipient_id,
  });
  await appendAudit(q, TRACKING_CTX, {
    action: "phishing.clicked",
    targetType: "phishing_recipient",
    targetId: t.recipient_id,
    details: { campaignId: t.campaign_id, via },
  });
}

async function stage(q: Queryable, t: Target, column: string, at: Date, action: string) {
  await q.query(`UPDATE phishing_recipients SET ${column} = COALESCE(${column}, $2) WHERE id = $1`, [
    t.recipient_id,
    at,
  ]);
  await appendAudit(q, TRACKING_CTX, {
    action,
    targetType: "phishing_recipient",
    targetId: t.recipient_id,
    details: { campaignId: t.campaign_id },
  });
}

export interface TrackResult {
  outcome: "unknown" | "expired" | "ok";
  target?: Target;
  counted: boolean;
  reason: FilterReason | null;
}

/**
 * Records one request (open, click, confirm or submit) for a token and decides whether it
 * counts. Unknown tokens record nothing; expired ones are recorded and never counted.
 */
export async function track(
  db: Db,
  deps: { events: Events; filters: FilterSettings },
  kind: Exclude<Kind, "report">,
  token: string,
  req: RequestFacts,
  extra: { via?: string; webdriver?: boolean } = {},
): Promise<TrackResult> {
  if (!wellFormedToken(token)) return { outcome: "unknown", counted: false, reason: null };
  return db.tx(async (q) => {
    const t = await findTarget(q, token, true);
    if (!t) return { outcome: "unknown" as const, counted: false, reason: null };
    const now = new Date();
    const { shape, reason: filtered } = classify(kind, req, t.sent_at ?? t.send_at, now, deps.filters);
    if (extra.via) shape.via = extra.via;
    let reason: FilterReason | null = filtered;
    if (!reason && extra.webdriver) reason = "bot_agent";
    const recent = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM phishing_interactions
       WHERE recipient_id = $1 AND kind = $2 AND at > $3::timestamptz - interval '1 hour'`,
      [t.recipient_id, kind, now],
    );
    const flooded = (recent.rows[0]?.n ?? 0) >= ROWS_PER_HOUR;
    if (t.expired) {
      if (!flooded) await insertInteraction(q, t.recipient_id, kind, now, false, "expired", shape);
      return { outcome: "expired" as const, target: t, counted: false, reason: "expired" as const };
    }
    let counted = false;
    if (!reason) {
      if (kind === "open") {
        if (t.opened_at) reason = "duplicate";
        else {
          counted = true;
          await stage(q, t, "opened_at", now, "phishing.opened");
        }
      } else if (kind === "click") {
        // A fetch of the link is never enough: the landing page's script must confirm it.
        reason = t.clicked_at ? "duplicate" : "not_confirmed";
      } else if (kind === "confirm") {
        if (t.clicked_at) reason = "duplicate";
        else {
          counted = true;
          await q.query(
            "UPDATE phishing_recipients SET clicked_at = $2, opened_at = COALESCE(opened_at, $2) WHERE id = $1",
            [t.recipient_id, now],
          );
          // The fetch this confirms counts with it.
          await q.query(
            `UPDATE phishing_interactions SET counted = true, filter_reason = NULL
             WHERE id = (SELECT id FROM phishing_interactions WHERE recipient_id = $1 AND kind = 'click'
               AND filter_reason = 'not_confirmed' AND at > $2::timestamptz - interval '1 hour' ORDER BY at DESC, id DESC LIMIT 1)`,
            [t.recipient_id, now],
          );
          await afterFirstClick(q, deps.events, t, "confirm");
        }
      } else {
        if (t.submitted_at) reason = "duplicate";
        else {
          counted = true;
          await q.query(
            `UPDATE phishing_recipients SET submitted_at = $2, clicked_at = COALESCE(clicked_at, $2),
               opened_at = COALESCE(opened_at, $2) WHERE id = $1`,
            [t.recipient_id, now],
          );
          await appendAudit(q, TRACKING_CTX, {
            action: "phishing.submitted",
            targetType: "phishing_recipient",
            targetId: t.recipient_id,
            details: { campaignId: t.campaign_id },
          });
          if (!t.clicked_at) await afterFirstClick(q, deps.events, t, "submit");
        }
      }
    }
    if (!flooded || counted) await insertInteraction(q, t.recipient_id, kind, now, counted, reason, shape);
    return { outcome: "ok" as const, target: t, counted, reason };
  });
}

/** Effective counting after overrides: each stage is the first interaction that counts. */
export async function recomputeStages(q: Queryable, recipientId: string): Promise<void> {
  await q.query(
    `UPDATE phishing_recipients r SET opened_at = s.opened, clicked_at = s.clicked,
       submitted_at = s.submitted, reported_at = s.reported
     FROM (
       SELECT min(at) FILTER (WHERE kind IN ('open', 'click', 'confirm', 'submit')) AS opened,
         min(at) FILTER (WHERE kind IN ('click', 'confirm', 'submit')) AS clicked,
         min(at) FILTER (WHERE kind = 'submit') AS submitted,
         min(at) FILTER (WHERE kind = 'report') AS reported
       FROM phishing_interactions WHERE recipient_id = $1 AND COALESCE(override_counted, counted)
     ) s
     WHERE r.id = $1`,
    [recipientId],
  );
}
