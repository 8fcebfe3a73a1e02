import { ActionIcon, Indicator, Menu, Text, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { inboxQuery } from "./queries";

/** The bell in the shell: unread count, the latest few, a way to the inbox. Polls every minute. */
export function NotificationBell() {
  const inbox = useQuery({ ...inboxQuery({ limit: 5 }), refetchInterval: 60_000 });
  const unread = inbox.data?.unread ?? 0;
  return (
    <Indicator disabled={unread === 0} label={unread > 99 ? "99+" : unread} size={18} color="red">
      <Menu position="bottom-end" width={340}>
        <Menu.Target>
          <ActionIcon variant="subtle" size="lg" aria-label={`Notifications, ${unread} unread`}>
            <svg
              aria-hidden="true"
              width="20"
              height="20"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
            >
              <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
              <path d="M13.7 21a2 2 0 0 1-3.4 0" />
            </svg>
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          {(inbox.data?.items ?? []).map((n) => (
            <Menu.Item key={n.id} component={Link} to={n.link ?? "/notifications"}>
              <Text size="sm" fw={n.readAt ? 400 : 700} lineClamp={2}>
                {n.severity === "critical" ? <VisuallyHidden>Critical: </VisuallyHidden> : null}
                {n.title}
              </Text>
            </Menu.Item>
          ))}
          {inbox.data && inbox.data.items.length === 0 ? (
            <Menu.Label>Nothing new. Alerts for you and your team appear here.</Menu.Label>
          ) : null}
          <Menu.Divider />
          <Menu.Item component={Link} to="/notifications">
            All notifications and preferences
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
    </Indicator>
  );
}
