/**
 * Review revocations as overrides of the desired state. A grant a reviewer revoked stays
 * out of the person's desired state while the override stands, and is marked as managed so
 * the planner removes it even when no profile manages it. Applied last, after profiles,
 * exceptions and requests: a reviewer's "revoke" wins over what those give.
 *
 * This file must not import the planner (desired.ts calls it): it sees the desired state
 * only through the structural type below.
 */

import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { ulid } from "../../platform/ids/index.js";

export interface RevocableDesired {
  systems: Map<string, { systemId: string; enabled: boolean; entitlements: Map<string, string> }>;
  managedSystems: Set<string>;
  managedEntitlements: Map<string, Set<string>>;
}

interface Override {
  system_id: string;
  entitlement_ref: string | null;
}

interface HeldRow {
  system_id: string;
  enabled: boolean;
  entitlement_ref: string | null;
}

/** The revocations that stand for a person now (their job role is the one they were made under). */
export async function activeRevocations(
  q: Queryable,
  person: { id: string; jobRoleId: string | null },
): Promise<Override[]> {
  const r = await q.query<Override>(
    `SELECT system_id, entitlement_ref FROM access_review_revocations
     WHERE person_id = $1 AND lifted_at IS NULL AND job_role_id IS NOT DISTINCT FROM $2::text
     ORDER BY created_at, id`,
    [person.id, person.jobRoleId],
  );
  return r.rows;
}

/** Takes the person's revoked grants out of `desired` and marks them for removal. */
export async function applyReviewRevocations(
  q: Queryable,
  person: { id: string; jobRoleId: string | null },
  desired: RevocableDesired,
): Promise<void> {
  const overrides = await activeRevocations(q, person);
  if (!overrides.length) return;
  const held = await q.query<HeldRow>(
    `SELECT a.system_id, a.enabled, e.entitlement_ref FROM accounts a
     LEFT JOIN account_entitlements e ON e.account_id = a.id
     WHERE a.person_id = $1 AND a.system_id = ANY ($2::text[])`,
    [person.id, [...new Set(overrides.map((o) => o.system_id))]],
  );
  const managed = (systemId: string, ref: string) => {
    const set = desired.managedEntitlements.get(systemId) ?? new Set<string>();
    set.add(ref.toLowerCase());
    desired.managedEntitlements.set(systemId, set);
  };
  for (const o of overrides) {
    const rows = held.rows.filter((h) => h.system_id === o.system_id);
    if (o.entitlement_ref === null) {
      // The account itself: it goes (disabled), with every entitlement it holds.
      desired.systems.delete(o.system_id);
      desired.managedSystems.add(o.system_id);
      for (const h of rows) if (h.entitlement_ref) managed(o.system_id, h.entitlement_ref);
      continue;
    }
    managed(o.system_id, o.entitlement_ref);
    const wanted = desired.systems.get(o.system_id);
    if (wanted) {
      wanted.entitlements.delete(o.entitlement_ref.toLowerCase());
      continue;
    }
    // A system no profile gives the person: the account stays as it is, without the grant.
    // (On a system some profile manages, the planner already removes the whole account.)
    if (desired.managedSystems.has(o.system_id) || !rows.length) continue;
    desired.systems.set(o.system_id, {
      systemId: o.system_id,
      enabled: rows.some((h) => h.enabled),
      entitlements: new Map(),
    });
  }
}

/** Records the override for a revoked review item. */
export async function recordRevocation(
  q: Queryable,
  item: { id: string; person_id: string; system_id: string; entitlement_ref: string | null },
  jobRoleId: string | null,
  by: string | null,
): Promise<void> {
  await q.query(
    `INSERT INTO access_review_revocations (id, item_id, person_id, system_id, entitlement_ref, job_role_id, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (item_id) WHERE lifted_at IS NULL DO NOTHING`,
    [ulid(), item.id, item.person_id, item.system_id, item.entitlement_ref, jobRoleId, by],
  );
}

/** Lifts the override of a review item (its decision changed back to keep). */
export async function liftRevocation(
  q: Queryable,
  ctx: AuditContext,
  itemId: string,
  reason: string,
): Promise<boolean> {
  const r = await q.query<{ id: string; person_id: string }>(
    `UPDATE access_review_revocations SET lifted_at = now(), lifted_by = $2, lift_reason = $3
     WHERE item_id = $1 AND lifted_at IS NULL RETURNING id, person_id`,
    [itemId, ctx.actorLabel ?? ctx.actorId ?? null, reason],
  );
  const row = r.rows[0];
  if (!row) return false;
  await appendAudit(q, ctx, {
    action: "access.review_revocation_lifted",
    targetType: "person",
    targetId: row.person_id,
    details: { itemId, reason },
  });
  return true;
}
