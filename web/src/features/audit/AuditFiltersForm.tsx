import { Button, Group, NativeSelect, TextInput } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { type AuditFilters, EMPTY_FILTERS, OUTCOMES } from "./queries";

interface AuditFiltersFormProps {
  value: AuditFilters;
  onChange: (filters: AuditFilters) => void;
}

export function AuditFiltersForm({ value, onChange }: AuditFiltersFormProps) {
  const [draft, setDraft] = useState<AuditFilters>(value);
  const set = (key: "action" | "actor" | "from" | "to") => (event: React.ChangeEvent<HTMLInputElement>) =>
    setDraft({ ...draft, [key]: event.currentTarget.value });
  const setOutcome = (event: React.ChangeEvent<HTMLSelectElement>) => {
    const value = OUTCOMES.find((o) => o === event.currentTarget.value) ?? "";
    setDraft({ ...draft, outcome: value });
  };
  const rangeError =
    draft.from && draft.to && draft.from > draft.to ? "“To” must not be before “From”." : undefined;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!rangeError) onChange(draft);
  }

  return (
    <form onSubmit={submit} aria-label="Filter the audit log">
      <Group align="flex-end" gap="sm" mb="md">
        <TextInput
          label="Action"
          placeholder="e.g. auth.login"
          value={draft.action}
          onChange={set("action")}
        />
        <TextInput label="Actor" placeholder="Email or id" value={draft.actor} onChange={set("actor")} />
        <NativeSelect
          label="Outcome"
          value={draft.outcome}
          onChange={setOutcome}
          data={[{ value: "", label: "Any" }, ...OUTCOMES.map((o) => ({ value: o, label: o }))]}
        />
        <TextInput label="From" type="date" value={draft.from} onChange={set("from")} />
        <TextInput label="To" type="date" value={draft.to} onChange={set("to")} error={rangeError} />
        <Group gap="xs">
          <Button type="submit">Apply filters</Button>
          <Button
            variant="default"
            onClick={() => {
              setDraft(EMPTY_FILTERS);
              onChange(EMPTY_FILTERS);
            }}
          >
            Clear
          </Button>
        </Group>
      </Group>
    </form>
  );
}
