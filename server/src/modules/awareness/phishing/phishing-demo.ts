/**
 * `tandem demo`: three finished phishing simulations over the last months for the people at
 * work, written as history: who was sent what, opened, clicked, typed into the look-alike
 * page or reported it, per department, with the scanner and preview fetches that were
 * filtered out. Clicks fall and reports rise from one campaign to the next.
 */
import { createHash, randomBytes } from "node:crypto";
import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { WORKING } from "../../people/index.js";
import { assignMany } from "../assign.js";
import { DAY_MS } from "../context.js";

export interface PhishingDemoResult {
  campaigns: number;
  recipients: number;
  interactions: number;
}

/** A stable pseudo-random number in [0, 1) for a string (the same demo every time). */
function chance(key: string): number {
  let h = 2166136261;
  for (const c of key) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return ((h >>> 0) % 10_000) / 10_000;
}

const PLAN = [
  {
    starter: "payment-details-change",
    name: "Supplier bank details change",
    daysAgo: 120,
    click: 0.24,
    report: 0.16,
  },
  { starter: "parcel-delivery", name: "Parcel held at the depot", daysAgo: 62, click: 0.15, report: 0.29 },
  {
    starter: "ai-assistant-licence",
    name: "Your AI assistant licence",
    daysAgo: 21,
    click: 0.09,
    report: 0.43,
  },
];

