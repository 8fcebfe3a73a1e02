import { registerPermissions } from "../../platform/authz/index.js";

/**
 * Who may do what in incident response. The response team (Security, IT, Legal, HR) reads and
 * works incidents; Legal marks personal-data breaches and records notifications; playbooks and
 * jurisdictions are configured by Security, Legal and admins; auditors read. HR cases are not
 * role-based beyond creation: they are visible to HR and to members added to the case.
 */
registerPermissions({
  "incidents:read": ["security", "it", "legal", "hr", "admin", "auditor"],
  "incidents:write": ["security", "it", "legal", "hr", "admin"],
  "incidents:legal": ["legal", "admin"],
  "incidents:configure": ["security", "legal", "admin"],
  "hr_cases:manage": ["hr"],
  "hr_cases:refer": ["security", "it", "legal", "hr"],
});

export const INCIDENTS_READ = { permission: "incidents:read" } as const;
export const INCIDENTS_WRITE = { permission: "incidents:write" } as const;
export const INCIDENTS_LEGAL = { permission: "incidents:legal" } as const;
export const INCIDENTS_CONFIGURE = { permission: "incidents:configure" } as const;
export const HR_CASES_MANAGE = { permission: "hr_cases:manage" } as const;
export const HR_CASES_REFER = { permission: "hr_cases:refer" } as const;
