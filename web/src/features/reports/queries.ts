import { infiniteQueryOptions, keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import type { QueueQuery } from "./types";

/** Every query of the reports module lives under this key, so a change refreshes them together. */
export const reportsKey = ["reports"] as const;

export const myReportsQuery = infiniteQueryOptions({
  queryKey: [...reportsKey, "mine"] as const,
  queryFn: async ({ pageParam }) =>
    expectData(
      await api.GET("/api/v1/reports/mine", { params: { query: { limit: 50, cursor: pageParam } } }),
    ),
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (last) => last.nextCursor ?? undefined,
});

export const myReportQuery = (id: string) =>
  queryOptions({
    queryKey: [...reportsKey, "mine", id] as const,
    queryFn: async () => expectData(await api.GET("/api/v1/reports/mine/{id}", { params: { path: { id } } })),
  });

export const QUEUE_PAGE_SIZE = 50;

export function queueQuery(filter: Omit<QueueQuery, "cursor" | "limit">, cursor: string | null) {
  return queryOptions({
    queryKey: [...reportsKey, "queue", filter, cursor] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/reports", {
          params: { query: { ...filter, limit: QUEUE_PAGE_SIZE, cursor: cursor ?? undefined } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export const reportQuery = (id: string) =>
  queryOptions({
    queryKey: [...reportsKey, "detail", id] as const,
    queryFn: async () => expectData(await api.GET("/api/v1/reports/{id}", { params: { path: { id } } })),
  });

export const similarQuery = (id: string) =>
  queryOptions({
    queryKey: [...reportsKey, "similar", id] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/reports/{id}/similar", { params: { path: { id } } })).items,
  });

export const askKey = ["ask"] as const;

export function questionsQuery(status: "open" | "answered" | undefined, q: string | undefined) {
  return infiniteQueryOptions({
    queryKey: [...askKey, "questions", status ?? "any", q ?? ""] as const,
    queryFn: async ({ pageParam }) =>
      expectData(
        await api.GET("/api/v1/ask/questions", {
          params: { query: { status, q: q || undefined, limit: 50, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function faqQuery(q: string | undefined) {
  return infiniteQueryOptions({
    queryKey: [...askKey, "faq", q ?? ""] as const,
    queryFn: async ({ pageParam }) =>
      expectData(
        await api.GET("/api/v1/ask/faq", {
          params: { query: { q: q || undefined, limit: 50, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
