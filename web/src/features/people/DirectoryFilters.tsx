import { Button, Group, Loader, NativeSelect, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { departmentsQuery, jobRolesQuery, locationsQuery, toOptions } from "../org/queries";
import { EMPLOYMENT_LABELS, EMPLOYMENT_TYPES, options, STATUS_LABELS, STATUSES } from "./labels";
import type { DirectoryFilters as Filters } from "./queries";
import { hasFilters } from "./search";

interface DirectoryFiltersProps {
  value: Filters;
  onChange: (next: Filters) => void;
  busy: boolean;
}

const ANY = { value: "", label: "Any" };

/** Search box (debounced, sent to the server) and filters; the page keeps both in the URL. */
export function DirectoryFilters({ value, onChange, busy }: DirectoryFiltersProps) {
  const departments = useQuery(departmentsQuery);
  const jobRoles = useQuery(jobRolesQuery);
  const locations = useQuery(locationsQuery);
  const [search, setSearch] = useState(value.q ?? "");
  const [debounced] = useDebouncedValue(search.trim(), 300);
  // The q this box last put into the URL: a different q in the URL came from elsewhere (back button, Clear).
  const sent = useRef(value.q ?? "");

  // Typing settles → the URL (and so the query) follows; a URL change (back button) → the box follows.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the debounced text drives this
  useEffect(() => {
    if ((value.q ?? "") === debounced) return;
    sent.current = debounced;
    onChange({ ...value, q: debounced || undefined });
  }, [debounced]);
  useEffect(() => {
    if ((value.q ?? "") === sent.current) return;
    sent.current = value.q ?? "";
    setSearch(value.q ?? "");
  }, [value.q]);

  const set = (key: keyof Filters) => (event: React.ChangeEvent<HTMLSelectElement>) =>
    onChange({ ...value, [key]: event.currentTarget.value || undefined });

  return (
    <Group mb="md" align="flex-end" gap="sm" role="search" aria-label="Search and filter people">
      <TextInput
        label="Search people"
        placeholder="Name, email or number"
        type="search"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        w={220}
      />
      <NativeSelect
        label="Status"
        w={130}
        value={value.status ?? ""}
        onChange={set("status")}
        data={[ANY, ...options(STATUSES, STATUS_LABELS)]}
      />
      <NativeSelect
        label="Department"
        value={value.departmentId ?? ""}
        onChange={set("departmentId")}
        data={[ANY, ...toOptions(departments.data, (d) => d.name)]}
        w={150}
      />
      <NativeSelect
        label="Job role"
        value={value.jobRoleId ?? ""}
        onChange={set("jobRoleId")}
        data={[ANY, ...toOptions(jobRoles.data, (j) => j.title)]}
        w={150}
      />
      <NativeSelect
        label="Employment type"
        w={130}
        value={value.employmentType ?? ""}
        onChange={set("employmentType")}
        data={[ANY, ...options(EMPLOYMENT_TYPES, EMPLOYMENT_LABELS)]}
      />
      <NativeSelect
        label="Location"
        value={value.locationId ?? ""}
        onChange={set("locationId")}
        data={[ANY, ...toOptions(locations.data, (l) => l.name)]}
        w={130}
      />
      {hasFilters(value) ? (
        <Button
          variant="default"
          onClick={() => {
            setSearch("");
            sent.current = "";
            onChange({});
          }}
        >
          Clear
        </Button>
      ) : null}
      {busy ? <Loader size="sm" aria-label="Loading people" /> : null}
    </Group>
  );
}
