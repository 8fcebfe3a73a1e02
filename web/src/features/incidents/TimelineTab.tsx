import { Badge, Button, EmptyState, Group, Loader, Stack, Text, Textarea, Timeline } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTimeSeconds } from "../../components/format";
import { incidentsKey, timelineQuery } from "./queries";

/** Every change, message and decision in order; post a message. */
export function TimelineTab({ incidentId, canWrite }: { incidentId: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const timeline = useQuery(timelineQuery(incidentId));
  const [text, setText] = useState("");
  const post = useMutation({
    mutationFn: async () => {
      await api.POST("/api/v1/incidents/{id}/messages", {
        params: { path: { id: incidentId } },
        body: { text },
      });
    },
    onSuccess: async () => {
      setText("");
      await queryClient.invalidateQueries({ queryKey: [...incidentsKey, incidentId] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    post.mutate();
  };
  const items = timeline.data ?? [];
  return (
    <Stack>
      {canWrite ? (
        <form onSubmit={submit}>
          <Stack gap="xs">
            <Textarea
              label="Message to the response team"
              autosize
              minRows={2}
              required
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
            />
            <ErrorAlert error={post.error} title="Could not post the message" />
            <Group justify="flex-end">
              <Button type="submit" loading={post.isPending}>
                Post
              </Button>
            </Group>
          </Stack>
        </form>
      ) : null}
      {timeline.isPending ? <Loader aria-label="Loading the timeline" /> : null}
      <ErrorAlert error={timeline.error} title="Could not load the timeline" />
      {timeline.isSuccess && !items.length ? (
        <EmptyState
          title="Nothing recorded yet"
          description="Changes, messages and decisions appear here in order."
        />
      ) : null}
      <Timeline bulletSize={14} lineWidth={2} aria-label="Incident timeline">
        {items.map((t) => (
          <Timeline.Item
            key={t.seq}
            title={
              <Group gap="xs">
                <Badge size="sm" variant="light" radius="sm">
                  {t.kind}
                </Badge>
                <Text size="sm" fw={600} style={{ whiteSpace: "pre-wrap" }}>
                  {t.text}
                </Text>
              </Group>
            }
          >
            <Text size="xs" c="dimmed">
              {formatDateTimeSeconds(t.at)} · {t.actorLabel ?? "system"}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Stack>
  );
}
