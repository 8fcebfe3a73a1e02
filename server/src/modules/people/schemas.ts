import { z } from "zod";
import { EVENT_TYPES, STATUSES } from "./status.js";

export const EMPLOYMENT_TYPES = ["employee", "contractor", "intern", "vendor"] as const;
export const TERMINATION_TYPES = ["voluntary", "involuntary", "for_cause"] as const;
export const SOURCES = ["manual", "csv", "scim", "webhook", "demo"] as const;
export type Source = (typeof SOURCES)[number];

const isoDate = z.iso.date();
const id = z.string().min(1).max(40);

export const personInput = z
  .object({
    employeeNumber: z.string().trim().min(1).max(40),
    legalName: z.string().trim().min(1).max(200),
    preferredName: z.string().trim().max(200).nullish(),
    workEmail: z.string().trim().toLowerCase().email().max(254),
    departmentId: id.nullish(),
    jobRoleId: id.nullish(),
    managerId: id.nullish(),
    locationId: id.nullish(),
    employmentType: z.enum(EMPLOYMENT_TYPES).default("employee"),
    status: z.enum(["candidate", "pre_hire", "active"]).default("pre_hire"),
    startDate: isoDate.nullish(),
    endDate: isoDate.nullish(),
  })
  .strict()
  .refine((p) => !p.startDate || !p.endDate || p.endDate >= p.startDate, {
    message: "must not be before startDate",
    path: ["endDate"],
  });
export type PersonInput = z.infer<typeof personInput>;

/** Fields HR edits directly; department, role, manager and location changes are recorded as a transfer. */
export const personPatch = z
  .object({
    legalName: z.string().trim().min(1).max(200),
    preferredName: z.string().trim().max(200).nullable(),
    workEmail: z.string().trim().toLowerCase().email().max(254),
    employeeNumber: z.string().trim().min(1).max(40),
    departmentId: id.nullable(),
    jobRoleId: id.nullable(),
    managerId: id.nullable(),
    locationId: id.nullable(),
    employmentType: z.enum(EMPLOYMENT_TYPES),
    startDate: isoDate.nullable(),
    endDate: isoDate.nullable(),
  })
  .partial()
  .strict();
export type PersonPatch = z.infer<typeof personPatch>;

export const eventInput = z
  .object({
    type: z.enum(EVENT_TYPES),
    /** An exact moment (ISO 8601 with offset) … */
    effectiveAt: z.iso.datetime({ offset: true }).optional(),
    /** … or a date, taken at the start of that day in the person's location time zone. */
    effectiveDate: isoDate.optional(),
    /** For resignation: the last working day (the termination is scheduled for the end of it). */
    lastWorkingDay: isoDate.optional(),
    terminationType: z.enum(TERMINATION_TYPES).optional(),
    highRisk: z.boolean().optional(),
    highRiskReason: z.string().trim().max(2000).optional(),
    changes: z
      .object({
        departmentId: id.nullable(),
        jobRoleId: id.nullable(),
        managerId: id.nullable(),
        locationId: id.nullable(),
        startDate: isoDate,
      })
      .partial()
      .strict()
      .optional(),
    reason: z.string().trim().max(2000).optional(),
  })
  .strict()
  .refine((e) => !(e.effectiveAt && e.effectiveDate), {
    message: "give effectiveAt or effectiveDate, not both",
    path: ["effectiveDate"],
  })
  .refine((e) => e.type !== "termination" || e.terminationType, {
    message: "a termination needs a terminationType (voluntary, involuntary, for_cause)",
    path: ["terminationType"],
  })
  .refine((e) => e.type !== "resignation" || e.lastWorkingDay, {
    message: "a resignation needs the lastWorkingDay",
    path: ["lastWorkingDay"],
  })
  .refine((e) => e.type !== "transfer" || (e.changes && Object.keys(e.changes).length > 0), {
    message: "a transfer needs at least one change (departmentId, jobRoleId, managerId, locationId)",
    path: ["changes"],
  })
  .refine((e) => e.type !== "rehire" || e.changes?.startDate, {
    message: "a rehire needs changes.startDate",
    path: ["changes", "startDate"],
  });
export type EventInput = z.infer<typeof eventInput>;

export const personSchema = z.object({
  id: z.string(),
  employeeNumber: z.string(),
  legalName: z.string(),
  preferredName: z.string().nullable(),
  displayName: z.string(),
  workEmail: z.string(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  jobRoleId: z.string().nullable(),
  jobRoleTitle: z.string().nullable(),
  managerId: z.string().nullable(),
  managerName: z.string().nullable(),
  locationId: z.string().nullable(),
  locationName: z.string().nullable(),
  employmentType: z.enum(EMPLOYMENT_TYPES),
  status: z.enum(STATUSES),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  terminationType: z.enum(TERMINATION_TYPES).nullable(),
  userId: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Only for HR, Security and Legal; absent for everyone else. */
  highRisk: z.boolean().optional(),
  highRiskReason: z.string().nullable().optional(),
});
export type Person = z.infer<typeof personSchema>;

export const eventSchema = z.object({
  id: z.string(),
  personId: z.string(),
  type: z.enum(EVENT_TYPES),
  effectiveAt: z.string(),
  state: z.enum(["scheduled", "applied", "cancelled", "failed"]),
  changes: z.record(z.string(), z.unknown()),
  source: z.string(),
  reason: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  appliedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type PersonEvent = z.infer<typeof eventSchema>;
