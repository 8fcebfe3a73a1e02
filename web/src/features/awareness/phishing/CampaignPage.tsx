import { Button, Card, EmptyState, Loader, SimpleGrid, Tabs, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { useCan } from "../../../app/session";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { formatDateTime } from "../../../components/format";
import { AnchorLink, ButtonLink } from "../../../components/links";
import { PageHeader } from "../../../components/PageHeader";
import { departmentsQuery, jobRolesQuery } from "../../org/queries";
import { describeAudience } from "../AudienceFields";
import { CampaignActions } from "./CampaignActions";
import { CampaignModal } from "./CampaignModal";
import { DepartmentTable, Funnel } from "./Funnel";
import { InteractionsTable } from "./InteractionsTable";
import { CampaignStatusBadge } from "./labels";
import { campaignDepartmentsQuery, campaignQuery } from "./queries";
import { RecipientsTable } from "./RecipientsTable";
import type { Campaign } from "./types";

const routeApi = getRouteApi("/authed/awareness/phishing/campaigns/$id");

/** The audience in words, with department and job role names where they are known. */
function useAudienceText(a: Campaign["audience"]): string {
  const departments = useQuery(departmentsQuery);
  const roles = useQuery(jobRolesQuery);
  if (a.everyone) return "Everyone who works here";
  const names = (ids: string[] | undefined, list: { id: string; label: string }[] | undefined) =>
    (ids ?? []).map((id) => list?.find((x) => x.id === id)?.label ?? id).join(", ");
  const parts = [
    a.departmentIds?.length
      ? `Departments: ${names(
          a.departmentIds,
          departments.data?.map((d) => ({ id: d.id, label: d.name })),
        )}`
      : "",
    a.jobRoleIds?.length
      ? `Job roles: ${names(
          a.jobRoleIds,
          roles.data?.map((r) => ({ id: r.id, label: r.title })),
        )}`
      : "",
    a.employmentTypes?.length ? `Employment types: ${a.employmentTypes.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : describeAudience(a);
}

function Facts({ c }: { c: Campaign }) {
  const audience = useAudienceText(c.audience);
  const fact = (label: string, value: React.ReactNode) => (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </div>
  );
  return (
    <Card withBorder padding="sm" mb="md">
      <SimpleGrid cols={{ base: 2, md: 5 }}>
        {fact("Status", <CampaignStatusBadge status={c.status} />)}
        {fact(
          "Template",
          <AnchorLink to="/awareness/phishing/templates/$id" params={{ id: c.templateId }}>
            {c.templateName}
          </AnchorLink>,
        )}
        {fact("Audience", audience)}
        {fact("Window", `${formatDateTime(c.windowStart)} to ${formatDateTime(c.windowEnd)}`)}
        {fact("Tracking", `${c.trackDays} days after the window`)}
      </SimpleGrid>
    </Card>
  );
}

function ByDepartment({ c }: { c: Campaign }) {
  const rows = useQuery(campaignDepartmentsQuery(c.id, c.status));
  if (rows.isPending) return <Loader aria-label="Loading the departments" />;
  if (rows.error) return <ErrorAlert error={rows.error} title="Could not load the departments" />;
  if (!rows.data.length) {
    return (
      <EmptyState
        my="lg"
        title="No departments yet"
        description="Figures per department appear once the campaign is scheduled."
      />
    );
  }
  return <DepartmentTable rows={rows.data} />;
}

/** One campaign: the funnel, per department, every recipient and every filtered request. */
export function CampaignPage() {
  const { id } = routeApi.useParams();
  const canRun = useCan("phishing:run");
  const c = useQuery(campaignQuery(id));
  const [editing, setEditing] = useState(false);
  const [tab, setTab] = useState<string | null>("recipients");
  return (
    <>
      <PageHeader
        title={c.data?.name ?? "Phishing campaign"}
        description={c.data ? `From the template ${c.data.templateName}.` : undefined}
        actions={
          <>
            <ButtonLink to="/awareness/phishing/campaigns" variant="default">
              All campaigns
            </ButtonLink>
            {canRun && c.data?.status === "draft" ? (
              <Button variant="default" onClick={() => setEditing(true)}>
                Change draft
              </Button>
            ) : null}
            {canRun && c.data ? <CampaignActions campaign={c.data} /> : null}
          </>
        }
      />
      {c.isPending ? <Loader aria-label="Loading the campaign" /> : null}
      <ErrorAlert error={c.error} title="Could not load the campaign" />
      {c.data ? (
        <>
          <Facts c={c.data} />
          <Funnel campaign={c.data} />
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List mb="md">
              <Tabs.Tab value="recipients">Recipients ({c.data.counts.recipients})</Tabs.Tab>
              <Tabs.Tab value="departments">Per department</Tabs.Tab>
              <Tabs.Tab value="filtered">Filtered requests</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="recipients">
              <RecipientsTable campaign={c.data} />
            </Tabs.Panel>
            <Tabs.Panel value="departments">
              <ByDepartment c={c.data} />
            </Tabs.Panel>
            <Tabs.Panel value="filtered">
              <InteractionsTable campaign={c.data} />
            </Tabs.Panel>
          </Tabs>
          {editing ? <CampaignModal campaign={c.data} onClose={() => setEditing(false)} /> : null}
        </>
      ) : null}
    </>
  );
}
