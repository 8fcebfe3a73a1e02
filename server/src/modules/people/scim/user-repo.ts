import type { Queryable } from "../../../platform/db/index.js";
import { PERSON_SELECT, type PersonRow } from "../repo.js";
import { WORKING } from "../status.js";
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from "./discovery.js";
import { type AttributeMap, compileFilter } from "./filter.js";

/** A person as SCIM sees it: the HR record plus what the identity provider told us. */
export interface UserRow extends PersonRow {
  external_id: string | null;
  given_name: string | null;
  family_name: string | null;
  link_updated_at: Date | string | null;
}

const FROM = `FROM (${PERSON_SELECT}) x LEFT JOIN scim_user_links l ON l.person_id = x.id`;
const SELECT = `SELECT x.*, l.external_id, l.given_name, l.family_name, l.updated_at AS link_updated_at ${FROM}`;
/** People the identity provider deleted are gone for SCIM (RFC 7644 §3.6), though HR keeps them. */
const VISIBLE = "l.deleted_at IS NULL";

const WORKING_SQL = `(${WORKING.map((s) => `'${s}'`).join(", ")})`;
const SPLIT_GIVEN = "regexp_replace(x.legal_name, ' [^ ]*$', '')";
const SPLIT_FAMILY =
  "CASE WHEN strpos(x.legal_name, ' ') > 0 THEN regexp_replace(x.legal_name, '^.* ', '') END";
const SENT_PARTS = "l.given_name IS NOT NULL AND concat_ws(' ', l.given_name, l.family_name) = x.legal_name";

export const USER_ATTRIBUTES: AttributeMap = {
  id: { sql: "x.id", type: "string", caseExact: true },
  externalid: { sql: "l.external_id", type: "string", caseExact: true },
  username: { sql: "x.work_email", type: "string" },
  displayname: { sql: "COALESCE(x.preferred_name, x.legal_name)", type: "string" },
  nickname: { sql: "x.preferred_name", type: "string" },
  name: { sql: "x.legal_name", type: "string" },
  "name.formatted": { sql: "x.legal_name", type: "string" },
  "name.givenname": {
    sql: `CASE WHEN ${SENT_PARTS} THEN l.given_name ELSE ${SPLIT_GIVEN} END`,
    type: "string",
  },
  "name.familyname": {
    sql: `CASE WHEN ${SENT_PARTS} THEN l.family_name ELSE ${SPLIT_FAMILY} END`,
    type: "string",
  },
  title: { sql: "x.job_role_title", type: "string" },
  active: { sql: `(x.status IN ${WORKING_SQL})`, type: "boolean" },
  emails: { sql: "x.work_email", type: "string" },
  "emails.value": { sql: "x.work_email", type: "string" },
  "emails.type": { sql: "'work'", type: "string" },
  "emails.primary": { sql: "true", type: "boolean" },
  "meta.created": { sql: "date_trunc('milliseconds', x.created_at)", type: "dateTime" },
  "meta.lastmodified": {
    sql: "date_trunc('milliseconds', GREATEST(x.updated_at, l.updated_at))",
    type: "dateTime",
  },
  "meta.resourcetype": { sql: "'User'", type: "string" },
  "enterprise:employeenumber": { sql: "x.employee_number", type: "string" },
  "enterprise:department": { sql: "x.department_name", type: "string" },
  "enterprise:manager": { sql: "x.manager_id", type: "string", caseExact: true },
  "enterprise:manager.value": { sql: "x.manager_id", type: "string", caseExact: true },
  "enterprise:manager.displayname": { sql: "x.manager_name", type: "string" },
};

export async function findUser(q: Queryable, id: string): Promise<UserRow | undefined> {
  return (await q.query<UserRow>(`${SELECT} WHERE x.id = $1 AND ${VISIBLE}`, [id])).rows[0];
}

export async function listUsers(
  q: Queryable,
  filter: string | undefined,
  startIndex: number,
  count: number,
): Promise<{ total: number; rows: UserRow[] }> {
  const f = compileFilter(filter, USER_ATTRIBUTES, "User");
  const where = `WHERE ${VISIBLE} AND ${f.where}`;
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n ${FROM} ${where}`, f.params);
  const rows =
    count > 0
      ? (
          await q.query<UserRow>(
            `${SELECT} ${where} ORDER BY x.created_at, x.id LIMIT ${count} OFFSET ${startIndex - 1}`,
            f.params,
          )
        ).rows
      : [];
  return { total: total.rows[0]?.n ?? 0, rows };
}

export async function saveLink(
  q: Queryable,
  personId: string,
  v: { externalId: string | null; givenName: string | null; familyName: string | null },
): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO scim_user_links (person_id, external_id, given_name, family_name) VALUES ($1, $2, $3, $4)
     ON CONFLICT (person_id) DO UPDATE SET external_id = $2, given_name = $3, family_name = $4, updated_at = now()
     WHERE scim_user_links.external_id IS DISTINCT FROM $2 OR scim_user_links.given_name IS DISTINCT FROM $3
       OR scim_user_links.family_name IS DISTINCT FROM $4`,
    [personId, v.externalId, v.givenName, v.familyName],
  );
  return r.rowCount > 0;
}

export async function markDeleted(q: Queryable, personId: string): Promise<void> {
  await q.query(
    `INSERT INTO scim_user_links (person_id, deleted_at) VALUES ($1, now())
     ON CONFLICT (person_id) DO UPDATE SET deleted_at = now(), updated_at = now()`,
    [personId],
  );
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** Given and family name: the parts the provider sent while they still make up the legal name, else a split. */
export function nameParts(r: Pick<UserRow, "legal_name" | "given_name" | "family_name">) {
  if (
    r.given_name !== null &&
    [r.given_name, r.family_name].filter((x) => x !== null).join(" ") === r.legal_name
  )
    return { givenName: r.given_name, familyName: r.family_name };
  const legal = r.legal_name;
  return {
    givenName: legal.replace(/ [^ ]*$/, ""),
    familyName: legal.includes(" ") ? legal.replace(/^.* /, "") : null,
  };
}

export const userEtag = (version: number) => `W/"${version}"`;

export function toUserResource(r: UserRow, base: string): Record<string, unknown> {
  const parts = nameParts(r);
  const modified = [r.updated_at, r.link_updated_at]
    .filter((d): d is Date | string => d !== null)
    .map((d) => new Date(d).getTime());
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    id: r.id,
    ...(r.external_id !== null ? { externalId: r.external_id } : {}),
    userName: r.work_email,
    name: {
      formatted: r.legal_name,
      givenName: parts.givenName,
      ...(parts.familyName !== null ? { familyName: parts.familyName } : {}),
    },
    displayName: r.preferred_name || r.legal_name,
    ...(r.preferred_name ? { nickName: r.preferred_name } : {}),
    ...(r.job_role_title ? { title: r.job_role_title } : {}),
    active: (WORKING as readonly string[]).includes(r.status),
    emails: [{ value: r.work_email, type: "work", primary: true }],
    [ENTERPRISE_SCHEMA]: {
      employeeNumber: r.employee_number,
      ...(r.department_name ? { department: r.department_name } : {}),
      ...(r.manager_id
        ? {
            manager: {
              value: r.manager_id,
              $ref: `${base}/Users/${r.manager_id}`,
              ...(r.manager_name ? { displayName: r.manager_name } : {}),
            },
          }
        : {}),
    },
    meta: {
      resourceType: "User",
      created: iso(r.created_at),
      lastModified: new Date(Math.max(...modified)).toISOString(),
      location: `${base}/Users/${r.id}`,
      version: userEtag(r.version),
    },
  };
}
