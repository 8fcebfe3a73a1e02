/**
 * Matching accounts to people: each system names the HR identifiers that link its accounts
 * (employee number, work email, username), in order. An account is linked only when every
 * rule that finds someone finds the same person; when they disagree, or one rule finds
 * several people, a person decides (reconciliation reports it), never a guess.
 */
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/index.js";

export const MATCH_RULES = ["employee_number", "email", "username"] as const;
export type MatchRule = (typeof MATCH_RULES)[number];

/** What a system without rules of its own uses (the engine's behaviour before rules existed). */
export const DEFAULT_RULES: readonly MatchRule[] = ["employee_number", "email"];

/** People who have left: an identifier of theirs found again elsewhere may be a rehire. */
export const FORMER = "('leaver', 'alumni')";

export async function matchRules(
  q: Queryable,
  systemId: string,
): Promise<{ rules: MatchRule[]; usernameRule: string; custom: boolean }> {
  const r = await q.query<{ rules: MatchRule[] | null; username_rule: string }>(
    `SELECT m.rules, s.username_rule FROM systems s LEFT JOIN access_match_rules m ON m.system_id = s.id
     WHERE s.id = $1`,
    [systemId],
  );
  const row = r.rows[0];
  if (!row) throw notFound("access.system_not_found", "No such system");
  return { rules: row.rules ?? [...DEFAULT_RULES], usernameRule: row.username_rule, custom: !!row.rules };
}

export async function setMatchRules(
  q: Queryable,
  ctx: AuditContext,
  systemId: string,
  rules: MatchRule[],
): Promise<void> {
  const before = await matchRules(q, systemId);
  await q.query(
    `INSERT INTO access_match_rules (system_id, rules, updated_by) VALUES ($1, $2, $3)
     ON CONFLICT (system_id) DO UPDATE SET rules = $2, updated_by = $3, updated_at = now()`,
    [systemId, rules, ctx.actorLabel ?? ctx.actorId ?? null],
  );
  await appendAudit(q, ctx, {
    action: "access.match_rules_changed",
    targetType: "system",
    targetId: systemId,
    details: { before: before.rules, after: rules },
  });
}

/** A person's login name on a system, in SQL, by the system's username rule (as plan.ts makes it). */
function usernameSql(rule: string): string {
  if (rule === "email") return "lower(work_email)";
  if (rule === "employee_number") return "lower(employee_number)";
  return "lower(split_part(work_email, '@', 1))";
}

/**
 * SQL selecting (account_id, person_id, former, rule) for every person an account of the
 * system matches by the given rules. `population` is a SQL condition on accounts `a` (which
 * accounts to look at); `$1` is the system id. Set-based: one hash join per rule.
 */
export function candidatesSql(rules: readonly MatchRule[], usernameRule: string, population: string): string {
  const branches: string[] = [];
  if (rules.includes("employee_number"))
    branches.push(`SELECT pop.id, ppl.id, ppl.former, 'employee_number' FROM pop
      JOIN ppl ON ppl.employee_number = pop.employee_number`);
  if (rules.includes("email"))
    branches.push(`SELECT pop.id, ppl.id, ppl.former, 'email' FROM pop JOIN ppl ON ppl.email = pop.email`);
  if (rules.includes("username"))
    branches.push(`SELECT pop.id, ppl.id, ppl.former, 'username' FROM pop
      JOIN ppl ON ppl.username = pop.username`);
  if (!branches.length) return "SELECT NULL::text, NULL::text, NULL::boolean, NULL::text WHERE false";
  return `WITH pop AS MATERIALIZED (
      SELECT a.id, a.employee_number, lower(a.email) AS email, lower(a.username) AS username
      FROM accounts a WHERE a.system_id = $1 AND (${population})),
    ppl AS MATERIALIZED (
      SELECT id, status IN ${FORMER} AS former, employee_number, lower(work_email) AS email,
        ${usernameSql(usernameRule)} AS username
      FROM people)
    ${branches.join("\nUNION ALL\n")}`;
}

/**
 * Links the system's unlinked accounts that the rules tie to exactly one person, in one
 * statement; returns how many were linked.
 */
export async function linkByRules(q: Queryable, systemId: string): Promise<number> {
  const { rules, usernameRule } = await matchRules(q, systemId);
  const r = await q.query(
    `WITH cand (account_id, person_id, former, rule) AS (${candidatesSql(rules, usernameRule, "a.person_id IS NULL")}),
     one AS (SELECT account_id, min(person_id) AS person_id FROM cand
             GROUP BY account_id HAVING count(DISTINCT person_id) = 1)
     UPDATE accounts a SET person_id = one.person_id FROM one
     WHERE a.id = one.account_id AND a.person_id IS NULL`,
    [systemId],
  );
  return r.rowCount;
}
