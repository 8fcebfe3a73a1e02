import { Button, Group, Modal, NativeSelect, Stack, TextInput } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { PersonPicker } from "../people/PersonPicker";
import { toOptions } from "./queries";
import { useSaveDepartment } from "./save";
import type { Department } from "./types";

interface DepartmentModalProps {
  /** The department to change, or null to add one. */
  department: Department | null;
  all: Department[];
  onClose: () => void;
}

/** Departments below `id` (and itself): they cannot become its parent. */
function subtree(all: Department[], id: string): Set<string> {
  const out = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const d of all) {
      if (d.parentId && out.has(d.parentId) && !out.has(d.id)) {
        out.add(d.id);
        grew = true;
      }
    }
  }
  return out;
}

export function DepartmentModal({ department, all, onClose }: DepartmentModalProps) {
  const [name, setName] = useState(department?.name ?? "");
  const [parentId, setParentId] = useState(department?.parentId ?? "");
  const [head, setHead] = useState<{ id: string | null; name: string | null }>({
    id: department?.headPersonId ?? null,
    name: department?.headName ?? null,
  });
  const save = useSaveDepartment(onClose);
  const blocked = department ? subtree(all, department.id) : new Set<string>();
  const parents = toOptions(
    all.filter((d) => !blocked.has(d.id)),
    (d) => d.name,
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({
      id: department?.id ?? null,
      body: { name: name.trim(), parentId: parentId || null, headPersonId: head.id },
    });
  }

  return (
    <Modal opened onClose={onClose} title={department ? `Edit ${department.name}` : "Add department"}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ErrorAlert
            error={save.error}
            title="Could not save the department"
            shownFields={["name", "parentId", "headPersonId"]}
          />
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(save.error, "name")}
            data-autofocus
          />
          <NativeSelect
            label="Part of"
            description="The parent department, if any."
            value={parentId}
            onChange={(e) => setParentId(e.currentTarget.value)}
            data={[{ value: "", label: "None (top level)" }, ...parents]}
            error={fieldError(save.error, "parentId")}
          />
          <PersonPicker
            label="Head of department"
            value={head.id}
            valueLabel={head.name}
            onChange={(id, label) => setHead({ id, name: label })}
            error={fieldError(save.error, "headPersonId")}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
