import type { Queryable } from "../../../platform/db/index.js";
import type { Person } from "../schemas.js";
import type { Status } from "../status.js";

/**
 * What an import looks up for every row, loaded once: departments, job roles and locations
 * by name, and every person's employee number, email and manager (small values only: the
 * full records are read 500 at a time, for the rows being looked at).
 */
export interface ImportEnv {
  departments: Map<string, string>;
  /** lower(title) → the roles with that title (a title may exist once per department). */
  jobRoles: Map<string, { id: string; departmentId: string | null }[]>;
  locations: Map<string, { id: string; timeZone: string }>;
  /** The same, by id: names to show and a location's time zone. */
  departmentName: Map<string, string>;
  jobRoleTitle: Map<string, string>;
  locationById: Map<string, { name: string; timeZone: string }>;
  /** employee number → person id. */
  idOf: Map<string, string>;
  /** person id → employee number. */
  numberOf: Map<string, string>;
  /** lower(work email) → employee number of the person holding it. */
  emailOwner: Map<string, string>;
  /** person id → manager id. */
  managerOf: Map<string, string | null>;
  /** attribute → the source that owns it (only sources other than csv matter). */
  authority: Map<string, string>;
}

export async function loadEnv(q: Queryable): Promise<ImportEnv> {
  const env: ImportEnv = {
    departments: new Map(),
    jobRoles: new Map(),
    locations: new Map(),
    departmentName: new Map(),
    jobRoleTitle: new Map(),
    locationById: new Map(),
    idOf: new Map(),
    numberOf: new Map(),
    emailOwner: new Map(),
    managerOf: new Map(),
    authority: new Map(),
  };
  await loadOrg(q, env);
  const people = await q.query<{ id: string; n: string; e: string; m: string | null }>(
    "SELECT id, employee_number AS n, lower(work_email) AS e, manager_id AS m FROM people",
  );
  for (const p of people.rows) {
    env.idOf.set(p.n, p.id);
    env.numberOf.set(p.id, p.n);
    env.emailOwner.set(p.e, p.n);
    env.managerOf.set(p.id, p.m);
  }
  const auth = await q.query<{ attribute: string; source: string }>(
    "SELECT attribute, source FROM attribute_authority",
  );
  for (const a of auth.rows) env.authority.set(a.attribute, a.source);
  return env;
}

type OrgMaps = "departments" | "jobRoles" | "locations" | "departmentName" | "jobRoleTitle" | "locationById";

export async function loadOrg(q: Queryable, env: Pick<ImportEnv, OrgMaps>) {
  for (const m of [
    env.departments,
    env.jobRoles,
    env.locations,
    env.departmentName,
    env.jobRoleTitle,
    env.locationById,
  ])
    m.clear();
  const d = await q.query<{ id: string; name: string }>("SELECT id, name FROM departments");
  for (const r of d.rows) {
    env.departments.set(r.name.toLowerCase(), r.id);
    env.departmentName.set(r.id, r.name);
  }
  const j = await q.query<{ id: string; title: string; department_id: string | null }>(
    "SELECT id, title, department_id FROM job_roles ORDER BY id",
  );
  for (const r of j.rows) {
    const key = r.title.toLowerCase();
    env.jobRoleTitle.set(r.id, r.title);
    env.jobRoles.set(key, [...(env.jobRoles.get(key) ?? []), { id: r.id, departmentId: r.department_id }]);
  }
  const l = await q.query<{ id: string; name: string; time_zone: string }>(
    "SELECT id, name, time_zone FROM locations",
  );
  for (const r of l.rows) {
    env.locations.set(r.name.toLowerCase(), { id: r.id, timeZone: r.time_zone });
    env.locationById.set(r.id, { name: r.name, timeZone: r.time_zone });
  }
}

