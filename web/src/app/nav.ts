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
    | "/awareness/admin/rules"
    | "/awareness/rewards"
    | "/awareness/rewards/objectives"
    | "/awareness/phishing/campaigns"
    | "/awareness/phishing/templates"
    | "/awareness/phishing/results";
  label: string;
  /** Permission needed to see the entry; none means everyone signed in. */
  permission?: string;
  /** The heading it is listed under in the menu. */
  section: NavSection;
}

export const NAV_SECTIONS = [
  "You",
  "People",
  "Access",
  "Reports & incidents",
  "Awareness",
  "Administration",
] as const;
export type NavSection = (typeof NAV_SECTIONS)[number];

export const NAV_ENTRIES: readonly NavEntry[] = [
  { to: "/", label: "Home", section: "You" },
  { to: "/profile", label: "Profile", section: "You" },
  { to: "/notifications", label: "Notifications", section: "You" },
  { to: "/reports/new", label: "Report something", section: "You" },
  { to: "/reports/mine", label: "My reports", section: "You" },
  { to: "/ask", label: "Ask Security", section: "You" },
  { to: "/my-access", label: "My access", section: "You" },
  { to: "/awareness", label: "My training & policies", section: "You" },
  { to: "/awareness/rewards", label: "Rewards", section: "You" },
  { to: "/awareness/team", label: "My team's training", permission: "awareness:team", section: "People" },
  { to: "/access/requests", label: "Access requests", section: "You" },
  { to: "/access/my-reviews", label: "My reviews", section: "You" },
  { to: "/people", label: "People", permission: "people:read", section: "People" },
  { to: "/org/departments", label: "Departments", permission: "people:read", section: "People" },
  { to: "/org/job-roles", label: "Job roles", permission: "people:read", section: "People" },
  { to: "/org/locations", label: "Locations", permission: "people:read", section: "People" },
  { to: "/access/dashboard", label: "Access dashboard", permission: "access:read", section: "Access" },
  { to: "/access/systems", label: "Systems", permission: "access:read", section: "Access" },
  { to: "/access/profiles", label: "Access profiles", permission: "access:read", section: "Access" },
  { to: "/access/plans", label: "Access plans", permission: "access:read", section: "Access" },
  { to: "/access/tasks", label: "Access tasks", permission: "access:read", section: "Access" },
  { to: "/access/alerts", label: "High-risk alerts", permission: "access:alerts", section: "Access" },
  { to: "/access/reconcile", label: "Reconciliation", permission: "access:read", section: "Access" },
  { to: "/access/findings", label: "Findings", permission: "access:read", section: "Access" },
  { to: "/access/reviews", label: "Access reviews", permission: "access:read", section: "Access" },
  { to: "/access/sod-rules", label: "Separation of duties", permission: "access:read", section: "Access" },
  { to: "/access/certificates", label: "Certificates", permission: "access:read", section: "Access" },
  {
    to: "/reports/triage",
    label: "Report triage",
    permission: "reports:triage_read",
    section: "Reports & incidents",
  },
  { to: "/incidents", label: "Incidents", permission: "incidents:read", section: "Reports & incidents" },
  {
    to: "/incidents/dashboard",
    label: "Incident dashboard",
    permission: "incidents:read",
    section: "Reports & incidents",
  },
  { to: "/hr-cases", label: "HR cases", permission: "hr_cases:refer", section: "Reports & incidents" },
  {
    to: "/awareness/compliance",
    label: "Awareness compliance",
    permission: "awareness:compliance",
    section: "Awareness",
  },
  { to: "/awareness/admin/policies", label: "Policies", permission: "awareness:read", section: "Awareness" },
  {
    to: "/awareness/admin/modules",
    label: "Training modules",
    permission: "awareness:read",
    section: "Awareness",
  },
  {
    to: "/awareness/admin/rules",
    label: "Assignment rules",
    permission: "awareness:read",
    section: "Awareness",
  },
  {
    to: "/awareness/rewards/objectives",
    label: "Objectives & export",
    permission: "rewards:manage",
    section: "Awareness",
  },
  {
    to: "/awareness/phishing/campaigns",
    label: "Phishing campaigns",
    permission: "phishing:results",
    section: "Awareness",
  },
  {
    to: "/awareness/phishing/templates",
    label: "Phishing templates",
    permission: "phishing:results",
    section: "Awareness",
  },
  {
    to: "/awareness/phishing/results",
    label: "Phishing results",
    permission: "phishing:results",
    section: "Awareness",
  },
  { to: "/admin/users", label: "Users & roles", permission: "users:read", section: "Administration" },
  { to: "/tokens", label: "API tokens", permission: "tokens:manage", section: "Administration" },
  { to: "/admin/sso", label: "SSO settings", permission: "settings:manage", section: "Administration" },
  {
    to: "/admin/notifications",
    label: "Notification channels",
    permission: "settings:manage",
    section: "Administration",
  },
  { to: "/audit", label: "Audit log", permission: "audit:read", section: "Administration" },
];

/** The visible entries under their headings, in menu order; empty sections left out. */
export function navSections(entries: readonly NavEntry[]): { section: NavSection; entries: NavEntry[] }[] {
  return NAV_SECTIONS.map((section) => ({
    section,
    entries: entries.filter((e) => e.section === section),
  })).filter((s) => s.entries.length > 0);
}

export function visibleNavEntries(permissions: readonly string[]): NavEntry[] {
  return NAV_ENTRIES.filter((entry) => !entry.permission || permissions.includes(entry.permission));
}
