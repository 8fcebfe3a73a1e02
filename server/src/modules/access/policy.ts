import { registerPermissions } from "../../platform/authz/index.js";

/**
 * Who may do what with access. Security and IT run systems, profiles and plans; auditors
 * read everything; Legal sees high-risk alerts (it is told at once, with Security).
 */
registerPermissions({
  "access:read": ["security", "it", "admin", "auditor"],
  "access:admin": ["security", "it", "admin"],
  "access:alerts": ["security", "legal", "admin"],
});

export const ACCESS_READ = { permission: "access:read" } as const;
export const ACCESS_ADMIN = { permission: "access:admin" } as const;
export const ACCESS_ALERTS = { permission: "access:alerts" } as const;
