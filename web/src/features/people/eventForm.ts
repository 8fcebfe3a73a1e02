import type { EventBody, EventType, TerminationType } from "./types";

export const RECORDABLE: readonly EventType[] = [
  "hire",
  "start",
  "transfer",
  "leave_start",
  "leave_end",
  "resignation",
  "notice_withdrawn",
  "termination",
  "archive",
  "rehire",
];

export interface EventFormValues {
  type: EventType;
  /** yyyy-mm-dd; empty means "now". */
  effectiveDate: string;
  /** Termination only: immediately, or at the start of effectiveDate. */
  immediately: boolean;
  terminationType: TerminationType | "";
  lastWorkingDay: string;
  startDate: string;
  departmentId: string;
  jobRoleId: string;
  locationId: string;
  managerId: string | null;
  managerName: string | null;
  reason: string;
  highRisk: boolean;
  highRiskReason: string;
}

export const EMPTY_EVENT: EventFormValues = {
  type: "termination",
  effectiveDate: "",
  immediately: false,
  terminationType: "",
  lastWorkingDay: "",
  startDate: "",
  departmentId: "",
  jobRoleId: "",
  locationId: "",
  managerId: null,
  managerName: null,
  reason: "",
  highRisk: false,
  highRiskReason: "",
};

/** Leaving events, where HR may flag a high-risk leaver. */
export const LEAVING: readonly EventType[] = ["termination", "resignation"];

/** Messages for what is missing, keyed by the field names the API uses in `errors[].path`. */
export function missingEventFields(v: EventFormValues): Record<string, string> {
  const out: Record<string, string> = {};
  if (v.type === "termination") {
    if (!v.terminationType) out.terminationType = "Choose the kind of termination";
    if (!v.immediately && !v.effectiveDate) out.effectiveDate = "Choose the date, or “Immediately”";
  }
  if (v.type === "resignation" && !v.lastWorkingDay) out.lastWorkingDay = "Enter the last working day";
  if (v.type === "rehire" && !v.startDate) out.startDate = "Enter the new start date";
  if (v.type === "transfer" && !v.departmentId && !v.jobRoleId && !v.locationId && !v.managerId)
    out.changes = "Choose at least one thing that changes";
  if (v.highRisk && LEAVING.includes(v.type) && !v.highRiskReason.trim())
    out.highRiskReason = "Say why this leaver is high-risk";
  return out;
}

/** The POST /people/{id}/events body for the form; `canFlag`: the user may flag high-risk leavers. */
export function toEventBody(v: EventFormValues, canFlag: boolean): EventBody {
  const body: EventBody = { type: v.type };
  if (v.type !== "termination" || !v.immediately) {
    if (v.effectiveDate) body.effectiveDate = v.effectiveDate;
  }
  if (v.type === "termination" && v.terminationType) body.terminationType = v.terminationType;
  if (v.type === "resignation") body.lastWorkingDay = v.lastWorkingDay;
  if (v.type === "rehire") body.changes = { startDate: v.startDate };
  if (v.type === "transfer") {
    const changes: NonNullable<EventBody["changes"]> = {};
    if (v.departmentId) changes.departmentId = v.departmentId;
    if (v.jobRoleId) changes.jobRoleId = v.jobRoleId;
    if (v.locationId) changes.locationId = v.locationId;
    if (v.managerId) changes.managerId = v.managerId;
    body.changes = changes;
  }
  if (v.reason.trim()) body.reason = v.reason.trim();
  if (canFlag && LEAVING.includes(v.type) && v.highRisk) {
    body.highRisk = true;
    body.highRiskReason = v.highRiskReason.trim();
  }
  return body;
}
