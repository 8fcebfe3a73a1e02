import { Checkbox, MultiSelect, SimpleGrid, Stack } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { fieldError } from "../../components/ErrorAlert";
import { departmentsQuery, jobRolesQuery } from "../org/queries";
import type { Audience } from "./types";

const TYPES = ["employee", "contractor", "intern", "vendor"] as const;

export const EVERYONE: Audience = { everyone: true, departmentIds: [], jobRoleIds: [], employmentTypes: [] };

/** Who an item is for: everyone, or anyone in the chosen departments, job roles or employment types. */
export function AudienceFields({
  value,
  onChange,
  error,
}: {
  value: Audience;
  onChange: (a: Audience) => void;
  error?: unknown;
}) {
  const departments = useQuery(departmentsQuery);
  const roles = useQuery(jobRolesQuery);
  return (
    <Stack gap="xs">
      <Checkbox
        label="Everyone who works here"
        checked={value.everyone ?? false}
        onChange={(e) => onChange({ ...value, everyone: e.currentTarget.checked })}
        error={fieldError(error, "body.audience.everyone")}
      />
      {!value.everyone ? (
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <MultiSelect
            label="Departments"
            searchable
            data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
            value={value.departmentIds ?? []}
            onChange={(v) => onChange({ ...value, departmentIds: v })}
            error={fieldError(error, "audience.departmentIds")}
          />
          <MultiSelect
            label="Job roles"
            searchable
            data={(roles.data ?? []).map((r) => ({ value: r.id, label: r.title }))}
            value={value.jobRoleIds ?? []}
            onChange={(v) => onChange({ ...value, jobRoleIds: v })}
            error={fieldError(error, "audience.jobRoleIds")}
          />
          <MultiSelect
            label="Employment types"
            data={[...TYPES]}
            value={value.employmentTypes ?? []}
            onChange={(v) => onChange({ ...value, employmentTypes: v as (typeof TYPES)[number][] })}
          />
        </SimpleGrid>
      ) : null}
    </Stack>
  );
}

export function describeAudience(a: Audience): string {
  if (a.everyone) return "Everyone";
  const parts = [
    a.departmentIds?.length ? `${a.departmentIds.length} department(s)` : "",
    a.jobRoleIds?.length ? `${a.jobRoleIds.length} job role(s)` : "",
    a.employmentTypes?.length ? a.employmentTypes.join(", ") : "",
  ].filter(Boolean);
  return parts.join(" or ") || "Nobody";
}
