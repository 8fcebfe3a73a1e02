/**
 * The desired state of a person: what access they should hold, from HR facts alone.
 * Leavers, alumni and candidates hold nothing; a pre-hire's accounts are prepared but
 * disabled; people at work (active, on leave, under notice) hold what their matching
 * profiles, approved exceptions and granted access requests give.
 */
import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/index.js";
import { toPerson } from "../people/index.js";
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
  const facts = (await peopleFacts(q, [id])).get(id);
  if (!facts) throw notFound("person.not_found", "No such person");
  return facts;
}

/** personFacts for many people with one statement; people not on record are missing from the map. */
export async function peopleFacts(q: Queryable, ids: readonly string[]): Promise<Map<string, PersonFacts>> {
  const out = new Map<string, PersonFacts>();
  if (ids.length === 0) return out;
  const r = await q.query<Parameters<typeof toPerson>[0]>(
    "SELECT p.* FROM people p WHERE p.id = ANY ($1::text[])",
    [[...new Set(ids)]],
  );
  for (const row of r.rows) {
    const p = toPerson(row);
    out.set(p.id, {
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
    });
  }
  return out;
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
  return (await lockedOut(q, [personId])).has(personId);
}

/** Which of these people Security locked out (revoke now). */
async function lockedOut(q: Queryable, personIds: readonly string[]): Promise<Set<string>> {
  if (personIds.length === 0) return new Set();
  const r = await q.query<{ person_id: string }>(
    "SELECT person_id FROM access_lockouts WHERE person_id = ANY ($1::text[])",
    [personIds],
  );
  return new Set(r.rows.map((x) => x.person_id));
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

/** The access rows of many people: each row names the person it belongs to. */
type PersonAccess = { person_id: string; system_id: string; external_id: string | null };

/**
 * What the profiles give each person: the matching of grantsFor (profiles.ts) for many
 * people with one statement.
 */
async function profileGrants(q: Queryable, people: readonly PersonFacts[]): Promise<PersonAccess[]> {
  const r = await q.query<PersonAccess>(
    `SELECT x.person_id, pe.system_id, e.external_id
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       AS x(person_id, job_role_id, department_id, location_id, employment_type)
     JOIN access_profiles ap ON (ap.job_role_id IS NULL OR ap.job_role_id = x.job_role_id)
       AND (ap.department_id IS NULL OR ap.department_id = x.department_id)
       AND (ap.location_id IS NULL OR ap.location_id = x.location_id)
       AND (ap.employment_type IS NULL OR ap.employment_type = x.employment_type)
     JOIN profile_entitlements pe ON pe.profile_id = ap.id
     LEFT JOIN entitlements e ON e.id = pe.entitlement_id`,
    [
      people.map((p) => p.id),
      people.map((p) => p.jobRoleId),
      people.map((p) => p.departmentId),
      people.map((p) => p.locationId),
      people.map((p) => p.employmentType),
    ],
  );
  return r.rows;
}

/** The desired state; `forceEmpty` (revoke now, a leaver preview) ignores what HR says. */
export async function desiredState(
  q: Queryable,
  person: PersonFacts,
  opts: { forceEmpty?: boolean } = {},
): Promise<Desired> {
  return (await desiredStates(q, [{ person, forceEmpty: opts.forceEmpty }]))[0] as Desired;
}

/**
 * desiredState for many people (in input order) with a fixed number of statements: the
 * profiles, lockouts, exceptions and requests of all of them are read together.
 */
export async function desiredStates(
  q: Queryable,
  items: readonly { person: PersonFacts; forceEmpty?: boolean }[],
): Promise<Desired[]> {
  if (items.length === 0) return [];
  const shared = await managed(q);
  const base = () => ({
    systems: new Map<string, DesiredSystem>(),
    managedSystems: new Set(shared.managedSystems),
    managedEntitlements: new Map([...shared.managedEntitlements].map(([k, v]) => [k, new Set(v)])),
  });
  const locked = await lockedOut(
    q,
    items.filter((i) => !i.forceEmpty).map((i) => i.person.id),
  );
  const out: Desired[] = [];
  const working: { person: PersonFacts; desired: Desired; enabled: boolean }[] = [];
  for (const { person, forceEmpty } of items) {
    if (forceEmpty) out.push({ ...base(), empty: true, why: "all access revoked" });
    else if (locked.has(person.id))
      out.push({ ...base(), empty: true, why: "access revoked by Security (revoke now)" });
    else if (EMPTY_STATUSES.has(person.status))
      out.push({ ...base(), empty: true, why: `${person.status.replace("_", "-")}: holds no access` });
    else {
      const enabled = !PREPARED_STATUSES.has(person.status);
      const desired: Desired = {
        ...base(),
        empty: false,
        why: enabled
          ? `${person.status}: holds the access of their profiles`
          : "pre-hire: accounts prepared, disabled",
      };
      out.push(desired);
      working.push({ person, desired, enabled });
    }
  }
  if (working.length === 0) return out;

  const ids = [...new Set(working.map((w) => w.person.id))];
  const grants = await profileGrants(
    q,
    working.map((w) => w.person),
  );
  const exceptions = await q.query<PersonAccess>(
    `SELECT x.person_id, x.system_id, e.external_id FROM access_exceptions x
     LEFT JOIN entitlements e ON e.id = x.entitlement_id
     WHERE x.person_id = ANY ($1::text[]) AND x.expires_at > now()`,
    [ids],
  );
  // Approved access requests add access until they end (requests.ts). What an ended one gave
  // is the engine's to remove for this person: its entitlement, and the account when the
  // request brought it.
  const requested = await q.query<PersonAccess & { active: boolean; account_from_request: boolean }>(
    `SELECT r.person_id, r.system_id, e.external_id, r.account_from_request,
       (r.state = 'approved' AND (r.ends_at IS NULL OR r.ends_at > now())) AS active
     FROM access_requests r LEFT JOIN entitlements e ON e.id = r.entitlement_id
     WHERE r.person_id = ANY ($1::text[]) AND r.granted_at IS NOT NULL AND r.state IN ('approved', 'expired', 'ended')`,
    [ids],
  );
  // Only people with a reviewer's revocation on record need their overrides applied.
  const revoked = await q.query<{ person_id: string }>(
    `SELECT DISTINCT person_id FROM access_review_revocations
     WHERE person_id = ANY ($1::text[]) AND lifted_at IS NULL`,
    [ids],
  );
  const reviewed = new Set(revoked.rows.map((x) => x.person_id));
  const byPerson = <T extends PersonAccess>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const x of rows) m.set(x.person_id, [...(m.get(x.person_id) ?? []), x]);
    return (personId: string) => m.get(personId) ?? [];
  };
  const grantsOf = byPerson(grants);
  const exceptionsOf = byPerson(exceptions.rows);
  const requestsOf = byPerson(requested.rows);

  for (const { person, desired, enabled } of working) {
    const add = (systemId: string, externalId: string | null) => {
      const s = desired.systems.get(systemId) ?? {
        systemId,
        enabled,
        entitlements: new Map<string, string>(),
      };
      if (externalId) s.entitlements.set(externalId.toLowerCase(), externalId);
      desired.systems.set(systemId, s);
    };
    for (const g of grantsOf(person.id)) add(g.system_id, g.external_id);
    for (const x of exceptionsOf(person.id)) add(x.system_id, x.external_id);
    for (const x of requestsOf(person.id)) {
      if (x.active) {
        add(x.system_id, x.external_id);
        continue;
      }
      if (x.account_from_request) desired.managedSystems.add(x.system_id);
      if (!x.external_id) continue;
      const set = desired.managedEntitlements.get(x.system_id) ?? new Set<string>();
      set.add(x.external_id.toLowerCase());
      desired.managedEntitlements.set(x.system_id, set);
    }
    // Grants a reviewer revoked stay out, whatever gave them (reviews-revocations.ts).
    if (reviewed.has(person.id)) await applyReviewRevocations(q, person, desired);
  }
  return out;
}