/** A person as the import compares it with a row. */
export interface Current {
  id: string;
  employeeNumber: string;
  legalName: string;
  preferredName: string | null;
  workEmail: string;
  departmentId: string | null;
  departmentName: string | null;
  jobRoleId: string | null;
  jobRoleTitle: string | null;
  managerId: string | null;
  managerNumber: string | null;
  locationId: string | null;
  locationName: string | null;
  timeZone: string | null;
  employmentType: Person["employmentType"];
  status: Status;
  startDate: string | null;
  endDate: string | null;
  terminationType: Person["terminationType"];
  /** The earliest termination still scheduled, if any. */
  scheduledTermination: Date | null;
}

/**
 * The current records of the people with these employee numbers (one query for a batch; names
 * of departments, job roles and locations come from the loaded maps). Scheduled terminations
 * are looked up only for `leaving` (the rows that say someone leaves). `lock`: the records are
 * locked for the caller's transaction (applying writes what it decides from them).
 */
export async function loadCurrent(
  q: Queryable,
  env: ImportEnv,
  numbers: string[],
  leaving: string[],
  lock = false,
): Promise<Map<string, Current>> {
  const out = new Map<string, Current>();
  if (!numbers.length) return out;
  const r = await q.query<{
    id: string;
    employee_number: string;
    legal_name: string;
    preferred_name: string | null;
    work_email: string;
    department_id: string | null;
    job_role_id: string | null;
    manager_id: string | null;
    manager_number: string | null;
    location_id: string | null;
    employment_type: Person["employmentType"];
    status: Status;
    start_date: string | null;
    end_date: string | null;
    termination_type: Person["terminationType"];
  }>(
    `SELECT p.id, p.employee_number, p.legal_name, p.preferred_name, p.work_email, p.department_id, p.job_role_id,
       p.manager_id, m.manager_number, p.location_id, p.employment_type, p.status,
       p.start_date::text AS start_date, p.end_date::text AS end_date, p.termination_type
     FROM people p
     -- One index probe per person: as a join, the manager look-up may be planned as a scan of every person.
     LEFT JOIN LATERAL (SELECT m.employee_number AS manager_number FROM people m WHERE m.id = p.manager_id LIMIT 1) m ON true
     WHERE p.employee_number = ANY($1::text[])${lock ? " FOR UPDATE OF p" : ""}`,
    [numbers],
  );
  const leaves = new Set(leaving);
  const leavingIds = r.rows.filter((p) => leaves.has(p.employee_number)).map((p) => p.id);
  const scheduled = new Map(
    leavingIds.length
      ? (
          await q.query<{ person_id: string; at: Date | string }>(
            `SELECT person_id, min(effective_at) AS at FROM person_events
             WHERE person_id = ANY($1::text[]) AND type = 'termination' AND state = 'scheduled' GROUP BY person_id`,
            [leavingIds],
          )
        ).rows.map((s) => [s.person_id, new Date(s.at)])
      : [],
  );
  for (const p of r.rows) {
    const location = p.location_id ? env.locationById.get(p.location_id) : undefined;
    out.set(p.employee_number, {
      id: p.id,
      employeeNumber: p.employee_number,
      legalName: p.legal_name,
      preferredName: p.preferred_name,
      workEmail: p.work_email,
      departmentId: p.department_id,
      departmentName: p.department_id ? (env.departmentName.get(p.department_id) ?? null) : null,
      jobRoleId: p.job_role_id,
      jobRoleTitle: p.job_role_id ? (env.jobRoleTitle.get(p.job_role_id) ?? null) : null,
      managerId: p.manager_id,
      managerNumber: p.manager_number,
      locationId: p.location_id,
      locationName: location?.name ?? null,
      timeZone: location?.timeZone ?? null,
      employmentType: p.employment_type,
      status: p.status,
      startDate: p.start_date,
      endDate: p.end_date,
      terminationType: p.termination_type,
      scheduledTermination: scheduled.get(p.id) ?? null,
    });
  }
  return out;
}
