import { Badge, Button, EmptyState, Group, Loader, Table, Text } from "@mantine/core";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { api, expectData } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { ReporterReport } from "./FollowUpPage";
import { CATEGORIES, CATEGORY_LABELS, isOneOf, STATUS_COLORS, STATUS_LABELS } from "./labels";
import { myReportQuery, myReportsQuery, reportsKey } from "./queries";

/** /reports/mine: what you reported, with status and outcome. */
export function MyReportsPage() {
  const reports = useInfiniteQuery(myReportsQuery);
  const items = reports.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader
        title="My reports"
        description="What you reported under your name, and what came of it. Anonymous reports are followed with their code."
        actions={<ButtonLink to="/reports/new">Report something</ButtonLink>}
      />
      {reports.isPending ? <Loader aria-label="Loading your reports" /> : null}
      <ErrorAlert error={reports.error} title="Could not load your reports" />
      {reports.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title="You have not reported anything yet"
          description="Saw a suspicious e-mail, a strange payment request, or made a mistake? Use Report something: it takes a minute and nobody is blamed."
        />
      ) : null}
      {items.length ? (
        <ScrollTable label="My reports" minWidth={720}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Sent</Table.Th>
              <Table.Th scope="col">Report</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDateTime(r.createdAt)}</Table.Td>
                <Table.Td>
                  <AnchorLink to="/reports/mine/$id" params={{ id: r.id }}>
                    {r.title}
                  </AnchorLink>
                  <Text size="xs" c="dimmed">
                    {r.reference} ·{" "}
                    {isOneOf(CATEGORIES, r.category) ? CATEGORY_LABELS[r.category] : r.category}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge
                    variant="light"
                    color={STATUS_COLORS[r.status as keyof typeof STATUS_COLORS] ?? "gray"}
                  >
                    {STATUS_LABELS[r.status as keyof typeof STATUS_LABELS] ?? r.status}
                  </Badge>
                  <Text size="xs">{r.statusText}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {reports.hasNextPage ? (
        <Group justify="center" mt="md">
          <Button
            variant="default"
            loading={reports.isFetchingNextPage}
            onClick={() => void reports.fetchNextPage()}
          >
            Load more
          </Button>
        </Group>
      ) : null}
    </>
  );
}

const routeApi = getRouteApi("/authed/reports/mine/$id");

/** /reports/mine/$id: one of your reports with the conversation. */
export function MyReportPage() {
  const { id } = routeApi.useParams();
  const queryClient = useQueryClient();
  const report = useQuery(myReportQuery(id));
  const reply = useMutation({
    mutationFn: async (body: string) =>
      expectData(
        await api.POST("/api/v1/reports/mine/{id}/messages", { params: { path: { id } }, body: { body } }),
      ),
    onSuccess: (view) => {
      queryClient.setQueryData(myReportQuery(id).queryKey, view);
      void queryClient.invalidateQueries({ queryKey: [...reportsKey, "mine"], exact: true });
    },
  });
  return (
    <>
      <PageHeader
        title="Report"
        actions={
          <ButtonLink variant="default" to="/reports/mine">
            All my reports
          </ButtonLink>
        }
      />
      {report.isPending ? <Loader aria-label="Loading the report" /> : null}
      <ErrorAlert error={report.error} title="Could not load the report" />
      {report.data ? (
        <ReporterReport
          report={report.data}
          onSend={(body) => reply.mutate(body)}
          sending={reply.isPending}
          sendError={reply.error}
        />
      ) : null}
    </>
  );
}
