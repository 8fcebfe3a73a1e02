import {
  Badge,
  Button,
  EmptyState,
  Group,
  Loader,
  Modal,
  Select,
  Stack,
  Table,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { StatusBadge } from "./badges";
import { Pager } from "./Pager";
import { awarenessKey, modulesQuery } from "./queries";

function NewModuleModal({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const create = useMutation({
    mutationFn: async () =>
      expectData(await api.POST("/api/v1/awareness/modules", { body: { title, body } })),
    onSuccess: (m) => {
      void qc.invalidateQueries({ queryKey: awarenessKey });
      onClose();
      void navigate({ to: "/awareness/admin/modules/$id", params: { id: m.id } });
    },
  });
  return (
    <Modal opened onClose={onClose} title="New training module" size="lg">
      <Stack>
        <TextInput
          label="Title"
          required
          value={title}
          onChange={(e) => setTitle(e.currentTarget.value)}
          error={fieldError(create.error, "body.title")}
        />
        <Textarea
          label="Content (Markdown)"
          autosize
          minRows={8}
          required
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
          error={fieldError(create.error, "body.body")}
        />
        <ErrorAlert
          error={create.error}
          title="Could not create the module"
          shownFields={["body.title", "body.body"]}
        />
        <Group justify="flex-end">
          <Button loading={create.isPending} onClick={() => create.mutate()}>
            Create draft, then add questions
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Training modules for HR, Security and auditors, with completion progress. */
export function ModulesPage() {
  const canWrite = useCan("awareness:author");
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<string | null>(null);
  const [page, setPage] = useState(0);
  const [creating, setCreating] = useState(false);
  const list = useQuery(
    modulesQuery(
      { q: q.trim() || undefined, status: (status as "draft" | "published" | "retired" | null) ?? undefined },
      page,
    ),
  );
  return (
    <>
      <PageHeader
        title="Training modules"
        description="Content and quizzes; who completed them and who is overdue."
        actions={canWrite ? <Button onClick={() => setCreating(true)}>New module</Button> : null}
      />
      <Group mb="md" align="flex-end">
        <TextInput
          label="Search"
          placeholder="Title or summary"
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
            setPage(0);
          }}
        />
        <Select
          label="Status"
          clearable
          data={["draft", "published", "retired"]}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(0);
          }}
        />
      </Group>
      {list.isPending ? <Loader aria-label="Loading modules" /> : null}
      <ErrorAlert error={list.error} title="Could not load modules" />
      {list.data && list.data.items.length === 0 ? (
        <EmptyState
          my="xl"
          title="No training modules match"
          description={
            canWrite
              ? "Create a module, or run `tandem awareness seed` for the starter training."
              : "Nothing matches these filters."
          }
        />
      ) : null}
      {list.data?.items.length ? (
        <>
          <ScrollTable label="Training modules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Module</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Questions</Table.Th>
                <Table.Th>Pass mark</Table.Th>
                <Table.Th>Completed</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>
                    <AnchorLink to="/awareness/admin/modules/$id" params={{ id: m.id }}>
                      {m.title}
                    </AnchorLink>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={m.status} />
                  </Table.Td>
                  <Table.Td>
                    {m.questionsPerAttempt
                      ? `${m.questionsPerAttempt} of ${m.questionCount}`
                      : m.questionCount}
                  </Table.Td>
                  <Table.Td>
                    {m.passMark} %, {m.maxAttempts} attempt(s)
                  </Table.Td>
                  <Table.Td>
                    {m.completed}/{m.assigned}
                    {m.overdue ? (
                      <Badge ml="xs" color="red" variant="light" radius="sm">
                        {m.overdue} overdue
                      </Badge>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
          <Pager page={page} total={list.data.total} onChange={setPage} />
        </>
      ) : null}
      {creating ? <NewModuleModal onClose={() => setCreating(false)} /> : null}
    </>
  );
}
