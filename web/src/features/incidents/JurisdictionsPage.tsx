import {
  Alert,
  Badge,
  Button,
  Checkbox,
  EmptyState,
  Group,
  Loader,
  Modal,
  NumberInput,
  Stack,
  Table,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import type { paths } from "../../api/schema";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { incidentsKey, jurisdictionsQuery } from "./queries";

type Jurisdiction =
  paths["/api/v1/incident-jurisdictions"]["get"]["responses"][200]["content"]["application/json"]["items"][number];

function JurisdictionModal({ j, onClose }: { j: Jurisdiction | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [v, setV] = useState({
    code: j?.code ?? "",
    name: j?.name ?? "",
    law: j?.law ?? "",
    authority: j?.authority ?? "",
    deadlineHours: j?.deadlineHours ?? 72,
    notifySubjects: j?.notifySubjects ?? false,
    subjectsDeadlineHours: j?.subjectsDeadlineHours ?? null,
    remindBeforeHours: j?.remindBeforeHours ?? [24, 6],
    basis: j?.basis ?? "",
    active: j?.active ?? true,
  });
  const [reminders, setReminders] = useState((j?.remindBeforeHours ?? [24, 6]).join(", "));
  const save = useMutation({
    mutationFn: async () => {
      const body = {
        ...v,
        remindBeforeHours: reminders.split(/[ ,]+/).filter(Boolean).map(Number),
      };
      return expectData(
        j
          ? await api.PUT("/api/v1/incident-jurisdictions/{id}", { params: { path: { id: j.id } }, body })
          : await api.POST("/api/v1/incident-jurisdictions", { body }),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: [...incidentsKey, "jurisdictions"] });
      onClose();
    },
  });
  const set = (patch: Partial<typeof v>) => setV({ ...v, ...patch });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const err = (f: string) => fieldError(save.error, f);
  return (
    <Modal opened onClose={onClose} title={j ? `Edit ${j.name}` : "New jurisdiction"} size="lg">
      <form onSubmit={submit}>
        <Stack>
          <Group grow>
            <TextInput
              label="Code"
              description="e.g. ZA-POPIA"
              required
              value={v.code}
              onChange={(e) => set({ code: e.currentTarget.value })}
              error={err("code")}
            />
            <TextInput
              label="Name"
              required
              value={v.name}
              onChange={(e) => set({ name: e.currentTarget.value })}
              error={err("name")}
            />
          </Group>
          <Group grow>
            <TextInput
              label="Law and section"
              required
              value={v.law}
              onChange={(e) => set({ law: e.currentTarget.value })}
              error={err("law")}
            />
            <TextInput
              label="Authority to notify"
              required
              value={v.authority}
              onChange={(e) => set({ authority: e.currentTarget.value })}
              error={err("authority")}
            />
          </Group>
          <NumberInput
            label="Deadline to notify the authority (hours from awareness)"
            min={1}
            max={8760}
            required
            value={v.deadlineHours}
            onChange={(n) => set({ deadlineHours: Number(n) })}
            error={err("deadlineHours")}
          />
          <Checkbox
            label="Data subjects must be notified too"
            checked={v.notifySubjects}
            onChange={(e) => set({ notifySubjects: e.currentTarget.checked })}
          />
          {v.notifySubjects ? (
            <NumberInput
              label="Deadline to notify data subjects (hours)"
              min={1}
              max={8760}
              required
              value={v.subjectsDeadlineHours ?? ""}
              onChange={(n) => set({ subjectsDeadlineHours: n === "" ? null : Number(n) })}
              error={err("subjectsDeadlineHours")}
            />
          ) : null}
          <TextInput
            label="Remind this many hours before (comma-separated)"
            value={reminders}
            onChange={(e) => setReminders(e.currentTarget.value)}
            error={err("remindBeforeHours")}
          />
          <Textarea
            label="Basis (shown to Legal)"
            autosize
            value={v.basis}
            onChange={(e) => set({ basis: e.currentTarget.value })}
          />
          <Checkbox
            label="Active"
            checked={v.active}
            onChange={(e) => set({ active: e.currentTarget.checked })}
          />
          <ErrorAlert
            error={save.error}
            title="Could not save the jurisdiction"
            shownFields={Object.keys(v)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Jurisdictions and their notification deadlines, configurable by Legal and Security. */
export function JurisdictionsPage() {
  const canConfigure = useCan("incidents:configure");
  const list = useQuery(jurisdictionsQuery);
  const [editing, setEditing] = useState<Jurisdiction | "new" | null>(null);
  const items = list.data ?? [];
  return (
    <>
      <PageHeader
        title="Jurisdictions"
        description="Where notification duties apply and by when. Regulatory clocks start from these settings when Legal marks a personal-data breach."
        actions={canConfigure ? <Button onClick={() => setEditing("new")}>New jurisdiction</Button> : null}
      />
      <Alert color="gray" variant="light" mb="md">
        The deadlines here are configuration, not legal advice. POPIA section 22 asks for notification as soon
        as reasonably possible: set an internal target your Legal team stands behind.
      </Alert>
      {list.isPending ? <Loader aria-label="Loading jurisdictions" /> : null}
      <ErrorAlert error={list.error} title="Could not load the jurisdictions" />
      {list.isSuccess && !items.length ? (
        <EmptyState
          title="No jurisdictions"
          description="Add the jurisdictions your organisation answers to."
        />
      ) : null}
      {items.length ? (
        <ScrollTable label="Jurisdictions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Jurisdiction</Table.Th>
              <Table.Th>Law</Table.Th>
              <Table.Th>Authority</Table.Th>
              <Table.Th>Deadline</Table.Th>
              <Table.Th>Data subjects</Table.Th>
              <Table.Th>Reminders</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((j) => (
              <Table.Tr key={j.id}>
                <Table.Td>
                  {canConfigure ? (
                    <Button variant="subtle" size="compact-sm" onClick={() => setEditing(j)}>
                      {j.name} ({j.code})
                    </Button>
                  ) : (
                    `${j.name} (${j.code})`
                  )}
                </Table.Td>
                <Table.Td>{j.law}</Table.Td>
                <Table.Td>{j.authority}</Table.Td>
                <Table.Td>{j.deadlineHours} h</Table.Td>
                <Table.Td>{j.notifySubjects ? `${j.subjectsDeadlineHours} h` : "—"}</Table.Td>
                <Table.Td>{j.remindBeforeHours.map((h) => `${h} h`).join(", ")} before</Table.Td>
                <Table.Td>
                  {j.active ? <Badge color="teal">Active</Badge> : <Badge color="gray">Inactive</Badge>}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {editing ? (
        <JurisdictionModal j={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
    </>
  );
}
