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
    | "/access/alerts"
    | "/access/dashboard"
    | "/access/reconcile"
    | "/access/findings"
    | "/access/requests"
    | "/access/sod-rules"
    | "/access/reviews"
    | "/access/my-reviews"
    | "/access/certificates"
    | "/my-access"
    | "/reports/new"
    | "/reports/mine"
    | "/reports/triage"
    | "/ask"
    | "/notifications"
    | "/incidents"
    | "/incidents/dashboard"
    | "/hr-cases"
    | "/admin/notifications"
    | "/awareness"
    | "/awareness/team"
    | "/awareness/compliance"
    | "/awareness/admin/policies"
    | "/awareness/admin/modules"
    | "/awareness/admin/rules";
  label: string;
  /** Permission needed to see the entry; none means everyone signed in. */
  permission?: string;
}

export const NAV_ENTRIES: readonly NavEntry[] = [
  { to: "/", label: "Home" },
  { to: "/profile", label: "Profile" },
  { to: "/notifications", label: "Notifications" },
  { to: "/reports/new", label: "Report something" },
  { to: "/reports/mine", label: "My reports" },
  { to: "/ask", label: "Ask Security" },
  { to: "/my-access", label: "My access" },
  { to: "/awareness", label: "My training & policies" },
  { to: "/awareness/team", label: "My team's training", permission: "awareness:team" },
  { to: "/access/requests", label: "Access requests" },
  { to: "/access/my-reviews", label: "My reviews" },
  { to: "/people", label: "People", permission: "people:read" },
  { to: "/org/departments", label: "Departments", permission: "people:read" },
  { to: "/org/job-roles", label: "Job roles", permission: "people:read" },
  { to: "/org/locations", label: "Locations", permission: "people:read" },
  { to: "/access/dashboard", label: "Access dashboard", permission: "access:read" },
  { to: "/access/systems", label: "Systems", permission: "access:read" },
  { to: "/access/profiles", label: "Access profiles", permission: "access:read" },
  { to: "/access/plans", label: "Access plans", permission: "access:read" },
  { to: "/access/tasks", label: "Access tasks", permission: "access:read" },
  { to: "/access/alerts", label: "High-risk alerts", permission: "access:alerts" },
  { to: "/access/reconcile", label: "Reconciliation", permission: "access:read" },
  { to: "/access/findings", label: "Findings", permission: "access:read" },
  { to: "/access/reviews", label: "Access reviews", permission: "access:read" },
  { to: "/access/sod-rules", label: "Separation of duties", permission: "access:read" },
  { to: "/access/certificates", label: "Certificates", permission: "access:read" },
  { to: "/reports/triage", label: "Report triage", permission: "reports:triage_read" },
  { to: "/incidents", label: "Incidents", permission: "incidents:read" },
  { to: "/incidents/dashboard", label: "Incident dashboard", permission: "incidents:read" },
  { to: "/hr-cases", label: "HR cases", permission: "hr_cases:refer" },
  { to: "/awareness/compliance", label: "Awareness compliance", permission: "awareness:compliance" },
  { to: "/awareness/admin/policies", label: "Policies", permission: "awareness:read" },
  { to: "/awareness/admin/modules", label: "Training modules", permission: "awareness:read" },
  { to: "/awareness/admin/rules", label: "Assignment rules", permission: "awareness:read" },
  { to: "/admin/users", label: "Users & roles", permission: "users:read" },
  { to: "/tokens", label: "API tokens", permission: "tokens:manage" },
  { to: "/admin/sso", label: "SSO settings", permission: "settings:manage" },
  { to: "/admin/notifications", label: "Notification channels", permission: "settings:manage" },
  { to: "/audit", label: "Audit log", permission: "audit:read" },
];

export function visibleNavEntries(permissions: readonly string[]): NavEntry[] {
  return NAV_ENTRIES.filter((entry) => !entry.permission || permissions.includes(entry.permission));
}
