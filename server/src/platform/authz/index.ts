/** Roles a person can hold (several at once). */
export const ROLES = ["admin", "hr", "security", "it", "legal", "manager", "employee", "auditor"] as const;
export type Role = (typeof ROLES)[number];

/**
 * Every permission a route can require. Modules add theirs with registerPermissions; the
 * route × role matrix test reads ROLE_PERMISSIONS to know what each role may do.
 */
const permissions = new Map<string, Role[]>([
  ["users:read", ["admin"]],
  ["users:write", ["admin"]],
  ["tokens:manage", ["admin", "hr", "security", "it", "legal", "auditor"]],
  ["settings:manage", ["admin"]],
  ["audit:read", ["admin", "auditor", "security"]],
  ["audit:export", ["admin", "auditor"]],
  ["audit:checkpoint", ["admin", "auditor"]],
  ["jobs:read", ["admin", "it"]],
]);

export type Permission = string;

export function registerPermissions(entries: Record<string, Role[]>): void {
  for (const [perm, roles] of Object.entries(entries)) {
    if (permissions.has(perm)) throw new Error(`Permission ${perm} is declared twice`);
    permissions.set(perm, roles);
  }
}

export function allPermissions(): string[] {
  return [...permissions.keys()].sort();
}

export function isPermission(p: string): boolean {
  return permissions.has(p);
}

export function rolesWith(permission: Permission): Role[] {
  return permissions.get(permission) ?? [];
}

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const [perm, allowed] of permissions) {
    if (allowed.some((r) => roles.includes(r))) out.add(perm);
  }
  return out;
}

export function isRole(r: string): r is Role {
  return (ROLES as readonly string[]).includes(r);
}

/** What a route declares: a permission, any signed-in user, or nobody needed. */
export type Access = { permission: Permission } | "authenticated" | "public";
