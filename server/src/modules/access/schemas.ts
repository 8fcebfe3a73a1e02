import { z } from "zod";

const id = z.string().min(1).max(40);
export const idParams = z.object({ id }).strict();

export const CRITICALITY = ["low", "medium", "high", "critical"] as const;
export const CLASSIFICATION = ["public", "internal", "confidential", "restricted"] as const;
export const USERNAME_RULES = ["email_local", "email", "employee_number"] as const;
export const EMPLOYMENT_TYPES = ["employee", "contractor", "intern", "vendor"] as const;
export const PLAN_REASONS = ["joiner", "mover", "leaver", "reconcile", "manual"] as const;
export const PLAN_STATES = ["draft", "held", "running", "done", "failed", "cancelled"] as const;
export const STEP_ACTIONS = [
  "create",
  "enable",
  "disable",
  "delete",
  "grant",
  "revoke",
  "revoke_sessions",
  "manual_task",
] as const;
export const STEP_STATES = ["pending", "applied", "verified", "failed", "manual", "cancelled"] as const;
export type PlanReason = (typeof PLAN_REASONS)[number];
export type PlanState = (typeof PLAN_STATES)[number];
export type StepAction = (typeof STEP_ACTIONS)[number];
export type StepState = (typeof STEP_STATES)[number];

// --- systems -------------------------------------------------------------------------------

const systemFields = {
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(2000).nullish(),
  ownerPersonId: id.nullish(),
  criticality: z.enum(CRITICALITY).default("medium"),
  dataClassification: z.enum(CLASSIFICATION).default("internal"),
  connectorType: z.string().trim().min(1).max(40),
  /** The connector's settings, checked by the connector type's own schema. */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Write-only: never returned. Names depend on the connector type (e.g. bindPassword). */
  secrets: z.record(z.string(), z.string().min(1).max(10_000)).optional(),
  usernameRule: z.enum(USERNAME_RULES).default("email_local"),
  enabled: z.boolean().default(true),
  /** Share of the system's accounts (0–1] one batch may disable or revoke before a person must confirm. */
  breakerThreshold: z.number().gt(0).max(1).default(0.2),
};

export const systemInput = z.object(systemFields).strict();
export type SystemInput = z.infer<typeof systemInput>;

export const systemPatch = z
  .object({
    name: systemFields.name,
    description: systemFields.description,
    ownerPersonId: systemFields.ownerPersonId,
    criticality: z.enum(CRITICALITY),
    dataClassification: z.enum(CLASSIFICATION),
    config: z.record(z.string(), z.unknown()),
    /** Replaces the named secrets; others stay as they are. */
    secrets: z.record(z.string(), z.string().min(1).max(10_000)),
    usernameRule: z.enum(USERNAME_RULES),
    enabled: z.boolean(),
    breakerThreshold: z.number().gt(0).max(1),
  })
  .partial()
  .strict();
export type SystemPatch = z.infer<typeof systemPatch>;

export const systemSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  ownerPersonId: z.string().nullable(),
  criticality: z.enum(CRITICALITY),
  dataClassification: z.enum(CLASSIFICATION),
  connectorType: z.string(),
  config: z.record(z.string(), z.unknown()),
  /** Which secrets are set; never their values. */
  secretsSet: z.record(z.string(), z.boolean()),
  usernameRule: z.enum(USERNAME_RULES),
  enabled: z.boolean(),
  breakerThreshold: z.number(),
  accounts: z.number(),
  heldPlans: z.number(),
  lastSyncAt: z.string().nullable(),
  lastSyncError: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type System = z.infer<typeof systemSchema>;

export const entitlementSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  externalId: z.string(),
  name: z.string(),
  kind: z.enum(["group", "role", "licence"]),
  description: z.string().nullable(),
  present: z.boolean(),
});
export type EntitlementView = z.infer<typeof entitlementSchema>;

export const entitlementInput = z
  .object({
    externalId: z.string().trim().min(1).max(1000),
    name: z.string().trim().min(1).max(200),
    kind: z.enum(["group", "role", "licence"]).default("group"),
    description: z.string().trim().max(2000).nullish(),
  })
  .strict();

