/** Labels and colours shared by the incident pages. */
export const SEVERITIES = ["sev1", "sev2", "sev3", "sev4"] as const;
export const STATUSES = ["open", "contained", "resolved", "closed"] as const;
export const DEPARTMENT_ROLES = ["security", "it", "legal", "hr", "finance", "communications"] as const;
export type Severity = (typeof SEVERITIES)[number];
export type Status = (typeof STATUSES)[number];
export type DepartmentRole = (typeof DEPARTMENT_ROLES)[number];

export const SEVERITY_LABELS: Record<Severity, string> = {
  sev1: "SEV1 · critical",
  sev2: "SEV2 · high",
  sev3: "SEV3 · moderate",
  sev4: "SEV4 · low",
};

export const SEVERITY_HELP: Record<Severity, string> = {
  sev1: "Business stopped or confirmed breach of sensitive data; all hands now. Alerts Security and Legal at once.",
  sev2: "Serious impact or likely breach; respond within the hour. Alerts Security and Legal at once.",
  sev3: "Limited impact, a few people or systems; respond today. Goes into digests.",
  sev4: "No real impact, a near miss or a single suspicious event. Goes into digests.",
};

export const SEVERITY_COLORS: Record<Severity, string> = {
  sev1: "red",
  sev2: "orange",
  sev3: "yellow",
  sev4: "gray",
};

export const STATUS_LABELS: Record<Status, string> = {
  open: "Open",
  contained: "Contained",
  resolved: "Resolved",
  closed: "Closed",
};

/** Where an incident may go next from each status (mirrors the server). */
export const NEXT_STATUS: Record<Status, Status[]> = {
  open: ["contained", "resolved"],
  contained: ["resolved", "open"],
  resolved: ["closed", "open"],
  closed: [],
};

export const DEPARTMENT_LABELS: Record<DepartmentRole, string> = {
  security: "Security",
  it: "IT",
  legal: "Legal",
  hr: "HR",
  finance: "Finance",
  communications: "Communications",
};

export const OUTCOME_LABELS = {
  no_action: "No action",
  coaching: "Coaching",
  training: "More training",
  disciplinary: "Disciplinary steps",
} as const;

/** "in 3 h 20 min" / "5 h ago" for a deadline. */
export function countdown(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const text = h >= 48 ? `${Math.floor(h / 24)} d ${h % 24} h` : h > 0 ? `${h} h ${m} min` : `${m} min`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** A datetime-local input value as an ISO timestamp (or undefined when empty). */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
