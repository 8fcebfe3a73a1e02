import { Button, Group, Modal, NativeSelect, Stack, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { departmentsQuery, toOptions } from "./queries";
import { useSaveJobRole } from "./save";
import type { JobRole } from "./types";

/** Adds (jobRole null) or changes a job role: title, department and level. */
export function JobRoleModal({ jobRole, onClose }: { jobRole: JobRole | null; onClose: () => void }) {
  const departments = useQuery(departmentsQuery);
  const [title, setTitle] = useState(jobRole?.title ?? "");
  const [departmentId, setDepartmentId] = useState(jobRole?.departmentId ?? "");
  const [level, setLevel] = useState(jobRole?.level ?? "");
  const save = useSaveJobRole(onClose);

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({
      id: jobRole?.id ?? null,
      body: { title: title.trim(), departmentId: departmentId || null, level: level.trim() || null },
    });
  }

  return (
    <Modal opened onClose={onClose} title={jobRole ? `Edit ${jobRole.title}` : "Add job role"}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ErrorAlert
            error={save.error}
            title="Could not save the job role"
            shownFields={["title", "departmentId", "level"]}
          />
          <TextInput
            label="Title"
            required
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={fieldError(save.error, "title")}
            data-autofocus
          />
          <NativeSelect
            label="Department"
            value={departmentId}
            onChange={(e) => setDepartmentId(e.currentTarget.value)}
            data={[{ value: "", label: "None" }, ...toOptions(departments.data, (d) => d.name)]}
            error={fieldError(save.error, "departmentId")}
          />
          <TextInput
            label="Level"
            placeholder="e.g. L3, Senior"
            value={level}
            onChange={(e) => setLevel(e.currentTarget.value)}
            error={fieldError(save.error, "level")}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!title.trim()}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
