import { Avatar, Button, Group, Menu, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { api } from "../api/client";
import { endSessionLocally, useSession } from "./session";

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters =
    parts.length > 1 ? `${parts[0]?.[0] ?? ""}${parts[parts.length - 1]?.[0] ?? ""}` : name.slice(0, 2);
  return letters.toUpperCase();
}

/** Signs out of this browser, or of every session of the user. */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (everywhere: boolean) => {
      await api.POST(everywhere ? "/api/v1/auth/logout-all" : "/api/v1/auth/logout");
    },
    // Even when the server call fails (e.g. the session already expired) the local session is over.
    onSettled: () => endSessionLocally(queryClient),
  });
}

export function UserMenu() {
  const { user } = useSession();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const name = user.displayName || user.email;
  return (
    <Menu position="bottom-end" width={240} withinPortal>
      <Menu.Target>
        <Button variant="subtle" color="gray" px="xs" aria-label={`Account menu for ${name}`}>
          <Group gap="xs" wrap="nowrap">
            <Avatar size="sm" color="blue" radius="xl" aria-hidden="true">
              {initials(name)}
            </Avatar>
            <Text size="sm" fw={500} c="var(--mantine-color-text)" visibleFrom="xs">
              {name}
            </Text>
          </Group>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{user.email}</Menu.Label>
        <Menu.Item onClick={() => void navigate({ to: "/profile" })}>Profile</Menu.Item>
        <Menu.Divider />
        <Menu.Item onClick={() => signOut.mutate(false)} disabled={signOut.isPending}>
          Sign out
        </Menu.Item>
        <Menu.Item color="red" onClick={() => signOut.mutate(true)} disabled={signOut.isPending}>
          Sign out everywhere
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
