import { Alert, Button, Card, Checkbox, Group, List, Loader, Radio, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { DueBadge, SafeHtml } from "./badges";
import { awarenessKey, myModuleQuery } from "./queries";
import type { Attempt, AttemptResult } from "./types";

const routeApi = getRouteApi("/authed/awareness/training/$id");

function Quiz({ attempt, onDone }: { attempt: Attempt; onDone: (r: AttemptResult) => void }) {
  const [answers, setAnswers] = useState<Record<string, string[]>>({});
  const submit = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/awareness/me/attempts/{id}/submit", {
          params: { path: { id: attempt.attemptId } },
          body: {
            answers: attempt.questions.map((q) => ({ questionId: q.id, optionIds: answers[q.id] ?? [] })),
          },
        }),
      ),
    onSuccess: onDone,
  });
  const unanswered = attempt.questions.filter((q) => !(answers[q.id] ?? []).length).length;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="quiz-title">
      <Title order={2} size="h3" id="quiz-title" mb="xs">
        Quiz, attempt {attempt.seq} of {attempt.maxAttempts}
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Pass mark {attempt.passMark} %. Your answers are checked when you submit; an attempt can be submitted
        once.
      </Text>
      <Stack gap="lg">
        {attempt.questions.map((q, i) =>
          q.kind === "single" ? (
            <Radio.Group
              key={q.id}
              label={`${i + 1}. ${q.prompt}`}
              value={answers[q.id]?.[0] ?? null}
              onChange={(v) => setAnswers((a) => ({ ...a, [q.id]: [v] }))}
            >
              <Stack gap={6} mt="xs">
                {q.options.map((o) => (
                  <Radio key={o.id} value={o.id} label={o.text} />
                ))}
              </Stack>
            </Radio.Group>
          ) : (
            <Checkbox.Group
              key={q.id}
              label={`${i + 1}. ${q.prompt}`}
              description="Choose all that apply"
              value={answers[q.id] ?? []}
              onChange={(v) => setAnswers((a) => ({ ...a, [q.id]: v }))}
            >
              <Stack gap={6} mt="xs">
                {q.options.map((o) => (
                  <Checkbox key={o.id} value={o.id} label={o.text} />
                ))}
              </Stack>
            </Checkbox.Group>
          ),
        )}
        <ErrorAlert error={submit.error} title="Could not submit your answers" />
        <Group>
          <Button loading={submit.isPending} onClick={() => submit.mutate()}>
            Submit answers
          </Button>
          {unanswered ? (
            <Text size="sm">{unanswered} question(s) not answered yet (they count as wrong).</Text>
          ) : null}
        </Group>
      </Stack>
    </Card>
  );
}

function Result({ result }: { result: AttemptResult }) {
  return (
    <Alert
      color={result.passed ? "teal" : "orange"}
      variant="light"
      title={
        result.passed
          ? `Passed with ${result.score} %`
          : `Not passed: ${result.score} % (pass mark ${result.passMark} %)`
      }
    >
      <Text size="sm">
        {result.correct} of {result.total} right.{" "}
        {result.passed
          ? "Well done: the training is complete."
          : result.attemptsLeft
            ? `You have ${result.attemptsLeft} attempt(s) left; reread the content and try again.`
            : "No attempts left: HR or Security will be in touch to assign it again."}
      </Text>
      {result.certificateId ? (
        <Text size="sm" mt="xs">
          <a href={`/api/v1/awareness/me/certificates/${result.certificateId}`} download>
            Download your certificate (PDF)
          </a>
        </Text>
      ) : null}
      {result.questions.some((q) => q.explanation) ? (
        <List size="sm" mt="xs">
          {result.questions.map((q, i) => (
            <List.Item key={q.questionId}>
              Question {i + 1}: {q.correct ? "right" : "wrong"}
              {q.explanation ? `. ${q.explanation}` : ""}
            </List.Item>
          ))}
        </List>
      ) : null}
    </Alert>
  );
}

/** The training player: content, then the quiz, the result and the certificate. */
export function TrainingPage() {
  const { id } = routeApi.useParams();
  const qc = useQueryClient();
  const mod = useQuery(myModuleQuery(id));
  const [attempt, setAttempt] = useState<Attempt | null>(null);
  const [result, setResult] = useState<AttemptResult | null>(null);
  const start = useMutation({
    mutationFn: async () =>
      expectData(await api.POST("/api/v1/awareness/me/modules/{id}/attempts", { params: { path: { id } } })),
    onSuccess: (a) => {
      setResult(null);
      setAttempt(a);
    },
  });
  const m = mod.data;
  return (
    <>
      <PageHeader
        title={m?.title ?? "Training"}
        description={m?.summary}
        actions={
          <ButtonLink to="/awareness" variant="default">
            Back to my list
          </ButtonLink>
        }
      />
      {mod.isPending ? <Loader aria-label="Loading the training" /> : null}
      <ErrorAlert error={mod.error} title="Could not load the training" />
      {m ? (
        <Stack gap="md">
          <Group>
            <DueBadge status={m.status} dueAt={m.dueAt} />
          </Group>
          <Card withBorder padding="lg">
            <SafeHtml html={m.bodyHtml} />
          </Card>
          {result ? <Result result={result} /> : null}
          {attempt && !result ? (
            <Quiz
              attempt={attempt}
              onDone={(r) => {
                setResult(r);
                setAttempt(null);
                void qc.invalidateQueries({ queryKey: awarenessKey });
              }}
            />
          ) : null}
          {!attempt && m.status === "open" && m.attemptsLeft > 0 && !result?.passed ? (
            <Group>
              <Button loading={start.isPending} onClick={() => start.mutate()}>
                {m.attempts.some((a) => !a.submittedAt) ? "Continue the quiz" : "Start the quiz"}
              </Button>
              <Text size="sm">
                {m.attemptsLeft} attempt(s) left · pass mark {m.passMark} %
              </Text>
            </Group>
          ) : null}
          <ErrorAlert error={start.error} title="Could not start the quiz" />
          {m.certificateId && !result ? (
            <Alert color="teal" variant="light" title="Completed">
              <a href={`/api/v1/awareness/me/certificates/${m.certificateId}`} download>
                Download your certificate (PDF)
              </a>
            </Alert>
          ) : null}
          {m.attempts.filter((a) => a.submittedAt).length ? (
            <Card withBorder padding="md">
              <Text fw={600} mb="xs">
                Your attempts
              </Text>
              <List size="sm">
                {m.attempts
                  .filter((a) => a.submittedAt)
                  .map((a) => (
                    <List.Item key={a.attemptId}>
                      Attempt {a.seq}: {a.score} % ({a.passed ? "passed" : "not passed"}),{" "}
                      {formatDateTime(a.submittedAt)}
                    </List.Item>
                  ))}
              </List>
            </Card>
          ) : null}
        </Stack>
      ) : null}
    </>
  );
}
