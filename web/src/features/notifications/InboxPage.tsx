import {
  Anchor,
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { PreferencesCard } from "./PreferencesCard";
import { inboxQuery, notificationsKey } from "./queries";

const SEVERITY_COLORS: Record<string, string> = {
  critical: "red",
  high: "orange",
  normal: "blue",
  low: "gray",
};

/** My notifications: critical ones also came by e-mail/Slack/Teams; the rest arrive in my digest. */
export function InboxPage() {
  const queryClient = useQueryClient();
  const [unread, setUnread] = useState(true);
  const [q, setQ] = useState("");
  const [debounced] = useDebouncedValue(q, 300);
  const [cursors, setCursors] = useState<string[]>([]);
  const inbox = useQuery(
    inboxQuery({ unread, q: debounced || undefined, cursor: cursors[cursors.length - 1] }),
  );
  const invalidate = () => queryClient.invalidateQueries({ queryKey: notificationsKey });
  const read = useMutation({
    mutationFn: async (id: string) => {
      await api.POST("/api/v1/notifications/{id}/read", { params: { path: { id } } });
    },
    onSuccess: invalidate,
  });
  const readAll = useMutation({
    mutationFn: async () => {
      await api.POST("/api/v1/notifications/read-all");
    },
    onSuccess: invalidate,
  });
  const items = inbox.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Only critical events reach you at once; everything else waits here and in your digest."
        actions={
          <Button
            variant="default"
            loading={readAll.isPending}
            onClick={() => readAll.mutate()}
            disabled={!inbox.data?.unread}
          >
            Mark all read
          </Button>
        }
      />
      <Stack>
        <Group align="flex-end">
          <SegmentedControl
            aria-label="Show"
            value={unread ? "unread" : "all"}
            onChange={(v) => {
              setUnread(v === "unread");
              setCursors([]);
            }}
            data={[
              { value: "unread", label: `Unread (${inbox.data?.unread ?? 0})` },
              { value: "all", label: "All" },
            ]}
          />
          <TextInput
            label="Search"
            value={q}
            onChange={(e) => {
              setQ(e.currentTarget.value);
              setCursors([]);
            }}
          />
        </Group>
        {inbox.isPending ? <Loader aria-label="Loading notifications" /> : null}
        <ErrorAlert error={inbox.error ?? read.error} title="Could not load the notifications" />
        {inbox.isSuccess && !items.length ? (
          <EmptyState
            title={unread ? "All caught up" : "No notifications yet"}
            description="Set below which alerts also come by e-mail and how often your digest arrives."
          />
        ) : null}
        {items.map((n) => (
          <Card key={n.id} withBorder padding="sm" component="article" aria-label={n.title}>
            <Group justify="space-between" wrap="nowrap">
              <Stack gap={2}>
                <Group gap="xs">
                  <Badge size="sm" color={SEVERITY_COLORS[n.severity]} variant="light">
                    {n.severity}
                  </Badge>
                  {n.link ? (
                    <Anchor
                      component={Link}
                      to={n.link}
                      fw={n.readAt ? 400 : 700}
                      onClick={() => !n.readAt && read.mutate(n.id)}
                    >
                      {n.title}
                    </Anchor>
                  ) : (
                    <Text fw={n.readAt ? 400 : 700}>{n.title}</Text>
                  )}
                </Group>
                {n.body ? <Text size="sm">{n.body}</Text> : null}
                <Text size="xs" c="dimmed">
                  {formatDateTime(n.createdAt)}
                </Text>
              </Stack>
              {n.readAt ? null : (
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => read.mutate(n.id)}
                  aria-label={`Mark read: ${n.title}`}
                >
                  Mark read
                </Button>
              )}
            </Group>
          </Card>
        ))}
        <Group>
          <Button
            variant="default"
            disabled={!cursors.length}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Newer
          </Button>
          <Button
            variant="default"
            disabled={!inbox.data?.nextCursor}
            onClick={() => inbox.data?.nextCursor && setCursors([...cursors, inbox.data.nextCursor])}
          >
            Older
          </Button>
        </Group>
        <PreferencesCard />
      </Stack>
    </>
  );
}
