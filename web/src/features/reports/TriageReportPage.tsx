import { Badge, Button, Code, Grid, Group, Loader, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { Conversation } from "./Conversation";
import {
  CATEGORY_LABELS,
  CHANNEL_LABELS,
  SEVERITY_COLORS,
  STATUS_COLORS,
  STATUS_LABELS,
  VERDICT_LABELS,
} from "./labels";
import { reportQuery, reportsKey } from "./queries";
import { SimilarReports, TriageActions } from "./TriageActions";
import type { ReportDetail } from "./types";

const routeApi = getRouteApi("/authed/reports/triage/$id");

const humanKey = (k: string) => k.replace(/([A-Z])/g, " $1").toLowerCase();
const show = (v: unknown) =>
  Array.isArray(v) ? v.join("\n") : typeof v === "boolean" ? (v ? "yes" : "no") : String(v);

function Facts({ r }: { r: ReportDetail }) {
  const rows: [string, string][] = [
    ["Category", CATEGORY_LABELS[r.category]],
    ["Channel", CHANNEL_LABELS[r.channel]],
    [
      "Reporter",
      r.anonymous ? "Anonymous" : [r.reporterName, r.reporterEmail].filter(Boolean).join(" · ") || "—",
    ],
    ["Department", r.reporterDepartment ?? "—"],
    ["Received", formatDateTime(r.createdAt)],
    ["Acknowledged", formatDateTime(r.acknowledgedAt)],
    ...Object.entries(r.details)
      .filter(([k, v]) => v !== undefined && v !== null && v !== "" && k !== "urls")
      .map(([k, v]) => [humanKey(k), show(v)] as [string, string]),
  ];
  return (
    <Table variant="vertical" layout="fixed" withTableBorder>
      <Table.Tbody>
        {rows.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Th w={160}>{k}</Table.Th>
            <Table.Td style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{v}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** /reports/triage/$id: one report with everything Security needs to decide. */
export function TriageReportPage() {
  const { id } = routeApi.useParams();
  const canWrite = useCan("reports:triage");
  const canDownload = useCan("reports:attachments");
  const queryClient = useQueryClient();
  const report = useQuery(reportQuery(id));
  const ask = useMutation({
    mutationFn: async (body: string) =>
      expectData(
        await api.POST("/api/v1/reports/{id}/messages", { params: { path: { id } }, body: { body } }),
      ),
    onSuccess: (d) => {
      queryClient.setQueryData(reportQuery(id).queryKey, d);
      void queryClient.invalidateQueries({ queryKey: reportsKey });
    },
  });
  const r = report.data;
  return (
    <>
      <PageHeader
        title={r ? r.title : "Report"}
        description={r ? `${r.reference} · ${CATEGORY_LABELS[r.category]}` : undefined}
        actions={
          <ButtonLink variant="default" to="/reports/triage">
            Back to the queue
          </ButtonLink>
        }
      />
      {report.isPending ? <Loader aria-label="Loading the report" /> : null}
      <ErrorAlert error={report.error} title="Could not load the report" />
      {r ? (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: 7 }}>
            <Stack gap="md">
              <Group gap="xs">
                <Badge variant="light" color={STATUS_COLORS[r.status]}>
                  {STATUS_LABELS[r.status]}
                </Badge>
                {r.severity ? <Badge color={SEVERITY_COLORS[r.severity]}>{r.severity}</Badge> : null}
                {r.verdict ? <Badge variant="outline">{VERDICT_LABELS[r.verdict]}</Badge> : null}
                {r.flags.map((f) => (
                  <Badge key={f} color="orange" variant="outline">
                    {f.replace(/_/g, " ")}
                  </Badge>
                ))}
                {r.assignee ? <Text size="sm">Assigned to {r.assignee.name}</Text> : null}
              </Group>
              {r.mergedInto ? (
                <Text size="sm">
                  Merged into{" "}
                  <AnchorLink to="/reports/triage/$id" params={{ id: r.mergedInto }} underline="always">
                    the primary report
                  </AnchorLink>
                  .
                </Text>
              ) : null}
              {r.incidentId ? <Text size="sm">Escalated to incident {r.incidentId}.</Text> : null}
              <Paper withBorder p="md">
                <Title order={2} size="h4" mb="xs">
                  What the reporter wrote
                </Title>
                <Text style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
                  {r.description || "(nothing)"}
                </Text>
              </Paper>
              {r.urls.length ? (
                <Paper withBorder p="md">
                  <Title order={2} size="h4" mb="xs">
                    Links (as text; do not open them in your browser)
                  </Title>
                  <Code block>{r.urls.join("\n")}</Code>
                </Paper>
              ) : null}
              <Facts r={r} />
              {r.outcome ? (
                <Paper withBorder p="md">
                  <Title order={2} size="h4" mb="xs">
                    Outcome sent to the reporter
                  </Title>
                  <Text style={{ whiteSpace: "pre-wrap" }}>{r.outcome}</Text>
                </Paper>
              ) : null}
              <Title order={2} size="h4">
                Conversation
              </Title>
              <Conversation
                messages={r.messages}
                reporterLabel={r.anonymous ? "Anonymous reporter" : "Reporter"}
                emptyText={
                  r.channel === "email" && !r.reporterName
                    ? "This reporter has no account; answer them by e-mail."
                    : "No messages yet. Ask the reporter something if you need more details."
                }
                onSend={
                  canWrite && r.status !== "closed" && r.status !== "merged"
                    ? (b) => ask.mutate(b)
                    : undefined
                }
                sending={ask.isPending}
                error={ask.error}
                sendLabel="Message to the reporter"
              />
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack gap="md">
              {canWrite ? <TriageActions report={r} /> : null}
              <Paper withBorder p="md">
                <Title order={2} size="h4" mb="xs">
                  Files
                </Title>
                {!r.attachments.length && !r.mail ? (
                  <Text size="sm" c="dimmed">
                    No files came with this report.
                  </Text>
                ) : null}
                <Stack gap={6}>
                  {r.attachments.map((a) => (
                    <Group key={a.id} justify="space-between" wrap="nowrap">
                      <Text size="sm" style={{ overflowWrap: "anywhere" }}>
                        {a.filename} · {a.contentType} · {Math.ceil(a.size / 1024)} KB
                      </Text>
                      {canDownload ? (
                        <Button
                          component="a"
                          size="compact-sm"
                          variant="default"
                          href={`/api/v1/reports/${r.id}/attachments/${a.id}`}
                          download
                        >
                          Download
                        </Button>
                      ) : null}
                    </Group>
                  ))}
                  {r.mail && canDownload ? (
                    <Button
                      component="a"
                      size="compact-sm"
                      variant="default"
                      href={`/api/v1/reports/${r.id}/original-mail`}
                      download
                    >
                      Download the original e-mail (.eml)
                    </Button>
                  ) : null}
                </Stack>
              </Paper>
              <Paper withBorder p="md">
                <Title order={2} size="h4" mb="xs">
                  Similar reports
                </Title>
                {r.duplicates.length ? (
                  <Text size="sm" mb="xs">
                    Merged here: {r.duplicates.map((d) => d.reference).join(", ")}
                  </Text>
                ) : null}
                <SimilarReports report={r} canWrite={canWrite} />
              </Paper>
            </Stack>
          </Grid.Col>
        </Grid>
      ) : null}
    </>
  );
}
