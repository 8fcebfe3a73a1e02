import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDate, formatDateTime } from "../../components/format";
import { ScrollTable } from "../../components/ScrollTable";
import { localToIso } from "./labels";
import { incidentsKey, postmortemQuery } from "./queries";
import { UserPicker } from "./UserPicker";

const SECTIONS = [
  ["whatHappened", "What happened", "The facts, in plain words."],
  ["timelineSummary", "Timeline summary", "The key moments: detection, response, containment, recovery."],
  [
    "contributingFactors",
    "Contributing factors",
    "Conditions, tools and processes that made it possible or harder to handle: systems, not people.",
  ],
  [
    "changes",
    "What we change",
    "The improvements; each becomes an action below with an owner and a due date.",
  ],
] as const;
type Section = (typeof SECTIONS)[number][0];

/** The blameless post-mortem: four sections and actions tracked to done. */
export function PostmortemTab({ incidentId, canWrite }: { incidentId: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const pm = useQuery(postmortemQuery(incidentId));
  const [draft, setDraft] = useState<Record<Section, string>>({
    whatHappened: "",
    timelineSummary: "",
    contributingFactors: "",
    changes: "",
  });
  useEffect(() => {
    if (pm.data)
      setDraft({
        whatHappened: pm.data.whatHappened,
        timelineSummary: pm.data.timelineSummary,
        contributingFactors: pm.data.contributingFactors,
        changes: pm.data.changes,
      });
  }, [pm.data]);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: [...incidentsKey, incidentId] });
  const save = useMutation({
    mutationFn: async (complete: boolean) =>
      expectData(
        await api.PUT("/api/v1/incidents/{id}/postmortem", {
          params: { path: { id: incidentId } },
          body: { ...draft, complete },
        }),
      ),
    onSuccess: invalidate,
  });
  const [title, setTitle] = useState("");
  const [owner, setOwner] = useState<string | null>(null);
  const [due, setDue] = useState("");
  const addAction = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/incidents/{id}/postmortem/actions", {
          params: { path: { id: incidentId } },
          body: { title, ownerUserId: owner ?? "", dueAt: localToIso(due) ?? "" },
        }),
      ),
    onSuccess: async () => {
      setTitle("");
      setDue("");
      await invalidate();
    },
  });
  const setStatus = useMutation({
    mutationFn: async (v: { actionId: string; status: "open" | "in_progress" | "done" }) =>
      expectData(
        await api.PATCH("/api/v1/incidents/{id}/postmortem/actions/{actionId}", {
          params: { path: { id: incidentId, actionId: v.actionId } },
          body: { status: v.status },
        }),
      ),
    onSuccess: invalidate,
  });
  if (pm.isPending) return <Loader aria-label="Loading the post-mortem" />;
  if (!pm.data) return <ErrorAlert error={pm.error} title="Could not load the post-mortem" />;
  const submitAction = (e: FormEvent) => {
    e.preventDefault();
    addAction.mutate();
  };
  const editable = canWrite && !pm.data.completedAt;

  return (
    <Stack>
      <Alert color="blue" variant="light" title="Blameless by design">
        Ask what made the mistake possible, not who made it. There is no field for fault or blame: describe
        conditions, tools and processes, and the changes that make the next time safer. Sev1 and sev2
        incidents close only once this is complete.
      </Alert>
      {pm.data.completedAt ? (
        <Badge color="teal">Completed {formatDateTime(pm.data.completedAt)}</Badge>
      ) : null}
      {SECTIONS.map(([key, label, help]) => (
        <Textarea
          key={key}
          label={label}
          description={help}
          autosize
          minRows={3}
          readOnly={!editable}
          value={draft[key]}
          onChange={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })}
          error={fieldError(save.error, key)}
        />
      ))}
      <ErrorAlert
        error={save.error}
        title="Could not save the post-mortem"
        shownFields={SECTIONS.map((s) => s[0])}
      />
      {editable ? (
        <Group justify="flex-end">
          <Button
            variant="default"
            loading={save.isPending && save.variables === false}
            onClick={() => save.mutate(false)}
          >
            Save draft
          </Button>
          <Button loading={save.isPending && save.variables === true} onClick={() => save.mutate(true)}>
            Complete post-mortem
          </Button>
        </Group>
      ) : null}
      <Card withBorder>
        <Text fw={700} mb="xs">
          Actions
        </Text>
        {pm.data.actions.length ? (
          <ScrollTable label="Post-mortem actions" minWidth={600}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Action</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pm.data.actions.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>{a.title}</Table.Td>
                  <Table.Td>{a.ownerName ?? "—"}</Table.Td>
                  <Table.Td>
                    <Text size="sm" c={a.overdue ? "red.9" : undefined} fw={a.overdue ? 700 : undefined}>
                      {formatDate(a.dueAt)}
                      {a.overdue ? " (overdue)" : ""}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={`Status of ${a.title}`}
                      disabled={!canWrite}
                      data={[
                        { value: "open", label: "Open" },
                        { value: "in_progress", label: "In progress" },
                        { value: "done", label: "Done" },
                      ]}
                      value={a.status}
                      allowDeselect={false}
                      onChange={(v) => v && setStatus.mutate({ actionId: a.id, status: v as "open" })}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
        ) : (
          <Text c="dimmed">
            No actions yet. Turn each change into an action with an owner and a due date.
          </Text>
        )}
        <ErrorAlert error={setStatus.error} title="Could not change the action" />
        {canWrite ? (
          <form onSubmit={submitAction}>
            <Group align="flex-end" grow mt="md">
              <TextInput
                label="New action"
                required
                value={title}
                onChange={(e) => setTitle(e.currentTarget.value)}
              />
              <UserPicker
                label="Owner"
                required
                value={owner}
                onChange={setOwner}
                error={fieldError(addAction.error, "ownerUserId")}
              />
              <TextInput
                label="Due"
                type="datetime-local"
                required
                value={due}
                onChange={(e) => setDue(e.currentTarget.value)}
                error={fieldError(addAction.error, "dueAt")}
              />
              <Button type="submit" loading={addAction.isPending}>
                Add action
              </Button>
            </Group>
            <ErrorAlert
              error={addAction.error}
              title="Could not add the action"
              shownFields={["ownerUserId", "dueAt"]}
            />
          </form>
        ) : null}
      </Card>
    </Stack>
  );
}
