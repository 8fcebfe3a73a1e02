import {
  Badge,
  Button,
  EmptyState,
  Group,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { ScrollTable } from "../../components/ScrollTable";
import { DEPARTMENT_LABELS, DEPARTMENT_ROLES, type DepartmentRole, localToIso } from "./labels";
import { incidentsKey, playbooksQuery, tasksQuery } from "./queries";
import { UserPicker } from "./UserPicker";

/** Tasks by department role with due dates; add one, apply a playbook, mark done. */
export function TasksTab({
  incidentId,
  closed,
  canWrite,
}: {
  incidentId: string;
  closed: boolean;
  canWrite: boolean;
}) {
  const queryClient = useQueryClient();
  const tasks = useQuery(tasksQuery(incidentId));
  const playbooks = useQuery({ ...playbooksQuery(true), enabled: canWrite && !closed });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: [...incidentsKey, incidentId] });
  const [title, setTitle] = useState("");
  const [role, setRole] = useState<DepartmentRole>("security");
  const [assignee, setAssignee] = useState<string | null>(null);
  const [due, setDue] = useState("");
  const [playbook, setPlaybook] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/incidents/{id}/tasks", {
          params: { path: { id: incidentId } },
          body: { title, departmentRole: role, assigneeUserId: assignee, dueAt: localToIso(due) ?? null },
        }),
      ),
    onSuccess: async () => {
      setTitle("");
      setDue("");
      await invalidate();
    },
  });
  const apply = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/incidents/{id}/playbook", {
          params: { path: { id: incidentId } },
          body: { playbookId: playbook ?? "" },
        }),
      ),
    onSuccess: invalidate,
  });
  const update = useMutation({
    mutationFn: async (v: { taskId: string; status: "done" | "open" | "cancelled" }) =>
      expectData(
        await api.PATCH("/api/v1/incidents/{id}/tasks/{taskId}", {
          params: { path: { id: incidentId, taskId: v.taskId } },
          body: { status: v.status },
        }),
      ),
    onSuccess: invalidate,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const items = tasks.data ?? [];
  const editable = canWrite && !closed;

  return (
    <Stack>
      {tasks.isPending ? <Loader aria-label="Loading tasks" /> : null}
      <ErrorAlert error={tasks.error ?? update.error} title="Could not load or change the tasks" />
      {tasks.isSuccess && !items.length ? (
        <EmptyState
          title="No tasks yet"
          description="Apply a playbook to add its tasks by department, or add a task below."
        />
      ) : null}
      {items.length ? (
        <ScrollTable label="Tasks">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Task</Table.Th>
              <Table.Th>Department</Table.Th>
              <Table.Th>Due</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{t.title}</Table.Td>
                <Table.Td>{DEPARTMENT_LABELS[t.departmentRole]}</Table.Td>
                <Table.Td>
                  <Text size="sm" c={t.overdue ? "red.9" : undefined} fw={t.overdue ? 700 : undefined}>
                    {formatDateTime(t.dueAt)}
                    {t.overdue ? " (overdue)" : ""}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge
                    variant="light"
                    color={t.status === "done" ? "teal" : t.status === "open" ? "blue" : "gray"}
                    radius="sm"
                  >
                    {t.status}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {editable && t.status === "open" ? (
                    <Group gap="xs" wrap="nowrap">
                      <Button
                        size="xs"
                        onClick={() => update.mutate({ taskId: t.id, status: "done" })}
                        aria-label={`Mark done: ${t.title}`}
                      >
                        Done
                      </Button>
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => update.mutate({ taskId: t.id, status: "cancelled" })}
                        aria-label={`Cancel: ${t.title}`}
                      >
                        Cancel
                      </Button>
                    </Group>
                  ) : null}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {editable ? (
        <>
          <Group align="flex-end">
            <Select
              label="Playbook"
              data={(playbooks.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
              value={playbook}
              onChange={setPlaybook}
              clearable
            />
            <Button
              variant="default"
              disabled={!playbook}
              loading={apply.isPending}
              onClick={() => apply.mutate()}
            >
              Apply playbook
            </Button>
          </Group>
          <ErrorAlert error={apply.error} title="Could not apply the playbook" />
          <form onSubmit={submit}>
            <Stack gap="xs">
              <ErrorAlert
                error={add.error}
                title="Could not add the task"
                shownFields={["title", "assigneeUserId", "dueAt"]}
              />
              <Group align="flex-end" grow>
                <TextInput
                  label="New task"
                  required
                  value={title}
                  onChange={(e) => setTitle(e.currentTarget.value)}
                  error={fieldError(add.error, "title")}
                />
                <Select
                  label="Department"
                  data={DEPARTMENT_ROLES.map((r) => ({ value: r, label: DEPARTMENT_LABELS[r] }))}
                  value={role}
                  allowDeselect={false}
                  onChange={(v) => v && setRole(v as DepartmentRole)}
                />
                <UserPicker
                  label="Assignee"
                  value={assignee}
                  onChange={setAssignee}
                  error={fieldError(add.error, "assigneeUserId")}
                />
                <TextInput
                  label="Due"
                  type="datetime-local"
                  value={due}
                  onChange={(e) => setDue(e.currentTarget.value)}
                  error={fieldError(add.error, "dueAt")}
                />
              </Group>
              <Group justify="flex-end">
                <Button type="submit" loading={add.isPending}>
                  Add task
                </Button>
              </Group>
            </Stack>
          </form>
        </>
      ) : null}
    </Stack>
  );
}
