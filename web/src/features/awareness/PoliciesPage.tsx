import {
  Badge,
  Button,
  EmptyState,
  Group,
  Loader,
  Modal,
  NumberInput,
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
import { formatDate } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { AudienceFields, describeAudience, EVERYONE } from "./AudienceFields";
import { StatusBadge } from "./badges";
import { Pager } from "./Pager";
import { awarenessKey, policiesQuery } from "./queries";
import type { PolicyBody } from "./types";

function NewPolicyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<PolicyBody>({
    title: "",
    owner: "",
    reviewDue: new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10),
    audience: EVERYONE,
    ackDueDays: 14,
    body: "",
  });
  const create = useMutation({
    mutationFn: async () => expectData(await api.POST("/api/v1/awareness/policies", { body: draft })),
    onSuccess: (p) => {
      void qc.invalidateQueries({ queryKey: awarenessKey });
      onClose();
      void navigate({ to: "/awareness/admin/policies/$id", params: { id: p.id } });
    },
  });
  const set = (patch: Partial<PolicyBody>) => setDraft((d) => ({ ...d, ...patch }));
  return (
    <Modal opened={opened} onClose={onClose} title="New policy" size="xl">
      <Stack>
        <TextInput
          label="Title"
          required
          value={draft.title}
          onChange={(e) => set({ title: e.currentTarget.value })}
          error={fieldError(create.error, "body.title")}
        />
        <Group grow>
          <TextInput
            label="Owner"
            required
            value={draft.owner}
            onChange={(e) => set({ owner: e.currentTarget.value })}
            error={fieldError(create.error, "body.owner")}
          />
          <TextInput
            label="Review due"
            type="date"
            required
            value={draft.reviewDue}
            onChange={(e) => set({ reviewDue: e.currentTarget.value })}
            error={fieldError(create.error, "body.reviewDue")}
          />
          <NumberInput
            label="Days to acknowledge"
            min={1}
            max={365}
            value={draft.ackDueDays}
            onChange={(v) => set({ ackDueDays: Number(v) || 14 })}
          />
        </Group>
        <AudienceFields
          value={draft.audience}
          onChange={(audience) => set({ audience })}
          error={create.error}
        />
        <Textarea
          label="Text (Markdown)"
          description="Headings (#), lists (- or 1.), **bold**, *italic*, [links](https://…) and | tables |."
          autosize
          minRows={10}
          required
          value={draft.body}
          onChange={(e) => set({ body: e.currentTarget.value })}
          error={fieldError(create.error, "body.body")}
        />
        <ErrorAlert
          error={create.error}
          title="Could not create the policy"
          shownFields={["body.title", "body.owner", "body.reviewDue", "body.body"]}
        />
        <Group justify="flex-end">
          <Button loading={create.isPending} onClick={() => create.mutate()}>
            Save as draft
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Policies for HR, Security and auditors: status, review dates (overdue visible), acknowledgement. */
export function PoliciesPage() {
  const canWrite = useCan("awareness:author");
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<string | null>(null);
  const [review, setReview] = useState<string | null>(null);
  const [page, setPage] = useState(0);
  const [creating, setCreating] = useState(false);
  const list = useQuery(
    policiesQuery(
      {
        q: q.trim() || undefined,
        status: (status as "draft" | "published" | "retired" | null) ?? undefined,
        reviewOverdue: review === "overdue" ? "true" : undefined,
      },
      page,
    ),
  );
  return (
    <>
      <PageHeader
        title="Policies"
        description="Versioned policies, who they are for, and how many have accepted the current version."
        actions={canWrite ? <Button onClick={() => setCreating(true)}>New policy</Button> : null}
      />
      <Group mb="md" align="flex-end">
        <TextInput
          label="Search"
          placeholder="Title or owner"
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
        <Select
          label="Review"
          clearable
          data={[{ value: "overdue", label: "Review overdue" }]}
          value={review}
          onChange={(v) => {
            setReview(v);
            setPage(0);
          }}
        />
      </Group>
      {list.isPending ? <Loader aria-label="Loading policies" /> : null}
      <ErrorAlert error={list.error} title="Could not load policies" />
      {list.data && list.data.items.length === 0 ? (
        <EmptyState
          my="xl"
          title="No policies match"
          description={
            canWrite
              ? "Create a policy, or run `tandem awareness seed` for the starter policies."
              : "Nothing matches these filters."
          }
        />
      ) : null}
      {list.data?.items.length ? (
        <>
          <ScrollTable label="Policies">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Policy</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Audience</Table.Th>
                <Table.Th>Accepted</Table.Th>
                <Table.Th>Review due</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    <AnchorLink to="/awareness/admin/policies/$id" params={{ id: p.id }}>
                      {p.title}
                    </AnchorLink>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={p.status} />
                  </Table.Td>
                  <Table.Td>
                    {p.currentVersion ?? "—"}
                    {p.draftVersion ? ` (draft v${p.draftVersion})` : ""}
                  </Table.Td>
                  <Table.Td>{describeAudience(p.audience)}</Table.Td>
                  <Table.Td>
                    {p.acknowledged}/{p.asked}
                    {p.overdue ? (
                      <Badge ml="xs" color="red" variant="light" radius="sm">
                        {p.overdue} overdue
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    {formatDate(p.reviewDue)}
                    {p.reviewOverdue ? (
                      <Badge ml="xs" color="orange" variant="light" radius="sm">
                        review overdue
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
      {creating ? <NewPolicyModal opened onClose={() => setCreating(false)} /> : null}
    </>
  );
}
