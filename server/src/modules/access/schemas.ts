import { z } from "zod";

const id = z.string().min(1).max(40);
export const idParams = z.object({ id }).strict();

export const CRITICALITY = ["low", "medium", "high", "critical"] as const;
export const CLASSIFICATION = ["public", "internal", "confidential", "restricted"] as const;
export const USERNAME_RULES = ["email_local", "email", "employee_number"] as const;
export const EMPLOYMENT_TYPES = ["employee", "contractor", "intern", "vendor"] as const;
export const PLAN_REASONS = ["joiner", "mover", "leaver", "reconcile", "manual", "review"] as const;
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
  /** The person's preferred (or legal) name, for lists. */
  personName: z.string().nullable(),
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

/** A task in a list: with the person's and the system's names. */
export const taskListItemSchema = taskSchema.extend({
  personName: z.string().nullable(),
  systemName: z.string().nullable(),
});
export type TaskListItem = z.infer<typeof taskListItemSchema>;

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

// --- access requests and separation of duties ------------------------------------------------

export const APPROVAL_CHAINS = ["manager", "owner", "manager_owner"] as const;
export const REQUEST_STATES = ["pending", "approved", "rejected", "cancelled", "expired", "ended"] as const;
export const SOD_MODES = ["block", "exception"] as const;
export type ApprovalChain = (typeof APPROVAL_CHAINS)[number];
export type RequestState = (typeof REQUEST_STATES)[number];
export type SodMode = (typeof SOD_MODES)[number];

export const requestInput = z
  .object({
    systemId: id,
    /** Null: an account on the system. */
    entitlementId: id.nullable(),
    reason: z.string().trim().min(3).max(2000),
    /** Time-bound access: it ends by itself at this moment. */
    endsAt: z.iso.datetime({ offset: true }).nullish(),
    /** Needed when the request crosses a separation-of-duties rule in exception mode. */
    sodJustification: z.string().trim().min(10).max(4000).nullish(),
  })
  .strict();
export type RequestInput = z.infer<typeof requestInput>;

export const requestStepSchema = z.object({
  seq: z.number(),
  role: z.enum(["manager", "owner", "security"]),
  wantedRole: z.enum(["manager", "owner"]),
  approverPersonId: z.string().nullable(),
  approverName: z.string().nullable(),
  /** Why the step went to Security instead (no manager, no owner, …). */
  routedReason: z.string().nullable(),
  state: z.enum(["waiting", "pending", "approved", "rejected", "cancelled"]),
  decidedBy: z.string().nullable(),
  comment: z.string().nullable(),
  decidedAt: z.string().nullable(),
});

export const sodRuleRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  mode: z.enum(SOD_MODES),
});

export const requestSchema = z.object({
  id: z.string(),
  personId: z.string(),
  personName: z.string(),
  systemId: z.string(),
  systemName: z.string(),
  entitlementId: z.string().nullable(),
  entitlementName: z.string().nullable(),
  reason: z.string(),
  endsAt: z.string().nullable(),
  state: z.enum(REQUEST_STATES),
  approvalChain: z.enum(APPROVAL_CHAINS),
  /** The step waiting for a decision (pending requests only). */
  currentStep: z.number().nullable(),
  steps: z.array(requestStepSchema),
  /** Separation-of-duties rules (exception mode) the request crosses, with the justification given. */
  sodRules: z.array(sodRuleRefSchema),
  sodJustification: z.string().nullable(),
  grantPlanId: z.string().nullable(),
  endPlanId: z.string().nullable(),
  decidedAt: z.string().nullable(),
  grantedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RequestView = z.infer<typeof requestSchema>;

const sodSide = z.object({
  entitlementId: z.string(),
  entitlementName: z.string(),
  systemId: z.string(),
  systemName: z.string(),
});

export const sodRuleInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().min(1).max(2000),
    mode: z.enum(SOD_MODES),
    /** The two entitlements nobody should hold together (they may be on different systems). */
    leftEntitlementId: id,
    rightEntitlementId: id,
    enabled: z.boolean().default(true),
  })
  .strict();
export type SodRuleInput = z.infer<typeof sodRuleInput>;

export const sodRulePatch = z
  .object({
    name: sodRuleInput.shape.name,
    description: sodRuleInput.shape.description,
    mode: z.enum(SOD_MODES),
    leftEntitlementId: id,
    rightEntitlementId: id,
    enabled: z.boolean(),
  })
  .partial()
  .strict();
