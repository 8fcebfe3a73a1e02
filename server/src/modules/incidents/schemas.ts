import { z } from "zod";

export const SEVERITIES = ["sev1", "sev2", "sev3", "sev4"] as const;
export const STATUSES = ["open", "contained", "resolved", "closed"] as const;
export const DEPARTMENT_ROLES = ["security", "it", "legal", "hr", "finance", "communications"] as const;
export type Severity = (typeof SEVERITIES)[number];
export type Status = (typeof STATUSES)[number];
export type DepartmentRole = (typeof DEPARTMENT_ROLES)[number];

/** What each severity means, shown in the UI and the API description. */
export const SEVERITY_MEANING: Record<Severity, string> = {
  sev1: "Critical: business stopped or confirmed breach of sensitive data; all hands now",
  sev2: "High: serious impact or likely breach; respond within the hour",
  sev3: "Moderate: limited impact, contained to a few people or systems; respond today",
  sev4: "Low: no real impact, a near miss or a single suspicious event",
};

/** Sev1 and sev2 alert at once and need a post-mortem before closing. */
export const isHigh = (s: Severity) => s === "sev1" || s === "sev2";

export const idParams = z.object({ id: z.string().min(1).max(40) }).strict();
const text = (max: number) => z.string().trim().max(max);
const required = (max: number) => z.string().trim().min(1).max(max);
const dateTime = z.iso.datetime({ offset: true });

export const incidentInput = z
  .object({
    title: required(200),
    summary: text(10_000).default(""),
    severity: z.enum(SEVERITIES),
    peopleInvolved: z.boolean().default(false),
    ownerUserId: z.string().min(1).max(40).nullable().optional(),
    playbookId: z.string().min(1).max(40).optional(),
    /** Reports (reports module) this incident comes from; they are marked escalated. */
    reportIds: z.array(z.string().min(1).max(40)).max(100).default([]),
  })
  .strict();

export const incidentPatch = z
  .object({
    title: required(200).optional(),
    summary: text(10_000).optional(),
    severity: z.enum(SEVERITIES).optional(),
    peopleInvolved: z.boolean().optional(),
    ownerUserId: z.string().min(1).max(40).nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change", path: ["title"] });

export const statusInput = z.object({ status: z.enum(STATUSES), note: text(2000).optional() }).strict();

export const taskInput = z
  .object({
    title: required(300),
    departmentRole: z.enum(DEPARTMENT_ROLES),
    assigneeUserId: z.string().min(1).max(40).nullable().optional(),
    dueAt: dateTime.nullable().optional(),
  })
  .strict();

export const taskPatch = z
  .object({
    status: z.enum(["open", "done", "cancelled"]).optional(),
    assigneeUserId: z.string().min(1).max(40).nullable().optional(),
    dueAt: dateTime.nullable().optional(),
  })
  .strict();

export const incidentSchema = z.object({
  id: z.string(),
  reference: z.string(),
  title: z.string(),
  summary: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(STATUSES),
  ownerUserId: z.string().nullable(),
  ownerName: z.string().nullable(),
  peopleInvolved: z.boolean(),
  personalDataBreach: z.boolean(),
  awareAt: z.string().nullable(),
  playbookId: z.string().nullable(),
  mergedInto: z.string().nullable(),
  createdAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  containedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  openTasks: z.number(),
  version: z.number(),
});
export type IncidentView = z.infer<typeof incidentSchema>;

export const taskSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  title: z.string(),
  departmentRole: z.enum(DEPARTMENT_ROLES),
  assigneeUserId: z.string().nullable(),
  dueAt: z.string().nullable(),
  status: z.enum(["open", "done", "cancelled"]),
  doneAt: z.string().nullable(),
  overdue: z.boolean(),
  createdAt: z.string(),
});

export const timelineSchema = z.object({
  seq: z.number(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string().nullable(),
  kind: z.string(),
  text: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const listQuery = z
  .object({
    q: z.string().trim().max(200).optional(),
    status: z.enum([...STATUSES, "active"]).optional(),
    severity: z.enum(SEVERITIES).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();
