import { Badge, Divider, Drawer, Group, Loader, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { User } from "../../api/types";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { RoleBadges } from "../../components/RoleBadges";
import { userQuery } from "./queries";
import { UserActions } from "./UserActions";
import { UserEditForms } from "./UserEditForms";
import { UserStatusBadge } from "./UserStatusBadge";

function UserSummary({ user }: { user: User }) {
  return (
    <Stack gap={4}>
      <Text>{user.email}</Text>
      <Group gap="xs">
        <UserStatusBadge user={user} />
        <Badge variant="light" color={user.mfaEnabled ? "teal" : "gray"} radius="sm">
          {user.mfaEnabled ? "MFA on" : "MFA off"}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed">
        Created {formatDateTime(user.createdAt)} · last sign-in {formatDateTime(user.lastSignInAt, "never")}
      </Text>
    </Stack>
  );
}

interface UserDrawerProps {
  userId: string | null;
  onClose: () => void;
}

/** One user's details; people with users:write can also edit roles and run account actions. */
export function UserDrawer({ userId, onClose }: UserDrawerProps) {
  const canWrite = useCan("users:write");
  const user = useQuery({ ...userQuery(userId ?? ""), enabled: userId !== null });
  const data = userId ? user.data : undefined;
  return (
    <Drawer
      opened={userId !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={data ? data.displayName || data.email : "User"}
    >
      {user.isPending && userId ? <Loader aria-label="Loading user" /> : null}
      <ErrorAlert error={user.error} title="Could not load the user" />
      {data ? (
        <Stack gap="lg">
          <UserSummary user={data} />
          {canWrite ? (
            <>
              <UserEditForms key={`${data.id}-edit`} user={data} />
              <Divider />
              <UserActions key={`${data.id}-actions`} user={data} />
            </>
          ) : (
            <Stack gap={4}>
              <Text fw={600}>Roles</Text>
              <RoleBadges roles={data.roles} />
              <Text size="sm" c="dimmed" mt="sm">
                You can view users but not change them.
              </Text>
            </Stack>
          )}
        </Stack>
      ) : null}
    </Drawer>
  );
}
