import { Button, EmptyState, Group, Loader, Select, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../../app/session";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { formatDateTime } from "../../../components/format";
import { ScrollTable } from "../../../components/ScrollTable";
import { departmentsQuery } from "../../org/queries";
import { Pager } from "../Pager";
import { RECIPIENT_STATUS, RecipientStatusBadge } from "./labels";
import { phishingKey, recipientsQuery, resendRecipient } from "./queries";
import type { Campaign, Recipient, RecipientStatus, Stage } from "./types";

const STAGES: { value: Stage; label: string }[] = [
  { value: "opened", label: "Opened" },
  { value: "clicked", label: "Clicked" },
  { value: "submitted", label: "Submitted" },
  { value: "reported", label: "Reported" },
];

function ResendButton({ campaignId, r }: { campaignId: string; r: Recipient }) {
  const qc = useQueryClient();
  const resend = useMutation({
    mutationFn: () => resendRecipient(campaignId, r.id),
    onSuccess: () => qc.invalidateQueries({ queryKey: phishingKey }),
  });
  return (
    <>
      <Button
        size="xs"
        variant="light"
        loading={resend.isPending}
        onClick={() => resend.mutate()}
        aria-label={`Send again to ${r.name}`}
      >
        Send again
      </Button>
      <ErrorAlert error={resend.error} title={`Could not send again to ${r.name}`} />
    </>
  );
}

/** Everyone the campaign was planned for, with how far each got; failed or uncertain mail can be resent. */
export function RecipientsTable({ campaign }: { campaign: Campaign }) {
  const canRun = useCan("phishing:run");
  const departments = useQuery(departmentsQuery);
  const [q, setQ] = useState("");
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const [status, setStatus] = useState<RecipientStatus | null>(null);
  const [stage, setStage] = useState<Stage | null>(null);
  const [departmentId, setDepartmentId] = useState<string | null>(null);
  const [page, setPage] = useState(0);
  const filter = {
    q: debounced || undefined,
    status: status ?? undefined,
    stage: stage ?? undefined,
    departmentId: departmentId ?? undefined,
  };
  const list = useQuery(recipientsQuery(campaign.id, filter, page, campaign.status));
  const reset =
    <T,>(setter: (v: T) => void) =>
    (v: T) => {
      setter(v);
      setPage(0);
    };
  const filtered = Boolean(filter.q || status || stage || departmentId);
  return (
    <>
      <Group mb="md" align="flex-end">
        <TextInput
          label="Person"
          placeholder="Name or e-mail"
          value={q}
          onChange={(e) => reset(setQ)(e.currentTarget.value)}
        />
        <Select
          label="Sending status"
          clearable
          placeholder="Any"
          data={Object.entries(RECIPIENT_STATUS).map(([value, s]) => ({ value, label: s.label }))}
          value={status}
          onChange={(v) => reset(setStatus)(v as RecipientStatus | null)}
        />
        <Select
          label="Reached stage"
          clearable
          placeholder="Any"
          data={STAGES}
          value={stage}
          onChange={(v) => reset(setStage)(v as Stage | null)}
        />
        <Select
          label="Department"
          clearable
          searchable
          placeholder="Any"
          data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
          value={departmentId}
          onChange={(v) => reset(setDepartmentId)(v)}
        />
      </Group>
      {list.isPending ? <Loader aria-label="Loading recipients" /> : null}
      <ErrorAlert error={list.error} title="Could not load the recipients" />
      {list.data && list.data.items.length === 0 ? (
        <EmptyState
          my="lg"
          title={filtered ? "Nobody matches these filters" : "No recipients yet"}
          description={
            filtered
              ? "Clear a filter to see more people."
              : campaign.status === "draft"
                ? "Recipients are chosen from the audience when the campaign is scheduled."
                : "Nobody in the audience could receive this campaign."
          }
        />
      ) : null}
      {list.data?.items.length ? (
        <>
          <ScrollTable label="Recipients" minWidth={1100}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Person</Table.Th>
                <Table.Th>Department</Table.Th>
                <Table.Th>Sending</Table.Th>
                <Table.Th>Sent</Table.Th>
                <Table.Th>Opened</Table.Th>
                <Table.Th>Clicked</Table.Th>
                <Table.Th>Submitted</Table.Th>
                <Table.Th>Reported</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <Text size="sm">{r.name}</Text>
                    <Text size="xs" c="dimmed">
                      {r.email}
                    </Text>
                  </Table.Td>
                  <Table.Td>{r.departmentName ?? "—"}</Table.Td>
                  <Table.Td>
                    <RecipientStatusBadge status={r.status} />
                    {r.lastError ? (
                      <Text size="xs" c="red.8">
                        {r.lastError} ({r.attempts} attempt(s))
                      </Text>
                    ) : null}
                    {canRun && (r.status === "failed" || r.status === "uncertain") ? (
                      <ResendButton campaignId={campaign.id} r={r} />
                    ) : null}
                  </Table.Td>
                  <Table.Td>{formatDateTime(r.sentAt)}</Table.Td>
                  <Table.Td>{formatDateTime(r.openedAt)}</Table.Td>
                  <Table.Td>{formatDateTime(r.clickedAt)}</Table.Td>
                  <Table.Td>{formatDateTime(r.submittedAt)}</Table.Td>
                  <Table.Td>{formatDateTime(r.reportedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
          <Pager page={page} total={list.data.total} onChange={setPage} />
        </>
      ) : null}
    </>
  );
}
