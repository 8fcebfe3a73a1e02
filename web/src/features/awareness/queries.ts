import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import type { AssignmentsQuery } from "./types";

/** Every awareness query lives under this key, so a change invalidates them together. */
export const awarenessKey = ["awareness"] as const;
export const PAGE_SIZE = 25;

export const myItemsQuery = queryOptions({
  queryKey: [...awarenessKey, "me"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/awareness/me")),
});

export const myPolicyQuery = (id: string) =>
  queryOptions({
    queryKey: [...awarenessKey, "me", "policy", id] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/awareness/me/policies/{id}", { params: { path: { id } } })),
  });

export const myModuleQuery = (id: string) =>
  queryOptions({
    queryKey: [...awarenessKey, "me", "module", id] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/awareness/me/modules/{id}", { params: { path: { id } } })),
  });

export const policiesQuery = (
  q: { q?: string; status?: "draft" | "published" | "retired"; reviewOverdue?: "true" },
  page: number,
) =>
  queryOptions({
    queryKey: [...awarenessKey, "policies", q, page] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/awareness/policies", {
          params: { query: { ...q, limit: PAGE_SIZE, offset: page * PAGE_SIZE } },
        }),
      ),
    placeholderData: keepPreviousData,
  });

export const policyQuery = (id: string) =>
  queryOptions({
    queryKey: [...awarenessKey, "policy", id] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/awareness/policies/{id}", { params: { path: { id } } })),
  });

export const policyVersionQuery = (id: string, version: number) =>
  queryOptions({
    queryKey: [...awarenessKey, "policy", id, "version", version] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/awareness/policies/{id}/versions/{version}", {
          params: { path: { id, version } },
        }),
      ),
  });

export const modulesQuery = (q: { q?: string; status?: "draft" | "published" | "retired" }, page: number) =>
  queryOptions({
    queryKey: [...awarenessKey, "modules", q, page] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/awareness/modules", {
          params: { query: { ...q, limit: PAGE_SIZE, offset: page * PAGE_SIZE } },
        }),
      ),
    placeholderData: keepPreviousData,
  });

export const moduleQuery = (id: string) =>
  queryOptions({
    queryKey: [...awarenessKey, "module", id] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/awareness/modules/{id}", { params: { path: { id } } })),
  });

export const rulesQuery = queryOptions({
  queryKey: [...awarenessKey, "rules"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/awareness/rules")).items,
});

export const complianceQuery = queryOptions({
  queryKey: [...awarenessKey, "compliance"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/awareness/compliance")),
});

export const assignmentsQuery = (q: Omit<AssignmentsQuery, "limit" | "offset">, page: number) =>
  queryOptions({
    queryKey: [...awarenessKey, "assignments", q, page] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/awareness/assignments", {
          params: { query: { ...q, limit: PAGE_SIZE, offset: page * PAGE_SIZE } },
        }),
      ),
    placeholderData: keepPreviousData,
  });

export const teamQuery = (q: { q?: string; status?: "open" | "done" | "closed" | "overdue" }, page: number) =>
  queryOptions({
    queryKey: [...awarenessKey, "team", q, page] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/awareness/team", {
          params: { query: { ...q, limit: PAGE_SIZE, offset: page * PAGE_SIZE } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
