/**
 * `tandem demo`: points for the demo people, derived from the training they passed and the
 * policies they acknowledged (and any practice phishing mail they reported), some people who
 * chose to be named on the leaderboard, and objectives for the current review period.
 */

import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { WORKING } from "../../people/index.js";
import { currentPeriod } from "./period.js";

export interface RewardsDemoResult {
  entries: number;
  optedIn: number;
  objectives: number;
}

export async function seedRewardsDemo(
  q: Queryable,
  ctx: AuditContext,
  now = new Date(),
): Promise<RewardsDemoResult> {
  const values = new Map(
    (
      await q.query<{ kind: string; points: number }>("SELECT kind, points FROM rewards_point_values")
    ).rows.map((r) => [r.kind, r.points]),
  );
  const sources = await q.query<{
    person_id: string;
    kind: string;
    source_id: string;
    label: string;
    at: Date;
  }>(
    `SELECT t.person_id, 'training' AS kind, t.id AS source_id, m.title AS label, t.submitted_at AS at
       FROM awareness_attempts t JOIN awareness_modules m ON m.id = t.module_id WHERE t.passed
     UNION ALL
     SELECT a.person_id, 'policy', a.policy_id || ':v' || a.version, p.title || ' (version ' || a.version || ')',
       a.acknowledged_at
       FROM awareness_acknowledgements a JOIN awareness_policies p ON p.id = a.policy_id
     UNION ALL
     SELECT r.person_id, 'phish_simulated', r.id, 'Spotted and reported a practice phishing mail', r.reported_at
       FROM phishing_recipients r WHERE r.reported_at IS NOT NULL`,
  );
  let entries = 0;
  for (const s of sources.rows) {
    const ins = await q.query(
      `INSERT INTO rewards_points (id, person_id, kind, source_id, points, label, earned_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (person_id, kind, source_id) DO NOTHING`,
      [ulid(), s.person_id, s.kind, s.source_id, values.get(s.kind) ?? 0, s.label, s.at ?? now],
    );
    entries += ins.rowCount;
  }
  // About a third of the people at work chose to be named on the leaderboard.
  const opt = await q.query(
    `INSERT INTO rewards_settings (person_id, leaderboard_opt_in)
     SELECT id, true FROM people WHERE status = ANY($1::text[]) AND right(id, 1) IN ('0', '3', '6', '9', 'C', 'F', 'J', 'M', 'Q', 'T', 'X')
     ON CONFLICT (person_id) DO NOTHING`,
    [[...WORKING]],
  );
  const period = currentPeriod(now);
  let objectives = 0;
  const existing = await q.query("SELECT 1 FROM rewards_objectives WHERE period = $1 LIMIT 1", [period]);
  if (!existing.rowCount) {
    const dept = await q.query<{ id: string }>(
      `SELECT department_id AS id FROM people WHERE status = ANY($1::text[]) AND department_id IS NOT NULL
       GROUP BY department_id ORDER BY count(*) DESC, department_id LIMIT 1`,
      [[...WORKING]],
    );
    const rows: [string, string, number, string, string | null][] = [
      ["Complete all assigned security training", "training_completed", 0, "everyone", null],
      ["Acknowledge every policy asked of you", "policies_acknowledged", 0, "everyone", null],
      ["No clicks on practice phishing mails", "no_clicks", 0, "everyone", null],
      ["Earn 30 security points", "points", 30, "everyone", null],
    ];
    if (dept.rows[0])
      rows.push(["Report at least one phishing mail", "phish_reports", 1, "department", dept.rows[0].id]);
    for (const [title, metric, target, scope, departmentId] of rows) {
      await q.query(
        `INSERT INTO rewards_objectives (id, period, title, metric, target, scope, department_id, set_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [ulid(), period, title, metric, target, scope, departmentId, ctx.actorLabel ?? "demo"],
      );
      objectives++;
    }
  }
  const result = { entries, optedIn: opt.rowCount, objectives };
  await appendAudit(q, ctx, {
    action: "rewards.demo_seeded",
    targetType: "rewards",
    details: { ...result, period },
  });
  return result;
}
