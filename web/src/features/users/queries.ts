import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";

export const USERS_PAGE_SIZE = 25;

export const usersKey = ["users"] as const;

export function usersListQuery(q: string, cursor: string | null) {
  return queryOptions({
    queryKey: [...usersKey, "list", { q, cursor }] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/users", {
          params: { query: { q: q || undefined, limit: USERS_PAGE_SIZE, cursor: cursor ?? undefined } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function userQuery(id: string) {
  return queryOptions({
    queryKey: [...usersKey, "one", id] as const,
    queryFn: async () => expectData(await api.GET("/api/v1/users/{id}", { params: { path: { id } } })),
  });
}
