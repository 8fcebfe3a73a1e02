import {
  Anchor,
  Button,
  Card,
  Group,
  Loader,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { api, expectData } from "../../api/client";
import { useCan, useSession } from "../../app/session";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { myPersonQuery } from "../people/queries";
import { LabelBadge } from "./badges";
import { CAMPAIGN_STATE_COLORS, CAMPAIGN_STATE_LABELS, SCOPE_LABELS } from "./governanceLabels";
import { campaignItemsQuery, campaignQuery } from "./governanceQueries";
import { accessKey } from "./queries";
import { ReviewItemsTable } from "./ReviewItemsTable";
import type { Campaign } from "./types";

const routeApi = getRouteApi("/authed/access/reviews/$id");

function Count({ label, value, color }: { label: string; value: number; color?: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700} c={color}>
        {value}
      </Text>
    </Card>
  );
}

function Reviewers({ campaign }: { campaign: Campaign }) {
  if (!campaign.reviewers.length) return null;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="reviewers-title">
      <Title order={2} size="h4" id="reviewers-title" mb="xs">
        Reviewers
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Reminded{" "}
        {campaign.reminderDays.length
          ? `${campaign.reminderDays.join(" and ")} days before the due date`
          : "never before the due date"}
        {campaign.remindOverdue ? ", and daily while overdue" : ""}.
      </Text>
      <ScrollTable label="Reviewers" minWidth={640}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Reviewer</Table.Th>
            <Table.Th scope="col">Progress</Table.Th>
            <Table.Th scope="col">Open</Table.Th>
            <Table.Th scope="col">Last reminded</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {campaign.reviewers.map((r) => (
            <Table.Tr key={`${r.reviewerUserId ?? ""}-${r.reviewerPersonId ?? ""}`}>
              <Table.Td>{r.reviewerName}</Table.Td>
              <Table.Td miw={160}>
                <Progress
                  value={r.total ? (r.decided / r.total) * 100 : 0}
                  size="sm"
                  aria-label={`${r.reviewerName}: ${r.decided} of ${r.total} decided`}
                />
                <Text size="xs">
                  {r.decided}/{r.total} · {r.kept} kept · {r.revoked} revoked
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={r.overdue ? "red.9" : undefined}>
                  {r.open}
                  {r.overdue ? ` (${r.overdue} overdue)` : ""}
                </Text>
              </Table.Td>
              <Table.Td>{r.lastRemindedAt ? formatDateTime(r.lastRemindedAt) : "Not yet"}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ScrollTable>
    </Card>
  );
}

/** One campaign: progress, reviewers and reminders, the items to decide, start/close and the evidence. */
export function ReviewCampaignPage() {
  const { id } = routeApi.useParams();
  const session = useSession();
  const queryClient = useQueryClient();
  const canAdmin = useCan("access:admin");
  const canRead = useCan("access:read");
  const campaign = useQuery(campaignQuery(id));
  const me = useQuery(myPersonQuery);
  const items = useQuery({ ...campaignItemsQuery(id, !canRead), enabled: campaign.data?.state !== "draft" });
  const act = useMutation({
    mutationFn: async (verb: "start" | "close") =>
      verb === "start"
        ? expectData(await api.POST("/api/v1/access/reviews/{id}/start", { params: { path: { id } } }))
        : expectData(await api.POST("/api/v1/access/reviews/{id}/close", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accessKey }),
  });
  const c = campaign.data;
  const p = c?.progress;

  return (
    <>
      <PageHeader
        title={c?.name ?? "Access review"}
        description={
          c
            ? `${SCOPE_LABELS[c.scope] ?? c.scope} · due ${formatDateTime(c.dueAt)} · owner ${c.ownerName}`
            : undefined
        }
        actions={
          c ? (
            <>
              {canRead && c.state !== "draft" ? (
                <>
                  <Button
                    component="a"
                    variant="default"
                    href={`/api/v1/access/reviews/${id}/export.csv`}
                    download
                  >
                    Export CSV
                  </Button>
                  <Button
                    component="a"
                    variant="default"
                    href={`/api/v1/access/reviews/${id}/export.pdf`}
                    download
                  >
                    Export PDF
                  </Button>
                </>
              ) : null}
              {canAdmin && c.state === "draft" ? (
                <Button onClick={() => act.mutate("start")} loading={act.isPending}>
                  Start the review
                </Button>
              ) : null}
              {canAdmin && c.state === "active" ? (
                <ConfirmButton
                  question="Close now? Open items keep their access and are listed as not reviewed."
                  confirmLabel="Close"
                  onConfirm={() => act.mutate("close")}
                  loading={act.isPending}
                >
                  Close the review
                </ConfirmButton>
              ) : null}
            </>
          ) : null
        }
      />
      {campaign.isPending ? <Loader aria-label="Loading the campaign" /> : null}
      <ErrorAlert error={campaign.error} title="Could not load the campaign" />
      <ErrorAlert error={act.error} title="Nothing was changed" />
      {c && p ? (
        <Stack gap="lg">
          <Group gap="sm">
            <LabelBadge label={CAMPAIGN_STATE_LABELS[c.state]} color={CAMPAIGN_STATE_COLORS[c.state]} />
            {c.description ? <Text size="sm">{c.description}</Text> : null}
            {c.closedAt ? (
              <Text size="sm" c="dimmed">
                Closed {formatDateTime(c.closedAt)}
                {c.closeReason === "due" ? " at the due date" : ""}
              </Text>
            ) : null}
          </Group>
          {c.state === "draft" ? (
            <Text>
              This campaign has not started. Starting it takes the grants in scope as they were last read from
              each system (read the systems first for a fresh picture) and gives each to its reviewer.
            </Text>
          ) : (
            <>
              <Progress
                value={p.total ? (p.decided / p.total) * 100 : 0}
                size="lg"
                aria-label={`${p.decided} of ${p.total} items decided`}
              />
              <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
                <Count label="Items" value={p.total} />
                <Count label="Decided" value={p.decided} color="teal.9" />
                <Count label="Revoked" value={p.revoked} color="red.9" />
                <Count label="Open" value={p.open} />
                <Count label="Overdue" value={p.overdue} color={p.overdue ? "red.9" : undefined} />
                <Count
                  label="Sent to the owner"
                  value={p.flagged}
                  color={p.flagged ? "orange.9" : undefined}
                />
              </SimpleGrid>
              <Reviewers campaign={c} />
              <Card withBorder padding="md" component="section" aria-labelledby="items-title">
                <Title order={2} size="h4" id="items-title" mb="sm">
                  {canRead ? "Items" : "Your items"}
                </Title>
                {items.isPending ? <Loader aria-label="Loading the items" /> : null}
                <ErrorAlert error={items.error} title="Could not load the items" />
                {items.data ? (
                  <ReviewItemsTable
                    items={items.data}
                    closed={c.state === "closed"}
                    canDecide={(i) =>
                      canAdmin ||
                      i.reviewerUserId === session.user.id ||
                      (!!me.data && i.reviewerPersonId === me.data.id)
                    }
                  />
                ) : null}
              </Card>
              {canRead ? (
                <Text size="xs" c="dimmed">
                  Exports carry who made them and when, and are recorded in the{" "}
                  <Anchor href="/audit" size="xs" underline="always">
                    audit log
                  </Anchor>
                  .
                </Text>
              ) : null}
            </>
          )}
        </Stack>
      ) : null}
    </>
  );
}
