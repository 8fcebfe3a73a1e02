import { ROLES, registerPermissions } from "../../platform/authz/index.js";

/**
 * Who may do what with reports. Anyone signed in reports (an API token needs the
 * reports:submit scope); Security and IT triage; auditors read the queue; HR sees reports
 * only through an incident they are part of (the incidents module's concern).
 */
registerPermissions({
  "reports:submit": [...ROLES],
  "reports:triage_read": ["security", "it", "admin", "auditor"],
  "reports:triage": ["security", "it", "admin"],
  "reports:attachments": ["security", "it", "admin"],
  "ask:answer": ["security", "it", "admin"],
});

export const REPORTS_SUBMIT = { permission: "reports:submit" } as const;
export const TRIAGE_READ = { permission: "reports:triage_read" } as const;
export const TRIAGE = { permission: "reports:triage" } as const;
export const ATTACHMENTS = { permission: "reports:attachments" } as const;
export const ASK_ANSWER = { permission: "ask:answer" } as const;
