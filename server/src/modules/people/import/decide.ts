import { endOfDay } from "../service.js";
import type { Status } from "../status.js";
import type { Field, LineError } from "./csv.js";
import type { Current, ImportEnv } from "./lookups.js";
import type { CsvStatus, EmploymentType, Resolved, Row, TerminationType } from "./rows.js";

export type Action = "create" | "update" | "move" | "terminate" | "unchanged" | "skip";
export interface Change {
  from: string | null;
  to: string | null;
}

/** Lifecycle events a row leads to, in the order they are recorded. */
export type PlannedEvent =
  | { type: "hire" }
  | { type: "start" }
  | { type: "notice_withdrawn" }
  | { type: "resignation"; lastWorkingDay: string }
  | { type: "termination"; terminationType: TerminationType; effectiveAt: Date }
  | { type: "rehire"; startDate: string };

/** Attribute changes, as PersonPatch fields; the manager is named by employee number until applied. */
export interface PatchPlan {
  legalName?: string;
  preferredName?: string | null;
  workEmail?: string;
  departmentId?: string | null;
  jobRoleId?: string | null;
  managerNumber?: string | null;
  locationId?: string | null;
  employmentType?: EmploymentType;
  startDate?: string | null;
  endDate?: string | null;
}

export interface CreatePlan {
  legalName: string;
  preferredName: string | null;
  workEmail: string;
  departmentId: string | null;
  jobRoleId: string | null;
  managerNumber: string | null;
  locationId: string | null;
  employmentType: EmploymentType;
  status: "candidate" | "pre_hire" | "active";
  startDate: string | null;
  endDate: string | null;
}

export interface Decision {
  action: Action;
  changes: Partial<Record<Field | "status", Change>>;
  patch: PatchPlan;
  events: PlannedEvent[];
  /** Rehire and notice withdrawal come before the attribute changes, everything else after. */
  eventsFirst: boolean;
  create?: CreatePlan;
  note?: string;
}

const WORKING_OR_CANDIDATE: readonly Status[] = ["candidate", "pre_hire", "active", "leave", "notice"];
const MOVES: readonly Field[] = ["department", "job_role", "manager_employee_number", "location"];
/** CSV field → the attribute name provenance and authority use. */
export const ATTRIBUTE: Partial<Record<Field, string>> = {
  legal_name: "legalName",
  preferred_name: "preferredName",
  work_email: "workEmail",
  department: "departmentId",
  job_role: "jobRoleId",
  manager_employee_number: "managerId",
  location: "locationId",
  employment_type: "employmentType",
  start_date: "startDate",
  end_date: "endDate",
};

export const todayUtc = (now: Date) => now.toISOString().slice(0, 10);

const label = (s: string) => s.replace("_", "-");

