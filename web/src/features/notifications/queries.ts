import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";

export const notificationsKey = ["notifications"] as const;

export function inboxQuery(f: { unread?: boolean; q?: string; cursor?: string; limit?: number }) {
  return queryOptions({
    queryKey: [...notificationsKey, "inbox", f] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/notifications", {
          params: {
            query: { unread: f.unread ? "true" : undefined, q: f.q, cursor: f.cursor, limit: f.limit ?? 25 },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export const preferencesQuery = queryOptions({
  queryKey: [...notificationsKey, "preferences"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/notifications/preferences")),
});

export const channelSettingsQuery = queryOptions({
  queryKey: [...notificationsKey, "settings"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/settings/notifications")),
});
