import {
  Badge,
  Button,
  EmptyState,
  Group,
  Loader,
  Select,
  Table,
  Text,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import {
  CATEGORIES,
  CATEGORY_LABELS,
  CHANNEL_LABELS,
  SEVERITIES,
  SEVERITY_COLORS,
  STATUS_COLORS,
  STATUS_LABELS,
  VERDICT_LABELS,
  VERDICTS,
} from "./labels";
import { queueQuery } from "./queries";
import { STATUS_FILTERS, type TriageSearch } from "./search";
import type { QueueItem } from "./types";

const routeApi = getRouteApi("/authed/reports/triage");

/** "3 share the sender" chips that filter the queue to the group. */
function GroupChips({ item, onFilter }: { item: QueueItem; onFilter: (s: Partial<TriageSearch>) => void }) {
  const g = item.group;
  const chips = [
    g.sender && g.senderCount > 1
      ? { label: `${g.senderCount} same sender`, s: { sender: g.sender }, tip: g.sender }
      : null,
    g.urlHost && g.urlHostCount > 1
      ? { label: `${g.urlHostCount} same link host`, s: { urlHost: g.urlHost }, tip: g.urlHost }
      : null,
    g.subject && g.subjectCount > 1
      ? { label: `${g.subjectCount} same subject`, s: { subject: g.subject }, tip: g.subject }
      : null,
  ].filter((c) => c !== null);
  if (!chips.length) return null;
  return (
    <Group gap={4} mt={4}>
      {chips.map((c) => (
        <Tooltip key={c.label} label={c.tip}>
          <Button
            size="compact-xs"
            variant="light"
            color="grape"
            onClick={() => onFilter({ ...c.s, status: "all" })}
          >
            {c.label}
          </Button>
        </Tooltip>
      ))}
    </Group>
  );
}

/** /reports/triage: Security's queue, newest first, with similar reports grouped. */
export function TriagePage() {
  const search = routeApi.useSearch();
  const navigate = routeApi.useNavigate();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [q, setQ] = useState(search.q ?? "");
  const cursor = cursors[cursors.length - 1] ?? null;
  const filter = { ...search, status: search.status ?? "open" } as const;
  const queue = useQuery(queueQuery(filter, cursor));
  const items = queue.data?.items ?? [];
  const update = (s: Partial<TriageSearch>) => {
    setCursors([null]);
    void navigate({ to: "/reports/triage", search: { ...search, ...s }, replace: true });
  };
  const grouped = search.sender || search.urlHost || search.subject;

  return (
    <>
      <PageHeader
        title="Report triage"
        description="Everything people reported, newest first. Similar reports are counted together; open a report to act on it."
      />
      <Group mb="md" align="flex-end" gap="sm" wrap="wrap">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            update({ q: q.trim() || undefined });
          }}
        >
          <TextInput
            label="Search"
            placeholder="Reference, words, sender, host"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
          />
        </form>
        <Select
          label="Status"
          data={[
            { value: "open", label: "Open" },
            ...STATUS_FILTERS.map((s) => ({ value: s, label: s === "all" ? "All" : STATUS_LABELS[s] })),
          ]}
          value={search.status ?? "open"}
          onChange={(v) => update({ status: v && v !== "open" ? (v as TriageSearch["status"]) : undefined })}
          allowDeselect={false}
        />
        <Select
          label="Category"
          placeholder="Any"
          clearable
          data={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
          value={search.category ?? null}
          onChange={(v) => update({ category: (v ?? undefined) as TriageSearch["category"] })}
        />
        <Select
          label="Severity"
          placeholder="Any"
          clearable
          data={[...SEVERITIES.map((s) => ({ value: s, label: s })), { value: "none", label: "Not set" }]}
          value={search.severity ?? null}
          onChange={(v) => update({ severity: (v ?? undefined) as TriageSearch["severity"] })}
        />
        <Select
          label="Verdict"
          placeholder="Any"
          clearable
          data={[
            ...VERDICTS.map((v) => ({ value: v, label: VERDICT_LABELS[v] })),
            { value: "none", label: "None yet" },
          ]}
          value={search.verdict ?? null}
          onChange={(v) => update({ verdict: (v ?? undefined) as TriageSearch["verdict"] })}
        />
        <Select
          label="Assignee"
          placeholder="Anyone"
          clearable
          data={[
            { value: "me", label: "Me" },
            { value: "none", label: "Nobody" },
          ]}
          value={search.assignee === "me" || search.assignee === "none" ? search.assignee : null}
          onChange={(v) => update({ assignee: v ?? undefined })}
        />
      </Group>
      {grouped ? (
        <Group mb="md">
          <Text size="sm">Showing the group: {search.sender ?? search.urlHost ?? search.subject}</Text>
          <Button
            size="compact-sm"
            variant="default"
            onClick={() => update({ sender: undefined, urlHost: undefined, subject: undefined })}
          >
            Show everything
          </Button>
        </Group>
      ) : null}
      {queue.isPending ? <Loader aria-label="Loading the queue" /> : null}
      <ErrorAlert error={queue.error} title="Could not load the queue" />
      {queue.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title="Nothing here"
          description="No report matches these filters. Clear a filter, or choose All statuses to include closed and merged reports."
        />
      ) : null}
      {items.length ? (
        <ScrollTable label="Reports" minWidth={980}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Received</Table.Th>
              <Table.Th scope="col">Report</Table.Th>
              <Table.Th scope="col">Reporter</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Severity</Table.Th>
              <Table.Th scope="col">Assignee</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  {formatDateTime(r.createdAt)}
                  <Text size="xs" c="dimmed">
                    {r.reference} · {CHANNEL_LABELS[r.channel]}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <AnchorLink to="/reports/triage/$id" params={{ id: r.id }} fw={600}>
                    {r.title}
                  </AnchorLink>
                  <Text size="xs">{CATEGORY_LABELS[r.category]}</Text>
                  {r.flags.map((f) => (
                    <Badge key={f} color="orange" variant="outline" size="xs" mr={4}>
                      {f.replace(/_/g, " ")}
                    </Badge>
                  ))}
                  <GroupChips item={r} onFilter={update} />
                </Table.Td>
                <Table.Td>
                  {r.anonymous ? <Text c="dimmed">Anonymous</Text> : (r.reporterName ?? "—")}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={STATUS_COLORS[r.status]}>
                    {STATUS_LABELS[r.status]}
                  </Badge>
                  {r.verdict ? <Text size="xs">{VERDICT_LABELS[r.verdict]}</Text> : null}
                </Table.Td>
                <Table.Td>
                  {r.severity ? (
                    <Badge color={SEVERITY_COLORS[r.severity]} variant="filled">
                      {r.severity}
                    </Badge>
                  ) : (
                    "—"
                  )}
                </Table.Td>
                <Table.Td>{r.assignee?.name ?? "—"}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      <Group justify="center" mt="md">
        {cursors.length > 1 ? (
          <Button variant="default" onClick={() => setCursors([null])}>
            First page
          </Button>
        ) : null}
        {queue.data?.nextCursor ? (
          <Button variant="default" onClick={() => setCursors((c) => [...c, queue.data?.nextCursor ?? null])}>
            Next page
          </Button>
        ) : null}
      </Group>
    </>
  );
}
