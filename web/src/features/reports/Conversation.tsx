import { Button, Card, Group, Stack, Text, Textarea } from "@mantine/core";
import { useState } from "react";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";

interface Msg {
  id: string;
  author: "security" | "reporter";
  authorName: string | null;
  body: string;
  createdAt: string;
}

interface ConversationProps {
  messages: Msg[];
  /** How the reporter is named to the reader ("You" for the reporter, "Reporter" for Security). */
  reporterLabel: string;
  onSend?: (body: string) => void;
  sending?: boolean;
  error?: unknown;
  sendLabel?: string;
  emptyText: string;
}

/** The conversation between Security and the reporter; every message is shown as plain text. */
export function Conversation(props: ConversationProps) {
  const [draft, setDraft] = useState("");
  return (
    <Stack gap="sm">
      {props.messages.length === 0 ? (
        <Text c="dimmed" size="sm">
          {props.emptyText}
        </Text>
      ) : null}
      {props.messages.map((m) => (
        <Card key={m.id} withBorder padding="sm" bg={m.author === "security" ? "blue.0" : undefined}>
          <Group justify="space-between" mb={4}>
            <Text size="sm" fw={600}>
              {m.author === "security" ? (m.authorName ?? "Security team") : props.reporterLabel}
            </Text>
            <Text size="xs" c="dimmed">
              {formatDateTime(m.createdAt)}
            </Text>
          </Group>
          <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
            {m.body}
          </Text>
        </Card>
      ))}
      {props.onSend ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (draft.trim()) {
              props.onSend?.(draft.trim());
              setDraft("");
            }
          }}
        >
          <Stack gap="xs">
            <Textarea
              label={props.sendLabel ?? "Your message"}
              autosize
              minRows={2}
              value={draft}
              onChange={(e) => setDraft(e.currentTarget.value)}
              error={fieldError(props.error, "body")}
            />
            <ErrorAlert error={props.error} title="The message was not sent" shownFields={["body"]} />
            <Group justify="flex-end">
              <Button type="submit" loading={props.sending} disabled={!draft.trim()}>
                Send
              </Button>
            </Group>
          </Stack>
        </form>
      ) : null}
    </Stack>
  );
}
