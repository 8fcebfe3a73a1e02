import {
  ActionIcon,
  Button,
  Card,
  Checkbox,
  Group,
  Loader,
  NumberInput,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { StatusBadge } from "./badges";
import { awarenessKey, moduleQuery } from "./queries";
import type { ModuleBody, QuestionBody, TrainingModule } from "./types";

const routeApi = getRouteApi("/authed/awareness/admin/modules/$id");

function toBody(m: TrainingModule): ModuleBody {
  return {
    title: m.title,
    summary: m.summary,
    body: m.bodyMd,
    passMark: m.passMark,
    maxAttempts: m.maxAttempts,
    questionsPerAttempt: m.questionsPerAttempt,
    dueDays: m.dueDays,
    questions: m.questions.map((q) => ({ ...q, options: q.options.map((o) => ({ ...o })) })),
  };
}

function QuestionEditor({
  q,
  index,
  error,
  readOnly,
  onChange,
  onRemove,
}: {
  q: QuestionBody;
  index: number;
  error: unknown;
  readOnly: boolean;
  onChange: (q: QuestionBody) => void;
  onRemove: () => void;
}) {
  const setOption = (i: number, patch: Partial<QuestionBody["options"][number]>) =>
    onChange({
      ...q,
      options: q.options.map((o, j) =>
        j === i ? { ...o, ...patch } : patch.correct && q.kind === "single" ? { ...o, correct: false } : o,
      ),
    });
  return (
    <Card withBorder padding="sm">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>Question {index + 1}</Text>
          {!readOnly ? (
            <Button size="xs" variant="subtle" color="red" onClick={onRemove}>
              Remove question
            </Button>
          ) : null}
        </Group>
        <Textarea
          label="Question"
          autosize
          value={q.prompt}
          readOnly={readOnly}
          onChange={(e) => onChange({ ...q, prompt: e.currentTarget.value })}
          error={fieldError(error, `body.questions.${index}.prompt`)}
        />
        <SegmentedControl
          aria-label={`Kind of question ${index + 1}`}
          disabled={readOnly}
          value={q.kind}
          onChange={(v) => onChange({ ...q, kind: v as "single" | "multiple" })}
          data={[
            { value: "single", label: "One answer" },
            { value: "multiple", label: "Several answers" },
          ]}
        />
        {q.options.map((o, i) => (
          <Group key={o.id ?? `new-${i}`} wrap="nowrap" align="flex-end">
            <Checkbox
              aria-label={`Option ${i + 1} is correct`}
              checked={o.correct}
              disabled={readOnly}
              onChange={(e) => setOption(i, { correct: e.currentTarget.checked })}
              mb={8}
            />
            <TextInput
              style={{ flex: 1 }}
              label={`Option ${i + 1}`}
              value={o.text}
              readOnly={readOnly}
              onChange={(e) => setOption(i, { text: e.currentTarget.value })}
            />
            {!readOnly && q.options.length > 2 ? (
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Remove option ${i + 1}`}
                mb={4}
                onClick={() => onChange({ ...q, options: q.options.filter((_, j) => j !== i) })}
              >
                ×
              </ActionIcon>
            ) : null}
          </Group>
        ))}
        {fieldError(error, `body.questions.${index}.options`) ? (
          <Text size="sm" c="red.8">
            {fieldError(error, `body.questions.${index}.options`)}
          </Text>
        ) : null}
        {!readOnly && q.options.length < 8 ? (
          <Group>
            <Button
              size="xs"
              variant="light"
              onClick={() => onChange({ ...q, options: [...q.options, { text: "", correct: false }] })}
            >
              Add option
            </Button>
          </Group>
        ) : null}
        <Textarea
          label="Explanation (shown once the quiz is over)"
          autosize
          value={q.explanation ?? ""}
          readOnly={readOnly}
          onChange={(e) => onChange({ ...q, explanation: e.currentTarget.value })}
        />
      </Stack>
    </Card>
  );
}

function Editor({ module: m, canWrite }: { module: TrainingModule; canWrite: boolean }) {
  const qc = useQueryClient();
  const [form, setForm] = useState<ModuleBody>(() => toBody(m));
  const readOnly = !canWrite || m.status === "retired";
  const invalidate = () => qc.invalidateQueries({ queryKey: awarenessKey });
  const save = useMutation({
    mutationFn: async () =>
      expectData(
        await api.PUT("/api/v1/awareness/modules/{id}", { params: { path: { id: m.id } }, body: form }),
      ),
    onSuccess: invalidate,
  });
  const publish = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/awareness/modules/{id}/publish", { params: { path: { id: m.id } } }),
      ),
    onSuccess: invalidate,
  });
  const retire = useMutation({
    mutationFn: async () =>
      expectData(await api.POST("/api/v1/awareness/modules/{id}/retire", { params: { path: { id: m.id } } })),
    onSuccess: invalidate,
  });
  const questions = form.questions ?? [];
  const setQuestions = (qs: QuestionBody[]) => setForm({ ...form, questions: qs });
  return (
    <Stack gap="md">
      <Group>
        <StatusBadge status={m.status} />
        <Text size="sm">
          {m.completed} of {m.assigned} completed; {m.overdue} overdue.
        </Text>
      </Group>
      <Card withBorder padding="md">
        <Stack>
          <TextInput
            label="Title"
            value={form.title}
            readOnly={readOnly}
            onChange={(e) => setForm({ ...form, title: e.currentTarget.value })}
            error={fieldError(save.error, "body.title")}
          />
          <TextInput
            label="Summary"
            value={form.summary ?? ""}
            readOnly={readOnly}
            onChange={(e) => setForm({ ...form, summary: e.currentTarget.value })}
          />
          <Textarea
            label="Content (Markdown)"
            autosize
            minRows={10}
            value={form.body}
            readOnly={readOnly}
            onChange={(e) => setForm({ ...form, body: e.currentTarget.value })}
            error={fieldError(save.error, "body.body")}
          />
          <Group grow>
            <NumberInput
              label="Pass mark (%)"
              min={1}
              max={100}
              value={form.passMark}
              readOnly={readOnly}
              onChange={(v) => setForm({ ...form, passMark: Number(v) || 80 })}
            />
            <NumberInput
              label="Attempts"
              min={1}
              max={20}
              value={form.maxAttempts}
              readOnly={readOnly}
              onChange={(v) => setForm({ ...form, maxAttempts: Number(v) || 3 })}
            />
            <NumberInput
              label="Questions per attempt (empty: all)"
              min={1}
              max={100}
              value={form.questionsPerAttempt ?? ""}
              readOnly={readOnly}
              onChange={(v) => setForm({ ...form, questionsPerAttempt: v === "" ? null : Number(v) })}
              error={fieldError(save.error, "body.questionsPerAttempt")}
            />
            <NumberInput
              label="Days to complete"
              min={1}
              max={365}
              value={form.dueDays}
              readOnly={readOnly}
              onChange={(v) => setForm({ ...form, dueDays: Number(v) || 30 })}
            />
          </Group>
        </Stack>
      </Card>
      <Title order={2} size="h4">
        Quiz questions
      </Title>
      <Text size="sm" c="dimmed">
        Tick the correct option(s). Learners never receive which options are correct; questions and options
        are shuffled per attempt.
      </Text>
      {questions.map((q, i) => (
        <QuestionEditor
          key={q.id ?? `new-${i}`}
          q={q}
          index={i}
          error={save.error}
          readOnly={readOnly}
          onChange={(nq) => setQuestions(questions.map((x, j) => (j === i ? nq : x)))}
          onRemove={() => setQuestions(questions.filter((_, j) => j !== i))}
        />
      ))}
      {!readOnly ? (
        <Group>
          <Button
            variant="light"
            onClick={() =>
              setQuestions([
                ...questions,
                {
                  prompt: "",
                  kind: "single",
                  options: [
                    { text: "", correct: true },
                    { text: "", correct: false },
                  ],
                  explanation: "",
                },
              ])
            }
          >
            Add question
          </Button>
        </Group>
      ) : null}
      <ErrorAlert error={save.error ?? publish.error ?? retire.error} title="Could not save the module" />
      {!readOnly ? (
        <Group>
          <Button loading={save.isPending} onClick={() => save.mutate()}>
            Save
          </Button>
          {m.status === "draft" ? (
            <ConfirmButton
              question="Publish? Rules and HR can then assign it."
              confirmLabel="Publish"
              loading={publish.isPending}
              onConfirm={() => publish.mutate()}
            >
              Publish
            </ConfirmButton>
          ) : null}
          <ConfirmButton
            color="red"
            question="Retire? Open assignments are closed."
            confirmLabel="Retire"
            loading={retire.isPending}
            onConfirm={() => retire.mutate()}
          >
            Retire
          </ConfirmButton>
        </Group>
      ) : null}
    </Stack>
  );
}

/** A training module for authors (content, settings, questions) and auditors (read only). */
export function ModulePage() {
  const { id } = routeApi.useParams();
  const canWrite = useCan("awareness:author");
  const mod = useQuery(moduleQuery(id));
  return (
    <>
      <PageHeader
        title={mod.data?.title ?? "Training module"}
        actions={
          <ButtonLink to="/awareness/admin/modules" variant="default">
            All modules
          </ButtonLink>
        }
      />
      {mod.isPending ? <Loader aria-label="Loading the module" /> : null}
      <ErrorAlert error={mod.error} title="Could not load the module" />
      {mod.data ? <Editor key={mod.data.updatedAt} module={mod.data} canWrite={canWrite} /> : null}
    </>
  );
}
