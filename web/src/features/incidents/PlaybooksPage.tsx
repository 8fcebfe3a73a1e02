import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Checkbox,
  EmptyState,
  Group,
  Loader,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import type { paths } from "../../api/schema";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { DEPARTMENT_LABELS, DEPARTMENT_ROLES, type DepartmentRole } from "./labels";
import { incidentsKey, playbooksQuery } from "./queries";

type Playbook =
  paths["/api/v1/incident-playbooks"]["get"]["responses"][200]["content"]["application/json"]["items"][number];
type Task = Playbook["tasks"][number];

function PlaybookModal({ playbook, onClose }: { playbook: Playbook | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [key, setKey] = useState(playbook?.key ?? "");
  const [name, setName] = useState(playbook?.name ?? "");
  const [description, setDescription] = useState(playbook?.description ?? "");
  const [active, setActive] = useState(playbook?.active ?? true);
  const [tasks, setTasks] = useState<Task[]>(
    playbook?.tasks ?? [{ title: "", departmentRole: "security", dueHours: 4 }],
  );
  const save = useMutation({
    mutationFn: async () => {
      const body = { key, name, description, active, tasks };
      return expectData(
        playbook
          ? await api.PUT("/api/v1/incident-playbooks/{id}", { params: { path: { id: playbook.id } }, body })
          : await api.POST("/api/v1/incident-playbooks", { body }),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: [...incidentsKey, "playbooks"] });
      onClose();
    },
  });
  const setTask = (i: number, patch: Partial<Task>) =>
    setTasks(tasks.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal opened onClose={onClose} title={playbook ? `Edit ${playbook.name}` : "New playbook"} size="xl">
      <form onSubmit={submit}>
        <Stack>
          <Group grow>
            <TextInput
              label="Name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(save.error, "name")}
            />
            <TextInput
              label="Key"
              description="lowercase-with-dashes"
              required
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={fieldError(save.error, "key")}
            />
          </Group>
          <Textarea
            label="When to use it"
            autosize
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <Checkbox
            label="Active (offered when opening incidents)"
            checked={active}
            onChange={(e) => setActive(e.currentTarget.checked)}
          />
          <Title order={3} size="h5">
            Tasks
          </Title>
          {tasks.map((t, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, by position
            <Group key={i} align="flex-end" wrap="nowrap">
              <TextInput
                label={`Task ${i + 1}`}
                required
                style={{ flex: 3 }}
                value={t.title}
                onChange={(e) => setTask(i, { title: e.currentTarget.value })}
              />
              <Select
                label="Department"
                style={{ flex: 1 }}
                data={DEPARTMENT_ROLES.map((r) => ({ value: r, label: DEPARTMENT_LABELS[r] }))}
                value={t.departmentRole}
                allowDeselect={false}
                onChange={(v) => v && setTask(i, { departmentRole: v as DepartmentRole })}
              />
              <NumberInput
                label="Due after (hours)"
                min={1}
                max={2160}
                style={{ flex: 1 }}
                value={t.dueHours}
                onChange={(v) => setTask(i, { dueHours: Number(v) || 1 })}
              />
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={`Remove task ${i + 1}`}
                onClick={() => setTasks(tasks.filter((_, j) => j !== i))}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
          <Button
            variant="default"
            onClick={() => setTasks([...tasks, { title: "", departmentRole: "security", dueHours: 4 }])}
          >
            Add a task
          </Button>
          <ErrorAlert error={save.error} title="Could not save the playbook" shownFields={["name", "key"]} />
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

/** Playbooks: task templates by department role, edited here. */
export function PlaybooksPage() {
  const canConfigure = useCan("incidents:configure");
  const list = useQuery(playbooksQuery());
  const [editing, setEditing] = useState<Playbook | "new" | null>(null);
  const items = list.data ?? [];
  return (
    <>
      <PageHeader
        title="Playbooks"
        description="What each department does in a kind of incident: IT and Security contain, Legal assesses notification duties, HR communicates and handles employee matters, Finance stops payments, Communications speaks to the outside world."
        actions={canConfigure ? <Button onClick={() => setEditing("new")}>New playbook</Button> : null}
      />
      {list.isPending ? <Loader aria-label="Loading playbooks" /> : null}
      <ErrorAlert error={list.error} title="Could not load the playbooks" />
      {list.isSuccess && !items.length ? (
        <EmptyState
          title="No playbooks"
          description="Add a playbook to give every incident of its kind the same starting tasks."
        />
      ) : null}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {items.map((p) => (
          <Card key={p.id} withBorder component="article" aria-labelledby={`pb-${p.id}`}>
            <Group justify="space-between" mb="xs">
              <Title order={2} size="h4" id={`pb-${p.id}`}>
                {p.name}
              </Title>
              {p.active ? null : <Badge color="gray">Inactive</Badge>}
            </Group>
            <Text size="sm" c="dimmed" mb="xs">
              {p.description}
            </Text>
            <Stack gap={4}>
              {p.tasks.map((t, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a template's tasks have no ids
                <Text size="sm" key={i}>
                  <Badge size="xs" variant="light" mr={6}>
                    {DEPARTMENT_LABELS[t.departmentRole]}
                  </Badge>
                  {t.title}{" "}
                  <Text span c="dimmed">
                    (within {t.dueHours} h)
                  </Text>
                </Text>
              ))}
            </Stack>
            {canConfigure ? (
              <Group justify="flex-end" mt="sm">
                <Button variant="default" size="xs" onClick={() => setEditing(p)}>
                  Edit
                </Button>
              </Group>
            ) : null}
          </Card>
        ))}
      </SimpleGrid>
      {editing ? (
        <PlaybookModal playbook={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
    </>
  );
}
