import { Badge, Button, Card, Group, Loader, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { channelSettingsQuery, notificationsKey } from "./queries";

type Channel = "email" | "slack" | "teams";

/** Admins: the Slack and Teams incoming webhooks (write-only), and a test send per channel. */
export function NotificationSettingsPage() {
  const queryClient = useQueryClient();
  const settings = useQuery(channelSettingsQuery);
  const [slack, setSlack] = useState("");
  const [teams, setTeams] = useState("");
  const save = useMutation({
    mutationFn: async (body: { slackUrl?: string | null; teamsUrl?: string | null }) =>
      expectData(await api.PUT("/api/v1/settings/notifications", { body })),
    onSuccess: async () => {
      setSlack("");
      setTeams("");
      await queryClient.invalidateQueries({ queryKey: notificationsKey });
    },
  });
  const test = useMutation({
    mutationFn: async (channel: Channel) =>
      expectData(await api.POST("/api/v1/settings/notifications/test", { body: { channel } })),
  });
  if (settings.isPending) return <Loader aria-label="Loading settings" />;
  const s = settings.data;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ slackUrl: slack || undefined, teamsUrl: teams || undefined });
  };
  const state = (on: boolean | undefined) =>
    on ? <Badge color="teal">Configured</Badge> : <Badge color="gray">Not set</Badge>;
  return (
    <>
      <PageHeader
        title="Notification channels"
        description="Where critical alerts go at once. Everything else stays in-app and in each person's digest."
      />
      <ErrorAlert error={settings.error} title="Could not load the settings" />
      <Stack>
        <Card withBorder>
          <Group justify="space-between">
            <Title order={2} size="h4">
              E-mail
            </Title>
            {state(s?.email.configured)}
          </Group>
          <Text size="sm" mt="xs">
            {s?.email.configured
              ? `Sent from ${s.email.from} through the server in TANDEM_SMTP_URL.`
              : "Set TANDEM_SMTP_URL (and TANDEM_MAIL_FROM) to send e-mail."}
          </Text>
          <Button
            mt="sm"
            variant="default"
            disabled={!s?.email.configured}
            onClick={() => test.mutate("email")}
          >
            Send me a test e-mail
          </Button>
        </Card>
        <Card withBorder>
          <form onSubmit={submit}>
            <Stack>
              <Title order={2} size="h4">
                Slack and Microsoft Teams
              </Title>
              <Text size="sm">
                Incoming webhook URLs are stored encrypted and never shown again. They must use https.
              </Text>
              <Group align="flex-end">
                <TextInput
                  style={{ flex: 1 }}
                  label={<Group gap="xs">Slack incoming webhook {state(s?.slack.configured)}</Group>}
                  placeholder={
                    s?.slack.configured
                      ? "Set; type a new URL to replace it"
                      : "https://hooks.slack.com/services/…"
                  }
                  value={slack}
                  onChange={(e) => setSlack(e.currentTarget.value)}
                  error={fieldError(save.error, "slackUrl")}
                />
                <Button
                  variant="default"
                  disabled={!s?.slack.configured}
                  onClick={() => test.mutate("slack")}
                >
                  Test
                </Button>
                <Button
                  variant="subtle"
                  color="red"
                  disabled={!s?.slack.configured}
                  onClick={() => save.mutate({ slackUrl: null })}
                >
                  Remove
                </Button>
              </Group>
              <Group align="flex-end">
                <TextInput
                  style={{ flex: 1 }}
                  label={<Group gap="xs">Teams incoming webhook {state(s?.teams.configured)}</Group>}
                  placeholder={
                    s?.teams.configured
                      ? "Set; type a new URL to replace it"
                      : "https://….webhook.office.com/…"
                  }
                  value={teams}
                  onChange={(e) => setTeams(e.currentTarget.value)}
                  error={fieldError(save.error, "teamsUrl")}
                />
                <Button
                  variant="default"
                  disabled={!s?.teams.configured}
                  onClick={() => test.mutate("teams")}
                >
                  Test
                </Button>
                <Button
                  variant="subtle"
                  color="red"
                  disabled={!s?.teams.configured}
                  onClick={() => save.mutate({ teamsUrl: null })}
                >
                  Remove
                </Button>
              </Group>
              <ErrorAlert error={save.error} title="Could not save" shownFields={["slackUrl", "teamsUrl"]} />
              <Group justify="flex-end">
                <Button type="submit" loading={save.isPending} disabled={!slack && !teams}>
                  Save
                </Button>
              </Group>
            </Stack>
          </form>
        </Card>
        <ErrorAlert error={test.error} title="The test could not be sent" />
        {test.data ? (
          <Text role="status" c={test.data.ok ? "teal.9" : "red.9"}>
            {test.data.ok ? "Test message sent." : `Test failed: ${test.data.error}`}
          </Text>
        ) : null}
      </Stack>
    </>
  );
}
