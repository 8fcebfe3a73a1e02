/**
 * The desired state of a person: what access they should hold, from HR facts alone.
 * Leavers, alumni and candidates hold nothing; a pre-hire's accounts are prepared but
 * disabled; people at work (active, on leave, under notice) hold what their matching
 * profiles, approved exceptions and granted access requests give.
 */
import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/index.js";
import { findPerson, toPerson } from "../people/index.js";
import { grantsFor } from "./profiles.js";
import { applyReviewRevocations } from "./reviews-revocations.js";

export interface PersonFacts {
  id: string;
  employeeNumber: string;
  workEmail: string;
  legalName: string;
  displayName: string;
  status: string;
  jobRoleId: string | null;
  departmentId: string | null;
  locationId: string | null;
  employmentType: string;
  highRisk: boolean;
}

export async function personFacts(q: Queryable, id: string): Promise<PersonFacts> {
  const row = await findPerson(q, id);
  if (!row) throw notFound("person.not_found", "No such person");
  const p = toPerson(row);
  return {
    id: p.id,
    employeeNumber: p.employeeNumber,
    workEmail: p.workEmail,
    legalName: p.legalName,
    displayName: p.displayName,
    status: p.status,
    jobRoleId: p.jobRoleId,
    departmentId: p.departmentId,
    locationId: p.locationId,
    employmentType: p.employmentType,
    highRisk: row.high_risk,
  };
}

export interface DesiredSystem {
  systemId: string;
  enabled: boolean;
  /** lower-cased external id → the external id as catalogued. */
  entitlements: Map<string, string>;
}

export interface Desired {
  /** True when the person should hold nothing at all. */
  empty: boolean;
  why: string;
  systems: Map<string, DesiredSystem>;
  /** Systems and entitlements some profile gives: the engine removes those when no longer desired. */
  managedSystems: Set<string>;
  managedEntitlements: Map<string, Set<string>>;
}

const EMPTY_STATUSES = new Set(["leaver", "alumni", "candidate"]);
const PREPARED_STATUSES = new Set(["pre_hire"]);

export async function isLockedOut(q: Queryable, personId: string): Promise<boolean> {
  const r = await q.query("SELECT 1 FROM access_lockouts WHERE person_id = $1", [personId]);
  return r.rowCount > 0;
}

async function managed(q: Queryable): Promise<Pick<Desired, "managedSystems" | "managedEntitlements">> {
  const r = await q.query<{ system_id: string; external_id: string | null }>(
    `SELECT DISTINCT pe.system_id, e.external_id FROM profile_entitlements pe
     LEFT JOIN entitlements e ON e.id = pe.entitlement_id`,
  );
  const managedSystems = new Set<string>();
  const managedEntitlements = new Map<string, Set<string>>();
  for (const row of r.rows) {
    managedSystems.add(row.system_id);
    if (!row.external_id) continue;
    const set = managedEntitlements.get(row.system_id) ?? new Set<string>();
    set.add(row.external_id.toLowerCase());
    managedEntitlements.set(row.system_id, set);
  }
  return { managedSystems, managedEntitlements };
}

/** The desired state; `forceEmpty` (revoke now, a leaver preview) ignores what HR says. */
export async function desiredState(
  q: Queryable,
  person: PersonFacts,
  opts: { forceEmpty?: boolean } = {},
): Promise<Desired> {
  const base = { systems: new Map<string, DesiredSystem>(), ...(await managed(q)) };
  if (opts.forceEmpty) return { ...base, empty: true, why: "all access revoked" };
  if (await isLockedOut(q, person.id))
    return { ...base, empty: true, why: "access revoked by Security (revoke now)" };
  if (EMPTY_STATUSES.has(person.status))
    return { ...base, empty: true, why: `${person.status.replace("_", "-")}: holds no access` };
  const enabled = !PREPARED_STATUSES.has(person.status);
  const add = (systemId: string, externalId: string | null) => {
    const s = base.systems.get(systemId) ?? { systemId, enabled, entitlements: new Map<string, string>() };
    if (externalId) s.entitlements.set(externalId.toLowerCase(), externalId);
    base.systems.set(systemId, s);
  };
  for (const g of await grantsFor(q, person)) add(g.systemId, g.externalId);
  const exceptions = await q.query<{ system_id: string; external_id: string | null }>(
    `SELECT x.system_id, e.external_id FROM access_exceptions x
     LEFT JOIN entitlements e ON e.id = x.entitlement_id
     WHERE x.person_id = $1 AND x.expires_at > now()`,
    [person.id],
  );
  for (const x of exceptions.rows) add(x.system_id, x.external_id);
  // Approved access requests add access until they end (requests.ts). What an ended one gave
  // is the engine's to remove for this person: its entitlement, and the account when the
  // request brought it.
  const requested = await q.query<{
    system_id: string;
    external_id: string | null;
    active: boolean;
    account_from_request: boolean;
  }>(
    `SELECT r.system_id, e.external_id, r.account_from_request,
       (r.state = 'approved' AND (r.ends_at IS NULL OR r.ends_at > now())) AS active
     FROM access_requests r LEFT JOIN entitlements e ON e.id = r.entitlement_id
     WHERE r.person_id = $1 AND r.granted_at IS NOT NULL AND r.state IN ('approved', 'expired', 'ended')`,
    [person.id],
  );
  for (const x of requested.rows) {
    if (x.active) {
      add(x.system_id, x.external_id);
      continue;
    }
    if (x.account_from_request) base.managedSystems.add(x.system_id);
    if (!x.external_id) continue;
    const set = base.managedEntitlements.get(x.system_id) ?? new Set<string>();
    set.add(x.external_id.toLowerCase());
    base.managedEntitlements.set(x.system_id, set);
  }
  // Grants a reviewer revoked stay out, whatever gave them (reviews-revocations.ts).
  await applyReviewRevocations(q, person, base);
  return {
    ...base,
    empty: false,
    why: enabled
      ? `${person.status}: holds the access of their profiles`
      : "pre-hire: accounts prepared, disabled",
  };
}
