import type { AuditInput } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { AUTOMATIC, sorted, writeRoles } from "../accounts.js";
import type { PersonInput } from "../schemas.js";
import { WORKING } from "../status.js";
import { BulkRefused } from "./failure.js";

/**
 * What syncAccount (accounts.ts) does for people a file creates, many at once: working people
 * get a Tandem account (an existing unlinked one with their email, or a new one) with the
 * `employee` role, plus `manager` while someone working reports to them. (syncAccounts, beside
 * syncAccount, does it for people already on record.)
 */

export interface AccountPlan {
  /** person id → the account to link (set when the person is inserted). */
  userOf: Map<string, string>;
  newUsers: { id: string; email: string; name: string }[];
  roles: { user: string; wanted: string[]; fresh?: boolean }[];
  enable: string[];
}

/**
 * Decides the accounts of people about to be created (before they are inserted, so the link
 * goes in with the record) and adds the audit entries syncAccount would write to each trail.
 */
export async function planAccounts(
  q: Queryable,
  people: { id: string; input: PersonInput }[],
  audit: Map<string, AuditInput[]>,
): Promise<AccountPlan> {
  const plan: AccountPlan = { userOf: new Map(), newUsers: [], roles: [], enable: [] };
  const working = people.filter((p) => WORKING.includes(p.input.status));
  if (!working.length) return plan;
  const existing = new Map(
    (
      await q.query<{ id: string; e: string; disabled: boolean; roles: string[] | null; linked: boolean }>(
        // One index probe per email and per account (LATERAL … LIMIT 1): a join or EXISTS may be
        // planned as a scan of every user or person, which grows with each batch of a large import.
        `SELECT u.id, x.e, u.disabled,
           COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id), '{}') AS roles,
           p.one IS NOT NULL AS linked
         FROM unnest($1::text[]) AS x(e)
         CROSS JOIN LATERAL (SELECT u.id, u.disabled FROM users u WHERE lower(u.email) = x.e LIMIT 1) u
         LEFT JOIN LATERAL (SELECT 1 AS one FROM people p WHERE p.user_id = u.id LIMIT 1) p ON true`,
        [working.map((p) => p.input.workEmail.toLowerCase())],
      )
    ).rows.map((u) => [u.e, u]),
  );
  // New people have no reports but each other: count the working ones in this batch.
  const reports = new Map<string, number>();
  for (const p of working)
    if (p.input.managerId) reports.set(p.input.managerId, (reports.get(p.input.managerId) ?? 0) + 1);
  for (const p of working) {
    const trail = audit.get(p.id) as AuditInput[];
    const ex = existing.get(p.input.workEmail.toLowerCase());
    if (ex?.linked) continue; // that account belongs to someone else: no account
    const userId = ex?.id ?? ulid();
    if (!ex) {
      plan.newUsers.push({
        id: userId,
        email: p.input.workEmail,
        name: p.input.preferredName || p.input.legalName,
      });
      trail.push({
        action: "user.created",
        targetType: "user",
        targetId: userId,
        details: { via: "people", personId: p.id },
      });
    }
    plan.userOf.set(p.id, userId);
    trail.push({
      action: "person.account_linked",
      targetType: "person",
      targetId: p.id,
      details: { userId },
    });
    const current = ex?.roles ?? [];
    const wanted = [
      ...current.filter((r) => !AUTOMATIC.includes(r)),
      "employee",
      ...((reports.get(p.id) ?? 0) > 0 ? ["manager"] : []),
    ];
    const changed = sorted(wanted).join() !== sorted(current).join();
    if (changed) plan.roles.push({ user: userId, wanted, fresh: !ex });
    if (ex?.disabled) {
      plan.enable.push(userId);
      trail.push({
        action: "user.enabled",
        targetType: "user",
        targetId: userId,
        details: { via: "people", personId: p.id },
      });
    }
    if (changed)
      trail.push({
        action: "user.roles_changed",
        targetType: "user",
        targetId: userId,
        details: { via: "people", from: current, to: sorted(wanted) },
      });
  }
  return plan;
}

/** Creates the planned accounts (before the people rows that point at them). */
export async function createAccounts(q: Queryable, plan: AccountPlan): Promise<void> {
  const u = plan.newUsers;
  if (u.length) {
    const r = await q.query(
      `INSERT INTO users (id, email, display_name) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT DO NOTHING`,
      [u.map((x) => x.id), u.map((x) => x.email), u.map((x) => x.name)],
    );
    if (r.rowCount !== u.length) throw new BulkRefused("A user with one of these emails appeared meanwhile");
  }
  await writeRoles(q, plan.roles);
  if (plan.enable.length)
    await q.query("UPDATE users SET disabled = false, updated_at = now() WHERE id = ANY($1::text[])", [
      plan.enable,
    ]);
}
