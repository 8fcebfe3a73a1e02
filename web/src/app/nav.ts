export interface NavEntry {
  to:
    | "/"
    | "/profile"
    | "/people"
    | "/org/departments"
    | "/org/job-roles"
    | "/org/locations"
    | "/admin/users"
    | "/tokens"
    | "/admin/sso"
    | "/audit"
    | "/access/systems"
    | "/access/profiles"
    | "/access/plans"
    | "/access/tasks"
    | "/access/alerts";
  label: string;
  /** Permission needed to see the entry; none means everyone signed in. */
  permission?: string;
}

export const NAV_ENTRIES: readonly NavEntry[] = [
  { to: "/", label: "Home" },
  { to: "/profile", label: "Profile" },
  { to: "/people", label: "People", permission: "people:read" },
  { to: "/org/departments", label: "Departments", permission: "people:read" },
  { to: "/org/job-roles", label: "Job roles", permission: "people:read" },
  { to: "/org/locations", label: "Locations", permission: "people:read" },
  { to: "/access/systems", label: "Systems", permission: "access:read" },
  { to: "/access/profiles", label: "Access profiles", permission: "access:read" },
  { to: "/access/plans", label: "Access plans", permission: "access:read" },
  { to: "/access/tasks", label: "Access tasks", permission: "access:read" },
  { to: "/access/alerts", label: "High-risk alerts", permission: "access:alerts" },
  { to: "/admin/users", label: "Users & roles", permission: "users:read" },
  { to: "/tokens", label: "API tokens", permission: "tokens:manage" },
  { to: "/admin/sso", label: "SSO settings", permission: "settings:manage" },
  { to: "/audit", label: "Audit log", permission: "audit:read" },
];

export function visibleNavEntries(permissions: readonly string[]): NavEntry[] {
  return NAV_ENTRIES.filter((entry) => !entry.permission || permissions.includes(entry.permission));
}