export const accountSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  externalId: z.string(),
  personId: z.string().nullable(),
  username: z.string(),
  email: z.string().nullable(),
  employeeNumber: z.string().nullable(),
  displayName: z.string().nullable(),
  enabled: z.boolean(),
  entitlements: z.array(z.string()),
  lastLoginAt: z.string().nullable(),
  lastReadAt: z.string(),
});
export type AccountView = z.infer<typeof accountSchema>;

// --- profiles ------------------------------------------------------------------------------

export const profileInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().max(2000).nullish(),
    jobRoleId: id.nullish(),
    departmentId: id.nullish(),
    locationId: id.nullish(),
    employmentType: z.enum(EMPLOYMENT_TYPES).nullish(),
    /** What the profile gives: an account on a system (entitlementId null) or an entitlement. */
    entitlements: z
      .array(z.object({ systemId: id, entitlementId: id.nullish() }).strict())
      .max(500)
      .default([]),
  })
  .strict();
export type ProfileInput = z.infer<typeof profileInput>;

export const profileSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  jobRoleId: z.string().nullable(),
  departmentId: z.string().nullable(),
  locationId: z.string().nullable(),
  employmentType: z.enum(EMPLOYMENT_TYPES).nullable(),
  entitlements: z.array(
    z.object({
      systemId: z.string(),
      systemName: z.string(),
      entitlementId: z.string().nullable(),
      entitlementName: z.string().nullable(),
    }),
  ),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Profile = z.infer<typeof profileSchema>;

// --- plans ---------------------------------------------------------------------------------

export const stepSchema = z.object({
  id: z.string(),
  planId: z.string(),
  seq: z.number(),
  systemId: z.string().nullable(),
  systemName: z.string().nullable(),
  action: z.enum(STEP_ACTIONS),
  accountRef: z.string().nullable(),
  username: z.string().nullable(),
  entitlementRef: z.string().nullable(),
  entitlementName: z.string().nullable(),
  title: z.string().nullable(),
  state: z.enum(STEP_STATES),
  attempts: z.number(),
  error: z.string().nullable(),
  dueAt: z.string(),
  appliedAt: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  manualTaskId: z.string().nullable(),
  attestedBy: z.string().nullable(),
});
export type StepView = z.infer<typeof stepSchema>;

export const planSchema = z.object({
  id: z.string(),
  personId: z.string().nullable(),
  reason: z.enum(PLAN_REASONS),
  state: z.enum(PLAN_STATES),
  dryRun: z.boolean(),
  immediate: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  heldReason: z.string().nullable(),
  heldSystemIds: z.array(z.string()),
  sourceEventId: z.string().nullable(),
  hrEventAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  notes: z.array(z.string()),
  steps: z.array(stepSchema),
});
export type PlanView = z.infer<typeof planSchema>;

export const planSummarySchema = planSchema.omit({ steps: true, notes: true }).extend({
  steps: z.number(),
  verified: z.number(),
  failed: z.number(),
});

export const taskSchema = z.object({
  id: z.string(),
  personId: z.string().nullable(),
  systemId: z.string().nullable(),
  title: z.string(),
  instructions: z.string(),
  assigneeRole: z.string().nullable(),
  assigneePersonId: z.string().nullable(),
  assignee: z.string().nullable(),
  dueAt: z.string().nullable(),
  state: z.enum(["open", "done", "rejected", "cancelled"]),
  attestedBy: z.string().nullable(),
  attestedAt: z.string().nullable(),
  note: z.string().nullable(),
  createdAt: z.string(),
});
export type TaskView = z.infer<typeof taskSchema>;

export const alertSchema = z.object({
  id: z.string(),
  kind: z.string(),
  personId: z.string().nullable(),
  audience: z.array(z.string()),
  title: z.string(),
  detail: z.string().nullable(),
  createdAt: z.string(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
});

export const exceptionInput = z
  .object({
    personId: id,
    systemId: id,
    entitlementId: id.nullish(),
    justification: z.string().trim().min(3).max(2000),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .strict();

export const exceptionSchema = z.object({
  id: z.string(),
  personId: z.string(),
  systemId: z.string(),
  entitlementId: z.string().nullable(),
  justification: z.string(),
  expiresAt: z.string(),
  approvedBy: z.string().nullable(),
  createdAt: z.string(),
});
