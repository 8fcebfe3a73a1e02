import {
  Accordion,
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  Loader,
  Paper,
  Select,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { askKey, faqQuery, questionsQuery } from "./queries";
import type { Question } from "./types";

function Faq() {
  const [draft, setDraft] = useState("");
  const [q, setQ] = useState("");
  const faq = useInfiniteQuery(faqQuery(q));
  const items = faq.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setQ(draft.trim());
        }}
      >
        <TextInput
          label="Search the FAQ"
          placeholder="Wi-Fi, passwords, USB …"
          value={draft}
          onChange={(e) => setDraft(e.currentTarget.value)}
        />
      </form>
      {faq.isPending ? <Loader aria-label="Loading the FAQ" /> : null}
      <ErrorAlert error={faq.error} title="Could not load the FAQ" />
      {faq.isSuccess && !items.length ? (
        <EmptyState
          title={q ? "Nothing matches" : "No answers published yet"}
          description={
            q
              ? "Try other words, or ask Security your question."
              : "Ask Security a question; good answers are published here for everyone."
          }
        />
      ) : null}
      <Accordion variant="separated">
        {items.map((f) => (
          <Accordion.Item key={f.id} value={f.id}>
            <Accordion.Control>{f.question}</Accordion.Control>
            <Accordion.Panel>
              <Text style={{ whiteSpace: "pre-wrap" }}>{f.answer}</Text>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
      {faq.hasNextPage ? (
        <Button variant="default" onClick={() => void faq.fetchNextPage()} loading={faq.isFetchingNextPage}>
          Load more
        </Button>
      ) : null}
    </Stack>
  );
}

function QuestionCard({ q, canAnswer }: { q: Question; canAnswer: boolean }) {
  const queryClient = useQueryClient();
  const [answer, setAnswer] = useState("");
  const refresh = () => void queryClient.invalidateQueries({ queryKey: askKey });
  const reply = useMutation({
    mutationFn: async (body: string) =>
      expectData(
        await api.POST("/api/v1/ask/questions/{id}/answers", {
          params: { path: { id: q.id } },
          body: { body },
        }),
      ),
    onSuccess: () => {
      setAnswer("");
      refresh();
    },
  });
  const promote = useMutation({
    mutationFn: async (answerId: string) =>
      expectData(
        await api.POST("/api/v1/ask/questions/{id}/faq", {
          params: { path: { id: q.id } },
          body: { answerId },
        }),
      ),
    onSuccess: refresh,
  });
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={3} size="h5">
            {q.title}
          </Title>
          <Text size="xs" c="dimmed">
            {q.mine ? "You asked" : `Asked by ${q.askedBy ?? "a colleague"}`} · {formatDateTime(q.createdAt)}
          </Text>
        </Stack>
        <Group gap={4}>
          <Badge variant="light" color={q.status === "answered" ? "green" : "blue"}>
            {q.status === "answered" ? "Answered" : "Waiting for an answer"}
          </Badge>
          {q.faqId ? <Badge variant="outline">In the FAQ</Badge> : null}
        </Group>
      </Group>
      {q.body ? (
        <Text size="sm" mt="xs" style={{ whiteSpace: "pre-wrap" }}>
          {q.body}
        </Text>
      ) : null}
      {q.answers.map((a) => (
        <Paper key={a.id} bg="blue.0" p="sm" mt="sm">
          <Text size="xs" fw={600}>
            {a.author ?? "Security"} · {formatDateTime(a.createdAt)}
          </Text>
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {a.body}
          </Text>
          {canAnswer && !q.faqId ? (
            <Button
              size="compact-xs"
              variant="subtle"
              mt={4}
              onClick={() => promote.mutate(a.id)}
              loading={promote.isPending}
            >
              Publish in the FAQ
            </Button>
          ) : null}
        </Paper>
      ))}
      <ErrorAlert error={promote.error} title="Could not publish" />
      {canAnswer ? (
        <Stack gap="xs" mt="sm">
          <Textarea
            label="Answer"
            autosize
            minRows={2}
            value={answer}
            onChange={(e) => setAnswer(e.currentTarget.value)}
            error={fieldError(reply.error, "body")}
          />
          <Group justify="flex-end">
            <Button
              size="sm"
              disabled={answer.trim().length < 2}
              loading={reply.isPending}
              onClick={() => reply.mutate(answer.trim())}
            >
              Send answer
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Card>
  );
}

function Questions({ canAnswer }: { canAnswer: boolean }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<"open" | "answered" | undefined>(canAnswer ? "open" : undefined);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const list = useInfiniteQuery(questionsQuery(status, q || undefined));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const ask = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/ask/questions", { body: { title: title.trim(), body: body.trim() } }),
      ),
    onSuccess: () => {
      setTitle("");
      setBody("");
      void queryClient.invalidateQueries({ queryKey: askKey });
    },
  });
  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            ask.mutate();
          }}
        >
          <Stack gap="xs">
            <Title order={2} size="h4">
              Ask a question
            </Title>
            <Text size="sm" c="dimmed">
              For things that are not urgent. Only you and the Security team see your question. Urgent? Report
              it instead.
            </Text>
            <TextInput
              label="Your question"
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
              error={fieldError(ask.error, "title")}
              required
            />
            <Textarea
              label="More details (optional)"
              autosize
              minRows={2}
              value={body}
              onChange={(e) => setBody(e.currentTarget.value)}
            />
            <ErrorAlert error={ask.error} title="The question was not sent" shownFields={["title"]} />
            <Group justify="flex-end">
              <Button type="submit" loading={ask.isPending} disabled={title.trim().length < 5}>
                Ask
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
      <Group align="flex-end">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setQ(search.trim());
          }}
        >
          <TextInput
            label="Search questions"
            placeholder="Words in the question"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
          />
        </form>
        <Select
          label="Show"
          w={220}
          data={[
            { value: "any", label: "All questions" },
            { value: "open", label: "Waiting for an answer" },
            { value: "answered", label: "Answered" },
          ]}
          value={status ?? "any"}
          onChange={(v) => setStatus(v === "open" || v === "answered" ? v : undefined)}
          allowDeselect={false}
        />
      </Group>
      {list.isPending ? <Loader aria-label="Loading questions" /> : null}
      <ErrorAlert error={list.error} title="Could not load the questions" />
      {list.isSuccess && !items.length ? (
        <EmptyState
          title={canAnswer ? "No questions here" : "You have not asked anything yet"}
          description={
            canAnswer
              ? "Questions from employees appear here."
              : "Ask above; the answer appears here and you can look in the FAQ meanwhile."
          }
        />
      ) : null}
      {items.map((q) => (
        <QuestionCard key={q.id} q={q} canAnswer={canAnswer} />
      ))}
      {list.hasNextPage ? (
        <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
          Load more
        </Button>
      ) : null}
    </Stack>
  );
}

/** /ask: questions for Security and the FAQ. */
export function AskPage() {
  const canAnswer = useCan("ask:answer");
  return (
    <>
      <PageHeader
        title="Ask Security"
        description="Non-urgent questions about security, answered by the Security team. Good answers go into the FAQ."
      />
      <Tabs defaultValue="faq" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="faq">FAQ</Tabs.Tab>
          <Tabs.Tab value="questions">{canAnswer ? "Questions" : "My questions"}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="faq">
          <Faq />
        </Tabs.Panel>
        <Tabs.Panel value="questions">
          <Questions canAnswer={canAnswer} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
