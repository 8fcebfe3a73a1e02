import type {
  CampaignState,
  Finding,
  FindingKind,
  FindingState,
  ReconcileRun,
  RequestState,
  ReviewItemState,
} from "./types";

/** Words and colours for reconciliation, requests and reviews. */

export const FINDING_KINDS: readonly FindingKind[] = [
  "orphan",
  "leaver_access",
  "beyond_role",
  "missing_birthright",
  "dormant",
  "ambiguous_match",
  "possible_rehire",
];
export const FINDING_KIND_LABELS: Record<FindingKind, string> = {
  orphan: "Orphan account",
  leaver_access: "Leaver with access",
  beyond_role: "Beyond the role",
  missing_birthright: "Missing birthright access",
  dormant: "Dormant account",
  ambiguous_match: "Ambiguous match",
  possible_rehire: "Possible rehire",
};
export const FINDING_KIND_HELP: Record<FindingKind, string> = {
  orphan: "An account no matching rule ties to anyone.",
  leaver_access: "Someone who left still has an enabled account or access on the system.",
  beyond_role: "Access that no profile, exception or approved request explains.",
  missing_birthright: "Access the person's profiles give that the system lacks.",
  dormant: "An enabled account nobody has signed in to for a long time.",
  ambiguous_match: "The account could belong to several people: decide who it is.",
  possible_rehire: "The account matches a former employee and someone at work: link it or start fresh.",
};

export const FINDING_STATES: readonly FindingState[] = ["open", "fixing", "accepted", "resolved"];
export const FINDING_STATE_LABELS: Record<FindingState, string> = {
  open: "Open",
  fixing: "Being fixed",
  accepted: "Accepted",
  resolved: "Resolved",
};
export const FINDING_STATE_COLORS: Record<FindingState, string> = {
  open: "orange",
  fixing: "blue",
  accepted: "grape",
  resolved: "teal",
};

/** Which decisions fit which kind (the server refuses the others with access.fix_not_applicable). */
export function fixesFor(kind: FindingKind): ("revoke" | "link" | "grant")[] {
  switch (kind) {
    case "orphan":
      return ["link", "revoke"];
    case "leaver_access":
    case "beyond_role":
    case "dormant":
      return ["revoke"];
    case "missing_birthright":
      return ["grant"];
    case "ambiguous_match":
    case "possible_rehire":
      return ["link"];
  }
}

export interface Candidate {
  personId: string;
  rule: string;
  former: boolean;
}

/** The people a match finding points at (details.candidates). */
export function candidatesOf(finding: Finding): Candidate[] {
  const raw = finding.details.candidates;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((c) =>
    typeof c === "object" && c !== null && typeof (c as Candidate).personId === "string"
      ? [
          {
            personId: (c as Candidate).personId,
            rule: String((c as Candidate).rule ?? ""),
            former: Boolean((c as Candidate).former),
          },
        ]
      : [],
  );
}

export const RUN_STATE_LABELS: Record<ReconcileRun["state"], string> = {
  queued: "Queued",
  running: "Running",
  done: "Done",
  partial: "Partly done",
  failed: "Failed",
};
export const RUN_STATE_COLORS: Record<ReconcileRun["state"], string> = {
  queued: "gray",
  running: "blue",
  done: "teal",
  partial: "orange",
  failed: "red",
};
export const RUN_SYSTEM_LABELS: Record<ReconcileRun["systems"][number]["state"], string> = {
  pending: "Waiting",
  reading: "Reading the system",
  computing: "Comparing",
  done: "Done",
  failed: "Failed",
};

export const REQUEST_STATES: readonly RequestState[] = [
  "pending",
  "approved",
  "rejected",
  "cancelled",
  "expired",
  "ended",
];
export const REQUEST_STATE_LABELS: Record<RequestState, string> = {
  pending: "Waiting for approval",
  approved: "Approved",
  rejected: "Rejected",
  cancelled: "Cancelled",
  expired: "Expired",
  ended: "Ended",
};
export const REQUEST_STATE_COLORS: Record<RequestState, string> = {
  pending: "blue",
  approved: "teal",
  rejected: "red",
  cancelled: "gray",
  expired: "gray",
  ended: "gray",
};
export const APPROVER_ROLE_LABELS: Record<string, string> = {
  manager: "Manager",
  owner: "System owner",
  security: "Security",
};
export const CHAIN_LABELS: Record<string, string> = {
  manager: "the manager",
  owner: "the system owner",
  manager_owner: "the manager, then the system owner",
};

export const CAMPAIGN_STATE_LABELS: Record<CampaignState, string> = {
  draft: "Draft",
  active: "In progress",
  closed: "Closed",
};
export const CAMPAIGN_STATE_COLORS: Record<CampaignState, string> = {
  draft: "gray",
  active: "blue",
  closed: "teal",
};
export const SCOPE_LABELS: Record<string, string> = {
  manager: "By manager",
  system_owner: "By system owner",
};
export const ITEM_STATE_LABELS: Record<ReviewItemState, string> = {
  open: "To decide",
  kept: "Kept",
  revoked: "Revoked",
  not_reviewed: "Not reviewed",
};
export const ITEM_STATE_COLORS: Record<ReviewItemState, string> = {
  open: "blue",
  kept: "teal",
  revoked: "red",
  not_reviewed: "gray",
};
export const FLAG_LABELS: Record<string, string> = {
  no_manager: "No manager: sent to the campaign owner",
  no_owner: "No system owner: sent to the campaign owner",
  self_review: "Would review their own access: sent to the campaign owner",
  reviewer_inactive: "Reviewer is not at work: sent to the campaign owner",
  reviewer_no_login: "Reviewer cannot sign in: sent to the campaign owner",
};

/** "yyyy-mm-ddThh:mm" in the viewer's zone, for a datetime-local input. */
export function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value as an ISO instant, or null when empty or unreadable. */
export function isoFromLocal(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
