import { Alert, Button, Card, Group, Loader, Menu, Stack, Tabs, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { ApiError, api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { SeverityBadge, StatusBadge } from "./badges";
import { ClocksTab } from "./ClocksTab";
import { EvidenceTab } from "./EvidenceTab";
import { IncidentOverview } from "./IncidentOverview";
import { NEXT_STATUS, STATUS_LABELS, type Status } from "./labels";
import { PostmortemTab } from "./PostmortemTab";
import { incidentQuery, incidentsKey } from "./queries";
import { TasksTab } from "./TasksTab";
import { TimelineTab } from "./TimelineTab";

const routeApi = getRouteApi("/authed/incidents/$id");

/** One incident: status, owner and severity at the top, the work in tabs. */
export function IncidentPage() {
  const { id } = routeApi.useParams();
  const queryClient = useQueryClient();
  const canWrite = useCan("incidents:write");
  const incident = useQuery(incidentQuery(id));
  const [tab, setTab] = useState<string | null>("overview");
  const move = useMutation({
    mutationFn: async (status: Status) =>
      expectData(
        await api.POST("/api/v1/incidents/{id}/status", { params: { path: { id } }, body: { status } }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...incidentsKey] }),
  });
  const ack = useMutation({
    mutationFn: async () =>
      expectData(await api.POST("/api/v1/incidents/{id}/acknowledge", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...incidentsKey] }),
  });

  if (incident.isPending) return <Loader aria-label="Loading the incident" />;
  if (incident.error || !incident.data)
    return <ErrorAlert error={incident.error} title="Could not load the incident" />;
  const i = incident.data;
  const next = NEXT_STATUS[i.status];

  return (
    <>
      <PageHeader
        title={`${i.reference}: ${i.title}`}
        description={
          <Group gap="xs" component="span">
            <SeverityBadge severity={i.severity} />
            <StatusBadge status={i.status} />
            <Text span size="sm">
              Owner: {i.ownerName ?? "nobody yet"} · opened {formatDateTime(i.createdAt)}
            </Text>
          </Group>
        }
        actions={
          canWrite && i.status !== "closed" ? (
            <>
              {!i.acknowledgedAt ? (
                <Button variant="default" loading={ack.isPending} onClick={() => ack.mutate()}>
                  Acknowledge
                </Button>
              ) : null}
              <Menu>
                <Menu.Target>
                  <Button loading={move.isPending}>Change status</Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {next.map((s) => (
                    <Menu.Item key={s} onClick={() => move.mutate(s)}>
                      {STATUS_LABELS[s]}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
            </>
          ) : null
        }
      />
      <Stack gap="md">
        <ErrorAlert error={move.error} title="Could not change the status" />
        {move.error instanceof ApiError && move.error.problem.code === "incident.postmortem_required" ? (
          <Alert color="blue" variant="light">
            Sev1 and sev2 incidents close after their blameless post-mortem is completed: open the Post-mortem
            tab.
          </Alert>
        ) : null}
        {i.mergedInto ? (
          <Card withBorder>
            <Text>
              Merged into{" "}
              <AnchorLink to="/incidents/$id" params={{ id: i.mergedInto }}>
                another incident
              </AnchorLink>
              ; its reports and open tasks moved there.
            </Text>
          </Card>
        ) : null}
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="overview">Overview</Tabs.Tab>
            <Tabs.Tab value="tasks">Tasks ({i.openTasks} open)</Tabs.Tab>
            <Tabs.Tab value="timeline">Timeline</Tabs.Tab>
            <Tabs.Tab value="evidence">Evidence</Tabs.Tab>
            <Tabs.Tab value="clocks">Regulatory clocks</Tabs.Tab>
            <Tabs.Tab value="postmortem">Post-mortem</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="overview" pt="md">
            <IncidentOverview incident={i} canWrite={canWrite} />
          </Tabs.Panel>
          <Tabs.Panel value="tasks" pt="md">
            <TasksTab incidentId={id} closed={i.status === "closed"} canWrite={canWrite} />
          </Tabs.Panel>
          <Tabs.Panel value="timeline" pt="md">
            <TimelineTab incidentId={id} canWrite={canWrite && i.status !== "closed"} />
          </Tabs.Panel>
          <Tabs.Panel value="evidence" pt="md">
            <EvidenceTab incidentId={id} canWrite={canWrite && i.status !== "closed"} />
          </Tabs.Panel>
          <Tabs.Panel value="clocks" pt="md">
            <ClocksTab incidentId={id} closed={i.status === "closed"} />
          </Tabs.Panel>
          <Tabs.Panel value="postmortem" pt="md">
            <Title order={2} size="h3" mb="sm">
              Blameless post-mortem
            </Title>
            <PostmortemTab incidentId={id} canWrite={canWrite && i.status !== "closed"} />
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </>
  );
}
