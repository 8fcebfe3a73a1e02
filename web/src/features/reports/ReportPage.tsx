import {
  Alert,
  Anchor,
  Button,
  Code,
  Container,
  List,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { sessionQuery } from "../../app/session";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader, usePageTitle } from "../../components/PageHeader";
import { anonymousPost } from "./anonymous";
import { reportsKey } from "./queries";
import { ReportForm } from "./ReportForm";
import type { ReportBody, ThankYou } from "./types";

function ThankYouPanel({
  t,
  signedIn,
  onAnother,
}: {
  t: ThankYou;
  signedIn: boolean;
  onAnother: () => void;
}) {
  return (
    <Stack gap="md" aria-live="polite">
      <Alert color="green" variant="light" title={`Received as ${t.reference}`}>
        {t.message}
      </Alert>
      {t.followUpCode ? (
        <Paper withBorder p="md">
          <Stack gap="xs">
            <Title order={2} size="h4">
              Your follow-up code
            </Title>
            <Text size="sm">
              Write it down or keep it somewhere safe now: it is shown only once, and it is the only way to
              see the outcome and to answer questions from Security. We cannot recover it, because we do not
              know who you are.
            </Text>
            <Code block fz="lg" aria-label="Follow-up code">
              {t.followUpCode}
            </Code>
            <Text size="sm">
              Check back on the{" "}
              <AnchorLink to="/report/follow-up" underline="always">
                follow-up page
              </AnchorLink>
              .
            </Text>
          </Stack>
        </Paper>
      ) : null}
      {t.selfHelp.length ? (
        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="xs">
            What you can do now
          </Title>
          <List spacing="xs">
            {t.selfHelp.map((s) => (
              <List.Item key={s}>{s}</List.Item>
            ))}
          </List>
        </Paper>
      ) : null}
      <Stack gap="xs" align="flex-start">
        {signedIn && !t.followUpCode ? <ButtonLink to="/reports/mine">See my reports</ButtonLink> : null}
        <Button variant="default" onClick={onAnother}>
          Report something else
        </Button>
      </Stack>
    </Stack>
  );
}

/** The report form; signed-in people choose between their name and anonymity. */
function ReportBodyPanel({ signedIn }: { signedIn: boolean }) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<"named" | "anonymous">(signedIn ? "named" : "anonymous");
  const [formKey, setFormKey] = useState(0);
  const submit = useMutation({
    mutationFn: async (body: ReportBody): Promise<ThankYou> =>
      mode === "named" && signedIn
        ? expectData(await api.POST("/api/v1/reports", { body }))
        : anonymousPost("/api/v1/reports/anonymous", body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: reportsKey }),
  });
  if (submit.data)
    return (
      <ThankYouPanel
        t={submit.data}
        signedIn={signedIn}
        onAnother={() => {
          submit.reset();
          setFormKey((k) => k + 1);
        }}
      />
    );
  return (
    <Stack gap="md">
      {signedIn ? (
        <SegmentedControl
          aria-label="Report under your name or anonymously"
          value={mode}
          onChange={(v) => setMode(v === "anonymous" ? "anonymous" : "named")}
          data={[
            { value: "named", label: "Under my name" },
            { value: "anonymous", label: "Anonymously" },
          ]}
        />
      ) : null}
      <Text size="sm" c="dimmed">
        {mode === "anonymous"
          ? "Anonymous: we keep no account, address or browser details. You get a code to follow up and answer questions."
          : "Under your name: you see progress under My reports, and Security can ask you questions there."}
        {!signedIn ? (
          <>
            {" "}
            <Anchor href="/signin?redirect=%2Freports%2Fnew" underline="always">
              Sign in
            </Anchor>{" "}
            to report under your name.
          </>
        ) : null}
      </Text>
      <ReportForm
        key={formKey}
        onSubmit={(body) => submit.mutate(body)}
        submitting={submit.isPending}
        error={submit.error}
        submitLabel={mode === "anonymous" ? "Send anonymously" : "Send report"}
      />
    </Stack>
  );
}

const DESCRIPTION =
  "Saw something odd, or made a mistake? Tell us. Reporting quickly is always the right thing to do, and nobody is blamed for it.";

/** /reports/new inside the signed-in shell. */
export function ReportPage() {
  return (
    <>
      <PageHeader title="Report something" description={DESCRIPTION} />
      <Container size="sm" px={0} ml={0}>
        <ReportBodyPanel signedIn />
      </Container>
    </>
  );
}

/** /report: reachable without an account (the anonymous way in). */
export function PublicReportPage() {
  usePageTitle("Report something");
  const session = useQuery({ ...sessionQuery, retry: false });
  return (
    <Container component="main" size="sm" py="xl">
      <Stack gap="lg">
        <Stack gap={4}>
          <Text fw={700} size="lg" c="blue.9">
            Tandem
          </Text>
          <Title order={1}>Report something</Title>
          <Text c="dimmed">{DESCRIPTION}</Text>
        </Stack>
        <Paper withBorder shadow="sm" p="xl" radius="md">
          {session.isPending ? null : <ReportBodyPanel signedIn={!!session.data} />}
        </Paper>
        <Text size="sm">
          Reported before anonymously?{" "}
          <AnchorLink to="/report/follow-up" underline="always">
            Follow up with your code
          </AnchorLink>
          .
        </Text>
      </Stack>
    </Container>
  );
}
