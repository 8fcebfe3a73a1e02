/**
 * Audiences: everyone, or the people in any of the listed departments, job roles or
 * employment types. They are resolved against the People module's records with read-only
 * SQL (like reconciliation does): a publish reaches thousands of people in one statement
 * instead of one module call per person.
 */
import { z } from "zod";
import type { Queryable } from "../../platform/db/index.js";
import { unprocessable } from "../../platform/http/index.js";
import { WORKING } from "../people/index.js";

const EMPLOYMENT_TYPES = ["employee", "contractor", "intern", "vendor"] as const;
const id = z.string().min(1).max(40);

export const audienceSchema = z
  .object({
    everyone: z.boolean().default(false),
    departmentIds: z.array(id).max(500).default([]),
    jobRoleIds: z.array(id).max(500).default([]),
    employmentTypes: z.array(z.enum(EMPLOYMENT_TYPES)).max(4).default([]),
  })
  .strict()
  .refine((a) => a.everyone || a.departmentIds.length + a.jobRoleIds.length + a.employmentTypes.length > 0, {
    message: "choose everyone, or at least one department, job role or employment type",
    path: ["everyone"],
  });
export type Audience = z.infer<typeof audienceSchema>;

export const EVERYONE: Audience = { everyone: true, departmentIds: [], jobRoleIds: [], employmentTypes: [] };

export function parseAudience(raw: unknown): Audience {
  const r = audienceSchema.safeParse(raw);
  return r.success ? r.data : EVERYONE;
}

/** Refuses department and job role ids that do not exist, naming the field. */
export async function checkAudience(q: Queryable, a: Audience, field = "audience"): Promise<void> {
  const missing = async (table: string, ids: string[]) => {
    if (!ids.length) return [];
    const r = await q.query<{ id: string }>(`SELECT id FROM ${table} WHERE id = ANY($1::text[])`, [ids]);
    const found = new Set(r.rows.map((x) => x.id));
    return ids.filter((i) => !found.has(i));
  };
  const errors = [
    ...(await missing("departments", a.departmentIds)).map((i) => ({
      path: `${field}.departmentIds`,
      message: `no department ${i}`,
    })),
    ...(await missing("job_roles", a.jobRoleIds)).map((i) => ({
      path: `${field}.jobRoleIds`,
      message: `no job role ${i}`,
    })),
  ];
  if (errors.length)
    throw unprocessable("awareness.unknown_audience", "The audience names unknown records", errors);
}

/**
 * A SQL condition on `people p` for the audience, with its parameters numbered from `from`.
 * Only people who work here (pre-hire, active, on leave, on notice) are ever in an audience.
 */
export function audienceWhere(a: Audience, from: number): { sql: string; params: unknown[] } {
  const n = (k: number) => `$${from + k}`;
  return {
    sql: `p.status = ANY(${n(0)}::text[]) AND (${n(1)}::boolean OR p.department_id = ANY(${n(2)}::text[])
      OR p.job_role_id = ANY(${n(3)}::text[]) OR p.employment_type = ANY(${n(4)}::text[]))`,
    params: [[...WORKING], a.everyone, a.departmentIds, a.jobRoleIds, a.employmentTypes],
  };
}

/** The people in an audience (ids), optionally only the given ones. */
export async function audiencePeople(q: Queryable, a: Audience, only?: string[]): Promise<string[]> {
  const w = audienceWhere(a, 1);
  const r = await q.query<{ id: string }>(
    `SELECT p.id FROM people p WHERE ${w.sql}${only ? ` AND p.id = ANY($${w.params.length + 1}::text[])` : ""} ORDER BY p.id`,
    [...w.params, ...(only ? [only] : [])],
  );
  return r.rows.map((x) => x.id);
}
