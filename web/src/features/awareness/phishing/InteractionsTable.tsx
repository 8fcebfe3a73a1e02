import {
  Badge,
  Button,
  EmptyState,
  Group,
  List,
  Loader,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../../app/session";
import { ErrorAlert, fieldError } from "../../../components/ErrorAlert";
import { formatDateTimeSeconds } from "../../../components/format";
import { ScrollTable } from "../../../components/ScrollTable";
import { Pager } from "../Pager";
import { filterReason, INTERACTION_KINDS } from "./labels";
import { interactionsQuery, overrideInteraction, phishingKey } from "./queries";
import type { Campaign, Interaction, InteractionKind } from "./types";

/** The request's shape in words: method, browser signs, client family, seconds after delivery. */
function describeShape(shape: Record<string, unknown>): string {
  return Object.entries(shape)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(", ");
}

/** Whether it counts now (the server applies an override over the automatic decision). */
const countsNow = (i: Interaction) => i.counted;
/** The automatic decision: not counted when a filter gave a reason. */
const filteredOut = (i: Interaction) => i.filterReason !== null;

function OverrideModal({ item, onClose }: { item: Interaction; onClose: () => void }) {
  const qc = useQueryClient();
  const [counted, setCounted] = useState(!countsNow(item));
  const [reason, setReason] = useState("");
  const save = useMutation({
    mutationFn: () => overrideInteraction(item.id, { counted, reason: reason.trim() }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: phishingKey });
      onClose();
    },
  });
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Override: ${INTERACTION_KINDS[item.kind]} by ${item.personName ?? "someone"}`}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <Text size="sm">
            Recorded {formatDateTimeSeconds(item.at)};{" "}
            {filteredOut(item) ? `filtered out: ${filterReason(item.filterReason)}` : "counted when recorded"}
            {item.override ? `; overridden to ${item.override.counted ? "counted" : "not counted"}` : ""}.
          </Text>
          <Stack gap={4}>
            <Text size="sm" fw={500} id="override-counted">
              Count it as the person's own action?
            </Text>
            <SegmentedControl
              aria-labelledby="override-counted"
              value={counted ? "yes" : "no"}
              onChange={(v) => setCounted(v === "yes")}
              data={[
                { value: "yes", label: "Yes, count it" },
                { value: "no", label: "No, do not count it" },
              ]}
            />
            {fieldError(save.error, "counted") ? (
              <Text size="sm" c="red.8">
                {fieldError(save.error, "counted")}
              </Text>
            ) : null}
          </Stack>
          <Textarea
            label="Reason"
            description="At least 3 characters; kept in the audit log."
            required
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={fieldError(save.error, "reason")}
          />
          <ErrorAlert
            error={save.error}
            title="Could not save the override"
            shownFields={["counted", "reason"]}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save override
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Every tracked request, with why it was (not) counted; Security can override with a reason. */
export function InteractionsTable({ campaign }: { campaign: Campaign }) {
  const canRun = useCan("phishing:run");
  const [counted, setCounted] = useState<"false" | "true" | "all">("false");
  const [kind, setKind] = useState<InteractionKind | null>(null);
  const [page, setPage] = useState(0);
  const [editing, setEditing] = useState<Interaction | null>(null);
  const list = useQuery(
    interactionsQuery(
      campaign.id,
      { counted: counted === "all" ? undefined : counted === "true", kind: kind ?? undefined },
      page,
      campaign.status,
    ),
  );
  const filtered = Object.entries(list.data?.filtered ?? {}).filter(([, n]) => n > 0);
  return (
    <>
      <Text size="sm" mb="sm">
        Mail scanners, link checkers and prefetching open links before people do. Those requests are recorded
        but not counted; the reason is shown for each.
      </Text>
      {filtered.length ? (
        <List size="sm" mb="md" aria-label="Not counted, by reason">
          {filtered.map(([reason, n]) => (
            <List.Item key={reason}>
              {filterReason(reason)}: {n}
            </List.Item>
          ))}
        </List>
      ) : null}
      <Group mb="md" align="flex-end">
        <Select
          label="Counted"
          allowDeselect={false}
          data={[
            { value: "false", label: "Not counted" },
            { value: "true", label: "Counted" },
            { value: "all", label: "All" },
          ]}
          value={counted}
          onChange={(v) => {
            setCounted((v ?? "false") as "false" | "true" | "all");
            setPage(0);
          }}
        />
        <Select
          label="Kind"
          clearable
          placeholder="Any"
          data={Object.entries(INTERACTION_KINDS).map(([value, label]) => ({ value, label }))}
          value={kind}
          onChange={(v) => {
            setKind(v as InteractionKind | null);
            setPage(0);
          }}
        />
      </Group>
      {list.isPending ? <Loader aria-label="Loading tracked requests" /> : null}
      <ErrorAlert error={list.error} title="Could not load the tracked requests" />
      {list.data && list.data.items.length === 0 ? (
        <EmptyState
          my="lg"
          title={counted === "false" ? "Nothing was filtered out" : "No tracked requests"}
          description={
            counted === "false"
              ? "Every tracked request so far counted as a person's own action."
              : "Requests appear here once mail is opened, clicked or reported."
          }
        />
      ) : null}
      {list.data?.items.length ? (
        <>
          <ScrollTable label="Filtered requests" minWidth={1000}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Person</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>Counted</Table.Th>
                <Table.Th>Filter reason</Table.Th>
                <Table.Th>Request</Table.Th>
                <Table.Th>Override</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>{formatDateTimeSeconds(i.at)}</Table.Td>
                  <Table.Td>{i.personName ?? "—"}</Table.Td>
                  <Table.Td>{INTERACTION_KINDS[i.kind] ?? i.kind}</Table.Td>
                  <Table.Td>
                    {countsNow(i) ? (
                      <Badge color="teal" variant="light" radius="sm">
                        Counted
                      </Badge>
                    ) : (
                      <Badge color="gray" variant="light" radius="sm">
                        Not counted
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{filterReason(i.filterReason)}</Table.Td>
                  <Table.Td>
                    <Text size="xs">{describeShape(i.shape) || "—"}</Text>
                  </Table.Td>
                  <Table.Td>
                    {i.override ? (
                      <Text size="xs">
                        {i.override.counted ? "Counted" : "Not counted"} by {i.override.by ?? "someone"}:{" "}
                        {i.override.reason}
                      </Text>
                    ) : null}
                    {canRun ? (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => setEditing(i)}
                        aria-label={`Override ${INTERACTION_KINDS[i.kind] ?? i.kind} by ${i.personName ?? "someone"} at ${formatDateTimeSeconds(i.at)}`}
                      >
                        Override
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
          <Pager page={page} total={list.data.total} onChange={setPage} />
        </>
      ) : null}
      {editing ? <OverrideModal item={editing} onClose={() => setEditing(null)} /> : null}
    </>
  );
}
