/**
 * Access profiles: the birthright access of a job role, optionally narrowed by department,
 * location and employment type. A criterion left empty matches everyone.
 */

import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { iso } from "./context.js";
import type { Profile, ProfileInput } from "./schemas.js";
import { checkProfileSod } from "./sod.js";

interface ProfileRow {
  id: string;
  name: string;
  description: string | null;
  job_role_id: string | null;
  department_id: string | null;
  location_id: string | null;
  employment_type: Profile["employmentType"];
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

interface EntryRow {
  profile_id: string;
  system_id: string;
  system_name: string;
  entitlement_id: string | null;
  entitlement_name: string | null;
}

async function entriesOf(q: Queryable, ids: string[]): Promise<Map<string, EntryRow[]>> {
  const r = await q.query<EntryRow>(
    `SELECT pe.profile_id, pe.system_id, s.name AS system_name, pe.entitlement_id, e.name AS entitlement_name
     FROM profile_entitlements pe JOIN systems s ON s.id = pe.system_id
     LEFT JOIN entitlements e ON e.id = pe.entitlement_id
     WHERE pe.profile_id = ANY ($1::text[]) ORDER BY lower(s.name), e.name NULLS FIRST`,
    [ids],
  );
  const out = new Map<string, EntryRow[]>();
  for (const row of r.rows) out.set(row.profile_id, [...(out.get(row.profile_id) ?? []), row]);
  return out;
}

function toProfile(r: ProfileRow, entries: EntryRow[]): Profile {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    jobRoleId: r.job_role_id,
    departmentId: r.department_id,
    locationId: r.location_id,
    employmentType: r.employment_type,
    entitlements: entries.map((e) => ({
      systemId: e.system_id,
      systemName: e.system_name,
      entitlementId: e.entitlement_id,
      entitlementName: e.entitlement_name,
    })),
    version: r.version,
    createdAt: iso(r.created_at) as string,
    updatedAt: iso(r.updated_at) as string,
  };
}

export async function listProfiles(q: Queryable): Promise<Profile[]> {
  const rows = (await q.query<ProfileRow>("SELECT * FROM access_profiles ORDER BY lower(name), id")).rows;
  const entries = await entriesOf(
    q,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toProfile(r, entries.get(r.id) ?? []));
}

export async function getProfile(q: Queryable, id: string): Promise<Profile> {
  const row = (await q.query<ProfileRow>("SELECT * FROM access_profiles WHERE id = $1", [id])).rows[0];
  if (!row) throw notFound("access.profile_not_found", "No such access profile");
  return toProfile(row, (await entriesOf(q, [id])).get(id) ?? []);
}

/** Every system and entitlement named must exist (and the entitlement belong to that system). */
async function checkEntries(q: Queryable, entries: ProfileInput["entitlements"]) {
  const errors: { path: string; message: string }[] = [];
  for (const [i, e] of entries.entries()) {
    const sys = await q.query("SELECT 1 FROM systems WHERE id = $1", [e.systemId]);
    if (!sys.rowCount) {
      errors.push({ path: `entitlements.${i}.systemId`, message: `no system ${e.systemId}` });
      continue;
    }
    if (!e.entitlementId) continue;
    const ent = await q.query<{ system_id: string }>("SELECT system_id FROM entitlements WHERE id = $1", [
      e.entitlementId,
    ]);
    const found = ent.rows[0];
    if (!found)
      errors.push({ path: `entitlements.${i}.entitlementId`, message: `no entitlement ${e.entitlementId}` });
    else if (found.system_id !== e.systemId)
      errors.push({
        path: `entitlements.${i}.entitlementId`,
        message: `entitlement ${e.entitlementId} belongs to another system`,
      });
  }
  if (errors.length) {
    throw unprocessable(
      "access.unknown_entitlement",
      `Unknown entitlement or system: ${errors.map((e) => e.message).join("; ")}`,
      errors,
    );
  }
}

const REFERENCES: [string, string][] = [
  ["job_role", "jobRoleId"],
  ["department", "departmentId"],
  ["location", "locationId"],
];

