import type { Category, ReportStatus, Severity, Verdict } from "./types";

export const CATEGORIES: readonly Category[] = [
  "phishing_email",
  "suspicious_payment",
  "suspicious_behaviour",
  "lost_device",
  "own_mistake",
  "near_miss",
  "question",
  "other",
];

export const CATEGORY_LABELS: Record<Category, string> = {
  phishing_email: "A suspicious e-mail",
  suspicious_payment: "A strange payment or invoice request",
  suspicious_behaviour: "Something odd someone did",
  lost_device: "A lost or stolen device or badge",
  own_mistake: "Something I did by mistake",
  near_miss: "Something that almost went wrong",
  question: "A question",
  other: "Something else",
};

export const CATEGORY_HINTS: Record<Category, string> = {
  phishing_email: "Forwarding it to the report address works too. Do not click anything more in it.",
  suspicious_payment: "Please do not pay or change bank details until Finance has checked.",
  suspicious_behaviour: "Describe what you saw; please do not investigate on your own.",
  lost_device: "Report it even if you think you may find it again: we can protect it now and undo it later.",
  own_mistake:
    "Mistakes happen to everyone. Telling us quickly is what limits the harm, and nobody is blamed.",
  near_miss: "Near misses show us what to fix before it causes harm.",
  question: "For questions that are not urgent, Ask Security is another place to ask.",
  other: "Tell us in your own words.",
};

export const STATUS_LABELS: Record<ReportStatus, string> = {
  new: "New",
  acknowledged: "Acknowledged",
  in_review: "In review",
  waiting_for_reporter: "Waiting for reporter",
  escalated: "Escalated",
  closed: "Closed",
  merged: "Merged",
};

export const STATUS_COLORS: Record<ReportStatus, string> = {
  new: "blue",
  acknowledged: "cyan",
  in_review: "indigo",
  waiting_for_reporter: "orange",
  escalated: "red",
  closed: "green",
  merged: "gray",
};

export const SEVERITIES: readonly Severity[] = ["low", "medium", "high", "critical"];
export const SEVERITY_COLORS: Record<Severity, string> = {
  low: "gray",
  medium: "yellow",
  high: "orange",
  critical: "red",
};

export const VERDICTS: readonly Verdict[] = ["benign", "malicious", "needs_more_info"];
export const VERDICT_LABELS: Record<Verdict, string> = {
  benign: "Benign",
  malicious: "Malicious",
  needs_more_info: "Needs more info",
};

export const CHANNEL_LABELS = { web: "Web", anonymous: "Anonymous", api: "API", email: "E-mail" } as const;

export const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === "string" && (list as readonly string[]).includes(v);