/** What importing this row means for the person (or the absence of one): the plan of one line. */
export function decide(
  row: Row,
  cur: Current | undefined,
  resolved: Resolved,
  names: { department: string | null; jobRole: string | null; location: string | null },
  env: ImportEnv,
  now: Date,
): { decision?: Decision; errors: LineError[] } {
  const errors: LineError[] = [];
  const err = (field: Field | null, message: string) =>
    errors.push({ line: row.line, field, message, employeeNumber: row.employeeNumber });
  const today = todayUtc(now);
  const tz = resolved.timeZone;

  if (!cur) {
    const startDate = row.startDate ?? null;
    const status: CsvStatus = row.status ?? (startDate && startDate > today ? "pre_hire" : "active");
    if (status === "leaver")
      return {
        decision: {
          action: "skip",
          changes: {},
          patch: {},
          events: [],
          eventsFirst: false,
          note: "Not in Tandem and already a leaver: not imported",
        },
        errors,
      };
    if (!row.legalName) err("legal_name", "Required for a new person");
    if (!row.workEmail) err("work_email", "Required for a new person");
    const events: PlannedEvent[] = [];
    if (status === "notice") {
      if (!row.endDate) err("end_date", "Required with status notice (the last working day)");
      else events.push({ type: "resignation", lastWorkingDay: row.endDate });
    }
    if (errors.length) return { errors };
    const create: CreatePlan = {
      legalName: row.legalName as string,
      preferredName: row.preferredName ?? null,
      workEmail: row.workEmail as string,
      departmentId: resolved.departmentId ?? null,
      jobRoleId: resolved.jobRoleId ?? null,
      managerNumber: row.manager ?? null,
      locationId: resolved.locationId ?? null,
      employmentType: row.employmentType ?? "employee",
      status: status === "notice" ? "active" : status,
      startDate,
      endDate: row.endDate ?? null,
    };
    const changes: Decision["changes"] = { status: { from: null, to: status } };
    const show: [Field, string | null | undefined][] = [
      ["legal_name", create.legalName],
      ["preferred_name", create.preferredName],
      ["work_email", create.workEmail],
      ["department", names.department],
      ["job_role", names.jobRole],
      ["manager_employee_number", create.managerNumber],
      ["location", names.location],
      ["employment_type", create.employmentType],
      ["start_date", create.startDate],
      ["end_date", create.endDate],
    ];
    for (const [f, v] of show) if (v) changes[f] = { from: null, to: v };
    return {
      decision: { action: "create", changes, patch: {}, events, eventsFirst: false, create },
      errors,
    };
  }

  // Lifecycle: what the file's status asks for, given where the person is now.
  const cs = cur.status;
  const fs = row.status;
  const start = row.startDate !== undefined ? row.startDate : cur.startDate;
  const events: PlannedEvent[] = [];
  const illegal = () =>
    err("status", `Cannot go from ${label(cs)} to ${label(fs as string)} (no such lifecycle step)`);
  const rehire = (into: CsvStatus) => {
    if (!row.startDate || (cur.endDate && row.startDate <= cur.endDate))
      err(
        "start_date",
        `${row.employeeNumber} left${cur.endDate ? ` on ${cur.endDate}` : ""}; a rehire needs a start_date after that`,
      );
    else if (into === "active" && row.startDate > today)
      err("status", "A rehire starting in the future is pre_hire, not active");
    else events.push({ type: "rehire", startDate: row.startDate });
  };
  const started = !!start && start <= today;
  if (fs === "candidate") {
    if (cs !== "candidate") illegal();
  } else if (fs === "pre_hire") {
    if (cs === "candidate") events.push({ type: "hire" }, ...(started ? [{ type: "start" } as const] : []));
    else if (cs === "pre_hire") {
      if (started) events.push({ type: "start" });
    } else if (cs === "leaver" || cs === "alumni") rehire("pre_hire");
    else if (!(started && (cs === "active" || cs === "leave"))) illegal();
  } else if (fs === "active") {
    if (cs === "candidate") events.push({ type: "hire" }, { type: "start" });
    else if (cs === "pre_hire") events.push({ type: "start" });
    else if (cs === "notice") events.push({ type: "notice_withdrawn" });
    else if (cs === "leaver" || cs === "alumni") rehire("active");
  } else if (fs === "notice") {
    if (cs === "active" || cs === "leave") {
      if (!row.endDate) err("end_date", "Required with status notice (the last working day)");
      else events.push({ type: "resignation", lastWorkingDay: row.endDate });
    } else if (cs === "notice" || cs === "leaver" || cs === "alumni") {
      if (row.endDate && row.endDate !== cur.endDate)
        err("end_date", `Notice was given with last working day ${cur.endDate}; change that in Tandem`);
    } else illegal();
  } else if (fs === "leaver") {
    if (WORKING_OR_CANDIDATE.includes(cs)) {
      if (!row.endDate) err("end_date", "Required with status leaver (the last working day)");
      if (!row.terminationType) err("termination_type", "Required with status leaver");
      if (row.endDate && row.terminationType) {
        const at = endOfDay(row.endDate, tz);
        if (cur.scheduledTermination) {
          if (cur.scheduledTermination.getTime() !== at.getTime())
            err(
              "end_date",
              `A termination is already scheduled for ${cur.scheduledTermination.toISOString()}; cancel it in Tandem first`,
            );
        } else events.push({ type: "termination", terminationType: row.terminationType, effectiveAt: at });
      }
    } else if (row.terminationType && cur.terminationType && row.terminationType !== cur.terminationType) {
      err("termination_type", `Was ${cur.terminationType}; it cannot change once someone has left`);
    }
  }

  // Attribute changes, compared with the record as it will be after the lifecycle events.
  const base = { startDate: cur.startDate, endDate: cur.endDate };
  const eventsFirst = events.some((e) => e.type === "rehire" || e.type === "notice_withdrawn");
  for (const e of events) {
    if (e.type === "rehire") Object.assign(base, { startDate: e.startDate, endDate: null });
    if (e.type === "notice_withdrawn") base.endDate = null;
    if (e.type === "resignation") base.endDate = e.lastWorkingDay;
    if (e.type === "termination" && e.effectiveAt.getTime() <= now.getTime())
      base.endDate = row.endDate ?? null;
  }
  const changes: Decision["changes"] = {};
  const patch: PatchPlan = {};
  const compare = <K extends keyof PatchPlan>(
    field: Field,
    key: K,
    to: PatchPlan[K] | undefined,
    from: PatchPlan[K] | null,
    shown?: { from: string | null; to: string | null },
  ) => {
    if (to === undefined || (to ?? null) === (from ?? null)) return;
    patch[key] = to;
    changes[field] = shown ?? { from: (from as string | null) ?? null, to: (to as string | null) ?? null };
  };
  if (row.legalName) compare("legal_name", "legalName", row.legalName, cur.legalName);
  compare("preferred_name", "preferredName", row.preferredName, cur.preferredName);
  if (row.workEmail && row.workEmail !== cur.workEmail.toLowerCase())
    compare("work_email", "workEmail", row.workEmail, cur.workEmail);
  compare("department", "departmentId", resolved.departmentId, cur.departmentId, {
    from: cur.departmentName,
    to: names.department,
  });
  compare("job_role", "jobRoleId", resolved.jobRoleId, cur.jobRoleId, {
    from: cur.jobRoleTitle,
    to: names.jobRole,
  });
  compare("manager_employee_number", "managerNumber", row.manager, cur.managerNumber);
  compare("location", "locationId", resolved.locationId, cur.locationId, {
    from: cur.locationName,
    to: names.location,
  });
  compare("employment_type", "employmentType", row.employmentType, cur.employmentType);
  if (!events.some((e) => e.type === "rehire"))
    compare("start_date", "startDate", row.startDate, base.startDate);
  compare("end_date", "endDate", row.endDate, base.endDate);

  for (const f of Object.keys(changes) as Field[]) {
    const owner = env.authority.get(ATTRIBUTE[f] ?? f);
    if (owner && owner !== "csv") err(f, `Owned by ${owner}: change it there, not by CSV`);
  }
  const finalStart = patch.startDate !== undefined ? patch.startDate : base.startDate;
  const finalEnd = patch.endDate !== undefined ? patch.endDate : base.endDate;
  if (finalStart && finalEnd && finalEnd < finalStart && !errors.some((e) => e.field === "end_date"))
    err("end_date", `${finalEnd} would be before the start date ${finalStart}`);
  if (errors.length) return { errors };

  if (events.length) changes.status = { from: cs, to: fs ?? cs };
  const action: Action = events.some((e) => e.type === "termination")
    ? "terminate"
    : MOVES.some((f) => changes[f])
      ? "move"
      : events.length || Object.keys(changes).length
        ? "update"
        : "unchanged";
  return { decision: { action, changes, patch, events, eventsFirst }, errors };
}
