import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { peopleListQuery } from "./queries";

interface PersonPickerProps {
  label: string;
  /** The chosen person's id, or null. */
  value: string | null;
  /** The chosen person's name, so the field shows it before any search ran. */
  valueLabel?: string | null;
  onChange: (id: string | null, label: string | null) => void;
  description?: string;
  error?: string;
  /** Someone who may not be picked (e.g. the person themself as their own manager). */
  excludeId?: string;
}

/** Picks a person by searching the directory on the server (20 at a time); never loads everyone. */
export function PersonPicker(props: PersonPickerProps) {
  const [search, setSearch] = useState(props.valueLabel ?? "");
  const [q] = useDebouncedValue(search.trim(), 250);
  const typed = q && q !== props.valueLabel ? q : "";
  const found = useQuery({ ...peopleListQuery({ q: typed || undefined }, null, 20), enabled: typed !== "" });
  const data = (found.data?.items ?? [])
    .filter((p) => p.id !== props.excludeId)
    .map((p) => ({ value: p.id, label: `${p.displayName} (${p.employeeNumber})` }));
  if (props.value && !data.some((o) => o.value === props.value)) {
    data.unshift({ value: props.value, label: props.valueLabel ?? props.value });
  }
  return (
    <Select
      label={props.label}
      description={props.description}
      error={props.error}
      placeholder="Type a name, email or employee number"
      searchable
      clearable
      data={data}
      value={props.value}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(id, option) => props.onChange(id, option?.label ?? null)}
      filter={({ options }) => options}
      nothingFoundMessage={typed ? (found.isFetching ? "Searching…" : "Nobody found") : "Type to search"}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
