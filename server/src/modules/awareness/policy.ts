import { registerPermissions } from "../../platform/authz/index.js";

/**
 * Who may do what with awareness. HR and Security (and admins) write policies, training and
 * rules and assign work; auditors read them and the compliance figures; managers see their
 * reports' progress. Every signed-in person works on their own assignments (no permission:
 * the routes only ever show the caller's own).
 */
registerPermissions({
  "awareness:read": ["hr", "security", "admin", "auditor"],
  "awareness:author": ["hr", "security", "admin"],
  "awareness:assign": ["hr", "security", "admin"],
  "awareness:compliance": ["hr", "security", "admin", "auditor"],
  "awareness:team": ["manager"],
});

export const AWARENESS_READ = { permission: "awareness:read" } as const;
export const AWARENESS_AUTHOR = { permission: "awareness:author" } as const;
export const AWARENESS_ASSIGN = { permission: "awareness:assign" } as const;
export const AWARENESS_COMPLIANCE = { permission: "awareness:compliance" } as const;
export const AWARENESS_TEAM = { permission: "awareness:team" } as const;
