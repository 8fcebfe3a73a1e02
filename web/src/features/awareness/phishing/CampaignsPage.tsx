import { Button, EmptyState, Group, Loader, Select, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../../app/session";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { formatDateTime } from "../../../components/format";
import { AnchorLink, ButtonLink } from "../../../components/links";
import { PageHeader } from "../../../components/PageHeader";
import { ScrollTable } from "../../../components/ScrollTable";
import { Pager } from "../Pager";
import { CampaignActions } from "./CampaignActions";
import { CampaignModal } from "./CampaignModal";
import { CAMPAIGN_STATUS, CampaignStatusBadge, rate } from "./labels";
import { campaignsQuery } from "./queries";
import type { CampaignStatus } from "./types";

/** Phishing simulation campaigns: their window, how far sending got, click and report rates. */
export function CampaignsPage() {
  const canRun = useCan("phishing:run");
  const [status, setStatus] = useState<CampaignStatus | null>(null);
  const [page, setPage] = useState(0);
  const [creating, setCreating] = useState(false);
  const list = useQuery(campaignsQuery({ status: status ?? undefined }, page));
  return (
    <>
      <PageHeader
        title="Phishing campaigns"
        description="Simulated phishing mails sent over a time window; who clicked, who reported."
        actions={
          <>
            <ButtonLink to="/awareness/phishing/templates" variant="default">
              Templates
            </ButtonLink>
            <ButtonLink to="/awareness/phishing/results" variant="default">
              Results
            </ButtonLink>
            {canRun ? <Button onClick={() => setCreating(true)}>New campaign</Button> : null}
          </>
        }
      />
      <Group mb="md" align="flex-end">
        <Select
          label="Status"
          clearable
          placeholder="Any"
          data={Object.entries(CAMPAIGN_STATUS).map(([value, s]) => ({ value, label: s.label }))}
          value={status}
          onChange={(v) => {
            setStatus(v as CampaignStatus | null);
            setPage(0);
          }}
        />
      </Group>
      {list.isPending ? <Loader aria-label="Loading campaigns" /> : null}
      <ErrorAlert error={list.error} title="Could not load the campaigns" />
      {list.data && list.data.items.length === 0 ? (
        <EmptyState
          my="xl"
          title={status ? "No campaign with this status" : "No campaigns yet"}
          description={
            status
              ? "Clear the filter to see every campaign."
              : canRun
                ? "Create a campaign from a template, pick who receives it and when, then schedule it."
                : "Campaigns appear here once Security or HR create them."
          }
        />
      ) : null}
      {list.data?.items.length ? (
        <>
          <ScrollTable label="Phishing campaigns" minWidth={980}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Campaign</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Window</Table.Th>
                <Table.Th>Sent</Table.Th>
                <Table.Th>Clicked</Table.Th>
                <Table.Th>Reported</Table.Th>
                {canRun ? <Table.Th>Actions</Table.Th> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((c) => {
                return (
                  <Table.Tr key={c.id}>
                    <Table.Td>
                      <AnchorLink to="/awareness/phishing/campaigns/$id" params={{ id: c.id }}>
                        {c.name}
                      </AnchorLink>
                      <Text size="xs" c="dimmed">
                        {c.templateName}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <CampaignStatusBadge status={c.status} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(c.windowStart)}</Text>
                      <Text size="sm">to {formatDateTime(c.windowEnd)}</Text>
                    </Table.Td>
                    <Table.Td>
                      {c.counts.sent} of {c.counts.recipients}
                      {c.counts.failed + c.counts.uncertain ? (
                        <Text size="xs" c="red.8">
                          {c.counts.failed} failed, {c.counts.uncertain} uncertain
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      {c.counts.clicked} ({rate(c.counts.clicked, c.counts.sent)})
                    </Table.Td>
                    <Table.Td>
                      {c.counts.reported} ({rate(c.counts.reported, c.counts.sent)})
                    </Table.Td>
                    {canRun ? (
                      <Table.Td>
                        <CampaignActions campaign={c} size="xs" />
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </ScrollTable>
          <Pager page={page} total={list.data.total} onChange={setPage} />
        </>
      ) : null}
      {creating ? <CampaignModal onClose={() => setCreating(false)} /> : null}
    </>
  );
}
