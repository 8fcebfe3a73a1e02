import {
  Button,
  Checkbox,
  EmptyState,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { ScrollTable } from "../../components/ScrollTable";
import { LabelBadge } from "./badges";
import { FLAG_LABELS, ITEM_STATE_COLORS, ITEM_STATE_LABELS } from "./governanceLabels";
import { accessKey } from "./queries";
import type { ReviewItem, ReviewItemState } from "./types";

type Decision = "keep" | "revoke";

/** Decides items: one per call, or many of one campaign per call (all or nothing). */
async function decide(items: ReviewItem[], decision: Decision, reason: string | undefined) {
  const byCampaign = new Map<string, ReviewItem[]>();
  for (const item of items)
    byCampaign.set(item.campaignId, [...(byCampaign.get(item.campaignId) ?? []), item]);
  for (const [campaignId, group] of byCampaign) {
    const change = group.some((i) => i.state !== "open");
    if (group.length === 1) {
      expectData(
        await api.POST("/api/v1/access/reviews/items/{itemId}/decision", {
          params: { path: { itemId: (group[0] as ReviewItem).id } },
          body: { decision, reason, change },
        }),
      );
    } else {
      expectData(
        await api.POST("/api/v1/access/reviews/{id}/decisions", {
          params: { path: { id: campaignId } },
          body: { decision, reason, change, itemIds: group.map((i) => i.id) },
        }),
      );
    }
  }
}

function RevokeModal({
  items,
  onClose,
  onDone,
}: {
  items: ReviewItem[];
  onClose: () => void;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const revoke = useMutation({
    mutationFn: () => decide(items, "revoke", reason.trim()),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      onDone();
      onClose();
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (reason.trim().length < 3) return setMissing(true);
    revoke.mutate();
  }
  const one = items.length === 1 ? items[0] : undefined;
  return (
    <Modal opened onClose={onClose} title={one ? "Revoke this access" : `Revoke ${items.length} grants`}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm">
            {one
              ? `${one.personName}: ${one.entitlementName ?? one.entitlementRef ?? `account ${one.username}`} on ${one.systemName}.`
              : `${items.length} grants.`}{" "}
            Tandem removes it at once and verifies the removal by reading the system back.
          </Text>
          <Textarea
            label="Reason"
            description="Required: why the access should go"
            required
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={
              (missing && reason.trim().length < 3 ? "Give a short reason" : undefined) ??
              fieldError(revoke.error, "reason")
            }
            data-autofocus
          />
          <ErrorAlert error={revoke.error} title="Nothing was revoked" shownFields={["reason"]} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={revoke.isPending}>
              Revoke
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Removal({ item }: { item: ReviewItem }) {
  if (item.state !== "revoked" || !item.removal) return null;
  const verified = item.removal.state === "verified";
  return (
    <Text size="xs" c={verified ? "teal.9" : item.removal.error ? "red.9" : "dimmed"}>
      {verified
        ? `Removed, verified ${formatDateTime(item.removal.verifiedAt)}`
        : (item.removal.error ?? "Being removed")}
    </Text>
  );
}

interface ReviewItemsTableProps {
  items: ReviewItem[];
  /** The viewer may decide (their own items, or as a delegate). */
  canDecide: (item: ReviewItem) => boolean;
  /** Campaign closed: no decisions. */
  closed?: boolean;
  showCampaign?: boolean;
}

/** Review items with filters, keep in one click, revoke with a reason, and bulk decisions on the selection. */
export function ReviewItemsTable({ items, canDecide, closed, showCampaign }: ReviewItemsTableProps) {
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [state, setState] = useState<string | null>("open");
  const [system, setSystem] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [revoking, setRevoking] = useState<ReviewItem[] | null>(null);
  const keep = useMutation({
    mutationFn: (list: ReviewItem[]) => decide(list, "keep", undefined),
    onSuccess: async () => {
      setSelected(new Set());
      await queryClient.invalidateQueries({ queryKey: accessKey });
    },
  });
  const systems = useMemo(() => [...new Set(items.map((i) => i.systemName))].sort(), [items]);
  const needle = text.trim().toLowerCase();
  const shown = items.filter(
    (i) =>
      (!state || i.state === state) &&
      (!system || i.systemName === system) &&
      (!needle ||
        [i.personName, i.employeeNumber, i.username, i.entitlementName ?? "", i.reviewerName]
          .join(" ")
          .toLowerCase()
          .includes(needle)),
  );
  const decidable = shown.filter((i) => !closed && canDecide(i));
  const chosen = decidable.filter((i) => selected.has(i.id));
  const allChosen = decidable.length > 0 && chosen.length === decidable.length;
  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Stack gap="sm">
      <Group align="flex-end" wrap="wrap">
        <TextInput
          label="Search"
          placeholder="Person, account, entitlement, reviewer"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          miw={260}
        />
        <Select
          label="Decision"
          placeholder="Any"
          clearable
          data={(Object.keys(ITEM_STATE_LABELS) as ReviewItemState[]).map((s) => ({
            value: s,
            label: ITEM_STATE_LABELS[s],
          }))}
          value={state}
          onChange={setState}
        />
        <Select
          label="System"
          placeholder="Any system"
          clearable
          data={systems}
          value={system}
          onChange={setSystem}
        />
      </Group>
      {decidable.length > 0 ? (
        <Group gap="sm" role="group" aria-label="Decide the selected items">
          <Text size="sm">{chosen.length} selected</Text>
          <Button
            size="xs"
            color="teal.9"
            disabled={!chosen.length}
            loading={keep.isPending && keep.variables !== undefined && keep.variables.length > 1}
            onClick={() => keep.mutate(chosen)}
          >
            Keep selected
          </Button>
          <Button
            size="xs"
            color="red"
            variant="light"
            disabled={!chosen.length}
            onClick={() => setRevoking(chosen)}
          >
            Revoke selected
          </Button>
        </Group>
      ) : null}
      <ErrorAlert error={keep.error} title="The decision was not recorded" />
      {shown.length === 0 ? (
        <EmptyState
          my="md"
          title={items.length ? "Nothing matches" : "No items"}
          description={
            items.length
              ? "Clear the search or a filter; decided items are under “Any” decision."
              : "There is nothing to review here."
          }
        />
      ) : (
        <ScrollTable label="Review items" minWidth={1000}>
          <Table.Thead>
            <Table.Tr>
              {decidable.length > 0 ? (
                <Table.Th scope="col" w={40}>
                  <Checkbox
                    aria-label="Select every item shown that you can decide"
                    checked={allChosen}
                    indeterminate={chosen.length > 0 && !allChosen}
                    onChange={() => setSelected(allChosen ? new Set() : new Set(decidable.map((i) => i.id)))}
                  />
                </Table.Th>
              ) : null}
              <Table.Th scope="col">Person</Table.Th>
              <Table.Th scope="col">Access</Table.Th>
              {showCampaign ? <Table.Th scope="col">Campaign</Table.Th> : null}
              <Table.Th scope="col">Reviewer</Table.Th>
              <Table.Th scope="col">Decision</Table.Th>
              <Table.Th scope="col">Keep or revoke</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((i) => {
              const mine = !closed && canDecide(i);
              const what = i.entitlementName ?? i.entitlementRef ?? `Account ${i.username}`;
              return (
                <Table.Tr key={i.id}>
                  {decidable.length > 0 ? (
                    <Table.Td>
                      {mine ? (
                        <Checkbox
                          aria-label={`Select ${i.personName}: ${what}`}
                          checked={selected.has(i.id)}
                          onChange={() => toggle(i.id)}
                        />
                      ) : null}
                    </Table.Td>
                  ) : null}
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {i.personName}
                    </Text>
                    <Text size="xs">{i.employeeNumber}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{what}</Text>
                    <Text size="xs">
                      {i.systemName} · {i.username}
                      {i.accountEnabled ? "" : " (disabled)"}
                    </Text>
                  </Table.Td>
                  {showCampaign ? (
                    <Table.Td>
                      <Text size="sm">{i.campaignName}</Text>
                      <Text size="xs" c={i.overdue ? "red.9" : undefined}>
                        due {formatDateTime(i.dueAt)}
                        {i.overdue ? " (overdue)" : ""}
                      </Text>
                    </Table.Td>
                  ) : null}
                  <Table.Td>
                    <Text size="sm">{i.reviewerName}</Text>
                    {i.flag ? (
                      <Text size="xs" c="orange.9">
                        {FLAG_LABELS[i.flag] ?? i.flag}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <LabelBadge label={ITEM_STATE_LABELS[i.state]} color={ITEM_STATE_COLORS[i.state]} />
                    {i.decidedBy ? (
                      <Text size="xs" c="dimmed">
                        {i.decidedBy}
                        {i.delegate ? " (delegate)" : ""}, {formatDateTime(i.decidedAt)}
                      </Text>
                    ) : null}
                    {i.comment ? <Text size="xs">“{i.comment}”</Text> : null}
                    <Removal item={i} />
                  </Table.Td>
                  <Table.Td>
                    {mine ? (
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          color={i.state === "kept" ? "teal.9" : "teal"}
                          variant={i.state === "kept" ? "filled" : "light"}
                          disabled={i.state === "kept"}
                          loading={
                            keep.isPending && keep.variables?.length === 1 && keep.variables[0]?.id === i.id
                          }
                          onClick={() => keep.mutate([i])}
                          aria-label={`Keep ${i.personName}: ${what}`}
                        >
                          Keep
                        </Button>
                        <Button
                          size="xs"
                          color="red"
                          variant={i.state === "revoked" ? "filled" : "light"}
                          disabled={i.state === "revoked"}
                          onClick={() => setRevoking([i])}
                          aria-label={`Revoke ${i.personName}: ${what}`}
                        >
                          Revoke
                        </Button>
                      </Group>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </ScrollTable>
      )}
      {revoking ? (
        <RevokeModal
          items={revoking}
          onClose={() => setRevoking(null)}
          onDone={() => setSelected(new Set())}
        />
      ) : null}
    </Stack>
  );
}
