import { registerPermissions } from "../../platform/authz/index.js";

/** Who may do what with HR records. Managers see their own reports only (enforced in directory.ts). */
registerPermissions({
  "people:read": ["admin", "hr", "security", "it", "legal", "auditor", "manager"],
  "people:read_all": ["admin", "hr", "security", "it", "legal", "auditor"],
  "people:write": ["admin", "hr"],
  "people:events": ["admin", "hr"],
  "people:confidential": ["hr", "security", "legal"],
  "people:flag_high_risk": ["hr"],
  "people:checks": ["hr"],
  "people:import": ["admin", "hr"],
  "org:write": ["admin", "hr"],
});

export const PEOPLE_READ = { permission: "people:read" } as const;
export const PEOPLE_WRITE = { permission: "people:write" } as const;
export const PEOPLE_EVENTS = { permission: "people:events" } as const;
export const PEOPLE_FLAG = { permission: "people:flag_high_risk" } as const;
export const ORG_WRITE = { permission: "org:write" } as const;
