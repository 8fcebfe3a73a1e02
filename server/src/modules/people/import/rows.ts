import { z } from "zod";
import { EMPLOYMENT_TYPES, TERMINATION_TYPES } from "../schemas.js";
import type { Field, LineError } from "./csv.js";
import type { Current, ImportEnv } from "./lookups.js";

export const CSV_STATUSES = ["candidate", "pre_hire", "active", "notice", "leaver"] as const;
export type CsvStatus = (typeof CSV_STATUSES)[number];
export type EmploymentType = (typeof EMPLOYMENT_TYPES)[number];
export type TerminationType = (typeof TERMINATION_TYPES)[number];

/**
 * One line of the file, checked. A column the file does not have is `undefined` (left as it
 * is); an empty cell is `null` (cleared), except for employment_type and status, where an
 * empty cell leaves the value as it is.
 */
export interface Row {
  line: number;
  employeeNumber: string;
  legalName?: string | null;
  preferredName?: string | null;
  workEmail?: string | null;
  department?: string | null;
  jobRole?: string | null;
  manager?: string | null;
  location?: string | null;
  employmentType?: EmploymentType;
  status?: CsvStatus;
  startDate?: string | null;
  endDate?: string | null;
  terminationType?: TerminationType | null;
}

const EMAIL = z.string().email();
const enumValue = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Checks the cells of one line: formats, lengths, allowed values. */
export function checkRow(
  line: number,
  values: Partial<Record<Field, string>>,
): { row?: Row; errors: LineError[] } {
  const errors: LineError[] = [];
  const employeeNumber = values.employee_number ?? "";
  const err = (field: Field, message: string) => errors.push({ line, field, message, employeeNumber });
  if (!employeeNumber) err("employee_number", "Required");
  else if (employeeNumber.length > 40) err("employee_number", "Longer than 40 characters");

  function text(field: Field, max: number, required = false): string | null | undefined {
    const v = values[field];
    if (v === undefined) return undefined;
    if (v === "") {
      if (required) err(field, "Must not be empty");
      return null;
    }
    if (v.length > max) err(field, `Longer than ${max} characters`);
    return v;
  }
  function oneOf<T extends string>(field: Field, allowed: readonly T[]): T | undefined {
    const v = values[field];
    if (!v) return undefined;
    const key = enumValue(v);
    if ((allowed as readonly string[]).includes(key)) return key as T;
    err(field, `"${v}" is not one of ${allowed.join(", ")}`);
    return undefined;
  }
  function date(field: Field): string | null | undefined {
    const v = values[field];
    if (v === undefined) return undefined;
    if (v === "") return null;
    if (!isIsoDate(v)) {
      err(field, `"${v}" is not a date in the form YYYY-MM-DD`);
      return undefined;
    }
    return v;
  }

  const row: Row = {
    line,
    employeeNumber,
    legalName: text("legal_name", 200, true),
    preferredName: text("preferred_name", 200),
    workEmail: text("work_email", 254, true)?.toLowerCase(),
    department: text("department", 120),
    jobRole: text("job_role", 120),
    manager: text("manager_employee_number", 40),
    location: text("location", 120),
    employmentType: oneOf("employment_type", EMPLOYMENT_TYPES),
    status: oneOf("status", CSV_STATUSES),
    startDate: date("start_date"),
    endDate: date("end_date"),
    terminationType: values.termination_type === "" ? null : oneOf("termination_type", TERMINATION_TYPES),
  };
  if (row.workEmail && !EMAIL.safeParse(row.workEmail).success)
    err("work_email", `"${values.work_email}" is not an email address`);
  if (row.manager && row.manager === employeeNumber)
    err("manager_employee_number", "A person cannot be their own manager");
  if (row.startDate && row.endDate && row.endDate < row.startDate)
    err("end_date", `${row.endDate} is before start_date ${row.startDate}`);
  return errors.length ? { errors } : { row, errors };
}

/** Departments, job roles and locations an import creates (only with createMissingOrg). */
export interface OrgPlan {
  departments: Map<string, string>;
  jobRoles: Map<string, { title: string; department: string | null }>;
  locations: Map<string, string>;
}
export const emptyOrgPlan = (): OrgPlan => ({
  departments: new Map(),
  jobRoles: new Map(),
  locations: new Map(),
});

/** A reference to an org entity the import will create (dry run) — never equal to a real id. */
const placeholder = (kind: string, key: string) => `new:${kind}:${key}`;

export interface Resolved {
  departmentId?: string | null;
  jobRoleId?: string | null;
  locationId?: string | null;
  /** Time zone of the location the person will have (for the moment a termination date means). */
  timeZone: string | null;
}

/** Turns department, job role and location names into ids (or plans to create them). */
export function resolveOrg(
  row: Row,
  cur: Current | undefined,
  env: ImportEnv,
  org: OrgPlan,
  createMissing: boolean,
): { resolved: Resolved; errors: LineError[] } {
  const errors: LineError[] = [];
  const err = (field: Field, message: string) =>
    errors.push({ line: row.line, field, message, employeeNumber: row.employeeNumber });
  const resolved: Resolved = { timeZone: cur?.timeZone ?? null };
  let departmentName: string | null = cur?.departmentName ?? null;
  if (row.department !== undefined) {
    departmentName = row.department;
    if (row.department === null) resolved.departmentId = null;
    else {
      const key = row.department.toLowerCase();
      const id = env.departments.get(key);
      if (id) resolved.departmentId = id;
      else if (createMissing) {
        if (!org.departments.has(key)) org.departments.set(key, row.department);
        resolved.departmentId = placeholder("department", key);
      } else err("department", `No department called "${row.department}"`);
    }
  }
  if (row.jobRole !== undefined) {
    if (row.jobRole === null) resolved.jobRoleId = null;
    else {
      const key = row.jobRole.toLowerCase();
      const deptId =
        resolved.departmentId !== undefined ? resolved.departmentId : (cur?.departmentId ?? null);
      const candidates = env.jobRoles.get(key) ?? [];
      const match =
        candidates.find((c) => c.departmentId === deptId) ??
        candidates.find((c) => c.departmentId === null) ??
        (candidates.length === 1 ? candidates[0] : undefined);
      if (match) resolved.jobRoleId = match.id;
      else if (candidates.length > 1)
        err("job_role", `Several job roles are called "${row.jobRole}"; none of them is in this department`);
      else if (createMissing) {
        const roleKey = `${key}\u0000${departmentName?.toLowerCase() ?? ""}`;
        if (!org.jobRoles.has(roleKey))
          org.jobRoles.set(roleKey, { title: row.jobRole, department: departmentName });
        resolved.jobRoleId = placeholder("job_role", roleKey);
      } else err("job_role", `No job role called "${row.jobRole}"`);
    }
  }
  if (row.location !== undefined) {
    if (row.location === null) {
      resolved.locationId = null;
      resolved.timeZone = null;
    } else {
      const key = row.location.toLowerCase();
      const loc = env.locations.get(key);
      if (loc) {
        resolved.locationId = loc.id;
        resolved.timeZone = loc.timeZone;
      } else if (createMissing) {
        if (!org.locations.has(key)) org.locations.set(key, row.location);
        resolved.locationId = placeholder("location", key);
        resolved.timeZone = "UTC";
      } else err("location", `No location called "${row.location}"`);
    }
  }
  return { resolved, errors };
}
