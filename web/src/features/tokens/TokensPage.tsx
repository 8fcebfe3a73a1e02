import { Badge, Button, Code, EmptyState, Group, Loader, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import type { Token } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate, formatDateTime } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { CreateTokenModal } from "./CreateTokenModal";
import { tokensKey, tokensQuery } from "./queries";

function tokenState(token: Token): { label: string; color: string } {
  if (token.revokedAt) return { label: "Revoked", color: "red" };
  if (new Date(token.expiresAt).getTime() <= Date.now()) return { label: "Expired", color: "gray" };
  return { label: "Active", color: "teal" };
}

function TokenRow({ token }: { token: Token }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: async () => {
      await api.DELETE("/api/v1/tokens/{id}", { params: { path: { id: token.id } } });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokensKey }),
  });
  const state = tokenState(token);
  return (
    <Table.Tr>
      <Table.Th scope="row" fw={600}>
        {token.name}
      </Table.Th>
      <Table.Td>
        <Group gap={4}>
          {token.scopes.map((scope) => (
            <Code key={scope}>{scope}</Code>
          ))}
        </Group>
      </Table.Td>
      <Table.Td>{formatDate(token.createdAt)}</Table.Td>
      <Table.Td>{formatDate(token.expiresAt)}</Table.Td>
      <Table.Td>{formatDateTime(token.lastUsedAt, "Never")}</Table.Td>
      <Table.Td>
        <Badge variant="light" color={state.color} radius="sm">
          {state.label}
        </Badge>
      </Table.Td>
      <Table.Td>
        {token.revokedAt ? (
          <Text size="sm">{formatDate(token.revokedAt)}</Text>
        ) : (
          <ConfirmButton
            size="xs"
            color="red"
            question={`Revoke "${token.name}"?`}
            confirmLabel="Revoke"
            loading={revoke.isPending}
            onConfirm={() => revoke.mutate()}
          >
            Revoke
          </ConfirmButton>
        )}
        {revoke.error ? <ErrorAlert error={revoke.error} title="Could not revoke" /> : null}
      </Table.Td>
    </Table.Tr>
  );
}

export function TokensPage() {
  const tokens = useQuery(tokensQuery);
  const [createOpen, setCreateOpen] = useState(false);
  const items = tokens.data ?? [];
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Personal tokens let scripts and integrations call the Tandem API as you, limited to the scopes you pick."
        actions={<Button onClick={() => setCreateOpen(true)}>Create token</Button>}
      />
      {tokens.isPending ? <Loader aria-label="Loading tokens" /> : null}
      <ErrorAlert error={tokens.error} title="Could not load tokens" />
      {tokens.isSuccess && items.length === 0 ? (
        <EmptyState
          title="No API tokens yet"
          description="Create one when a script or integration needs to call the API."
          my="xl"
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="API tokens" minWidth={900}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Scopes</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
              <Table.Th scope="col">Expires</Table.Th>
              <Table.Th scope="col">Last used</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Revocation</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((token) => (
              <TokenRow key={token.id} token={token} />
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      <CreateTokenModal opened={createOpen} onClose={() => setCreateOpen(false)} />
    </>
  );
}
