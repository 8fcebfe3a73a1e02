import { Button, Checkbox, Group, Paper, Select, Stack, Text, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan, useSession } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { AnchorLink, ButtonLink } from "../../components/links";
import { SEVERITIES, STATUS_LABELS } from "./labels";
import { reportQuery, reportsKey, similarQuery } from "./queries";
import type { ReportDetail, Severity } from "./types";

function useReportMutation<T>(id: string, fn: (input: T) => Promise<ReportDetail>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (detail) => {
      queryClient.setQueryData(reportQuery(id).queryKey, detail);
      void queryClient.invalidateQueries({ queryKey: reportsKey });
    },
  });
}

/** Severity, assignment, verdict and closing, for those who triage. */
export function TriageActions({ report }: { report: ReportDetail }) {
  const session = useSession();
  const canOpenIncident = useCan("incidents:write");
  const id = report.id;
  const path = { params: { path: { id } } };
  const patch = useReportMutation(
    id,
    async (body: { severity?: Severity | null; assigneeUserId?: string | null; status?: "in_review" }) =>
      expectData(await api.PATCH("/api/v1/reports/{id}", { ...path, body })),
  );
  const verdict = useReportMutation(
    id,
    async (body: { verdict: "benign" | "malicious" | "needs_more_info"; question?: string }) =>
      expectData(await api.POST("/api/v1/reports/{id}/verdict", { ...path, body })),
  );
  const close = useReportMutation(id, async (body: { outcome: string; verdict?: "benign" | "malicious" }) =>
    expectData(await api.POST("/api/v1/reports/{id}/close", { ...path, body })),
  );
  const [question, setQuestion] = useState("");
  const [outcome, setOutcome] = useState("");
  const [closeVerdict, setCloseVerdict] = useState<"benign" | "malicious" | null>(null);
  const finished = report.status === "closed" || report.status === "merged";

  if (finished)
    return (
      <Text size="sm" c="dimmed">
        This report is {STATUS_LABELS[report.status].toLowerCase()}; nothing more to do here.
      </Text>
    );
  return (
    <Stack gap="md">
      <Group align="flex-end" gap="sm">
        <Select
          label="Severity"
          placeholder="Not set"
          data={SEVERITIES.map((s) => ({ value: s, label: s }))}
          value={report.severity}
          onChange={(v) => patch.mutate({ severity: (v ?? null) as Severity | null })}
          clearable
        />
        {report.assignee?.id === session.user.id ? (
          <Button
            variant="default"
            onClick={() => patch.mutate({ assigneeUserId: null })}
            loading={patch.isPending}
          >
            Unassign me
          </Button>
        ) : (
          <Button
            variant="default"
            onClick={() => patch.mutate({ assigneeUserId: session.user.id })}
            loading={patch.isPending}
          >
            Assign to me
          </Button>
        )}
        {report.status === "new" || report.status === "acknowledged" ? (
          <Button variant="default" onClick={() => patch.mutate({ status: "in_review" })}>
            Start review
          </Button>
        ) : null}
        {canOpenIncident && report.status !== "escalated" ? (
          <ButtonLink to="/incidents" search={{ fromReport: id }} variant="light" color="red">
            Open an incident from this report
          </ButtonLink>
        ) : null}
      </Group>
      <ErrorAlert error={patch.error} title="Could not update the report" />
      <Paper withBorder p="sm">
        <Title order={3} size="h5" mb="xs">
          Verdict
        </Title>
        <Group gap="sm">
          <Button color="green" variant="light" onClick={() => verdict.mutate({ verdict: "benign" })}>
            Benign
          </Button>
          <Button color="red" variant="light" onClick={() => verdict.mutate({ verdict: "malicious" })}>
            Malicious
          </Button>
        </Group>
        <Textarea
          mt="sm"
          label="Needs more info: your question to the reporter"
          autosize
          minRows={2}
          value={question}
          onChange={(e) => setQuestion(e.currentTarget.value)}
          error={fieldError(verdict.error, "question")}
        />
        <Group justify="flex-end" mt="xs">
          <Button
            variant="light"
            color="orange"
            disabled={!question.trim()}
            onClick={() =>
              verdict.mutate(
                { verdict: "needs_more_info", question: question.trim() },
                { onSuccess: () => setQuestion("") },
              )
            }
          >
            Ask the reporter
          </Button>
        </Group>
        <ErrorAlert error={verdict.error} title="Could not set the verdict" shownFields={["question"]} />
      </Paper>
      <Paper withBorder p="sm">
        <Title order={3} size="h5" mb="xs">
          Close with an outcome
        </Title>
        <Textarea
          label="What the reporter reads"
          description="Plain, kind words: what we found and what, if anything, they should do. Reporters of merged duplicates read it too."
          autosize
          minRows={3}
          value={outcome}
          onChange={(e) => setOutcome(e.currentTarget.value)}
          error={fieldError(close.error, "outcome")}
        />
        <Group justify="space-between" mt="xs" align="flex-end">
          <Select
            label="Final verdict"
            placeholder="Keep as is"
            clearable
            data={[
              { value: "benign", label: "Benign" },
              { value: "malicious", label: "Malicious" },
            ]}
            value={closeVerdict}
            onChange={(v) => setCloseVerdict(v === "benign" || v === "malicious" ? v : null)}
          />
          <Button
            disabled={outcome.trim().length < 3}
            loading={close.isPending}
            onClick={() => close.mutate({ outcome: outcome.trim(), verdict: closeVerdict ?? undefined })}
          >
            Close report
          </Button>
        </Group>
        <ErrorAlert error={close.error} title="Could not close the report" shownFields={["outcome"]} />
      </Paper>
    </Stack>
  );
}

