import {
  Badge,
  Button,
  EmptyState,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ROLE_LABELS } from "../../components/RoleBadges";
import { ScrollTable } from "../../components/ScrollTable";
import { TaskStateBadge } from "./badges";
import { formatDuration, isOneOf } from "./labels";
import { PersonName } from "./PersonName";
import { accessKey, systemsQuery, tasksQuery } from "./queries";
import { TASK_FILTERS as FILTERS, type TaskFilter, type TasksSearch } from "./search";
import type { Task } from "./types";

const FILTER_LABELS: Record<TaskFilter, string> = {
  open: "Open",
  done: "Done",
  cancelled: "Cancelled",
  all: "All",
};

const routeApi = getRouteApi("/authed/access/tasks");

function Due({ task, now }: { task: Task; now: number }) {
  if (!task.dueAt) return <>—</>;
  const late = task.state === "open" && Date.parse(task.dueAt) < now;
  return (
    <Stack gap={2}>
      <Text size="sm" c={late ? "red.9" : undefined} fw={late ? 600 : undefined}>
        {formatDateTime(task.dueAt)}
      </Text>
      {late ? (
        <Text size="xs" c="red.9" fw={700}>
          Overdue by {formatDuration((now - Date.parse(task.dueAt)) / 1000)}
        </Text>
      ) : null}
    </Stack>
  );
}

