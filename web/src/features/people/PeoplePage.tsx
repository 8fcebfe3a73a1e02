import { Button, EmptyState, Group, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { AddPersonModal } from "./AddPersonModal";
import { DirectoryFilters } from "./DirectoryFilters";
import { EMPLOYMENT_LABELS } from "./labels";
import { type DirectoryFilters as Filters, peopleListQuery } from "./queries";
import { HighRiskBadge, PersonStatusBadge } from "./StatusBadge";
import { hasFilters } from "./search";
import type { Person } from "./types";
import { formatDay } from "./zones";

const routeApi = getRouteApi("/authed/people");

function PersonRow({ person }: { person: Person }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <AnchorLink to="/people/$id" params={{ id: person.id }}>
            {person.displayName}
          </AnchorLink>
          <HighRiskBadge highRisk={person.highRisk} />
        </Group>
        <Text size="xs" c="dimmed">
          {person.workEmail}
        </Text>
      </Table.Td>
      <Table.Td>{person.employeeNumber}</Table.Td>
      <Table.Td>
        <PersonStatusBadge status={person.status} />
      </Table.Td>
      <Table.Td>{person.departmentName ?? "—"}</Table.Td>
      <Table.Td>{person.jobRoleTitle ?? "—"}</Table.Td>
      <Table.Td>{person.managerName ?? "—"}</Table.Td>
      <Table.Td>{person.locationName ?? "—"}</Table.Td>
      <Table.Td>{EMPLOYMENT_LABELS[person.employmentType]}</Table.Td>
      <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDay(person.startDate)}</Table.Td>
    </Table.Tr>
  );
}

function NoPeople({
  canWrite,
  canImport,
  onAdd,
}: {
  canWrite: boolean;
  canImport: boolean;
  onAdd: () => void;
}) {
  return (
    <EmptyState
      my="xl"
      title="No people yet"
      description={
        canWrite || canImport
          ? "Tandem knows nobody yet. Import a CSV export from your HR system, or add the first person by hand."
          : "Nobody is on record yet. HR adds people by importing a CSV or one by one."
      }
    >
      <Group justify="center" mt="md">
        {canImport ? <ButtonLink to="/people/import">Import a CSV</ButtonLink> : null}
        {canWrite ? (
          <Button variant="default" onClick={onAdd}>
            Add person
          </Button>
        ) : null}
      </Group>
    </EmptyState>
  );
}

export function PeoplePage() {
  const filters = routeApi.useSearch();
  const navigate = routeApi.useNavigate();
  const canWrite = useCan("people:write");
  const canImport = useCan("people:import");
  const [addOpen, setAddOpen] = useState(false);
  // cursors[i] loads page i; a change of filters starts again at page 0.
  const filterKey = JSON.stringify(filters);
  const [stack, setStack] = useState<{ key: string; cursors: (string | null)[] }>({
    key: filterKey,
    cursors: [null],
  });
  const cursors = stack.key === filterKey ? stack.cursors : [null];
  const page = cursors.length - 1;
  const list = useQuery(peopleListQuery(filters, cursors[page] ?? null));
  const items = list.data?.items ?? [];
  const nextCursor = list.data?.nextCursor ?? null;
  const filtered = hasFilters(filters);

  function setFilters(next: Filters) {
    void navigate({ to: "/people", search: next, replace: true });
  }

  return (
    <>
      <PageHeader
        title="People"
        description="Everyone HR has on record: candidates, employees, contractors and leavers."
        actions={
          <>
            {canImport ? (
              <ButtonLink to="/people/import" variant="default">
                Import CSV
              </ButtonLink>
            ) : null}
            {canWrite ? <Button onClick={() => setAddOpen(true)}>Add person</Button> : null}
          </>
        }
      />
      <DirectoryFilters value={filters} onChange={setFilters} busy={list.isFetching} />
      <ErrorAlert error={list.error} title="Could not load people" />
      {list.isSuccess && items.length === 0 && page === 0 ? (
        filtered ? (
          <EmptyState my="xl" title="Nobody matches" description="Try other words, or clear the filters." />
        ) : (
          <NoPeople canWrite={canWrite} canImport={canImport} onAdd={() => setAddOpen(true)} />
        )
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="People" minWidth={980}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Employee no.</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Department</Table.Th>
              <Table.Th scope="col">Job role</Table.Th>
              <Table.Th scope="col">Manager</Table.Th>
              <Table.Th scope="col">Location</Table.Th>
              <Table.Th scope="col">Type</Table.Th>
              <Table.Th scope="col">Start date</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((person) => (
              <PersonRow key={person.id} person={person} />
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {page > 0 || nextCursor ? (
        <Group justify="space-between" mt="md">
          <Button
            variant="default"
            disabled={page === 0}
            onClick={() => setStack({ key: filterKey, cursors: cursors.slice(0, -1) })}
          >
            Previous page
          </Button>
          <Text size="sm" role="status">
            Page {page + 1} · {items.length} shown
          </Text>
          <Button
            variant="default"
            disabled={!nextCursor || list.isPlaceholderData}
            onClick={() => nextCursor && setStack({ key: filterKey, cursors: [...cursors, nextCursor] })}
          >
            Next page
          </Button>
        </Group>
      ) : null}
      <AddPersonModal opened={addOpen} onClose={() => setAddOpen(false)} />
    </>
  );
}
