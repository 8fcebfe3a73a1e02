import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";

export const departmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  headPersonId: z.string().nullable(),
  headName: z.string().nullable(),
  headcount: z.number(),
});
export const jobRoleSchema = z.object({
  id: z.string(),
  title: z.string(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  level: z.string().nullable(),
  headcount: z.number(),
});
export const locationSchema = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  country: z.string().nullable(),
});

export const departmentInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    parentId: z.string().max(40).nullish(),
    headPersonId: z.string().max(40).nullish(),
  })
  .strict();
export const jobRoleInput = z
  .object({
    title: z.string().trim().min(1).max(120),
    departmentId: z.string().max(40).nullish(),
    level: z.string().trim().max(40).nullish(),
  })
  .strict();
export const locationInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    timeZone: z
      .string()
      .trim()
      .refine(
        (tz) => Intl.supportedValuesOf("timeZone").includes(tz) || tz === "UTC",
        "not an IANA time zone",
      ),
    country: z.string().trim().length(2).toUpperCase().nullish(),
  })
  .strict();

const WORKING = "('pre_hire','active','leave','notice')";

export async function listDepartments(q: Queryable) {
  const r = await q.query<{
    id: string;
    name: string;
    parent_id: string | null;
    head_person_id: string | null;
    head_name: string | null;
    headcount: number;
  }>(
    `SELECT d.id, d.name, d.parent_id, d.head_person_id, COALESCE(h.preferred_name, h.legal_name) AS head_name,
       (SELECT count(*)::int FROM people p WHERE p.department_id = d.id AND p.status IN ${WORKING}) AS headcount
     FROM departments d LEFT JOIN people h ON h.id = d.head_person_id ORDER BY lower(d.name)`,
  );
  return r.rows.map((d) => ({
    id: d.id,
    name: d.name,
    parentId: d.parent_id,
    headPersonId: d.head_person_id,
    headName: d.head_name,
    headcount: d.headcount,
  }));
}

export async function listJobRoles(q: Queryable) {
  const r = await q.query<{
    id: string;
    title: string;
    department_id: string | null;
    department_name: string | null;
    level: string | null;
    headcount: number;
  }>(
    `SELECT j.id, j.title, j.department_id, d.name AS department_name, j.level,
       (SELECT count(*)::int FROM people p WHERE p.job_role_id = j.id AND p.status IN ${WORKING}) AS headcount
     FROM job_roles j LEFT JOIN departments d ON d.id = j.department_id ORDER BY lower(j.title)`,
  );
  return r.rows.map((j) => ({
    id: j.id,
    title: j.title,
    departmentId: j.department_id,
    departmentName: j.department_name,
    level: j.level,
    headcount: j.headcount,
  }));
}

export async function listLocations(q: Queryable) {
  const r = await q.query<{ id: string; name: string; time_zone: string; country: string | null }>(
    "SELECT id, name, time_zone, country FROM locations ORDER BY lower(name)",
  );
  return r.rows.map((l) => ({ id: l.id, name: l.name, timeZone: l.time_zone, country: l.country }));
}

