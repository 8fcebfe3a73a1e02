import {
  Badge,
  Box,
  Button,
  Card,
  EmptyState,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { PersonName } from "./PersonName";
import { accessKey, alertsQuery } from "./queries";

/** High-risk alerts for Security and Legal: a flagged person, what to look at, acknowledge. */
export function AlertsPage() {
  const queryClient = useQueryClient();
  const canReadAccess = useCan("access:read");
  const [openOnly, setOpenOnly] = useState(true);
  const alerts = useQuery(alertsQuery(openOnly));
  const acknowledge = useMutation({
    mutationFn: async (id: string) =>
      expectData(await api.POST("/api/v1/access/alerts/{id}/acknowledge", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...accessKey, "alerts"] }),
  });
  const items = alerts.data ?? [];

  return (
    <>
      <PageHeader
        title="High-risk alerts"
        description="People HR flagged as high-risk leavers, for Security and Legal to act on: revoke early, preserve evidence."
      />
      <Group mb="md">
        <SegmentedControl
          aria-label="Show alerts"
          value={openOnly ? "open" : "all"}
          onChange={(next) => setOpenOnly(next === "open")}
          data={[
            { value: "open", label: "Not acknowledged" },
            { value: "all", label: "All" },
          ]}
        />
      </Group>
      {alerts.isPending ? <Loader aria-label="Loading the alerts" /> : null}
      <ErrorAlert error={alerts.error} title="Could not load the alerts" />
      {acknowledge.error ? (
        <Box mb="md">
          <ErrorAlert error={acknowledge.error} title="Could not acknowledge the alert" />
        </Box>
      ) : null}
      {alerts.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title={openOnly ? "No open alerts" : "No alerts yet"}
          description="An alert appears when HR flags a person as a high-risk leaver. Open the person's access and offboarding page to see what they hold, and revoke it early if needed."
        />
      ) : null}
      <Stack gap="md">
        {items.map((alert) => (
          <Card
            key={alert.id}
            withBorder
            padding="md"
            component="article"
            aria-labelledby={`alert-${alert.id}`}
          >
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={4}>
                <Group gap="xs">
                  <Title order={2} size="h4" id={`alert-${alert.id}`}>
                    {alert.title}
                  </Title>
                  {alert.acknowledgedAt ? (
                    <Badge variant="light" color="gray" radius="sm">
                      Acknowledged
                    </Badge>
                  ) : (
                    <Badge variant="light" color="red" radius="sm">
                      Open
                    </Badge>
                  )}
                </Group>
                {alert.detail ? <Text size="sm">{alert.detail}</Text> : null}
                <Text size="xs" c="dimmed">
                  {formatDateTime(alert.createdAt)} · for {alert.audience.join(", ")}
                  {alert.acknowledgedAt
                    ? ` · acknowledged by ${alert.acknowledgedBy ?? "someone"} ${formatDateTime(alert.acknowledgedAt)}`
                    : ""}
                </Text>
                {alert.personId ? (
                  <Group gap="md">
                    <Text size="sm">
                      Person: <PersonName personId={alert.personId} />
                    </Text>
                    {canReadAccess ? (
                      <AnchorLink
                        to="/access/people/$personId/offboarding"
                        params={{ personId: alert.personId }}
                        size="sm"
                      >
                        Access and offboarding
                      </AnchorLink>
                    ) : null}
                  </Group>
                ) : null}
              </Stack>
              {alert.acknowledgedAt ? null : (
                <Button
                  variant="default"
                  loading={acknowledge.isPending && acknowledge.variables === alert.id}
                  onClick={() => acknowledge.mutate(alert.id)}
                  aria-label={`Acknowledge: ${alert.title}`}
                >
                  Acknowledge
                </Button>
              )}
            </Group>
          </Card>
        ))}
      </Stack>
    </>
  );
}
