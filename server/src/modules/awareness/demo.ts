/**
 * `tandem demo`: the starter policies and training for the demo organisation, with a
 * realistic mix of acknowledged, open and overdue policies, passed quizzes with certificates,
 * and training still to do (some of it overdue and escalated).
 */

import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { ulid } from "../../platform/ids/index.js";
import { WORKING } from "../people/index.js";
import { assignMany } from "./assign.js";
import { DAY_MS } from "./context.js";
import { activeQuestions } from "./modules.js";
import { seedPhishingDemo } from "./phishing/phishing-demo.js";
import { type RewardsDemoResult, seedRewardsDemo } from "./rewards/index.js";
import { seedStarterContent } from "./starter.js";

export interface AwarenessDemoResult {
  alreadySeeded: boolean;
  policies: number;
  modules: number;
  acknowledged: number;
  passed: number;
  overdue: number;
  /** Finished phishing simulations added as history. */
  phishingCampaigns: number;
  /** Points entries, people named on leaderboards, objectives for the current period. */
  rewards: RewardsDemoResult;
}

/** A stable pseudo-random number in [0, 1) for a string (the same demo every time). */
function chance(key: string): number {
  let h = 2166136261;
  for (const c of key) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return ((h >>> 0) % 10_000) / 10_000;
}

async function passQuiz(
  q: Queryable,
  a: { id: string; person_id: string; item_id: string; name: string; title: string },
  at: Date,
) {
  const questions = await activeQuestions(q, a.item_id);
  const paper = questions.map((x) => ({ questionId: x.id, optionIds: x.options.map((o) => o.id) }));
  const answers = questions.map((x) => ({
    questionId: x.id,
    optionIds: x.options.filter((o) => o.correct).map((o) => o.id),
  }));
  const attemptId = ulid();
  await q.query(
    `INSERT INTO awareness_attempts (id, assignment_id, person_id, module_id, seq, paper, started_at, submitted_at, answers, score, passed)
     VALUES ($1, $2, $3, $4, 1, $5, $6, $6, $7, 100, true)`,
    [attemptId, a.id, a.person_id, a.item_id, JSON.stringify(paper), at, JSON.stringify(answers)],
  );
  await q.query(
    `INSERT INTO awareness_certificates (id, attempt_id, person_id, module_id, module_title, person_name, score, issued_at)
     VALUES ($1, $2, $3, $4, $5, $6, 100, $7)`,
    [ulid(), attemptId, a.person_id, a.item_id, a.title, a.name, at],
  );
  await q.query("UPDATE awareness_assignments SET status = 'done', completed_at = $2 WHERE id = $1", [
    a.id,
    at,
  ]);
}

export async function seedAwarenessDemo(
  t: { db: Db; events: Events },
  opts: { ctx: AuditContext; now?: Date },
): Promise<AwarenessDemoResult> {
  const { db } = t;
  const now = opts.now ?? new Date();
  const starter = await seedStarterContent(db, t.events, opts.ctx);
  return db.tx(async (q) => {
    const seeded = await q.query("SELECT 1 FROM awareness_assignments WHERE source = 'demo' LIMIT 1");
    const result: AwarenessDemoResult = {
      alreadySeeded: seeded.rowCount > 0,
      policies: starter.policies,
      modules: starter.modules,
      acknowledged: 0,
      passed: 0,
      overdue: 0,
      phishingCampaigns: 0,
      rewards: { entries: 0, optedIn: 0, objectives: 0 },
    };
    if (result.alreadySeeded) return result;
    const people = await q.query<{ id: string }>(
      "SELECT id FROM people WHERE status = ANY($1::text[]) ORDER BY id",
      [[...WORKING]],
    );
    const ids = people.rows.map((p) => p.id);
    const modules = await q.query<{ id: string; starter_key: string | null }>(
      "SELECT id, starter_key FROM awareness_modules WHERE status = 'published' AND starter_key <> 'leaving-securely' ORDER BY title",
    );
    for (const m of modules.rows)
      await assignMany(q, opts.ctx, {
        personIds: ids,
        itemType: "module",
        itemId: m.id,
        cycle: "demo",
        source: "demo",
        reason: "security awareness programme",
        dueAt: new Date(now.getTime() + 21 * DAY_MS),
      });
    const open = await q.query<{
      id: string;
      person_id: string;
      item_type: string;
      item_id: string;
      policy_version: number | null;
      name: string;
      title: string;
    }>(
      `SELECT a.id, a.person_id, a.item_type, a.item_id, a.policy_version, COALESCE(p.preferred_name, p.legal_name) AS name,
         COALESCE(po.title, m.title) AS title
       FROM awareness_assignments a JOIN people p ON p.id = a.person_id
       LEFT JOIN awareness_policies po ON a.item_type = 'policy' AND po.id = a.item_id
       LEFT JOIN awareness_modules m ON a.item_type = 'module' AND m.id = a.item_id
       WHERE a.status = 'open' ORDER BY a.id`,
    );
    for (const a of open.rows) {
      const roll = chance(`${a.person_id}:${a.item_id}`);
      const at = new Date(now.getTime() - Math.floor(1 + roll * 20) * DAY_MS);
      if (a.item_type === "policy" && roll < 0.7) {
        await q.query(
          `INSERT INTO awareness_acknowledgements (policy_id, version, person_id, acknowledged_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [a.item_id, a.policy_version, a.person_id, at],
        );
        await q.query("UPDATE awareness_assignments SET status = 'done', completed_at = $2 WHERE id = $1", [
          a.id,
          at,
        ]);
        result.acknowledged++;
      } else if (a.item_type === "module" && roll < 0.55) {
        await passQuiz(q, a, at);
        result.passed++;
      } else if (roll > 0.85) {
        // Overdue: due some days ago, and escalated as far as the days allow.
        const late = Math.floor(3 + (roll - 0.85) * 150);
        const level = late >= 14 ? 3 : late >= 7 ? 2 : 1;
        await q.query(
          "UPDATE awareness_assignments SET due_at = $2, assigned_at = $3, escalation_level = $4, escalated_at = $5 WHERE id = $1",
          [
            a.id,
            new Date(now.getTime() - late * DAY_MS),
            new Date(now.getTime() - (late + 21) * DAY_MS),
            level,
            now,
          ],
        );
        result.overdue++;
      }
    }
    result.phishingCampaigns = (await seedPhishingDemo(q, opts.ctx, now)).campaigns;
    result.rewards = await seedRewardsDemo(q, opts.ctx, now);
    await appendAudit(q, opts.ctx, {
      action: "awareness.demo_seeded",
      targetType: "awareness",
      details: { acknowledged: result.acknowledged, passed: result.passed, overdue: result.overdue },
    });
    return result;
  });
}