async function exists(q: Queryable, table: string, id: string) {
  return (await q.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount > 0;
}

async function parentCycle(q: Queryable, id: string, parentId: string): Promise<boolean> {
  if (id === parentId) return true;
  const r = await q.query(
    `WITH RECURSIVE up(id, depth) AS (SELECT parent_id, 1 FROM departments WHERE id = $1
       UNION ALL SELECT d.parent_id, u.depth + 1 FROM departments d JOIN up u ON d.id = u.id WHERE u.depth < 100)
     SELECT 1 FROM up WHERE id = $2`,
    [parentId, id],
  );
  return r.rowCount > 0;
}

function nameTaken(e: unknown, what: string, field: string): never {
  if ((e as { code?: string }).code === "23505")
    throw conflict(`${what}.name_in_use`, `A ${what.replace("_", " ")} with this name already exists`, field);
  throw e;
}

export async function saveDepartment(
  q: Queryable,
  ctx: AuditContext,
  input: z.infer<typeof departmentInput>,
  id?: string,
) {
  if (id && !(await exists(q, "departments", id)))
    throw notFound("department.not_found", "No such department");
  if (input.parentId && !(await exists(q, "departments", input.parentId))) {
    throw unprocessable("department.unknown_parent", "No such parent department", [
      { path: "parentId", message: "does not exist" },
    ]);
  }
  if (id && input.parentId && (await parentCycle(q, id, input.parentId))) {
    throw unprocessable("department.cycle", "A department cannot sit under itself", [
      { path: "parentId", message: "creates a cycle" },
    ]);
  }
  if (input.headPersonId && !(await exists(q, "people", input.headPersonId))) {
    throw unprocessable("department.unknown_head", "No such person", [
      { path: "headPersonId", message: "does not exist" },
    ]);
  }
  const key = id ?? ulid();
  try {
    await q.query("SAVEPOINT dept");
    await q.query(
      `INSERT INTO departments (id, name, parent_id, head_person_id) VALUES ($1,$2,$3,$4)
       ON CONFLICT (id) DO UPDATE SET name = $2, parent_id = $3, head_person_id = $4`,
      [key, input.name, input.parentId ?? null, input.headPersonId ?? null],
    );
    await q.query("RELEASE SAVEPOINT dept");
  } catch (e) {
    await q.query("ROLLBACK TO SAVEPOINT dept");
    nameTaken(e, "department", "name");
  }
  await appendAudit(q, ctx, {
    action: id ? "department.updated" : "department.created",
    targetType: "department",
    targetId: key,
    details: { name: input.name },
  });
  return key;
}

export async function saveJobRole(
  q: Queryable,
  ctx: AuditContext,
  input: z.infer<typeof jobRoleInput>,
  id?: string,
) {
  if (id && !(await exists(q, "job_roles", id))) throw notFound("job_role.not_found", "No such job role");
  if (input.departmentId && !(await exists(q, "departments", input.departmentId))) {
    throw unprocessable("job_role.unknown_department", "No such department", [
      { path: "departmentId", message: "does not exist" },
    ]);
  }
  const key = id ?? ulid();
  try {
    await q.query("SAVEPOINT role");
    await q.query(
      `INSERT INTO job_roles (id, title, department_id, level) VALUES ($1,$2,$3,$4)
       ON CONFLICT (id) DO UPDATE SET title = $2, department_id = $3, level = $4`,
      [key, input.title, input.departmentId ?? null, input.level ?? null],
    );
    await q.query("RELEASE SAVEPOINT role");
  } catch (e) {
    await q.query("ROLLBACK TO SAVEPOINT role");
    nameTaken(e, "job_role", "title");
  }
  await appendAudit(q, ctx, {
    action: id ? "job_role.updated" : "job_role.created",
    targetType: "job_role",
    targetId: key,
    details: { title: input.title },
  });
  return key;
}

export async function saveLocation(
  q: Queryable,
  ctx: AuditContext,
  input: z.infer<typeof locationInput>,
  id?: string,
) {
  if (id && !(await exists(q, "locations", id))) throw notFound("location.not_found", "No such location");
  const key = id ?? ulid();
  try {
    await q.query("SAVEPOINT loc");
    await q.query(
      `INSERT INTO locations (id, name, time_zone, country) VALUES ($1,$2,$3,$4)
       ON CONFLICT (id) DO UPDATE SET name = $2, time_zone = $3, country = $4`,
      [key, input.name, input.timeZone, input.country ?? null],
    );
    await q.query("RELEASE SAVEPOINT loc");
  } catch (e) {
    await q.query("ROLLBACK TO SAVEPOINT loc");
    nameTaken(e, "location", "name");
  }
  await appendAudit(q, ctx, {
    action: id ? "location.updated" : "location.created",
    targetType: "location",
    targetId: key,
    details: { name: input.name },
  });
  return key;
}
