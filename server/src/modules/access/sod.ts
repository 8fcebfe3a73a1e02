/**
 * Separation of duties: named pairs of entitlements (possibly on different systems) that
 * nobody should hold together. A rule in `block` mode refuses what would join the pair; in
 * `exception` mode a request may cross it with a documented justification. Profiles never
 * may: a role's birthright access cannot carry a toxic pair.
 */

import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { iso } from "./context.js";
import type { SodMode, SodRuleInput, SodRulePatch, SodRuleView } from "./schemas.js";

interface RuleRow {
  id: string;
  name: string;
  description: string;
  mode: SodMode;
  left_entitlement_id: string;
  right_entitlement_id: string;
  enabled: boolean;
  created_by: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  l_name: string;
  l_system_id: string;
  l_system_name: string;
  r_name: string;
  r_system_id: string;
  r_system_name: string;
}

const SELECT = `SELECT r.*, le.name AS l_name, le.system_id AS l_system_id, ls.name AS l_system_name,
    re.name AS r_name, re.system_id AS r_system_id, rs.name AS r_system_name
  FROM access_sod_rules r
  JOIN entitlements le ON le.id = r.left_entitlement_id JOIN systems ls ON ls.id = le.system_id
  JOIN entitlements re ON re.id = r.right_entitlement_id JOIN systems rs ON rs.id = re.system_id`;

const toRule = (r: RuleRow): SodRuleView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  mode: r.mode,
  left: {
    entitlementId: r.left_entitlement_id,
    entitlementName: r.l_name,
    systemId: r.l_system_id,
    systemName: r.l_system_name,
  },
  right: {
    entitlementId: r.right_entitlement_id,
    entitlementName: r.r_name,
    systemId: r.r_system_id,
    systemName: r.r_system_name,
  },
  enabled: r.enabled,
  createdBy: r.created_by,
  version: r.version,
  createdAt: iso(r.created_at) as string,
  updatedAt: iso(r.updated_at) as string,
});

export async function listSodRules(q: Queryable): Promise<SodRuleView[]> {
  return (await q.query<RuleRow>(`${SELECT} ORDER BY lower(r.name), r.id`)).rows.map(toRule);
}

export async function getSodRule(q: Queryable, id: string): Promise<SodRuleView> {
  const row = (await q.query<RuleRow>(`${SELECT} WHERE r.id = $1`, [id])).rows[0];
  if (!row) throw notFound("access.sod_rule_not_found", "No such separation-of-duties rule");
  return toRule(row);
}

async function checkSides(q: Queryable, left: string, right: string): Promise<void> {
  const found = await q.query<{ id: string }>("SELECT id FROM entitlements WHERE id = ANY ($1::text[])", [
    [left, right],
  ]);
  const known = new Set(found.rows.map((r) => r.id));
  const errors = [
    ...(known.has(left) ? [] : [{ path: "leftEntitlementId", message: `no entitlement ${left}` }]),
    ...(known.has(right) ? [] : [{ path: "rightEntitlementId", message: `no entitlement ${right}` }]),
  ];
  if (errors.length) throw unprocessable("access.unknown_entitlement", "No such entitlement", errors);
  if (left === right)
    throw unprocessable("access.sod_same_entitlement", "A rule pairs two different entitlements", [
      { path: "rightEntitlementId", message: "is the same entitlement as leftEntitlementId" },
    ]);
}

async function write(q: Queryable, fn: () => Promise<unknown>): Promise<void> {
  await q.query("SAVEPOINT access_sod_rule");
  try {
    await fn();
    await q.query("RELEASE SAVEPOINT access_sod_rule");
  } catch (e) {
    await q.query("ROLLBACK TO SAVEPOINT access_sod_rule");
    const err = e as { code?: string; constraint?: string; message?: string };
    if (err.code === "23505") {
      if (`${err.constraint ?? ""} ${err.message ?? ""}`.includes("pair"))
        throw conflict(
          "access.sod_rule_exists",
          "Another rule already pairs these entitlements",
          "rightEntitlementId",
        );
      throw conflict("access.sod_rule_name_in_use", "Another rule has this name", "name");
    }
    throw e;
  }
}