export type SodRulePatch = z.infer<typeof sodRulePatch>;

export const sodRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  mode: z.enum(SOD_MODES),
  left: sodSide,
  right: sodSide,
  enabled: z.boolean(),
  createdBy: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SodRuleView = z.infer<typeof sodRuleSchema>;

// --- reconciliation ------------------------------------------------------------------------

export const FINDING_KIND_VALUES = [
  "orphan",
  "leaver_access",
  "beyond_role",
  "missing_birthright",
  "dormant",
  "ambiguous_match",
  "possible_rehire",
] as const;
export const FINDING_STATES = ["open", "accepted", "fixing", "resolved"] as const;
export const RECONCILE_RUN_STATES = ["queued", "running", "done", "partial", "failed"] as const;
export const MATCH_RULE_VALUES = ["employee_number", "email", "username"] as const;

export const reconcileInput = z
  .object({
    /** The systems to reconcile; every enabled system when left out. */
    systemIds: z.array(id).min(1).max(200).optional(),
  })
  .strict();

export const reconcileSystemSchema = z.object({
  systemId: z.string(),
  systemName: z.string(),
  state: z.enum(["pending", "reading", "computing", "done", "failed"]),
  accounts: z.number().nullable(),
  linked: z.number().nullable(),
  observed: z.number().nullable(),
  opened: z.number().nullable(),
  resolved: z.number().nullable(),
  reopened: z.number().nullable(),
  byKind: z.record(z.string(), z.number()),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const reconcileRunSchema = z.object({
  id: z.string(),
  state: z.enum(RECONCILE_RUN_STATES),
  trigger: z.enum(["manual", "schedule", "cli"]),
  requestedBy: z.string().nullable(),
  requestedSystemIds: z.array(z.string()),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  systems: z.array(reconcileSystemSchema),
});
export type ReconcileRunView = z.infer<typeof reconcileRunSchema>;

export const findingSchema = z.object({
  id: z.string(),
  kind: z.enum(FINDING_KIND_VALUES),
  state: z.enum(FINDING_STATES),
  systemId: z.string(),
  systemName: z.string(),
  accountId: z.string().nullable(),
  accountRef: z.string().nullable(),
  username: z.string().nullable(),
  personId: z.string().nullable(),
  personName: z.string().nullable(),
  entitlementRef: z.string().nullable(),
  /** What was observed (candidates of a match, entitlements held, last sign-in…). */
  details: z.record(z.string(), z.unknown()),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  firstRunId: z.string(),
  lastRunId: z.string(),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable(),
  reopenedAt: z.string().nullable(),
  acceptedBy: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  acceptedUntil: z.string().nullable(),
  justification: z.string().nullable(),
  fixAction: z.enum(["revoke", "link", "grant"]).nullable(),
  fixPlanId: z.string().nullable(),
  fixedBy: z.string().nullable(),
  fixedAt: z.string().nullable(),
});
export type FindingView = z.infer<typeof findingSchema>;

export const findingQuery = z
  .object({
    kind: z.enum(FINDING_KIND_VALUES).optional(),
    systemId: id.optional(),
    /** Open findings unless asked otherwise; `all` lists every state. */
    state: z.enum([...FINDING_STATES, "all"]).default("open"),
    personId: id.optional(),
    /** Search: part of the username, account, entitlement, or the person's name or employee number. */
    q: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();

export const fixInput = z
  .object({
    action: z.enum(["revoke", "link", "grant"]),
    /** link: the person the account belongs to. */
    personId: id.optional(),
    /**
     * link, possible rehire: `old_identity` gives the account back to the person at work
     * (the rehire continues with it); `fresh` leaves it with the former person (the person at
     * work gets a new account from their profiles).
     */
    choice: z.enum(["old_identity", "fresh"]).optional(),
  })
  .strict();
export type FixInput = z.infer<typeof fixInput>;

export const acceptInput = z
  .object({
    justification: z.string().trim().min(3).max(2000),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .strict();

export const matchRulesInput = z
  .object({
    /** Identifiers that link an account to a person, in order (no repeats). */
    rules: z
      .array(z.enum(MATCH_RULE_VALUES))
      .min(1)
      .max(3)
      .refine((r) => new Set(r).size === r.length, { message: "a rule may appear once" }),
  })
  .strict();

export const matchRulesSchema = z.object({
  systemId: z.string(),
  rules: z.array(z.enum(MATCH_RULE_VALUES)),
  /** False while the system uses the default (employee number, then work email). */
  custom: z.boolean(),
});
