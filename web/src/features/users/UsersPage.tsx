import { Anchor, Button, EmptyState, Group, Loader, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { User } from "../../api/types";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { RoleBadges } from "../../components/RoleBadges";
import { ScrollTable } from "../../components/ScrollTable";
import { NewUserModal } from "./NewUserModal";
import { usersListQuery } from "./queries";
import { UserDrawer } from "./UserDrawer";
import { UserStatusBadge } from "./UserStatusBadge";

function UserRow({ user, onOpen }: { user: User; onOpen: (id: string) => void }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component="button" type="button" onClick={() => onOpen(user.id)} ta="left">
          {user.email}
        </Anchor>
      </Table.Td>
      <Table.Td>{user.displayName || "—"}</Table.Td>
      <Table.Td>
        <RoleBadges roles={user.roles} />
      </Table.Td>
      <Table.Td>{user.mfaEnabled ? "Yes" : "No"}</Table.Td>
      <Table.Td>
        <UserStatusBadge user={user} />
      </Table.Td>
      <Table.Td>{formatDateTime(user.lastSignInAt, "Never")}</Table.Td>
    </Table.Tr>
  );
}

export function UsersPage() {
  const canWrite = useCan("users:write");
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 300);
  // cursors[i] is the cursor that loads page i (page 0 has none).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [lastQ, setLastQ] = useState(q);
  const [newOpen, setNewOpen] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);

  if (q !== lastQ) {
    setLastQ(q);
    setCursors([null]);
  }
  const page = cursors.length - 1;
  const list = useQuery(usersListQuery(q, cursors[page] ?? null));
  const items = list.data?.items ?? [];
  const nextCursor = list.data?.nextCursor ?? null;

  return (
    <>
      <PageHeader
        title="Users & roles"
        description="Everyone who can sign in to Tandem, and what they may do."
        actions={canWrite ? <Button onClick={() => setNewOpen(true)}>New user</Button> : undefined}
      />
      <Group mb="md" align="flex-end">
        <TextInput
          label="Search users"
          placeholder="Name or email"
          type="search"
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={320}
        />
        {list.isFetching ? <Loader size="sm" aria-label="Loading users" /> : null}
      </Group>
      <ErrorAlert error={list.error} title="Could not load users" />
      {list.isSuccess && items.length === 0 ? (
        <EmptyState
          title={q ? "No matching users" : "No users yet"}
          description={q ? `Nobody's name or email contains "${q}".` : "Nobody has an account yet."}
          my="xl"
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Users" minWidth={860}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Email</Table.Th>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Roles</Table.Th>
              <Table.Th scope="col">MFA</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Last sign-in</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((user) => (
              <UserRow key={user.id} user={user} onOpen={setOpenId} />
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {page > 0 || nextCursor ? (
        <Group justify="space-between" mt="md">
          <Button variant="default" disabled={page === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Previous page
          </Button>
          <Text size="sm">Page {page + 1}</Text>
          <Button
            variant="default"
            disabled={!nextCursor || list.isPlaceholderData}
            onClick={() => nextCursor && setCursors((c) => [...c, nextCursor])}
          >
            Next page
          </Button>
        </Group>
      ) : null}
      <NewUserModal opened={newOpen} onClose={() => setNewOpen(false)} />
      <UserDrawer userId={openId} onClose={() => setOpenId(null)} />
    </>
  );
}
