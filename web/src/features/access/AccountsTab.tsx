import { Badge, Button, EmptyState, Group, Loader, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { ScrollTable } from "../../components/ScrollTable";
import { PersonName } from "./PersonName";
import { accountsQuery, entitlementsQuery } from "./queries";
import type { System } from "./types";

/** The accounts as last read back from the system, a page at a time. */
export function AccountsTab({ system }: { system: System }) {
  // cursors[i] loads page i.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const page = cursors.length - 1;
  const list = useQuery(accountsQuery(system.id, cursors[page] ?? null));
  const entitlements = useQuery(entitlementsQuery(system.id));
  // Accounts name their entitlements as the system does (the entitlement's identifier there).
  const names = new Map((entitlements.data ?? []).map((e) => [e.externalId.toLowerCase(), e.name]));
  const items = list.data?.items ?? [];
  const nextCursor = list.data?.nextCursor ?? null;

  return (
    <Stack gap="md">
      {list.isPending ? <Loader aria-label="Loading the accounts" /> : null}
      <ErrorAlert error={list.error} title="Could not load the accounts" />
      {list.isSuccess && items.length === 0 && page === 0 ? (
        <EmptyState
          title="No accounts known"
          description={
            system.lastSyncAt
              ? "The last read found no accounts on this system."
              : "Tandem has not read this system yet. Use Read accounts above to fetch its accounts and link them to people."
          }
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label={`Accounts on ${system.name}`} minWidth={900}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Username</Table.Th>
              <Table.Th scope="col">Person</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Entitlements</Table.Th>
              <Table.Th scope="col">Last sign-in</Table.Th>
              <Table.Th scope="col">Read</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {a.username}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {[a.displayName, a.email].filter(Boolean).join(" · ")}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {a.personId ? (
                    <PersonName personId={a.personId} />
                  ) : (
                    <Badge variant="light" color="orange" radius="sm">
                      Not linked to a person
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={a.enabled ? "teal" : "gray"} radius="sm">
                    {a.enabled ? "Enabled" : "Disabled"}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {a.entitlements.length === 0
                    ? "—"
                    : a.entitlements.map((ref) => names.get(ref.toLowerCase()) ?? ref).join(", ")}
                </Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  {formatDateTime(a.lastLoginAt, "Unknown")}
                </Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDateTime(a.lastReadAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {page > 0 || nextCursor ? (
        <Group justify="space-between">
          <Button variant="default" disabled={page === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </Button>
          <Text size="sm" role="status">
            Page {page + 1} · {items.length} shown
          </Text>
          <Button
            variant="default"
            disabled={!nextCursor || list.isPlaceholderData}
            onClick={() => nextCursor && setCursors([...cursors, nextCursor])}
          >
            Next page
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
