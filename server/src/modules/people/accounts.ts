import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
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
const AUTOMATIC = ["employee", "manager"];

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
