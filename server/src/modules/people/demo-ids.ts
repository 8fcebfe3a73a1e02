import type { Db, Queryable } from "../../platform/db/index.js";
import { DEPARTMENTS, type DepartmentKey, LOCATIONS, type LocationKey } from "./demo-data.js";
import {
  DEMO_EMPLOYEE_PREFIX,
  type DemoPlan,
  type DemoRole,
  type Lifecycle,
  type PlannedPerson,
} from "./demo-plan.js";
import type { Status } from "./status.js";

/** What the demo seed created, read back from the database by name and employee number. */

export interface DemoPersonRef {
  id: string;
  employeeNumber: string;
  name: string;
  workEmail: string;
  userId: string | null;
  department: DepartmentKey;
  jobRole: string;
  position: PlannedPerson["position"];
  employmentType: PlannedPerson["employmentType"];
  lifecycle: Lifecycle["kind"];
}

/** What the seed created, by key, so later modules can extend the same organisation. */
export interface DemoIds {
  locations: Record<LocationKey, string>;
  departments: Record<DepartmentKey, string>;
  /** Job role ids by title. */
  jobRoles: Record<string, string>;
  ceo: string;
  heads: Record<DepartmentKey, string>;
  people: DemoPersonRef[];
  accounts: Record<DemoRole, { personId: string; userId: string; email: string }>;
}

export interface DemoCounts {
  people: number;
  byStatus: Partial<Record<Status, number>>;
  departments: number;
  jobRoles: number;
  locations: number;
  agreements: number;
  backgroundChecks: number;
  scheduledEvents: number;
}

/** The ids of everything in the plan, read back from the database (works for a finished seed too). */
export async function resolveIds(q: Queryable, plan: DemoPlan): Promise<DemoIds> {
  const byName = async (table: string, col: string, names: string[]) => {
    const r = await q.query<{ id: string; name: string }>(
      `SELECT id, lower(${col}) AS name FROM ${table} WHERE lower(${col}) = ANY($1::text[])`,
      [names.map((n) => n.toLowerCase())],
    );
    return new Map(r.rows.map((x) => [x.name, x.id]));
  };
  const locs = await byName(
    "locations",
    "name",
    Object.values(LOCATIONS).map((l) => l.name),
  );
  const depts = await byName(
    "departments",
    "name",
    Object.values(DEPARTMENTS).map((d) => d.name),
  );
  const ids = { locations: {}, departments: {}, jobRoles: {}, heads: {}, accounts: {} } as DemoIds;
  for (const [k, l] of Object.entries(LOCATIONS))
    ids.locations[k as LocationKey] = locs.get(l.name.toLowerCase())!;
  for (const [k, d] of Object.entries(DEPARTMENTS))
    ids.departments[k as DepartmentKey] = depts.get(d.name.toLowerCase())!;
  const roles = await q.query<{ id: string; title: string; department_id: string }>(
    "SELECT id, title, department_id FROM job_roles WHERE department_id = ANY($1::text[])",
    [Object.values(ids.departments)],
  );
  for (const r of roles.rows) ids.jobRoles[r.title] = r.id;
  const rows = await q.query<{ id: string; employee_number: string; user_id: string | null }>(
    "SELECT id, employee_number, user_id FROM people WHERE employee_number = ANY($1::text[])",
    [plan.people.map((p) => p.employeeNumber)],
  );
  const found = new Map(rows.rows.map((r) => [r.employee_number, r]));
  ids.people = plan.people.map((p) => {
    const row = found.get(p.employeeNumber);
    if (!row) throw new Error(`demo person ${p.employeeNumber} is missing`);
    return {
      id: row.id,
      employeeNumber: p.employeeNumber,
      name: p.preferredName ?? p.legalName,
      workEmail: p.workEmail,
      userId: row.user_id,
      department: p.department,
      jobRole: p.jobRole,
      position: p.position,
      employmentType: p.employmentType,
      lifecycle: p.lifecycle.kind,
    };
  });
  ids.ceo = ids.people.find((p) => p.position === "ceo")!.id;
  for (const p of ids.people) if (p.position === "head") ids.heads[p.department] = p.id;
  for (const [i, p] of plan.people.entries()) {
    const ref = ids.people[i]!;
    if (p.signIn && ref.userId)
      ids.accounts[p.signIn] = { personId: ref.id, userId: ref.userId, email: p.workEmail };
  }
  return ids;
}

export async function countDemo(db: Db): Promise<DemoCounts> {
  const like = `${DEMO_EMPLOYEE_PREFIX}%`;
  const status = await db.query<{ status: Status; n: number }>(
    "SELECT status, count(*)::int AS n FROM people WHERE employee_number LIKE $1 GROUP BY status",
    [like],
  );
  const n = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0;
  const demo = "person_id IN (SELECT id FROM people WHERE employee_number LIKE $1)";
  return {
    people: status.rows.reduce((s, r) => s + r.n, 0),
    byStatus: Object.fromEntries(status.rows.map((r) => [r.status, r.n])),
    departments: await n("SELECT count(*)::int AS n FROM departments"),
    jobRoles: await n("SELECT count(*)::int AS n FROM job_roles"),
    locations: await n("SELECT count(*)::int AS n FROM locations"),
    agreements: await n(`SELECT count(*)::int AS n FROM agreements WHERE ${demo}`, [like]),
    backgroundChecks: await n(`SELECT count(*)::int AS n FROM background_checks WHERE ${demo}`, [like]),
    scheduledEvents: await n(
      `SELECT count(*)::int AS n FROM person_events WHERE state = 'scheduled' AND ${demo}`,
      [like],
    ),
  };
}
