import { z } from "zod";
import type { Queryable } from "../../platform/db/index.js";
import type { Identity } from "../../platform/http/index.js";
import { decodeCursor, encodeCursor } from "../../platform/http/index.js";
import { PERSON_SELECT, type PersonRow } from "./repo.js";
import { EMPLOYMENT_TYPES } from "./schemas.js";
import { STATUSES } from "./status.js";

export const directoryQuery = z
  .object({
    q: z.string().trim().max(100).optional(),
    status: z.enum(STATUSES).optional(),
    departmentId: z.string().max(40).optional(),
    jobRoleId: z.string().max(40).optional(),
    locationId: z.string().max(40).optional(),
    employmentType: z.enum(EMPLOYMENT_TYPES).optional(),
    managerId: z.string().max(40).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export type DirectoryQuery = z.infer<typeof directoryQuery>;

/** Ids of everyone below a manager (direct and indirect reports). */
export const REPORTS_CTE = `WITH RECURSIVE reports(id, depth) AS (
    SELECT id, 1 FROM people WHERE manager_id = $MGR
    UNION ALL SELECT p.id, r.depth + 1 FROM people p JOIN reports r ON p.manager_id = r.id WHERE r.depth < 50)`;

/** The directory: filtered, searched, keyset-paginated by (name, id). Managers see their reports only. */
export async function searchPeople(
  q: Queryable,
  f: DirectoryQuery,
  caller: Identity,
  callerPersonId: string | null,
) {
  const params: unknown[] = [];
  const where: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  let prefix = "";
  if (!caller.permissions.has("people:read_all")) {
    if (!callerPersonId) return { items: [] as PersonRow[], nextCursor: null };
    prefix = `${REPORTS_CTE.replace("$MGR", p(callerPersonId))} `;
    where.push("p.id IN (SELECT id FROM reports)");
  }
  if (f.q) {
    const like = p(`%${f.q.toLowerCase().replace(/[%_\\]/g, "\\$&")}%`);
    const exact = p(f.q);
    where.push(
      `(lower(p.legal_name) LIKE ${like} OR lower(COALESCE(p.preferred_name, '')) LIKE ${like} OR lower(p.work_email) LIKE ${like} OR p.employee_number = ${exact})`,
    );
  }
  if (f.status) where.push(`p.status = ${p(f.status)}`);
  if (f.departmentId) where.push(`p.department_id = ${p(f.departmentId)}`);
  if (f.jobRoleId) where.push(`p.job_role_id = ${p(f.jobRoleId)}`);
  if (f.locationId) where.push(`p.location_id = ${p(f.locationId)}`);
  if (f.employmentType) where.push(`p.employment_type = ${p(f.employmentType)}`);
  if (f.managerId) where.push(`p.manager_id = ${p(f.managerId)}`);
  const after = decodeCursor(f.cursor, z.object({ n: z.string(), i: z.string() }));
  if (after) where.push(`(lower(p.legal_name), p.id) > (${p(after.n)}, ${p(after.i)})`);
  const limit = p(f.limit + 1);
  const r = await q.query<PersonRow>(
    `${prefix}${PERSON_SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY lower(p.legal_name), p.id LIMIT ${limit}`,
    params,
  );
  const rows = r.rows.slice(0, f.limit);
  const last = rows.at(-1);
  return {
    items: rows,
    nextCursor:
      r.rows.length > f.limit && last ? encodeCursor({ n: last.legal_name.toLowerCase(), i: last.id }) : null,
  };
}

/** May the caller see this person? (read_all, themself, or someone in their reporting line) */
export async function canSee(
  q: Queryable,
  caller: Identity,
  callerPersonId: string | null,
  personId: string,
): Promise<boolean> {
  if (caller.permissions.has("people:read_all")) return true;
  if (!callerPersonId) return false;
  if (callerPersonId === personId) return true;
  const r = await q.query(`${REPORTS_CTE.replace("$MGR", "$1")} SELECT 1 FROM reports WHERE id = $2`, [
    callerPersonId,
    personId,
  ]);
  return r.rowCount > 0;
}
