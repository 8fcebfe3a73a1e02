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
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { OUTCOME_LABELS } from "./labels";
import { hrCasesKey, hrCasesQuery } from "./queries";

/** HR opens a case; anyone responding can refer one to HR (and sees only its reference). */
function NewCaseModal({ mode, onClose }: { mode: "create" | "refer"; onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState("");
  const [details, setDetails] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: async () =>
      mode === "create"
        ? expectData(await api.POST("/api/v1/hr-cases", { body: { title, details } }))
        : expectData(await api.POST("/api/v1/hr-cases/referrals", { body: { title, details } })),
    onSuccess: async (c) => {
      await queryClient.invalidateQueries({ queryKey: hrCasesKey });
      if (mode === "create") {
        onClose();
        await navigate({ to: "/hr-cases/$id", params: { id: c.id } });
      } else setDone(c.reference);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal
      opened
      onClose={onClose}
      title={mode === "create" ? "Open a confidential HR case" : "Refer a matter to HR"}
      size="lg"
    >
      {done ? (
        <Stack>
          <p>HR received case {done}. It is confidential: HR decides who else may see it.</p>
          <Group justify="flex-end">
            <Button onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <TextInput
              label="Title"
              required
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
              error={fieldError(save.error, "title")}
            />
            <Textarea
              label="Details"
              description="Stored encrypted; every read is recorded"
              autosize
              minRows={4}
              value={details}
              onChange={(e) => setDetails(e.currentTarget.value)}
            />
            <ErrorAlert error={save.error} title="Could not save" shownFields={["title"]} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                {mode === "create" ? "Open case" : "Refer to HR"}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

/** Confidential HR cases the caller may see: HR sees all, members see theirs. */
export function HrCasesPage() {
  const isHr = useCan("hr_cases:manage");
  const canRefer = useCan("hr_cases:refer");
  const [q, setQ] = useState("");
  const [debounced] = useDebouncedValue(q, 300);
  const [status, setStatus] = useState<"open" | "closed" | undefined>("open");
  const [offset, setOffset] = useState(0);
  const [modal, setModal] = useState<"create" | "refer" | null>(null);
  const list = useQuery(hrCasesQuery({ q: debounced || undefined, status, offset }));
  const items = list.data?.items ?? [];
  const total = list.data?.total ?? 0;
  return (
    <>
      <PageHeader
        title="HR cases"
        description="Confidential: visible to HR and the people HR adds to a case. Opening a case is recorded in the audit log."
        actions={
          <>
            {canRefer && !isHr ? (
              <Button variant="default" onClick={() => setModal("refer")}>
                Refer to HR
              </Button>
            ) : null}
            {isHr ? <Button onClick={() => setModal("create")}>Open case</Button> : null}
          </>
        }
      />
      <Group mb="md" align="flex-end">
        <TextInput
          label="Search"
          placeholder="Title or reference"
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
            setOffset(0);
          }}
        />
        <Select
          label="Status"
          clearable
          placeholder="Any"
          data={[
            { value: "open", label: "Open" },
            { value: "closed", label: "Closed" },
          ]}
          value={status ?? null}
          onChange={(v) => {
            setStatus((v ?? undefined) as "open" | undefined);
            setOffset(0);
          }}
        />
      </Group>
      {list.isPending ? <Loader aria-label="Loading cases" /> : null}
      <ErrorAlert error={list.error} title="Could not load the cases" />
      {list.isSuccess && !items.length ? (
        <EmptyState
          title="No cases to show"
          description={
            isHr
              ? "Open a case from a report, an incident or by hand."
              : "You see a case once HR adds you to it. To raise a matter with HR, refer it."
          }
        />
      ) : null}
      {items.length ? (
        <ScrollTable label="HR cases">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Reference</Table.Th>
              <Table.Th>Title</Table.Th>
              <Table.Th>Source</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Opened</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <AnchorLink to="/hr-cases/$id" params={{ id: c.id }}>
                    {c.reference}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>{c.title}</Table.Td>
                <Table.Td>{c.source}</Table.Td>
                <Table.Td>
                  {c.status === "open" ? (
                    <Badge color="blue">Open</Badge>
                  ) : (
                    <Badge color="gray">Closed: {c.outcome ? OUTCOME_LABELS[c.outcome] : ""}</Badge>
                  )}
                </Table.Td>
                <Table.Td>{formatDateTime(c.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      <Stack mt="md">
        <Group>
          <Button
            variant="default"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - 25))}
          >
            Previous
          </Button>
          <Button variant="default" disabled={offset + 25 >= total} onClick={() => setOffset(offset + 25)}>
            Next
          </Button>
        </Group>
      </Stack>
      {modal ? <NewCaseModal mode={modal} onClose={() => setModal(null)} /> : null}
    </>
  );
}
