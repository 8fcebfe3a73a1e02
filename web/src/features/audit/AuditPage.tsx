import { Anchor, Badge, Button, Code, EmptyState, Group, Loader, Table, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { AuditEntry } from "../../api/types";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTimeSeconds } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { AuditEntryDrawer } from "./AuditEntryDrawer";
import { AuditFiltersForm } from "./AuditFiltersForm";
import { CheckpointButton } from "./CheckpointButton";
import { type AuditFilters, auditQuery, EMPTY_FILTERS } from "./queries";

function outcomeColor(outcome: string): string {
  if (outcome === "success") return "teal";
  if (outcome === "denied") return "orange";
  if (outcome === "failure") return "red";
  return "gray";
}

function Target({ entry }: { entry: AuditEntry }) {
  if (!entry.targetType && !entry.targetId) return <>—</>;
  return (
    <>
      {entry.targetType ? <Text size="sm">{entry.targetType}</Text> : null}
      {entry.targetId ? (
        <Text size="xs" ff="monospace" style={{ wordBreak: "break-all" }}>
          {entry.targetId}
        </Text>
      ) : null}
    </>
  );
}

function AuditRow({ entry, onOpen }: { entry: AuditEntry; onOpen: (entry: AuditEntry) => void }) {
  return (
    <Table.Tr>
      <Table.Td style={{ whiteSpace: "nowrap" }}>
        <Anchor component="button" type="button" onClick={() => onOpen(entry)} ta="left">
          {formatDateTimeSeconds(entry.at)}
        </Anchor>
      </Table.Td>
      <Table.Td>{entry.actorLabel ?? entry.actorId ?? "system"}</Table.Td>
      <Table.Td>
        <Code>{entry.action}</Code>
      </Table.Td>
      <Table.Td miw={160}>
        <Target entry={entry} />
      </Table.Td>
      <Table.Td style={{ whiteSpace: "nowrap" }}>
        <Badge variant="light" color={outcomeColor(entry.outcome)} radius="sm">
          {entry.outcome}
        </Badge>
      </Table.Td>
      <Table.Td>{entry.ip ?? "—"}</Table.Td>
      <Table.Td>
        <Text size="xs" ff="monospace">
          {entry.requestId ?? "—"}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

function isFiltered(filters: AuditFilters): boolean {
  return Object.values(filters).some((value) => value !== "");
}

export function AuditPage() {
  const [filters, setFilters] = useState<AuditFilters>(EMPTY_FILTERS);
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const canCheckpoint = useCan("audit:checkpoint");
  const log = useInfiniteQuery(auditQuery(filters));
  const entries = log.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader
        title="Audit log"
        description="An append-only, hash-chained record of every security-relevant action."
        actions={canCheckpoint ? <CheckpointButton /> : undefined}
      />
      <AuditFiltersForm value={filters} onChange={setFilters} />
      {log.isPending ? <Loader aria-label="Loading the audit log" /> : null}
      <ErrorAlert error={log.error} title="Could not load the audit log" />
      {log.isSuccess && entries.length === 0 ? (
        <EmptyState
          title={isFiltered(filters) ? "No entries match these filters" : "The audit log is empty"}
          description={
            isFiltered(filters)
              ? "Widen the date range or clear the filters."
              : "Actions will appear here as they happen."
          }
          my="xl"
        />
      ) : null}
      {entries.length > 0 ? (
        <>
          <Text size="sm" mb="xs" role="status">
            Showing {entries.length} entr{entries.length === 1 ? "y" : "ies"}
            {log.hasNextPage ? "; more are available." : "."} Select a time to see the full entry.
          </Text>
          <ScrollTable label="Audit log entries" minWidth={1150}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Time</Table.Th>
                <Table.Th scope="col">Actor</Table.Th>
                <Table.Th scope="col">Action</Table.Th>
                <Table.Th scope="col">Target</Table.Th>
                <Table.Th scope="col">Outcome</Table.Th>
                <Table.Th scope="col">IP</Table.Th>
                <Table.Th scope="col">Request ID</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((entry) => (
                <AuditRow key={entry.id} entry={entry} onOpen={setOpen} />
              ))}
            </Table.Tbody>
          </ScrollTable>
        </>
      ) : null}
      {log.hasNextPage ? (
        <Group justify="center" mt="md">
          <Button variant="default" loading={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
            Load more
          </Button>
        </Group>
      ) : null}
      <AuditEntryDrawer entry={open} onClose={() => setOpen(null)} />
    </>
  );
}
