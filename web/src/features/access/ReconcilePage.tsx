import {
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  Loader,
  MultiSelect,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { LabelBadge } from "./badges";
import {
  FINDING_KIND_LABELS,
  RUN_STATE_COLORS,
  RUN_STATE_LABELS,
  RUN_SYSTEM_LABELS,
} from "./governanceLabels";
import { reconcileRunsQuery } from "./governanceQueries";
import { isOneOf } from "./labels";
import { accessKey, systemsQuery } from "./queries";
import type { FindingKind, ReconcileRun } from "./types";

const KINDS = Object.keys(FINDING_KIND_LABELS) as FindingKind[];

function RunSystems({ run }: { run: ReconcileRun }) {
  return (
    <ScrollTable label={`Systems of the run of ${formatDateTime(run.createdAt)}`} minWidth={760}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">System</Table.Th>
          <Table.Th scope="col">Progress</Table.Th>
          <Table.Th scope="col">Accounts read</Table.Th>
          <Table.Th scope="col">Linked</Table.Th>
          <Table.Th scope="col">Findings</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {run.systems.map((s) => (
          <Table.Tr key={s.systemId}>
            <Table.Td>
              <AnchorLink to="/access/systems/$id" params={{ id: s.systemId }}>
                {s.systemName}
              </AnchorLink>
            </Table.Td>
            <Table.Td>
              <LabelBadge
                label={RUN_SYSTEM_LABELS[s.state]}
                color={s.state === "failed" ? "red" : s.state === "done" ? "teal" : "blue"}
              />
              {s.error ? (
                <Text size="xs" c="red.9" maw={320}>
                  {s.error}
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td>{s.accounts ?? "—"}</Table.Td>
            <Table.Td>{s.linked ?? "—"}</Table.Td>
            <Table.Td>
              {s.state === "done" ? (
                <Stack gap={2}>
                  <Text size="sm">
                    {s.observed ?? 0} seen · {s.opened ?? 0} new · {s.resolved ?? 0} resolved
                  </Text>
                  <Group gap={4}>
                    {Object.entries(s.byKind)
                      .filter(([, n]) => n > 0)
                      .map(([kind, n]) => (
                        <Badge key={kind} variant="outline" color="gray" radius="sm" size="sm">
                          {isOneOf(KINDS, kind) ? FINDING_KIND_LABELS[kind] : kind}: {n}
                        </Badge>
                      ))}
                  </Group>
                </Stack>
              ) : (
                "—"
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}

function RunCard({ run }: { run: ReconcileRun }) {
  const finished = run.systems.filter((s) => s.state === "done" || s.state === "failed").length;
  const share = run.systems.length ? Math.round((finished / run.systems.length) * 100) : 0;
  const active = run.state === "queued" || run.state === "running";
  return (
    <Card withBorder padding="md" component="section" aria-label={`Run of ${formatDateTime(run.createdAt)}`}>
      <Group justify="space-between" mb="xs">
        <Group gap="sm">
          <Title order={2} size="h4">
            {formatDateTime(run.createdAt)}
          </Title>
          <LabelBadge label={RUN_STATE_LABELS[run.state]} color={RUN_STATE_COLORS[run.state]} />
          <Text size="sm" c="dimmed">
            {run.trigger === "schedule"
              ? "on schedule"
              : run.trigger === "cli"
                ? "from the command line"
                : "started here"}
          </Text>
        </Group>
        {run.finishedAt ? <Text size="sm">Finished {formatDateTime(run.finishedAt)}</Text> : null}
      </Group>
      {active ? (
        <Progress
          value={share}
          animated
          mb="sm"
          aria-label={`${finished} of ${run.systems.length} systems reconciled`}
        />
      ) : null}
      {run.error ? (
        <Text c="red.9" size="sm" mb="xs">
          {run.error}
        </Text>
      ) : null}
      {run.systems.length ? <RunSystems run={run} /> : <Text c="dimmed">Waiting for the first system.</Text>}
    </Card>
  );
}

/** Reconciliation runs: start one, watch each system's progress, see what it found. */
export function ReconcilePage() {
  const queryClient = useQueryClient();
  const canAdmin = useCan("access:admin");
  const systems = useQuery(systemsQuery);
  const runs = useInfiniteQuery(reconcileRunsQuery);
  const [chosen, setChosen] = useState<string[]>([]);
  const start = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/access/reconcile", { body: chosen.length ? { systemIds: chosen } : {} }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...accessKey, "reconcile"] }),
  });
  const items = runs.data?.pages.flatMap((p) => p.items) ?? [];
  const enabled = (systems.data ?? []).filter((s) => s.enabled);

  return (
    <>
      <PageHeader
        title="Reconciliation"
        description="Tandem reads every system and compares it with HR: orphan accounts, leavers with access, access beyond the role, missing birthright access, dormant accounts. Nothing changes without a decision."
        actions={
          <ButtonLink to="/access/findings" variant="default">
            Open findings
          </ButtonLink>
        }
      />
      {canAdmin ? (
        <Card withBorder padding="md" mb="lg">
          <Group align="flex-end" wrap="wrap">
            <MultiSelect
              label="Systems to reconcile"
              description="Leave empty for every enabled system"
              placeholder={chosen.length ? undefined : "Every enabled system"}
              data={enabled.map((s) => ({ value: s.id, label: s.name }))}
              value={chosen}
              onChange={setChosen}
              searchable
              clearable
              miw={320}
            />
            <Button onClick={() => start.mutate()} loading={start.isPending}>
              Start reconciliation
            </Button>
          </Group>
          {start.isSuccess ? (
            <Text size="sm" mt="xs" role="status">
              Started. The run below updates as each system is read.
            </Text>
          ) : null}
          <ErrorAlert error={start.error} title="Could not start the reconciliation" />
        </Card>
      ) : null}
      {runs.isPending ? <Loader aria-label="Loading the runs" /> : null}
      <ErrorAlert error={runs.error} title="Could not load the runs" />
      {runs.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title="No reconciliation yet"
          description={
            canAdmin
              ? "Start one above, or wait for the schedule (every six hours by default). Add systems first if there are none."
              : "Runs appear here when Security starts one or the schedule runs it."
          }
        />
      ) : null}
      <Stack gap="md">
        {items.map((run) => (
          <RunCard key={run.id} run={run} />
        ))}
      </Stack>
      {runs.hasNextPage ? (
        <Group justify="center" mt="md">
          <Button
            variant="default"
            loading={runs.isFetchingNextPage}
            onClick={() => void runs.fetchNextPage()}
          >
            Load older runs
          </Button>
        </Group>
      ) : null}
    </>
  );
}
