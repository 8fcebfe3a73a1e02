import { Badge, Button, EmptyState, Group, Loader, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { CriticalityBadge, EnabledBadge } from "./badges";
import { CLASSIFICATION_LABELS } from "./labels";
import { PersonName } from "./PersonName";
import { connectorTypesQuery, systemsQuery } from "./queries";
import { SystemModal } from "./SystemModal";
import type { System } from "./types";

function SystemRow({ system, typeLabel }: { system: System; typeLabel: string }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <AnchorLink to="/access/systems/$id" params={{ id: system.id }}>
            {system.name}
          </AnchorLink>
          {system.heldPlans > 0 ? (
            <Badge variant="light" color="orange" radius="sm">
              Breaker holds {system.heldPlans} plan{system.heldPlans === 1 ? "" : "s"}
            </Badge>
          ) : null}
        </Group>
        {system.lastSyncError ? (
          <Text size="xs" c="red.9">
            Last read failed: {system.lastSyncError}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>{typeLabel}</Table.Td>
      <Table.Td>
        <PersonName personId={system.ownerPersonId} fallback="No owner" />
      </Table.Td>
      <Table.Td>
        <CriticalityBadge criticality={system.criticality} />
      </Table.Td>
      <Table.Td>{CLASSIFICATION_LABELS[system.dataClassification]}</Table.Td>
      <Table.Td>
        <EnabledBadge enabled={system.enabled} />
      </Table.Td>
      <Table.Td ta="right">{system.accounts}</Table.Td>
    </Table.Tr>
  );
}

/** The systems catalogue: every system Tandem manages access on, and how it reaches it. */
export function SystemsPage() {
  const canAdmin = useCan("access:admin");
  const [adding, setAdding] = useState(false);
  const systems = useQuery(systemsQuery);
  const types = useQuery(connectorTypesQuery);
  const label = (type: string) => types.data?.find((t) => t.type === type)?.label ?? type;
  const items = systems.data ?? [];

  return (
    <>
      <PageHeader
        title="Systems"
        description="The applications and directories where Tandem gives and removes access, with their owner and how Tandem reaches them."
        actions={canAdmin ? <Button onClick={() => setAdding(true)}>Add system</Button> : null}
      />
      {systems.isPending ? <Loader aria-label="Loading the systems" /> : null}
      <ErrorAlert error={systems.error} title="Could not load the systems" />
      {systems.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title="No systems yet"
          description={
            canAdmin
              ? "Add the first system: a directory (LDAP, Active Directory), an app that speaks SCIM, a webhook, or a manual system whose changes people make by hand and attest here."
              : "Security or IT adds the systems Tandem manages access on. Nothing is listed yet."
          }
        >
          {canAdmin ? (
            <Group justify="center" mt="md">
              <Button onClick={() => setAdding(true)}>Add system</Button>
            </Group>
          ) : null}
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Systems" minWidth={900}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Connector</Table.Th>
              <Table.Th scope="col">Owner</Table.Th>
              <Table.Th scope="col">Criticality</Table.Th>
              <Table.Th scope="col">Classification</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col" ta="right">
                Accounts
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((system) => (
              <SystemRow key={system.id} system={system} typeLabel={label(system.connectorType)} />
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {adding ? <SystemModal system={null} onClose={() => setAdding(false)} /> : null}
    </>
  );
}
