import { CATEGORIES, isOneOf, SEVERITIES, VERDICTS } from "./labels";
import type { Category, ReportStatus, Severity, Verdict } from "./types";

/** The triage queue's filters live in the address, so a link shows the same list. */
export interface TriageSearch {
  status?: ReportStatus | "all";
  category?: Category;
  severity?: Severity | "none";
  verdict?: Verdict | "none";
  assignee?: string;
  q?: string;
  sender?: string;
  urlHost?: string;
  subject?: string;
}

export const STATUS_FILTERS = [
  "new",
  "acknowledged",
  "in_review",
  "waiting_for_reporter",
  "escalated",
  "closed",
  "merged",
  "all",
] as const;

const text = (v: unknown, max = 200) =>
  typeof v === "string" && v.trim() ? v.trim().slice(0, max) : undefined;

export function validateTriageSearch(s: Record<string, unknown>): TriageSearch {
  return {
    status: isOneOf(STATUS_FILTERS, s.status) ? s.status : undefined,
    category: isOneOf(CATEGORIES, s.category) ? s.category : undefined,
    severity: isOneOf([...SEVERITIES, "none" as const], s.severity) ? s.severity : undefined,
    verdict: isOneOf([...VERDICTS, "none" as const], s.verdict) ? s.verdict : undefined,
    assignee: text(s.assignee, 40),
    q: text(s.q),
    sender: text(s.sender, 254),
    urlHost: text(s.urlHost, 253),
    subject: text(s.subject, 300),
  };
}
