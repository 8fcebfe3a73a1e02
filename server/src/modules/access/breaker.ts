/**
 * The circuit breaker: a wrong HR file must never lock out the company. When the plans
 * made for a system within the window would disable or revoke more than its threshold
 * share of the system's accounts, each further plan touching that system is held until a
 * person releases (or cancels) it. A plan for one person alone in the window, a revoke-now
 * and a high-risk leaver are never held.
 */
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/index.js";
import type { PlannedStep } from "./plan.js";

export const REMOVALS = new Set(["disable", "delete", "revoke"]);

export interface BreakerVerdict {
  heldSystemIds: string[];
  reasons: string[];
}

export async function checkBreaker(
  q: Queryable,
  plan: { id: string; personId: string | null; immediate: boolean },
  steps: PlannedStep[],
  windowMinutes: number,
): Promise<BreakerVerdict> {
  const mine = new Map<string, Set<string>>();
  for (const s of steps) {
    if (!s.systemId || !REMOVALS.has(s.action)) continue;
    const set = mine.get(s.systemId) ?? new Set<string>();
    set.add(s.accountRef ?? s.accountId ?? s.key);
    mine.set(s.systemId, set);
  }
  const verdict: BreakerVerdict = { heldSystemIds: [], reasons: [] };
  // Sorted, so two plans locking the same systems never wait on each other in a circle.
  for (const systemId of [...mine.keys()].sort()) {
    await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`access.breaker:${systemId}`]);
    if (plan.immediate) continue;
    const sys = await q.query<{ name: string; threshold: string; tripped: boolean }>(
      `SELECT name, breaker_threshold::text AS threshold,
         EXISTS (SELECT 1 FROM access_plans p WHERE p.state = 'held' AND $1 = ANY (p.held_system_ids)) AS tripped
       FROM systems WHERE id = $1`,
      [systemId],
    );
    const head = sys.rows[0];
    // A share of 1 can never be exceeded: nothing to count.
    if (!head || Number(head.threshold) >= 1) continue;
    if (head.tripped) {
      // Tripped already: further plans of the batch wait with it until a person decides;
      // a plan alone in the window is not part of the batch.
      const others = await q.query(
        `SELECT 1 FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
         JOIN systems y ON y.id = s.system_id
         WHERE s.system_id = $1 AND s.action IN ('disable', 'delete', 'revoke') AND p.id <> $2
           AND p.person_id IS DISTINCT FROM $4::text AND NOT p.dry_run AND p.state <> 'cancelled'
           AND p.created_at >= GREATEST(now() - make_interval(mins => $3::int),
                                        COALESCE(y.breaker_released_at, '-infinity'))
         LIMIT 1`,
        [systemId, plan.id, windowMinutes, plan.personId],
      );
      if (!others.rowCount) continue;
      verdict.heldSystemIds.push(systemId);
      verdict.reasons.push(
        `${head.name}: the circuit breaker holds this system's batch; a person must confirm`,
      );
      continue;
    }
    const r = await q.query<{
      name: string;
      threshold: string;
      total: number;
      accounts: number;
      people: number;
      mine_counted: boolean;
    }>(
      `WITH sys AS (
         SELECT id, name, breaker_threshold,
                GREATEST(now() - make_interval(mins => $3::int), COALESCE(breaker_released_at, '-infinity')) AS since
         FROM systems WHERE id = $1),
       prior AS (
         SELECT s.account_ref, s.account_id, p.person_id
         FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id, sys
         WHERE s.system_id = $1 AND s.action IN ('disable', 'delete', 'revoke') AND s.state <> 'cancelled'
           AND p.id <> $2 AND NOT p.dry_run AND p.state <> 'cancelled' AND p.created_at >= sys.since)
       SELECT sys.name, sys.breaker_threshold::text AS threshold,
         (SELECT count(*)::int FROM accounts WHERE system_id = $1) AS total,
         (SELECT count(DISTINCT COALESCE(account_ref, account_id))::int FROM prior) AS accounts,
         (SELECT count(DISTINCT person_id)::int FROM prior) AS people,
         EXISTS (SELECT 1 FROM prior WHERE person_id = $4::text) AS mine_counted
       FROM sys`,
      [systemId, plan.id, windowMinutes, plan.personId],
    );
    const row = r.rows[0];
    if (!row) continue;
    const people = row.people + (row.mine_counted ? 0 : 1);
    const affected = row.accounts + (mine.get(systemId)?.size ?? 0);
    const limit = Number(row.threshold) * row.total;
    if (people >= 2 && affected > limit) {
      verdict.heldSystemIds.push(systemId);
      verdict.reasons.push(
        `${row.name}: plans of the last ${windowMinutes} minutes would disable or revoke access of ${affected} of ${row.total} accounts (over ${Math.round(Number(row.threshold) * 100)} %); a person must confirm`,
      );
    }
  }
  return verdict;
}

/** Lets the held plans of a system run, and restarts the breaker's count from now. */
export async function releaseBreaker(
  q: Queryable,
  ctx: AuditContext,
  systemId: string,
): Promise<{ released: string[]; stillHeld: string[]; systemIds: string[] }> {
  const sys = await q.query("UPDATE systems SET breaker_released_at = now() WHERE id = $1 RETURNING id", [
    systemId,
  ]);
  if (!sys.rowCount) throw notFound("access.system_not_found", "No such system");
  const plans = await q.query<{ id: string; held_system_ids: string[] }>(
    `UPDATE access_plans SET held_system_ids = array_remove(held_system_ids, $1)
     WHERE state = 'held' AND $1 = ANY (held_system_ids) RETURNING id, held_system_ids`,
    [systemId],
  );
  const released = plans.rows.filter((p) => p.held_system_ids.length === 0).map((p) => p.id);
  const stillHeld = plans.rows.filter((p) => p.held_system_ids.length > 0).map((p) => p.id);
  if (released.length) {
    await q.query(
      "UPDATE access_plans SET state = 'running', held_reason = NULL WHERE id = ANY ($1::text[])",
      [released],
    );
  }
  const systems = await q.query<{ system_id: string }>(
    "SELECT DISTINCT system_id FROM access_plan_steps WHERE plan_id = ANY ($1::text[]) AND system_id IS NOT NULL",
    [released],
  );
  await appendAudit(q, ctx, {
    action: "access.breaker_released",
    targetType: "system",
    targetId: systemId,
    details: { released: released.length, stillHeld: stillHeld.length },
  });
  return { released, stillHeld, systemIds: systems.rows.map((r) => r.system_id) };
}
