import { Button, EmptyState, Group, Loader, Select, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { SeverityBadge, StatusBadge } from "./badges";
import { SEVERITIES, SEVERITY_LABELS, STATUS_LABELS, STATUSES } from "./labels";
import { NewIncidentModal } from "./NewIncidentModal";
import { type IncidentFilter, incidentsQuery } from "./queries";

const routeApi = getRouteApi("/authed/incidents");

/** All incidents: search, filter by status and severity, page through, open a new one. */
export function IncidentsPage() {
  const { fromReport } = routeApi.useSearch();
  const canWrite = useCan("incidents:write");
  const canConfigure = useCan("incidents:configure");
  const [q, setQ] = useState("");
  const [debounced] = useDebouncedValue(q, 300);
  const [status, setStatus] = useState<IncidentFilter["status"]>("active");
  const [severity, setSeverity] = useState<IncidentFilter["severity"]>();
  const [cursors, setCursors] = useState<string[]>([]);
  // ?fromReport=<id> (a link from a report in triage) opens the form with that report.
  const [creating, setCreating] = useState(!!fromReport);
  const cursor = cursors[cursors.length - 1];
  const list = useQuery(incidentsQuery({ q: debounced || undefined, status, severity, cursor }));
  const items = list.data?.items ?? [];
  const reset = () => setCursors([]);

  return (
    <>
      <PageHeader
        title="Incidents"
        description="Security, IT, Legal, HR, Finance and Communications responding together: tasks by department, a timeline of every change, regulatory clocks and blameless post-mortems."
        actions={
          <>
            <ButtonLink to="/incidents/dashboard" variant="default">
              Dashboard
            </ButtonLink>
            {canConfigure ? (
              <>
                <ButtonLink to="/incidents/playbooks" variant="default">
                  Playbooks
                </ButtonLink>
                <ButtonLink to="/incidents/jurisdictions" variant="default">
                  Jurisdictions
                </ButtonLink>
              </>
            ) : null}
            {canWrite ? <Button onClick={() => setCreating(true)}>Open incident</Button> : null}
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
            reset();
          }}
        />
        <Select
          label="Status"
          data={[
            { value: "active", label: "Not closed" },
            ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
          ]}
          value={status ?? null}
          clearable
          placeholder="Any"
          onChange={(v) => {
            setStatus((v ?? undefined) as IncidentFilter["status"]);
            reset();
          }}
        />
        <Select
          label="Severity"
          data={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
          value={severity ?? null}
          clearable
          placeholder="Any"
          onChange={(v) => {
            setSeverity((v ?? undefined) as IncidentFilter["severity"]);
            reset();
          }}
        />
      </Group>
      {list.isPending ? <Loader aria-label="Loading incidents" /> : null}
      <ErrorAlert error={list.error} title="Could not load the incidents" />
      {list.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title="No incidents match"
          description={
            canWrite
              ? "Open an incident by hand, or turn reports into one from the triage queue. Clear the filters to see closed incidents."
              : "Clear the filters to see closed incidents."
          }
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Incidents">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Reference</Table.Th>
              <Table.Th>Title</Table.Th>
              <Table.Th>Severity</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th>Open tasks</Table.Th>
              <Table.Th>Opened</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>
                  <AnchorLink to="/incidents/$id" params={{ id: i.id }}>
                    {i.reference}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>{i.title}</Table.Td>
                <Table.Td>
                  <SeverityBadge severity={i.severity} />
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={i.status} />
                  {i.personalDataBreach ? (
                    <Text size="xs" c="red.9">
                      Personal-data breach
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>{i.ownerName ?? "—"}</Table.Td>
                <Table.Td>{i.openTasks}</Table.Td>
                <Table.Td>{formatDateTime(i.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      <Group mt="md">
        <Button variant="default" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </Button>
        <Button
          variant="default"
          disabled={!list.data?.nextCursor}
          onClick={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}
        >
          Next
        </Button>
      </Group>
      {creating ? (
        <NewIncidentModal
          opened
          onClose={() => setCreating(false)}
          reportIds={fromReport ? [fromReport] : []}
        />
      ) : null}
    </>
  );
}
