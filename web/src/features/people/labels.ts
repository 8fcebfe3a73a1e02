import type { EmploymentType, EventType, PersonStatus, TerminationType } from "./types";

export const STATUSES: readonly PersonStatus[] = [
  "candidate",
  "pre_hire",
  "active",
  "leave",
  "notice",
  "leaver",
  "alumni",
];

export const STATUS_LABELS: Record<PersonStatus, string> = {
  candidate: "Candidate",
  pre_hire: "Pre-hire",
  active: "Active",
  leave: "On leave",
  notice: "Notice period",
  leaver: "Leaver",
  alumni: "Alumni",
};

export const STATUS_COLORS: Record<PersonStatus, string> = {
  candidate: "gray",
  pre_hire: "cyan",
  active: "teal",
  leave: "yellow",
  notice: "orange",
  leaver: "red",
  alumni: "dark",
};

export const EMPLOYMENT_TYPES: readonly EmploymentType[] = ["employee", "contractor", "intern", "vendor"];

export const EMPLOYMENT_LABELS: Record<EmploymentType, string> = {
  employee: "Employee",
  contractor: "Contractor",
  intern: "Intern",
  vendor: "Vendor",
};

export const TERMINATION_TYPES: readonly TerminationType[] = ["voluntary", "involuntary", "for_cause"];

export const TERMINATION_LABELS: Record<TerminationType, string> = {
  voluntary: "Voluntary",
  involuntary: "Involuntary",
  for_cause: "For cause",
};

export const EVENT_LABELS: Record<EventType, string> = {
  hire: "Hire",
  start: "Start",
  transfer: "Transfer",
  leave_start: "Leave starts",
  leave_end: "Leave ends",
  resignation: "Resignation",
  notice_withdrawn: "Notice withdrawn",
  termination: "Termination",
  archive: "Archive (to alumni)",
  rehire: "Rehire",
};

export const EVENT_STATE_COLORS: Record<string, string> = {
  scheduled: "blue",
  applied: "teal",
  cancelled: "gray",
  failed: "red",
};

export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (values as readonly string[]).includes(value);
}

export function options<T extends string>(values: readonly T[], labels: Record<T, string>) {
  return values.map((value) => ({ value, label: labels[value] }));
}
