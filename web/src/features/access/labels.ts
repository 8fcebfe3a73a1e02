import type {
  Classification,
  Criticality,
  EntitlementKind,
  PlanReason,
  PlanState,
  Step,
  StepAction,
  StepState,
  SystemProgress,
  TaskState,
  UsernameRule,
} from "./types";

export const CRITICALITIES: readonly Criticality[] = ["low", "medium", "high", "critical"];
export const CRITICALITY_LABELS: Record<Criticality, string> = {
  low: "Low",
  medium: "Medium",
  high: "High",
  critical: "Critical",
};
export const CRITICALITY_COLORS: Record<Criticality, string> = {
  low: "gray",
  medium: "blue",
  high: "orange",
  critical: "red",
};

export const CLASSIFICATIONS: readonly Classification[] = [
  "public",
  "internal",
  "confidential",
  "restricted",
];
export const CLASSIFICATION_LABELS: Record<Classification, string> = {
  public: "Public",
  internal: "Internal",
  confidential: "Confidential",
  restricted: "Restricted",
};

export const USERNAME_RULES: readonly UsernameRule[] = ["email_local", "email", "employee_number"];
export const USERNAME_RULE_LABELS: Record<UsernameRule, string> = {
  email_local: "Work email before the @ (ana.silva)",
  email: "Whole work email (ana.silva@example.com)",
  employee_number: "Employee number",
};

export const ENTITLEMENT_KINDS: readonly EntitlementKind[] = ["group", "role", "licence"];
export const ENTITLEMENT_KIND_LABELS: Record<EntitlementKind, string> = {
  group: "Group",
  role: "Role",
  licence: "Licence",
};

export const PLAN_STATE_LABELS: Record<PlanState, string> = {
  draft: "Draft",
  held: "Held",
  running: "Running",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};
export const PLAN_STATE_COLORS: Record<PlanState, string> = {
  draft: "gray",
  held: "orange",
  running: "blue",
  done: "teal",
  failed: "red",
  cancelled: "gray",
};

export const PLAN_REASON_LABELS: Record<PlanReason, string> = {
  joiner: "Joiner",
  mover: "Mover",
  leaver: "Leaver",
  reconcile: "Reconciliation",
  manual: "Manual",
  review: "Access review",
};

export const STEP_STATE_LABELS: Record<StepState, string> = {
  pending: "Pending",
  applied: "Applied, checking",
  verified: "Verified",
  failed: "Failed",
  manual: "With a person",
  cancelled: "Cancelled",
};
export const STEP_STATE_COLORS: Record<StepState, string> = {
  pending: "blue",
  applied: "cyan",
  verified: "teal",
  failed: "red",
  manual: "yellow",
  cancelled: "gray",
};

export const SYSTEM_PROGRESS_LABELS: Record<SystemProgress, string> = {
  pending: "In progress",
  verified: "Done",
  failed: "Failed",
  manual: "Waiting for a person",
  held: "Held by the breaker",
};
export const SYSTEM_PROGRESS_COLORS: Record<SystemProgress, string> = {
  pending: "blue",
  verified: "teal",
  failed: "red",
  manual: "yellow",
  held: "orange",
};

export const TASK_STATE_LABELS: Record<TaskState, string> = {
  open: "Open",
  done: "Done",
  rejected: "Rejected",
  cancelled: "Cancelled",
};
export const TASK_STATE_COLORS: Record<TaskState, string> = {
  open: "blue",
  done: "teal",
  rejected: "red",
  cancelled: "gray",
};

const ACTION_VERBS: Record<StepAction, string> = {
  create: "Create account",
  enable: "Enable account",
  disable: "Disable account",
  delete: "Delete account",
  grant: "Grant",
  revoke: "Revoke",
  revoke_sessions: "End sessions of",
  manual_task: "Task",
};

/** What a step does, in words: "Revoke Finance (ana.silva)", "Disable account ana.silva". */
export function describeStep(step: Step): string {
  if (step.action === "manual_task") return step.title ?? "Task for a person";
  const account = step.username ?? step.accountRef;
  if (step.action === "grant" || step.action === "revoke") {
    const what = step.entitlementName ?? step.entitlementRef ?? "entitlement";
    return `${ACTION_VERBS[step.action]} ${what}${account ? ` (${account})` : ""}`;
  }
  if (step.action === "revoke_sessions") return `${ACTION_VERBS[step.action]} ${account ?? "the account"}`;
  return `${ACTION_VERBS[step.action]}${account ? ` ${account}` : ""}`;
}

/**
 * Why a step is not done yet, in words, for the leaver page and plan view. The step's own
 * error text (the system's answer, the task it waits on) is shown with it: see stepDetail.
 */
export function pendingReason(step: Step): string | null {
  switch (step.state) {
    case "pending":
      return step.attempts > 0
        ? `Waiting to retry after ${step.attempts} failed attempt${step.attempts === 1 ? "" : "s"}`
        : "Waiting for its turn on this system";
    case "applied":
      return "Done on the system; waiting for the read-back to confirm it";
    case "manual":
      return "Waiting for a person to do this by hand and attest it under Access tasks";
    case "failed":
      return step.error ?? "Failed without a reason";
    default:
      return null;
  }
}

export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (values as readonly string[]).includes(value);
}

export function options<T extends string>(values: readonly T[], labels: Record<T, string>) {
  return values.map((value) => ({ value, label: labels[value] }));
}

/** "45 s", "3 min 05 s", "2 h 07 min", "3 d 4 h" */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${String(s % 60).padStart(2, "0")} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The server's words about a step still open (last error, the task it waits on), when they add something. */
export function stepDetail(step: Step): string | null {
  if (step.state === "failed" || !step.error) return null;
  return step.state === "pending" || step.state === "applied" || step.state === "manual" ? step.error : null;
}

/** A server message followed by more text: make sure it ends as a sentence. */
export function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
