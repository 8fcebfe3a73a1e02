import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { assigneesQuery } from "./queries";

interface UserPickerProps {
  label: string;
  value: string | null;
  onChange: (id: string | null) => void;
  description?: string;
  error?: string;
  required?: boolean;
}

/** A searchable pick of an active user (owner, assignee, case member). */
export function UserPicker({ label, value, onChange, description, error, required }: UserPickerProps) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 250);
  const users = useQuery(assigneesQuery(debounced));
  const data = (users.data ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.email})` }));
  return (
    <Select
      label={label}
      description={description}
      error={error}
      required={required}
      searchable
      clearable
      data={data}
      value={value}
      onChange={onChange}
      onSearchChange={setSearch}
      nothingFoundMessage={users.isPending ? "Loading …" : "Nobody matches; try part of a name or e-mail"}
    />
  );
}
