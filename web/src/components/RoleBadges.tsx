import { Badge, Group, Text } from "@mantine/core";
import type { Role } from "../api/types";

export const ROLES: readonly Role[] = [
  "admin",
  "hr",
  "security",
  "it",
  "legal",
  "manager",
  "employee",
  "auditor",
];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Keeps only known roles (MultiSelect hands back plain strings). */
export function toRoles(values: readonly string[]): Role[] {
  return values.filter(isRole);
}

export const ROLE_LABELS: Record<string, string> = {
  admin: "Admin",
  hr: "HR",
  security: "Security",
  it: "IT",
  legal: "Legal",
  manager: "Manager",
  employee: "Employee",
  auditor: "Auditor",
};

export const ROLE_OPTIONS = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] ?? role }));

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}

export function RoleBadges({ roles }: { roles: readonly string[] }) {
  if (roles.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No roles
      </Text>
    );
  }
  return (
    <Group gap={4}>
      {roles.map((role) => (
        <Badge key={role} variant="light" color={role === "admin" ? "grape" : "blue"} radius="sm">
          {roleLabel(role)}
        </Badge>
      ))}
    </Group>
  );
}
