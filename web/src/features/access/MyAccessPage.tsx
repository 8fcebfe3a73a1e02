import {
  Badge,
  Card,
  EmptyState,
  Group,
  List,
  Loader,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate, formatDateTime } from "../../components/format";
import { ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { LabelBadge } from "./badges";
import { myAccessQuery } from "./governanceQueries";
import type { AccessReason, MyAccount } from "./types";

function Why({ reasons, explained }: { reasons: AccessReason[]; explained: boolean }) {
  if (!reasons.length) {
    return (
      <Text size="xs" c={explained ? "dimmed" : "orange.9"}>
        {explained ? "Given by your access" : "Not explained yet"}
      </Text>
    );
  }
  return (
    <Group gap={4}>
      {reasons.map((r, i) => {
        const key = `${r.kind}-${i}`;
        if (r.kind === "profile")
          return (
            <Badge
              key={key}
              variant="light"
              color="blue"
              radius="sm"
              size="sm"
              title="Given by your job role's access profile"
            >
              Role: {r.profileName}
            </Badge>
          );
        if (r.kind === "exception")
          return (
            <Badge key={key} variant="light" color="grape" radius="sm" size="sm" title={r.justification}>
              Exception until {formatDate(r.expiresAt)}
            </Badge>
          );
        if (r.kind === "other")
          return (
            <Badge key={key} variant="light" color="teal" radius="sm" size="sm" title={r.text}>
              Approved request
            </Badge>
          );
        return (
          <Text key={key} size="xs" c="orange.9">
            {r.text}
          </Text>
        );
      })}
    </Group>
  );
}

function AccountCard({ account }: { account: MyAccount }) {
  const id = `my-account-${account.accountId}`;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby={id}>
      <Group justify="space-between" mb="xs" wrap="nowrap" align="flex-start">
        <div>
          <Title order={2} size="h4" id={id}>
            {account.systemName}
          </Title>
          <Text size="sm">Account {account.username}</Text>
        </div>
        <LabelBadge
          label={account.state === "enabled" ? "Enabled" : "Disabled"}
          color={account.state === "enabled" ? "teal" : "gray"}
        />
      </Group>
      <Why reasons={account.reasons} explained={account.explained} />
      {account.entitlements.length ? (
        <List size="sm" mt="sm" spacing={6} listStyleType="none" ml={0} pl={0}>
          {account.entitlements.map((e) => (
            <List.Item key={e.ref}>
              <Text size="sm" fw={600}>
                {e.name ?? e.ref}
              </Text>
              <Why reasons={e.reasons} explained={e.explained} />
            </List.Item>
          ))}
        </List>
      ) : (
        <Text size="sm" c="dimmed" mt="sm">
          No groups, roles or licences on this account.
        </Text>
      )}
      <Text size="xs" c="dimmed" mt="sm">
        As the system was last read, {formatDateTime(account.lastReadAt)}
      </Text>
    </Card>
  );
}

/** Every signed-in employee: their accounts and entitlements, and why they have each. */
export function MyAccessPage() {
  const mine = useQuery(myAccessQuery);
  const [filter, setFilter] = useState("");
  const data = mine.data;
  const needle = filter.trim().toLowerCase();
  const items = (data?.items ?? []).filter(
    (a) =>
      !needle ||
      [a.systemName, a.username, ...a.entitlements.map((e) => e.name ?? e.ref)]
        .join(" ")
        .toLowerCase()
        .includes(needle),
  );

  return (
    <>
      <PageHeader
        title="My access"
        description="Every account and entitlement you hold, and why: your job role, an approved request, or an exception."
        actions={<ButtonLink to="/access/request">Request access</ButtonLink>}
      />
      {mine.isPending ? <Loader aria-label="Loading your access" /> : null}
      <ErrorAlert error={mine.error} title="Could not load your access" />
      {data && !data.linked ? (
        <EmptyState
          my="xl"
          title="Your sign-in is not linked to an HR record"
          description="Access follows your HR record. Ask HR to link your work email to your record; then your access shows here."
        />
      ) : null}
      {data?.linked ? (
        <Stack gap="md">
          {data.summary ? <Text size="sm">Your HR status and what it gives: {data.summary}.</Text> : null}
          {data.items.length > 3 ? (
            <TextInput
              label="Search"
              placeholder="System, account or entitlement"
              value={filter}
              onChange={(e) => setFilter(e.currentTarget.value)}
              maw={360}
            />
          ) : null}
          {data.items.length === 0 ? (
            <EmptyState
              my="xl"
              title="No accounts yet"
              description="Accounts appear once your job role's systems have been set up for you. Need something now? Request access."
            />
          ) : items.length === 0 ? (
            <Text c="dimmed">Nothing matches the search.</Text>
          ) : (
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
              {items.map((a) => (
                <AccountCard key={a.accountId} account={a} />
              ))}
            </SimpleGrid>
          )}
        </Stack>
      ) : null}
    </>
  );
}