async function write(q: Queryable, fn: () => Promise<unknown>) {
  await q.query("SAVEPOINT access_profile");
  try {
    await fn();
    await q.query("RELEASE SAVEPOINT access_profile");
  } catch (e) {
    await q.query("ROLLBACK TO SAVEPOINT access_profile");
    const err = e as { code?: string; constraint?: string; message?: string };
    if (err.code === "23505")
      throw conflict("access.profile_name_in_use", "Another access profile has this name", "name");
    if (err.code === "23503") {
      const text = `${err.constraint ?? ""} ${err.message ?? ""}`;
      const hit = REFERENCES.find(([col]) => text.includes(`${col}_id`));
      const field = hit?.[1] ?? "jobRoleId";
      throw unprocessable(
        `access.unknown_${hit?.[0] ?? "reference"}`,
        `No such ${field.replace(/Id$/, "")}`,
        [{ path: field, message: "does not exist" }],
      );
    }
    throw e;
  }
}

async function writeEntries(q: Queryable, profileId: string, entries: ProfileInput["entitlements"]) {
  await q.query("DELETE FROM profile_entitlements WHERE profile_id = $1", [profileId]);
  for (const e of entries) {
    await q.query(
      `INSERT INTO profile_entitlements (profile_id, system_id, entitlement_id) VALUES ($1,$2,$3)
       ON CONFLICT DO NOTHING`,
      [profileId, e.systemId, e.entitlementId ?? null],
    );
  }
}

export async function saveProfile(
  q: Queryable,
  ctx: AuditContext,
  input: ProfileInput,
  id?: string,
): Promise<string> {
  await checkEntries(q, input.entitlements);
  await checkProfileSod(q, { ...input, id: id ?? null }, input.entitlements);
  const values = [
    input.name,
    input.description ?? null,
    input.jobRoleId ?? null,
    input.departmentId ?? null,
    input.locationId ?? null,
    input.employmentType ?? null,
  ];
  const profileId = id ?? ulid();
  if (id) {
    const r = await q.query("SELECT 1 FROM access_profiles WHERE id = $1 FOR UPDATE", [id]);
    if (!r.rowCount) throw notFound("access.profile_not_found", "No such access profile");
    await write(q, () =>
      q.query(
        `UPDATE access_profiles SET name = $2, description = $3, job_role_id = $4, department_id = $5,
           location_id = $6, employment_type = $7, version = version + 1, updated_at = now() WHERE id = $1`,
        [id, ...values],
      ),
    );
  } else {
    await write(q, () =>
      q.query(
        `INSERT INTO access_profiles (id, name, description, job_role_id, department_id, location_id, employment_type)
         VALUES ($1,$2,$3,$4,$5,$6,$7)`,
        [profileId, ...values],
      ),
    );
  }
  await writeEntries(q, profileId, input.entitlements);
  await appendAudit(q, ctx, {
    action: id ? "access.profile_updated" : "access.profile_created",
    targetType: "access_profile",
    targetId: profileId,
    details: { name: input.name, entries: input.entitlements.length },
  });
  return profileId;
}

export async function deleteProfile(q: Queryable, ctx: AuditContext, id: string): Promise<void> {
  const r = await q.query<{ name: string }>("DELETE FROM access_profiles WHERE id = $1 RETURNING name", [id]);
  if (!r.rows[0]) throw notFound("access.profile_not_found", "No such access profile");
  await appendAudit(q, ctx, {
    action: "access.profile_deleted",
    targetType: "access_profile",
    targetId: id,
    details: { name: r.rows[0].name },
  });
}

/** What the profiles matching a person give: system id → entitlement ids (empty set: account only). */
export interface ProfileGrant {
  systemId: string;
  entitlementId: string | null;
  externalId: string | null;
  profileId: string;
}

export async function grantsFor(
  q: Queryable,
  p: {
    jobRoleId: string | null;
    departmentId: string | null;
    locationId: string | null;
    employmentType: string;
  },
): Promise<ProfileGrant[]> {
  const r = await q.query<{
    system_id: string;
    entitlement_id: string | null;
    external_id: string | null;
    profile_id: string;
  }>(
    `SELECT pe.system_id, pe.entitlement_id, e.external_id, ap.id AS profile_id
     FROM access_profiles ap
     JOIN profile_entitlements pe ON pe.profile_id = ap.id
     LEFT JOIN entitlements e ON e.id = pe.entitlement_id
     WHERE (ap.job_role_id IS NULL OR ap.job_role_id = $1)
       AND (ap.department_id IS NULL OR ap.department_id = $2)
       AND (ap.location_id IS NULL OR ap.location_id = $3)
       AND (ap.employment_type IS NULL OR ap.employment_type = $4)`,
    [p.jobRoleId, p.departmentId, p.locationId, p.employmentType],
  );
  return r.rows.map((x) => ({
    systemId: x.system_id,
    entitlementId: x.entitlement_id,
    externalId: x.external_id,
    profileId: x.profile_id,
  }));
}
