import { Badge, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useSession } from "../../app/session";
import { useSignOut } from "../../app/UserMenu";
import { PageHeader } from "../../components/PageHeader";
import { RoleBadges } from "../../components/RoleBadges";
import { MyHrRecordCard } from "../people/MyHrRecordCard";
import { ChangePasswordCard } from "./ChangePasswordCard";
import { MfaCard } from "./MfaCard";

function AccountCard() {
  const { user } = useSession();
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="profile-account">
      <Title order={2} size="h3" id="profile-account" mb="md">
        Account
      </Title>
      <Stack gap="sm">
        <Group gap="xs">
          <Text fw={600} w={140}>
            Display name
          </Text>
          <Text>{user.displayName || "—"}</Text>
        </Group>
        <Group gap="xs">
          <Text fw={600} w={140}>
            Email
          </Text>
          <Text>{user.email}</Text>
        </Group>
        <Group gap="xs" align="flex-start">
          <Text fw={600} w={140}>
            Roles
          </Text>
          <RoleBadges roles={user.roles} />
        </Group>
        <Group gap="xs">
          <Text fw={600} w={140}>
            Two-step verification
          </Text>
          <Badge variant="light" color={user.mfaEnabled ? "teal" : "gray"} radius="sm">
            {user.mfaEnabled ? "On" : "Off"}
          </Badge>
        </Group>
      </Stack>
    </Card>
  );
}

function SessionsCard() {
  const signOut = useSignOut();
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="profile-sessions">
      <Title order={2} size="h3" id="profile-sessions" mb="xs">
        Sessions
      </Title>
      <Text mb="md">
        Lost a device or signed in on a shared computer? End every session of your account, including this
        one.
      </Text>
      <Group>
        <Button color="red" variant="light" loading={signOut.isPending} onClick={() => signOut.mutate(true)}>
          Sign out everywhere
        </Button>
      </Group>
    </Card>
  );
}

export function ProfilePage() {
  return (
    <>
      <PageHeader title="Profile" description="Your account, password and two-step verification." />
      <Stack gap="lg" maw={760}>
        <AccountCard />
        <MyHrRecordCard />
        <ChangePasswordCard />
        <MfaCard />
        <SessionsCard />
      </Stack>
    </>
  );
}