export async function createSodRule(q: Queryable, ctx: AuditContext, input: SodRuleInput): Promise<string> {
  await checkSides(q, input.leftEntitlementId, input.rightEntitlementId);
  const id = ulid();
  await write(q, () =>
    q.query(
      `INSERT INTO access_sod_rules (id, name, description, mode, left_entitlement_id, right_entitlement_id,
         enabled, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [
        id,
        input.name,
        input.description,
        input.mode,
        input.leftEntitlementId,
        input.rightEntitlementId,
        input.enabled,
        ctx.actorLabel ?? ctx.actorId ?? null,
      ],
    ),
  );
  await appendAudit(q, ctx, {
    action: "access.sod_rule_created",
    targetType: "sod_rule",
    targetId: id,
    details: {
      name: input.name,
      mode: input.mode,
      left: input.leftEntitlementId,
      right: input.rightEntitlementId,
      enabled: input.enabled,
    },
  });
  return id;
}

export async function updateSodRule(
  q: Queryable,
  ctx: AuditContext,
  id: string,
  patch: SodRulePatch,
): Promise<void> {
  const current = (
    await q.query<{ left_entitlement_id: string; right_entitlement_id: string }>(
      "SELECT left_entitlement_id, right_entitlement_id FROM access_sod_rules WHERE id = $1 FOR UPDATE",
      [id],
    )
  ).rows[0];
  if (!current) throw notFound("access.sod_rule_not_found", "No such separation-of-duties rule");
  const left = patch.leftEntitlementId ?? current.left_entitlement_id;
  const right = patch.rightEntitlementId ?? current.right_entitlement_id;
  await checkSides(q, left, right);
  const changed = Object.keys(patch);
  if (!changed.length) return;
  await write(q, () =>
    q.query(
      `UPDATE access_sod_rules SET name = COALESCE($2, name), description = COALESCE($3, description),
         mode = COALESCE($4, mode), left_entitlement_id = $5, right_entitlement_id = $6,
         enabled = COALESCE($7, enabled), version = version + 1, updated_at = now()
       WHERE id = $1`,
      [
        id,
        patch.name ?? null,
        patch.description ?? null,
        patch.mode ?? null,
        left,
        right,
        patch.enabled ?? null,
      ],
    ),
  );
  await appendAudit(q, ctx, {
    action: "access.sod_rule_updated",
    targetType: "sod_rule",
    targetId: id,
    details: { changed, ...patch },
  });
}

export async function deleteSodRule(q: Queryable, ctx: AuditContext, id: string): Promise<void> {
  const r = await q.query<{ name: string }>("DELETE FROM access_sod_rules WHERE id = $1 RETURNING name", [
    id,
  ]);
  if (!r.rows[0]) throw notFound("access.sod_rule_not_found", "No such separation-of-duties rule");
  await appendAudit(q, ctx, {
    action: "access.sod_rule_deleted",
    targetType: "sod_rule",
    targetId: id,
    details: { name: r.rows[0].name },
  });
}

export interface SodRuleRef {
  id: string;
  name: string;
  description: string;
  mode: SodMode;
}

export interface SodHit {
  rule: SodRuleRef;
  /** The side the new access brings, and the side already there (names as catalogued). */
  wanted: string;
  other: string;
}

/**
 * The enabled rules broken when `wanted` joins `held`: both sides end up held, at least
 * one of them brought by `wanted`.
 */
export async function sodConflicts(
  q: Queryable,
  wanted: Iterable<string>,
  held: Iterable<string>,
): Promise<SodHit[]> {
  const want = [...new Set(wanted)];
  if (!want.length) return [];
  const all = [...new Set([...want, ...held])];
  const r = await q.query<RuleRow>(
    `${SELECT} WHERE r.enabled
       AND r.left_entitlement_id = ANY ($2::text[]) AND r.right_entitlement_id = ANY ($2::text[])
       AND (r.left_entitlement_id = ANY ($1::text[]) OR r.right_entitlement_id = ANY ($1::text[]))
     ORDER BY lower(r.name), r.id`,
    [want, all],
  );
  return r.rows.map((row) => {
    const leftWanted = want.includes(row.left_entitlement_id);
    const side = (name: string, system: string) => `${name} (${system})`;
    const left = side(row.l_name, row.l_system_name);
    const right = side(row.r_name, row.r_system_name);
    return {
      rule: { id: row.id, name: row.name, description: row.description, mode: row.mode },
      wanted: leftWanted ? left : right,
      other: leftWanted ? right : left,
    };
  });
}

/** The 422 for a blocked combination, naming the rules (and the field that carries the access). */
export function sodRefusal(hits: SodHit[], path: string) {
  const names = hits.map((h) => `"${h.rule.name}"`).join(", ");
  return unprocessable(
    "access.sod_conflict",
    `Separation of duties: ${names} forbid${hits.length === 1 ? "s" : ""} holding these together`,
    hits.map((h) => ({
      path,
      message: `rule "${h.rule.name}" (${h.rule.mode}): ${h.wanted} together with ${h.other}`,
    })),
  );
}

/**
 * The check saving a profile calls: the entitlements it gives, together with those of every
 * other profile that can match the same person, must not complete a toxic pair.
 */
export async function checkProfileSod(
  q: Queryable,
  profile: {
    id?: string | null;
    jobRoleId?: string | null;
    departmentId?: string | null;
    locationId?: string | null;
    employmentType?: string | null;
  },
  entries: { entitlementId?: string | null }[],
): Promise<void> {
  const wanted = entries.map((e) => e.entitlementId).filter((x): x is string => !!x);
  if (!wanted.length) return;
  const alongside = await q.query<{ entitlement_id: string }>(
    `SELECT DISTINCT pe.entitlement_id FROM access_profiles ap
     JOIN profile_entitlements pe ON pe.profile_id = ap.id
     WHERE pe.entitlement_id IS NOT NULL AND ($1::text IS NULL OR ap.id <> $1)
       AND (ap.job_role_id IS NULL OR $2::text IS NULL OR ap.job_role_id = $2)
       AND (ap.department_id IS NULL OR $3::text IS NULL OR ap.department_id = $3)
       AND (ap.location_id IS NULL OR $4::text IS NULL OR ap.location_id = $4)
       AND (ap.employment_type IS NULL OR $5::text IS NULL OR ap.employment_type = $5)`,
    [
      profile.id ?? null,
      profile.jobRoleId ?? null,
      profile.departmentId ?? null,
      profile.locationId ?? null,
      profile.employmentType ?? null,
    ],
  );
  const hits = await sodConflicts(
    q,
    wanted,
    alongside.rows.map((r) => r.entitlement_id),
  );
  if (hits.length) throw sodRefusal(hits, "entitlements");
}

/**
 * An entitlement named by its id, or as `SYSTEM:ENTITLEMENT` (the system's name, and the
 * entitlement's name or external id; case ignored). Null when nothing or more than one matches.
 */
export async function findEntitlementRef(q: Queryable, ref: string): Promise<string | null> {
  const byId = await q.query<{ id: string }>("SELECT id FROM entitlements WHERE id = $1", [ref]);
  if (byId.rows[0]) return byId.rows[0].id;
  const at = ref.indexOf(":");
  if (at < 1) return null;
  const r = await q.query<{ id: string }>(
    `SELECT e.id FROM entitlements e JOIN systems s ON s.id = e.system_id
     WHERE lower(s.name) = lower($1) AND (lower(e.name) = lower($2) OR lower(e.external_id) = lower($2))`,
    [ref.slice(0, at).trim(), ref.slice(at + 1).trim()],
  );
  return r.rows.length === 1 ? (r.rows[0] as { id: string }).id : null;
}
