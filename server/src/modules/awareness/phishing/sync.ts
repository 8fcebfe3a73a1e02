/**
 * Campaigns follow the people records while they run: a joiner who falls into a running
 * campaign's audience gets the mail at a random moment in what remains of the window; a
 * leaver, or someone who moved out of the audience, is dropped if not yet sent to.
 */

import { appendAudit } from "../../../platform/audit/index.js";
import type { Db, Queryable } from "../../../platform/db/index.js";
import type { DomainEvent, Events } from "../../../platform/events/index.js";
import { ulid } from "../../../platform/ids/index.js";
import type { Jobs } from "../../../platform/jobs/index.js";
import { audiencePeople, parseAudience } from "../audience.js";
import { VALID_EMAIL_SQL } from "./campaigns.js";
import { finishCampaigns, kickSender, SENDER } from "./sender.js";

interface PersonPayload {
  personId: string;
}

/** Brings one person's place in every running campaign up to date; returns what changed. */
export async function syncPerson(q: Queryable, events: Events, jobs: Jobs | null, personId: string) {
  const out = { added: 0, dropped: 0 };
  const droppedFrom: string[] = [];
  const campaigns = await q.query<{ id: string; audience: unknown; window_start: Date; window_end: Date }>(
    `SELECT id, audience, window_start, window_end FROM phishing_campaigns
     WHERE status IN ('scheduled', 'sending') ORDER BY id FOR UPDATE`,
  );
  for (const c of campaigns.rows) {
    const inAudience = (await audiencePeople(q, parseAudience(c.audience), [personId])).length > 0;
    const existing = await q.query<{ id: string; status: string }>(
      "SELECT id, status FROM phishing_recipients WHERE campaign_id = $1 AND person_id = $2 FOR UPDATE",
      [c.id, personId],
    );
    const mine = existing.rows[0];
    if (inAudience && !mine && new Date(c.window_end).getTime() > Date.now()) {
      const id = ulid();
      const added = await q.query<{ send_at: Date }>(
        `INSERT INTO phishing_recipients (id, campaign_id, person_id, email, department_id, send_at)
         SELECT $1, $2, p.id, p.work_email, p.department_id,
           greatest($3::timestamptz, now()) + random() * ($4::timestamptz - greatest($3::timestamptz, now()))
         FROM people p WHERE p.id = $5 AND ${VALID_EMAIL_SQL}
         RETURNING send_at`,
        [id, c.id, c.window_start, c.window_end, personId],
      );
      const sendAt = added.rows[0]?.send_at;
      if (!sendAt) continue;
      await appendAudit(q, SENDER, {
        action: "awareness.phishing_recipient_added",
        targetType: "phishing_campaign",
        targetId: c.id,
        details: { recipientId: id, personId, reason: "joined the audience" },
      });
      if (jobs) await kickSender(jobs, q, new Date(sendAt));
      out.added++;
    } else if (!inAudience && mine?.status === "pending") {
      await q.query(
        "UPDATE phishing_recipients SET status = 'dropped', last_error = 'left the audience' WHERE id = $1",
        [mine.id],
      );
      await appendAudit(q, SENDER, {
        action: "awareness.phishing_recipient_dropped",
        targetType: "phishing_campaign",
        targetId: c.id,
        details: { recipientId: mine.id, personId, reason: "left the audience" },
      });
      out.dropped++;
      droppedFrom.push(c.id);
    }
  }
  if (droppedFrom.length) await finishCampaigns(q, events, droppedFrom);
  return out;
}

export function subscribePhishingSync(events: Events, db: Db, jobs: Jobs) {
  // People arriving together (a file import, a day's leavers) are synced in one transaction.
  const syncMany = async (batch: DomainEvent<PersonPayload>[]) => {
    await db.tx(async (q) => {
      for (const e of batch) await syncPerson(q, events, jobs, e.payload.personId);
    });
  };
  for (const [type, name] of [
    ["person.hired", "awareness.phishing_hired"],
    ["person.started", "awareness.phishing_started"],
    ["person.rehired", "awareness.phishing_rehired"],
    ["person.moved", "awareness.phishing_moved"],
    ["person.terminated", "awareness.phishing_leaver"],
  ] as const)
    events.subscribe<PersonPayload>(type, name, (e) => syncMany([e]), { batchSize: 100, many: syncMany });
}
