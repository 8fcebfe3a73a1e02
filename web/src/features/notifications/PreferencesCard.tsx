import { Button, Card, Checkbox, Group, Loader, Select, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { notificationsKey, preferencesQuery } from "./queries";

type Digest = "hourly" | "daily" | "off";

/** My preferences: digest frequency, and per kind whether critical alerts also come by e-mail. */
export function PreferencesCard() {
  const queryClient = useQueryClient();
  const prefs = useQuery(preferencesQuery);
  const [digest, setDigest] = useState<Digest>("daily");
  const [email, setEmail] = useState<Record<string, boolean>>({});
  useEffect(() => {
    if (prefs.data) {
      setDigest(prefs.data.digest);
      setEmail(prefs.data.email);
    }
  }, [prefs.data]);
  const save = useMutation({
    mutationFn: async () =>
      expectData(await api.PUT("/api/v1/notifications/preferences", { body: { digest, email } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationsKey }),
  });
  if (prefs.isPending) return <Loader aria-label="Loading preferences" />;
  return (
    <Card withBorder>
      <Stack>
        <Title order={2} size="h4">
          Preferences
        </Title>
        <Select
          label="Digest e-mail"
          description="Everything that is not critical is collected into one e-mail"
          data={[
            { value: "hourly", label: "Every hour" },
            { value: "daily", label: "Once a day" },
            { value: "off", label: "No digest (in-app only)" },
          ]}
          value={digest}
          allowDeselect={false}
          onChange={(v) => v && setDigest(v as Digest)}
        />
        <Text size="sm" fw={600}>
          Critical alerts also by e-mail
        </Text>
        {(prefs.data?.kinds ?? []).map((k) => (
          <Checkbox
            key={k.kind}
            label={k.label}
            checked={email[k.kind] !== false}
            onChange={(e) => setEmail({ ...email, [k.kind]: e.currentTarget.checked })}
          />
        ))}
        <ErrorAlert error={save.error ?? prefs.error} title="Could not save the preferences" />
        <Group justify="flex-end">
          <Button loading={save.isPending} onClick={() => save.mutate()}>
            Save preferences
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
