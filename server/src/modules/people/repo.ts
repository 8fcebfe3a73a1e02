import type { Queryable } from "../../platform/db/index.js";
import type { Person, PersonEvent } from "./schemas.js";
import type { Status } from "./status.js";

export interface PersonRow {
  id: string;
  employee_number: string;
  legal_name: string;
  preferred_name: string | null;
  work_email: string;
  department_id: string | null;
  department_name: string | null;
  job_role_id: string | null;
  job_role_title: string | null;
  manager_id: string | null;
  manager_name: string | null;
  location_id: string | null;
  location_name: string | null;
  location_tz: string | null;
  employment_type: Person["employmentType"];
  status: Status;
  start_date: string | Date | null;
  end_date: string | Date | null;
  termination_type: Person["terminationType"];
  high_risk: boolean;
  high_risk_reason_enc: string | null;
  user_id: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

const iso = (d: Date | string) => new Date(d).toISOString();
/** `date` columns come back as strings from PostgreSQL and as Date from PGlite. */
export const dateOnly = (d: string | Date | null): string | null => {
  if (d === null) return null;
  if (typeof d === "string") return d.slice(0, 10);
  const y = d.getFullYear();
  return `${y}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

export const PERSON_SELECT = `SELECT p.id, p.employee_number, p.legal_name, p.preferred_name, p.work_email,
  p.department_id, d.name AS department_name, p.job_role_id, j.title AS job_role_title,
  p.manager_id, COALESCE(m.preferred_name, m.legal_name) AS manager_name,
  p.location_id, l.name AS location_name, l.time_zone AS location_tz,
  p.employment_type, p.status, p.start_date::text AS start_date, p.end_date::text AS end_date, p.termination_type,
  p.high_risk, p.high_risk_reason_enc, p.user_id, p.version, p.created_at, p.updated_at
  FROM people p
  LEFT JOIN departments d ON d.id = p.department_id
  LEFT JOIN job_roles j ON j.id = p.job_role_id
  LEFT JOIN people m ON m.id = p.manager_id
  LEFT JOIN locations l ON l.id = p.location_id`;

export function toPerson(r: PersonRow): Person {
  return {
    id: r.id,
    employeeNumber: r.employee_number,
    legalName: r.legal_name,
    preferredName: r.preferred_name,
    displayName: r.preferred_name || r.legal_name,
    workEmail: r.work_email,
    departmentId: r.department_id,
    departmentName: r.department_name,
    jobRoleId: r.job_role_id,
    jobRoleTitle: r.job_role_title,
    managerId: r.manager_id,
    managerName: r.manager_name,
    locationId: r.location_id,
    locationName: r.location_name,
    employmentType: r.employment_type,
    status: r.status,
    startDate: dateOnly(r.start_date),
    endDate: dateOnly(r.end_date),
    terminationType: r.termination_type,
    userId: r.user_id,
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export async function findPerson(q: Queryable, id: string, lock = false): Promise<PersonRow | undefined> {
  const r = await q.query<PersonRow>(`${PERSON_SELECT} WHERE p.id = $1${lock ? " FOR UPDATE OF p" : ""}`, [
    id,
  ]);
  return r.rows[0];
}

export async function findPersonBy(
  q: Queryable,
  by: { employeeNumber?: string; workEmail?: string; userId?: string },
): Promise<PersonRow | undefined> {
  if (by.employeeNumber) {
    return (await q.query<PersonRow>(`${PERSON_SELECT} WHERE p.employee_number = $1`, [by.employeeNumber]))
      .rows[0];
  }
  if (by.workEmail) {
    return (
      await q.query<PersonRow>(`${PERSON_SELECT} WHERE lower(p.work_email) = lower($1)`, [by.workEmail])
    ).rows[0];
  }
  if (by.userId)
    return (await q.query<PersonRow>(`${PERSON_SELECT} WHERE p.user_id = $1`, [by.userId])).rows[0];
  return undefined;
}

/** Columns a change may set, from API field name to column. */
export const COLUMNS = {
  employeeNumber: "employee_number",
  legalName: "legal_name",
  preferredName: "preferred_name",
  workEmail: "work_email",
  departmentId: "department_id",
  jobRoleId: "job_role_id",
  managerId: "manager_id",
  locationId: "location_id",
  employmentType: "employment_type",
  startDate: "start_date",
  endDate: "end_date",
  status: "status",
  terminationType: "termination_type",
  highRisk: "high_risk",
  highRiskReasonEnc: "high_risk_reason_enc",
  userId: "user_id",
} as const;
export type Column = keyof typeof COLUMNS;

/** Writes a set of column changes and bumps the version. */
export async function writePerson(
  q: Queryable,
  id: string,
  changes: Partial<Record<Column, unknown>>,
): Promise<void> {
  const keys = Object.keys(changes) as Column[];
  if (!keys.length) return;
  const sets = keys.map((k, i) => `${COLUMNS[k]} = $${i + 2}`);
  await q.query(
    `UPDATE people SET ${sets.join(", ")}, version = version + 1, updated_at = now() WHERE id = $1`,
    [id, ...keys.map((k) => changes[k])],
  );
}

/** How a column's value is cast when many records are written from text arrays. */
const CASTS: Partial<Record<Column, string>> = { startDate: "date", endDate: "date", highRisk: "boolean" };

/**
 * Writes many records' changes (each its own set of columns) and bumps their versions: one
 * statement per distinct set of columns, as writePerson would for each.
 */
export async function writePeople(
  q: Queryable,
  changes: readonly { id: string; values: Partial<Record<Column, unknown>> }[],
): Promise<void> {
  const groups = new Map<string, { keys: Column[]; items: typeof changes }>();
  for (const c of changes) {
    const keys = (Object.keys(c.values) as Column[]).sort();
    if (!keys.length) continue;
    const g = groups.get(keys.join()) ?? { keys, items: [] };
    g.items = [...g.items, c];
    groups.set(keys.join(), g);
  }
  for (const { keys, items } of groups.values()) {
    const sets = keys.map((k, i) => `${COLUMNS[k]} = v.c${i}::${CASTS[k] ?? "text"}`);
    await q.query(
      `UPDATE people p SET ${sets.join(", ")}, version = p.version + 1, updated_at = now()
       FROM unnest($1::text[]${keys.map((_, i) => `, $${i + 2}::text[]`).join("")})
         AS v(id${keys.map((_, i) => `, c${i}`).join("")})
       WHERE p.id = v.id`,
      [
        items.map((c) => c.id),
        ...keys.map((k) =>
          items.map((c) => {
            const v = c.values[k];
            return v === null || v === undefined ? null : String(v);
          }),
        ),
      ],
    );
  }
}

/** Would making `managerId` the manager of `personId` close a loop? */
export async function wouldCycle(q: Queryable, personId: string, managerId: string): Promise<boolean> {
  if (personId === managerId) return true;
  const r = await q.query(
    `WITH RECURSIVE chain(id, depth) AS (
       SELECT manager_id, 1 FROM people WHERE id = $1
       UNION ALL
       SELECT p.manager_id, c.depth + 1 FROM people p JOIN chain c ON p.id = c.id WHERE c.depth < 100
     ) SELECT 1 FROM chain WHERE id = $2 LIMIT 1`,
    [managerId, personId],
  );
  return r.rowCount > 0;
}

/** Keeps the record as it is now in its history; returns that record. */
export async function writeHistory(
  q: Queryable,
  id: string,
  validFrom: Date,
  eventId: string | null,
): Promise<PersonRow> {
  const row = (await findPerson(q, id)) as PersonRow;
  await writeHistoryRows(q, [{ row, validFrom, eventId }]);
  return row;
}

/** Keeps each record as read in its history (the encrypted reason stays out), in one statement. */
export async function writeHistoryRows(
  q: Queryable,
  items: readonly { row: PersonRow; validFrom: Date; eventId: string | null }[],
): Promise<void> {
  if (!items.length) return;
  const snapshot = (row: PersonRow) => {
    const { high_risk_reason_enc: _omit, ...rest } = row;
    return JSON.stringify(rest);
  };
  await q.query(
    `INSERT INTO person_history (person_id, version, valid_from, snapshot, event_id)
     SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::jsonb[], $5::text[])
     ON CONFLICT (person_id, version) DO NOTHING`,
    [
      items.map((x) => x.row.id),
      items.map((x) => x.row.version),
      items.map((x) => x.validFrom.toISOString()),
      items.map((x) => snapshot(x.row)),
      items.map((x) => x.eventId),
    ],
  );
}

/** The records of many people (locked for update when asked), by id. */
export async function findPeople(
  q: Queryable,
  ids: readonly string[],
  lock = false,
): Promise<Map<string, PersonRow>> {
  const r = await q.query<PersonRow>(
    `${PERSON_SELECT} WHERE p.id = ANY ($1::text[]) ORDER BY p.id${lock ? " FOR UPDATE OF p" : ""}`,
    [[...new Set(ids)]],
  );
  return new Map(r.rows.map((row) => [row.id, row]));
}

/**
 * The provenance of a change that sets `attributes` from `source` now, as stored in
 * `person_sources.sources` (a list of changes, newest first: see migration 0012).
 * `src` and `attrs` are SQL expressions: the source, and the attribute names separated by commas.
 */
export const sourcesChange = (src: string, attrs: string) =>
  `jsonb_build_array(jsonb_build_object('source', ${src}::text, 'setAt', now(),
     'attributes', to_jsonb(string_to_array(${attrs}::text, ','))))`;

/** Records `source` as the last setter of each attribute (provenance), now. */
export async function setSources(
  q: Queryable,
  id: string,
  attributes: string[],
  source: string,
): Promise<void> {
  if (!attributes.length) return;
  await q.query(
    `INSERT INTO person_sources AS s (person_id, sources) VALUES ($1, ${sourcesChange("$3", "$2")})
     ON CONFLICT (person_id) DO UPDATE SET sources = person_sources_merge(s.sources, EXCLUDED.sources)`,
    [id, attributes.join(","), source],
  );
}

export interface AttributeSource {
  attribute: string;
  source: string;
  setAt: string;
}

/** Which source last set each attribute of a person, and when (by attribute name). */
export async function attributeSources(q: Queryable, id: string): Promise<AttributeSource[]> {
  const r = await q.query<{ attribute: string; source: string; set_at: Date | string }>(
    `SELECT a AS attribute, c ->> 'source' AS source, (c ->> 'setAt')::timestamptz AS set_at
     FROM person_sources s, jsonb_array_elements(s.sources) AS c, jsonb_array_elements_text(c -> 'attributes') AS a
     WHERE s.person_id = $1 ORDER BY a`,
    [id],
  );
  return r.rows.map((x) => ({ attribute: x.attribute, source: x.source, setAt: iso(x.set_at) }));
}

export async function authorities(q: Queryable): Promise<Map<string, string>> {
  const r = await q.query<{ attribute: string; source: string }>(
    "SELECT attribute, source FROM attribute_authority",
  );
  return new Map(r.rows.map((x) => [x.attribute, x.source]));
}

export interface EventRow {
  id: string;
  person_id: string;
  type: PersonEvent["type"];
  effective_at: Date | string;
  state: PersonEvent["state"];
  changes: Record<string, unknown>;
  source: string;
  reason: string | null;
  created_by: string | null;
  created_at: Date | string;
  applied_at: Date | string | null;
  error: string | null;
}

export const toEvent = (r: EventRow): PersonEvent => ({
  id: r.id,
  personId: r.person_id,
  type: r.type,
  effectiveAt: iso(r.effective_at),
  state: r.state,
  changes: r.changes,
  source: r.source,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  appliedAt: r.applied_at ? iso(r.applied_at) : null,
  error: r.error,
});

export async function findEvent(q: Queryable, id: string, lock = false): Promise<EventRow | undefined> {
  return (
    await q.query<EventRow>(`SELECT * FROM person_events WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id])
  ).rows[0];
}

export async function listEvents(q: Queryable, personId: string): Promise<PersonEvent[]> {
  const r = await q.query<EventRow>(
    "SELECT * FROM person_events WHERE person_id = $1 ORDER BY effective_at DESC, created_at DESC",
    [personId],
  );
  return r.rows.map(toEvent);
}