/** Similar reports, and merging the chosen ones into this report. */
export function SimilarReports({ report, canWrite }: { report: ReportDetail; canWrite: boolean }) {
  const similar = useQuery(similarQuery(report.id));
  const [chosen, setChosen] = useState<string[]>([]);
  const merge = useReportMutation(report.id, async (duplicateIds: string[]) =>
    expectData(
      await api.POST("/api/v1/reports/{id}/merge", {
        params: { path: { id: report.id } },
        body: { duplicateIds },
      }),
    ),
  );
  const items = similar.data ?? [];
  const mergeable = (s: string) => !["closed", "merged", "escalated"].includes(s);
  return (
    <Stack gap="xs">
      <ErrorAlert error={similar.error} title="Could not load similar reports" />
      {similar.isSuccess && !items.length ? (
        <Text size="sm" c="dimmed">
          No other report shares this one's sender, link host or subject.
        </Text>
      ) : null}
      {items.map((s) => (
        <Group key={s.id} gap="sm" wrap="nowrap">
          {canWrite ? (
            <Checkbox
              aria-label={`Choose ${s.reference} to merge`}
              disabled={!mergeable(s.status) || report.status === "closed" || report.status === "merged"}
              checked={chosen.includes(s.id)}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                setChosen((c) => (on ? [...c, s.id] : c.filter((x) => x !== s.id)));
              }}
            />
          ) : null}
          <Text size="sm">
            <AnchorLink to="/reports/triage/$id" params={{ id: s.id }} underline="always">
              {s.reference}
            </AnchorLink>{" "}
            {s.title} · {STATUS_LABELS[s.status]}
          </Text>
        </Group>
      ))}
      {canWrite && chosen.length ? (
        <Group>
          <Button
            size="sm"
            onClick={() => merge.mutate(chosen, { onSuccess: () => setChosen([]) })}
            loading={merge.isPending}
          >
            Merge {chosen.length} into this report
          </Button>
        </Group>
      ) : null}
      <ErrorAlert error={merge.error} title="Could not merge" />
    </Stack>
  );
}
