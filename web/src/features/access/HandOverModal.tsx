import { Button, Group, Modal, NativeSelect, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { ROLE_LABELS } from "../../components/RoleBadges";
import { PersonPicker } from "../people/PersonPicker";
import { describeStep } from "./labels";
import { accessKey } from "./queries";
import type { Step } from "./types";

const ROLES = ["it", "security", "hr", "legal", "admin"] as const;

/** "yyyy-mm-ddThh:mm" in the viewer's zone, for a datetime-local input. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Hands a step Tandem could not finish to a person (a role or someone named) as a task with a due time. */
export function HandOverModal({ step, onClose }: { step: Step; onClose: () => void }) {
  const queryClient = useQueryClient();
  const canPickPeople = useCan("people:read");
  const [role, setRole] = useState<string>("it");
  const [personId, setPersonId] = useState<string | null>(null);
  const [personName, setPersonName] = useState<string | null>(null);
  const [due, setDue] = useState(() => localInput(new Date(Date.now() + 24 * 3_600_000)));
  const [note, setNote] = useState("");
  const save = useMutation({
    mutationFn: async () => {
      const at = due ? new Date(due) : null;
      return expectData(
        await api.POST("/api/v1/access/steps/{id}/manual", {
          params: { path: { id: step.id } },
          body: {
            assigneeRole: personId ? null : role,
            assigneePersonId: personId,
            dueAt: at && !Number.isNaN(at.getTime()) ? at.toISOString() : null,
            note: note.trim() || null,
          },
        }),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      onClose();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <Modal opened onClose={onClose} title="Hand over to a person">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm">
            <strong>{describeStep(step)}</strong>
            {step.systemName ? ` on ${step.systemName}` : ""} becomes a task. Whoever does it attests it under
            Access tasks, and the step counts as verified.
          </Text>
          {step.error ? (
            <Text size="sm" c="dimmed">
              Last error: {step.error}
            </Text>
          ) : null}
          <ErrorAlert
            error={save.error}
            title="Could not hand the step over"
            shownFields={["assigneeRole", "assigneePersonId", "dueAt", "note"]}
          />
          <NativeSelect
            label="Team"
            description={personId ? "A named person is chosen below; the task goes to them." : undefined}
            value={role}
            disabled={!!personId}
            onChange={(e) => setRole(e.currentTarget.value)}
            data={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] ?? r }))}
            error={fieldError(save.error, "assigneeRole")}
          />
          {canPickPeople ? (
            <PersonPicker
              label="Or a named person"
              value={personId}
              valueLabel={personName}
              onChange={(id, name) => {
                setPersonId(id);
                setPersonName(name);
              }}
              error={fieldError(save.error, "assigneePersonId")}
            />
          ) : null}
          <TextInput
            label="Due"
            type="datetime-local"
            value={due}
            onChange={(e) => setDue(e.currentTarget.value)}
            error={fieldError(save.error, "dueAt")}
          />
          <Textarea
            label="Note for the person"
            autosize
            minRows={2}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            error={fieldError(save.error, "note")}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Hand over
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