export async function seedPhishingDemo(
  q: Queryable,
  ctx: AuditContext,
  now: Date,
): Promise<PhishingDemoResult> {
  const result: PhishingDemoResult = { campaigns: 0, recipients: 0, interactions: 0 };
  const done = await q.query("SELECT 1 FROM phishing_campaigns WHERE created_by = 'demo' LIMIT 1");
  if (done.rowCount) return result;
  const people = (
    await q.query<{ id: string; work_email: string; department_id: string | null }>(
      "SELECT id, work_email, department_id FROM people WHERE status = ANY($1::text[]) ORDER BY id",
      [[...WORKING]],
    )
  ).rows;
  if (!people.length) return result;
  const followUp = (
    await q.query<{ id: string }>(
      "SELECT id FROM awareness_modules WHERE starter_key = 'phishing-payment-fraud' AND status = 'published'",
    )
  ).rows[0]?.id;
  const rows: unknown[][] = [];
  const interaction = (
    recipientId: string,
    kind: string,
    at: Date,
    counted: boolean,
    reason: string | null,
    shape: object,
  ) => rows.push([ulid(), recipientId, kind, at, counted, reason, JSON.stringify(shape)]);
  const browser = (secs: number) => ({
    method: "GET",
    browserHeaders: true,
    agent: "chrome",
    secondsSinceSent: secs,
    scannerRange: false,
  });

  for (const plan of PLAN) {
    const template = (
      await q.query<{ id: string }>(
        "SELECT id FROM phishing_templates WHERE starter_key = $1 OR starter_key IS NOT NULL ORDER BY starter_key = $1 DESC, id LIMIT 1",
        [plan.starter],
      )
    ).rows[0];
    if (!template) return result;
    const start = new Date(now.getTime() - plan.daysAgo * DAY_MS);
    const end = new Date(start.getTime() + 4 * DAY_MS);
    const campaignId = ulid();
    await q.query(
      `INSERT INTO phishing_campaigns (id, name, template_id, audience, window_start, window_end, status, follow_up_module_id,
         track_days, created_by, scheduled_at, finished_at, created_at, updated_at)
       VALUES ($1, $2, $3, '{"everyone": true}', $4, $5, 'finished', $6, 30, 'demo', $7, $5, $7, $5)`,
      [campaignId, plan.name, template.id, start, end, followUp ?? null, new Date(start.getTime() - DAY_MS)],
    );
    result.campaigns++;
    const clickers: string[] = [];
    for (const p of people) {
      const roll = (what: string) => chance(`${campaignId}:${p.id}:${what}`);
      const dept = p.department_id ? 0.6 + chance(`${plan.starter}:${p.department_id}`) * 0.8 : 1;
      const sentAt = new Date(start.getTime() + Math.floor(roll("send") * 4 * DAY_MS));
      const after = (minutes: number) => new Date(sentAt.getTime() + minutes * 60_000);
      const opened = roll("open") < 0.62;
      const clicked = roll("click") < plan.click * dept;
      const submitted = clicked && roll("submit") < 0.4;
      // Some who clicked realise it and report the mail too.
      const reported = roll("report") < (clicked ? 0.2 : (plan.report / dept) * 1.1);
      const id = ulid();
      const openedAt = opened || clicked ? after(5 + roll("o") * 600) : null;
      const clickedAt = clicked ? after(8 + roll("c") * 900) : null;
      const submittedAt = submitted && clickedAt ? new Date(clickedAt.getTime() + 40_000) : null;
      const reportedAt = reported ? after(3 + roll("r") * 240) : null;
      await q.query(
        `INSERT INTO phishing_recipients (id, campaign_id, person_id, email, department_id, token_hash, send_at, status,
           attempts, sent_at, opened_at, clicked_at, submitted_at, reported_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'sent', 1, $7, $8, $9, $10, $11)`,
        [
          id,
          campaignId,
          p.id,
          p.work_email,
          p.department_id,
          createHash("sha256").update(randomBytes(32)).digest("hex"),
          sentAt,
          openedAt,
          clickedAt,
          submittedAt,
          reportedAt,
        ],
      );
      result.recipients++;
      // The mail gateway's link check seconds after delivery, for about a third of the mails.
      if (roll("scan") < 0.33)
        interaction(
          id,
          "click",
          new Date(sentAt.getTime() + 3000),
          false,
          roll("how") < 0.5 ? "scanner_range" : "too_fast",
          {
            method: "GET",
            browserHeaders: false,
            agent: "other",
            secondsSinceSent: 3,
            scannerRange: roll("how") < 0.5,
          },
        );
      if (roll("preview") < 0.05)
        interaction(id, "click", after(1), false, "bot_agent", {
          ...browser(60),
          agent: "bot",
          browserHeaders: false,
        });
      if (openedAt)
        interaction(
          id,
          "open",
          openedAt,
          true,
          null,
          browser(Math.round((openedAt.getTime() - sentAt.getTime()) / 1000)),
        );
      if (clickedAt) {
        const secs = Math.round((clickedAt.getTime() - sentAt.getTime()) / 1000);
        interaction(id, "click", clickedAt, true, null, browser(secs));
        interaction(id, "confirm", new Date(clickedAt.getTime() + 2000), true, null, {
          ...browser(secs + 2),
          method: "POST",
          via: "interaction",
        });
        clickers.push(p.id);
      } else if (roll("peek") < 0.04) {
        // Opened the link but the page never confirmed a browser (closed at once, or blocked).
        interaction(id, "click", after(30), false, "not_confirmed", browser(1800));
      }
      if (submittedAt) interaction(id, "submit", submittedAt, true, null, { ...browser(0), method: "POST" });
      if (reportedAt) interaction(id, "report", reportedAt, true, null, { method: "report" });
    }
    // The latest campaign's clickers still have their follow-up training open.
    if (followUp && clickers.length && plan === PLAN[PLAN.length - 1])
      await assignMany(q, ctx, {
        personIds: clickers,
        itemType: "module",
        itemId: followUp,
        cycle: `phishing:${campaignId}`,
        source: `phishing:${campaignId}`,
        reason: "Follow-up after a simulated phishing mail: how to spot such a mail and report it",
        dueAt: new Date(Math.min(now.getTime() + 14 * DAY_MS, end.getTime() + 30 * DAY_MS)),
      });
  }
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const cols = (n: number) => chunk.map((r) => r[n]);
    await q.query(
      `INSERT INTO phishing_interactions (id, recipient_id, kind, at, counted, filter_reason, shape)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::boolean[], $6::text[], $7::jsonb[])`,
      [cols(0), cols(1), cols(2), cols(3), cols(4), cols(5), cols(6)],
    );
  }
  result.interactions = rows.length;
  await appendAudit(q, ctx, {
    action: "phishing.demo_seeded",
    targetType: "phishing",
    details: { ...result },
  });
  return result;
}
