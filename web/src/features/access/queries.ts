import { infiniteQueryOptions, keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import type { PlanState, TasksQuery } from "./types";

/** Everything of the Access module lives under this key; a change invalidates the whole tree. */
export const accessKey = ["access"] as const;

export const connectorTypesQuery = queryOptions({
  queryKey: [...accessKey, "connector-types"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/access/connector-types")).items,
  staleTime: 10 * 60_000,
});

export const systemsQuery = queryOptions({
  queryKey: [...accessKey, "systems"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/access/systems")).items,
});

export function systemQuery(id: string) {
  return queryOptions({
    queryKey: [...accessKey, "systems", id] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/access/systems/{id}", { params: { path: { id } } })),
  });
}

export function entitlementsQuery(systemId: string) {
  return queryOptions({
    queryKey: [...accessKey, "systems", systemId, "entitlements"] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/access/systems/{id}/entitlements", { params: { path: { id: systemId } } }),
      ).items,
  });
}

export const ACCOUNTS_PAGE_SIZE = 50;

export function accountsQuery(systemId: string, cursor: string | null) {
  return queryOptions({
    queryKey: [...accessKey, "systems", systemId, "accounts", cursor] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/access/systems/{id}/accounts", {
          params: {
            path: { id: systemId },
            query: { limit: ACCOUNTS_PAGE_SIZE, cursor: cursor ?? undefined },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export const profilesQuery = queryOptions({
  queryKey: [...accessKey, "profiles"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/access/profiles")).items,
});

export const PLANS_PAGE_SIZE = 50;

export function plansQuery(state: PlanState | undefined) {
  return infiniteQueryOptions({
    queryKey: [...accessKey, "plans", "list", state ?? "all"] as const,
    queryFn: async ({ pageParam }) =>
      expectData(
        await api.GET("/api/v1/access/plans", {
          params: { query: { state, before: pageParam, limit: PLANS_PAGE_SIZE } },
        }),
      ).items,
    initialPageParam: undefined as string | undefined,
    // Plans come newest first by id; the next page starts before the last id shown.
    getNextPageParam: (last) =>
      last.length === PLANS_PAGE_SIZE ? (last[last.length - 1]?.id ?? undefined) : undefined,
  });
}

/** Held plans: the system page shows the ones the breaker holds for that system. */
export const heldPlansQuery = queryOptions({
  queryKey: [...accessKey, "plans", "held"] as const,
  queryFn: async () =>
    expectData(await api.GET("/api/v1/access/plans", { params: { query: { state: "held", limit: 200 } } }))
      .items,
});

/** While a plan has open steps, it is read again every few seconds. */
function isSettled(state: PlanState | undefined): boolean {
  return state === "done" || state === "cancelled";
}

export function planQuery(id: string) {
  return queryOptions({
    queryKey: [...accessKey, "plans", "one", id] as const,
    queryFn: async () => expectData(await api.GET("/api/v1/access/plans/{id}", { params: { path: { id } } })),
    refetchInterval: (query) => (isSettled(query.state.data?.state) || query.state.error ? false : 5_000),
  });
}

export const OFFBOARDING_REFRESH_MS = 2_000;

export function offboardingQuery(personId: string) {
  return queryOptions({
    queryKey: [...accessKey, "offboarding", personId] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/access/people/{id}/offboarding", { params: { path: { id: personId } } }),
      ),
    // Every 2 s until everything is verified (or the plan was cancelled); not while it errors.
    refetchInterval: (query) => {
      const data = query.state.data;
      if (query.state.error || !data) return false;
      return data.completedAt || data.plan.state === "cancelled" ? false : OFFBOARDING_REFRESH_MS;
    },
    refetchIntervalInBackground: false,
  });
}

export function tasksQuery(filter: TasksQuery) {
  return queryOptions({
    queryKey: [...accessKey, "tasks", filter] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/access/tasks", { params: { query: { limit: 500, ...filter } } }))
        .items,
  });
}

/** Open alerts only, or every alert (acknowledged ones too). */
export function alertsQuery(openOnly: boolean) {
  return queryOptions({
    queryKey: [...accessKey, "alerts", openOnly] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/access/alerts", {
          params: { query: { open: openOnly ? "true" : undefined, limit: 200 } },
        }),
      ).items,
  });
}
