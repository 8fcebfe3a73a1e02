import { registerPermissions } from "../../../platform/authz/index.js";

/**
 * Who may do what with phishing simulation. Security and HR (and admins) write templates,
 * run campaigns and override how a tracked request was counted; auditors read the results.
 * Recipients need no permission: their tracking links carry their own token.
 */
registerPermissions({
  "phishing:run": ["security", "hr", "admin"],
  "phishing:results": ["security", "hr", "admin", "auditor"],
});

export const PHISHING_RUN = { permission: "phishing:run" } as const;
export const PHISHING_RESULTS = { permission: "phishing:results" } as const;
