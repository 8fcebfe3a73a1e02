import { Badge, Button, EmptyState, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { api, expectData } from "../../../api/client";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { formatDateTime } from "../../../components/format";
import { ScrollTable } from "../../../components/ScrollTable";
import { peopleKey } from "../queries";
import type { ImportRun } from "../types";

export const importRunsKey = [...peopleKey, "import-runs"] as const;

const runsQuery = infiniteQueryOptions({
  queryKey: importRunsKey,
  queryFn: async ({ pageParam }) =>
    expectData(
      await api.GET("/api/v1/people/import/runs", { params: { query: { limit: 20, cursor: pageParam } } }),
    ),
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (last) => last.nextCursor ?? undefined,
});

const STATE_COLORS: Record<ImportRun["state"], string> = { running: "blue", done: "teal", failed: "red" };

function summary(counts: ImportRun["counts"]): string {
  const parts = [
    ["creates", "new"],
    ["updates", "updated"],
    ["moves", "moved"],
    ["terminations", "terminated"],
    ["errors", "errors"],
  ]
    .filter(([key]) => (counts[key as string] ?? 0) > 0)
    .map(([key, word]) => `${counts[key as string]?.toLocaleString()} ${word}`);
  return parts.join(", ") || "no changes";
}

/** Past previews and imports, newest first. */
export function RunsList() {
  const runs = useInfiniteQuery(runsQuery);
  const items = runs.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="sm" component="section" aria-labelledby="import-runs">
      <Title order={2} size="h3" id="import-runs">
        Past imports
      </Title>
      {runs.isPending ? <Loader aria-label="Loading past imports" /> : null}
      <ErrorAlert error={runs.error} title="Could not load past imports" />
      {runs.isSuccess && items.length === 0 ? (
        <EmptyState title="No imports yet" description="Previews and imports you run appear here." />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Past imports" minWidth={760}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Started</Table.Th>
              <Table.Th scope="col">File</Table.Th>
              <Table.Th scope="col">Kind</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Result</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((run) => (
              <Table.Tr key={run.id}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDateTime(run.createdAt)}</Table.Td>
                <Table.Td>{run.fileName ?? "—"}</Table.Td>
                <Table.Td>{run.dryRun ? "Preview" : "Import"}</Table.Td>
                <Table.Td>
                  <Badge variant="light" radius="sm" color={STATE_COLORS[run.state]}>
                    {run.state}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{summary(run.counts)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {runs.hasNextPage ? (
        <Group justify="center">
          <Button
            variant="default"
            loading={runs.isFetchingNextPage}
            onClick={() => void runs.fetchNextPage()}
          >
            Load more
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
