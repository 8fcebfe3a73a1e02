import {
  Alert,
  Badge,
  Button,
  Container,
  Group,
  List,
  Paper,
  PasswordInput,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { usePageTitle } from "../../components/PageHeader";
import { anonymousPost } from "./anonymous";
import { Conversation } from "./Conversation";
import { CATEGORY_LABELS, STATUS_COLORS, STATUS_LABELS } from "./labels";
import type { ReporterView } from "./types";

/** What a reporter sees of their report: status in plain words, outcome, self-help and the conversation. */
export function ReporterReport({
  report,
  onSend,
  sending,
  sendError,
}: {
  report: ReporterView;
  onSend: (body: string) => void;
  sending: boolean;
  sendError: unknown;
}) {
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={2} size="h3">
            {report.title}
          </Title>
          <Text size="sm" c="dimmed">
            {report.reference} · {CATEGORY_LABELS[report.category]} · sent {formatDateTime(report.createdAt)}
          </Text>
        </Stack>
        <Badge color={STATUS_COLORS[report.status]} variant="light">
          {STATUS_LABELS[report.status]}
        </Badge>
      </Group>
      <Alert color={report.status === "waiting_for_reporter" ? "orange" : "blue"} variant="light">
        {report.statusText}
      </Alert>
      {report.outcome ? (
        <Paper withBorder p="md">
          <Title order={3} size="h5" mb={4}>
            Outcome
          </Title>
          <Text style={{ whiteSpace: "pre-wrap" }}>{report.outcome}</Text>
        </Paper>
      ) : null}
      {report.selfHelp.length && report.status !== "closed" ? (
        <Paper withBorder p="md">
          <Title order={3} size="h5" mb={4}>
            What you can do now
          </Title>
          <List spacing={4} size="sm">
            {report.selfHelp.map((s) => (
              <List.Item key={s}>{s}</List.Item>
            ))}
          </List>
        </Paper>
      ) : null}
      <Paper withBorder p="md">
        <Title order={3} size="h5" mb={4}>
          What you told us
        </Title>
        <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
          {report.description || "(no description)"}
        </Text>
        {report.attachments.length ? (
          <Text size="xs" c="dimmed" mt="xs">
            Files: {report.attachments.map((a) => a.filename).join(", ")}
          </Text>
        ) : null}
      </Paper>
      <Title order={3} size="h4">
        Conversation with Security
      </Title>
      <Conversation
        messages={report.messages}
        reporterLabel="You"
        emptyText="No messages yet. If Security has a question, it appears here."
        onSend={report.status === "closed" ? undefined : onSend}
        sending={sending}
        error={sendError}
        sendLabel="Reply or add something"
      />
    </Stack>
  );
}

/** /report/follow-up: an anonymous reporter's way back, with the code alone (sent in the body, never the URL). */
export function FollowUpPage() {
  usePageTitle("Follow up on a report");
  const [code, setCode] = useState("");
  const lookup = useMutation({
    mutationFn: (c: string) => anonymousPost("/api/v1/reports/follow-up", { code: c }),
  });
  const reply = useMutation({
    mutationFn: (body: string) => anonymousPost("/api/v1/reports/follow-up/messages", { code, body }),
  });
  // The latest answer wins: a reply returns the report as it is now.
  const report = reply.data ?? lookup.data ?? null;

  return (
    <Container component="main" size="sm" py="xl">
      <Stack gap="lg">
        <Stack gap={4}>
          <Text fw={700} size="lg" c="blue.9">
            Tandem
          </Text>
          <Title order={1}>Follow up on a report</Title>
          <Text c="dimmed">Enter the code you got when you reported anonymously.</Text>
        </Stack>
        <Paper withBorder shadow="sm" p="xl" radius="md">
          {report ? (
            <ReporterReport
              report={report}
              onSend={(body) => reply.mutate(body)}
              sending={reply.isPending}
              sendError={reply.error}
            />
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                reply.reset();
                lookup.mutate(code);
              }}
            >
              <Stack gap="md">
                <PasswordInput
                  label="Follow-up code"
                  description="Groups of four letters and digits; dashes and case do not matter."
                  value={code}
                  onChange={(e) => setCode(e.currentTarget.value)}
                  autoComplete="off"
                  required
                />
                <ErrorAlert error={lookup.error} title="No report found" />
                <Group justify="flex-end">
                  <Button type="submit" loading={lookup.isPending} disabled={code.trim().length < 16}>
                    Show my report
                  </Button>
                </Group>
              </Stack>
            </form>
          )}
        </Paper>
        <Text size="sm">
          Want to report something new?{" "}
          <AnchorLink to="/report" underline="always">
            Report it here
          </AnchorLink>
          .
        </Text>
      </Stack>
    </Container>
  );
}
