import { type AuditContext, type AuditInput, appendAudit } from "../../platform/audit/index.js";
import {
  deleteSessionsOf,
  findUserByEmail,
  findUserById,
  insertUser,
  revokeTokensOf,
  setRoles,
} from "../../platform/auth/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { WORKING } from "./status.js";

/** Roles that People grants and removes; every other role is managed by admins only. */
export const AUTOMATIC = ["employee", "manager"];
export const sorted = (a: readonly string[]) => [...a].sort();

/**
 * Keeps a person's Tandem account in line with the HR record: working people have an
 * account with `employee` (and `manager` while they have reports); leavers lose the
 * automatic roles, their account is disabled, and their sessions and tokens end.
 */
export async function syncAccount(q: Queryable, ctx: AuditContext, personId: string): Promise<void> {
  const r = await q.query<{
    id: string;
    work_email: string;
    legal_name: string;
    preferred_name: string | null;
    status: string;
    user_id: string | null;
    reports: number;
  }>(
    `SELECT p.id, p.work_email, p.legal_name, p.preferred_name, p.status, p.user_id,
       (SELECT count(*)::int FROM people x WHERE x.manager_id = p.id AND x.status IN ('pre_hire','active','leave','notice')) AS reports
     FROM people p WHERE p.id = $1`,
    [personId],
  );
  const p = r.rows[0];
  if (!p) return;
  const working = (WORKING as readonly string[]).includes(p.status);
  let userId = p.user_id;
  if (!userId && working) {
    const existing = await findUserByEmail(q, p.work_email);
    const linked = existing
      ? await q.query("SELECT 1 FROM people WHERE user_id = $1 AND id <> $2", [existing.id, p.id])
      : undefined;
    if (existing && linked?.rowCount === 0) {
      userId = existing.id;
    } else if (!existing) {
      const created = await insertUser(q, {
        email: p.work_email,
        displayName: p.preferred_name || p.legal_name,
        roles: [],
      });
      userId = created.id;
      await appendAudit(q, ctx, {
        action: "user.created",
        targetType: "user",
        targetId: userId,
        details: { via: "people", personId },
      });
    }
    if (userId) {
      await q.query("UPDATE people SET user_id = $2 WHERE id = $1", [p.id, userId]);
      await appendAudit(q, ctx, {
        action: "person.account_linked",
        targetType: "person",
        targetId: p.id,
        details: { userId },
      });
    }
  }
  if (!userId) return;
  const user = await findUserById(q, userId, true);
  if (!user) return;
  const current = user.roles ?? [];
  const keep = current.filter((role) => !AUTOMATIC.includes(role));
  const wanted = working ? [...keep, "employee", ...(p.reports > 0 ? ["manager"] : [])] : keep;
  const changed = [...wanted].sort().join() !== [...current].sort().join();
  if (changed) await setRoles(q, userId, wanted);
  if (working && user.disabled) {
    await q.query("UPDATE users SET disabled = false, updated_at = now() WHERE id = $1", [userId]);
    await appendAudit(q, ctx, {
      action: "user.enabled",
      targetType: "user",
      targetId: userId,
      details: { via: "people", personId },
    });
  }
  if (!working && !user.disabled) {
    await q.query("UPDATE users SET disabled = true, updated_at = now() WHERE id = $1", [userId]);
    const sessions = await deleteSessionsOf(q, userId);
    const tokens = await revokeTokensOf(q, userId);
    await appendAudit(q, ctx, {
      action: "user.disabled",
      targetType: "user",
      targetId: userId,
      details: { via: "people", personId, sessionsEnded: sessions, tokensRevoked: tokens },
    });
  }
  if (changed) {
    await appendAudit(q, ctx, {
      action: "user.roles_changed",
      targetType: "user",
      targetId: userId,
      details: { via: "people", from: current, to: [...wanted].sort() },
    });
  }
}

/** Sets the automatic roles of accounts; `fresh` ones were created just now and have none to take away. */
export async function writeRoles(q: Queryable, roles: { user: string; wanted: string[]; fresh?: boolean }[]) {
  if (!roles.length) return;
  const users = roles.flatMap((r) => r.wanted.map(() => r.user));
  const values = roles.flatMap((r) => r.wanted);
  const old = roles.filter((r) => !r.fresh);
  if (old.length)
    await q.query(
      `DELETE FROM user_roles WHERE user_id = ANY($1::text[]) AND role IN ('employee', 'manager')
         AND NOT (user_id || ':' || role) = ANY($2::text[])`,
      [old.map((r) => r.user), old.flatMap((r) => r.wanted.map((w) => `${r.user}:${w}`))],
    );
  await q.query(
    "INSERT INTO user_roles (user_id, role) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
    [users, values],
  );
}

/**
 * Each person's account as syncAccount leaves it, for many people at once: after people
 * joined or left their teams (their managers), or changed status (themselves). The usual
 * cases are done for all at once — nothing to do for someone not working and without an
 * enabled account, and the employee/manager roles of a working person with an enabled
 * account (the audit entries are returned, to be appended); anything else goes through
 * syncAccount itself.
 */
export async function syncAccounts(q: Queryable, ctx: AuditContext, ids: string[]): Promise<AuditInput[]> {
  if (!ids.length) return [];
  const r = await q.query<{
    id: string;
    user_id: string | null;
    working: boolean;
    disabled: boolean | null;
    roles: string[] | null;
    reports: boolean;
  }>(
    // An index probe per manager (LATERAL … LIMIT 1), for the same reason as in planAccounts.
    `SELECT p.id, p.user_id, p.status IN ('pre_hire','active','leave','notice') AS working, u.disabled,
       COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id), '{}') AS roles,
       x.one IS NOT NULL AS reports
     FROM people p LEFT JOIN users u ON u.id = p.user_id
     LEFT JOIN LATERAL (SELECT 1 AS one FROM people x
       WHERE x.manager_id = p.id AND x.status IN ('pre_hire','active','leave','notice') LIMIT 1) x ON true
     WHERE p.id = ANY($1::text[])`,
    [ids],
  );
  const roles: { user: string; wanted: string[] }[] = [];
  const trail: AuditInput[] = [];
  for (const m of r.rows) {
    const current = m.roles ?? [];
    if (!m.working || !m.user_id || m.disabled) {
      const idle = !m.working && (!m.user_id || (m.disabled && !current.some((x) => AUTOMATIC.includes(x))));
      if (!idle) await syncAccount(q, ctx, m.id);
      continue;
    }
    const wanted = [
      ...current.filter((x) => !AUTOMATIC.includes(x)),
      "employee",
      ...(m.reports ? ["manager"] : []),
    ];
    if (sorted(wanted).join() === sorted(current).join()) continue;
    roles.push({ user: m.user_id, wanted });
    trail.push({
      action: "user.roles_changed",
      targetType: "user",
      targetId: m.user_id,
      details: { via: "people", from: current, to: sorted(wanted) },
    });
  }
  await writeRoles(q, roles);
  return trail;
}