function CloseTaskModal({
  task,
  outcome,
  onClose,
}: {
  task: Task;
  outcome: "attest" | "reject";
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [note, setNote] = useState("");
  const [missing, setMissing] = useState(false);
  const close = useMutation({
    mutationFn: async () => {
      const options = { params: { path: { id: task.id } }, body: { note: note.trim() || undefined } };
      return expectData(
        outcome === "attest"
          ? await api.POST("/api/v1/access/tasks/{id}/attest", options)
          : await api.POST("/api/v1/access/tasks/{id}/reject", options),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      onClose();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (outcome === "reject" && !note.trim()) {
      setMissing(true);
      return;
    }
    close.mutate();
  }

  return (
    <Modal
      opened
      onClose={onClose}
      title={outcome === "attest" ? "Attest the task is done" : "Reject the task"}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm" fw={600}>
            {task.title}
          </Text>
          <Text size="sm">
            {outcome === "attest"
              ? "You confirm, under your name in the audit log, that this was done. The steps it stands for count as verified."
              : "The steps this task stands for fail with your note as the reason; someone can retry them or hand them to another person."}
          </Text>
          <ErrorAlert error={close.error} title="Could not close the task" shownFields={["note"]} />
          <Textarea
            label="Note"
            description={
              outcome === "attest"
                ? "Optional: e.g. the laptop's serial number"
                : "Required: say why it cannot be done"
            }
            required={outcome === "reject"}
            autosize
            minRows={2}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            error={
              (missing && !note.trim() ? "Say why the task is rejected" : undefined) ??
              fieldError(close.error, "note")
            }
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color={outcome === "attest" ? undefined : "red"} loading={close.isPending}>
              {outcome === "attest" ? "Attest done" : "Reject"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Tasks for people: what must be done by hand (laptop, wipe, badge, systems Tandem cannot reach). */
export function TasksPage() {
  const { state, personId }: TasksSearch = routeApi.useSearch();
  const navigate = routeApi.useNavigate();
  const canAdmin = useCan("access:admin");
  const filter: TaskFilter = state ?? "open";
  const tasks = useQuery(tasksQuery({ ...(filter === "all" ? {} : { state: filter }), personId }));
  const systems = useQuery(systemsQuery);
  const [closing, setClosing] = useState<{ task: Task; outcome: "attest" | "reject" } | null>(null);
  const [now] = useState(() => Date.now());
  const items = tasks.data ?? [];
  const systemName = (task: Task) =>
    task.systemId
      ? (task.systemName ?? systems.data?.find((s) => s.id === task.systemId)?.name ?? "A system")
      : "Devices and premises";
  const overdue = items.filter((t) => t.state === "open" && t.dueAt && Date.parse(t.dueAt) < now).length;

  return (
    <>
      <PageHeader
        title="Access tasks"
        description="What people do by hand and attest here: collect the laptop and phone, wipe devices, take back badges, change what Tandem cannot reach."
      />
      <Group mb="md" justify="space-between">
        <SegmentedControl
          aria-label="Show tasks"
          value={filter}
          onChange={(next) =>
            void navigate({
              to: "/access/tasks",
              search: { state: isOneOf(FILTERS, next) && next !== "open" ? next : undefined, personId },
              replace: true,
            })
          }
          data={FILTERS.map((f) => ({ value: f, label: FILTER_LABELS[f] }))}
        />
        {personId ? (
          <Group gap="xs">
            <Text size="sm">
              Tasks of <PersonName personId={personId} size="sm" />
            </Text>
            <AnchorLink to="/access/tasks" search={{ state }} size="sm">
              Show everyone's
            </AnchorLink>
          </Group>
        ) : null}
        {overdue > 0 ? (
          <Badge variant="light" color="red" size="lg" radius="sm">
            {overdue} overdue
          </Badge>
        ) : null}
      </Group>
      {tasks.isPending ? <Loader aria-label="Loading the tasks" /> : null}
      <ErrorAlert error={tasks.error} title="Could not load the tasks" />
      {tasks.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title={filter === "open" ? "No open tasks" : "No tasks here"}
          description={
            filter === "open"
              ? "Nothing waits for a person. Tasks open when someone leaves (devices, badge, shared credentials), when a manual system needs a change, or when a step is handed over."
              : "No task is in this state. Choose All to see every task."
          }
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Access tasks" minWidth={1000}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Task</Table.Th>
              <Table.Th scope="col">Person</Table.Th>
              <Table.Th scope="col">System</Table.Th>
              <Table.Th scope="col">Who does it</Table.Th>
              <Table.Th scope="col">Due</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              {canAdmin && filter !== "done" && filter !== "cancelled" ? (
                <Table.Th scope="col">Actions</Table.Th>
              ) : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((task) => (
              <Table.Tr key={task.id}>
                <Table.Td maw={380}>
                  <Text size="sm" fw={600}>
                    {task.title}
                  </Text>
                  <Text size="xs" c="dimmed" style={{ whiteSpace: "pre-line" }}>
                    {task.instructions}
                  </Text>
                  {task.note ? (
                    <Text size="xs" mt={2}>
                      Note: {task.note}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <PersonName personId={task.personId} name={task.personName} />
                </Table.Td>
                <Table.Td>
                  {task.systemId ? (
                    <AnchorLink to="/access/systems/$id" params={{ id: task.systemId }}>
                      {systemName(task)}
                    </AnchorLink>
                  ) : (
                    systemName(task)
                  )}
                </Table.Td>
                <Table.Td>
                  {task.assignee ??
                    (task.assigneeRole ? (ROLE_LABELS[task.assigneeRole] ?? task.assigneeRole) : "—")}
                </Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  <Due task={task} now={now} />
                </Table.Td>
                <Table.Td>
                  <TaskStateBadge state={task.state} />
                  {task.attestedBy ? (
                    <Text size="xs" c="dimmed">
                      by {task.attestedBy}, {formatDateTime(task.attestedAt)}
                    </Text>
                  ) : null}
                </Table.Td>
                {canAdmin && filter !== "done" && filter !== "cancelled" ? (
                  <Table.Td>
                    {task.state === "open" ? (
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          onClick={() => setClosing({ task, outcome: "attest" })}
                          aria-label={`Attest done: ${task.title}`}
                        >
                          Attest done
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => setClosing({ task, outcome: "reject" })}
                          aria-label={`Reject: ${task.title}`}
                        >
                          Reject
                        </Button>
                      </Group>
                    ) : null}
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {closing ? (
        <CloseTaskModal task={closing.task} outcome={closing.outcome} onClose={() => setClosing(null)} />
      ) : null}
    </>
  );
}
