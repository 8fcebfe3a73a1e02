import { infiniteQueryOptions, keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import { accessKey } from "./queries";
import type { CampaignState, FindingsQuery, RequestState } from "./types";

/**
 * Queries of the governance side of Access: reconciliation, requests, separation of duties,
 * reviews, certificates, my access and metrics. All live under accessKey, so any change
 * invalidates them with the rest of the module.
 */

/** While a run is queued or running, it is read again every two seconds. */
const runActive = (state: string | undefined) => state === "queued" || state === "running";

export const RUNS_PAGE_SIZE = 20;

export const reconcileRunsQuery = infiniteQueryOptions({
  queryKey: [...accessKey, "reconcile", "runs"] as const,
  queryFn: async ({ pageParam }) =>
    expectData(
      await api.GET("/api/v1/access/reconcile/runs", {
        params: { query: { limit: RUNS_PAGE_SIZE, cursor: pageParam } },
      }),
    ),
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (last) => last.nextCursor ?? undefined,
  refetchInterval: (query) =>
    query.state.data?.pages[0]?.items.some((r) => runActive(r.state)) ? 2_000 : false,
});

export const FINDINGS_PAGE_SIZE = 50;

export function findingsQuery(filter: Omit<FindingsQuery, "limit" | "cursor">, cursor: string | null) {
  return queryOptions({
    queryKey: [...accessKey, "findings", filter, cursor] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/access/findings", {
          params: { query: { ...filter, limit: FINDINGS_PAGE_SIZE, cursor: cursor ?? undefined } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export const catalogueQuery = queryOptions({
  queryKey: [...accessKey, "catalogue"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/access/catalogue")).items,
});

export type RequestsView = "mine" | "approve" | "all";

export function requestsQuery(view: RequestsView, state: RequestState | undefined) {
  return infiniteQueryOptions({
    queryKey: [...accessKey, "requests", view, state ?? "any"] as const,
    queryFn: async ({ pageParam }) =>
      expectData(
        await api.GET("/api/v1/access/requests", {
          params: {
            query: {
              mine: view === "mine" ? "1" : undefined,
              toApprove: view === "approve" ? "1" : undefined,
              state,
              cursor: pageParam,
              limit: 50,
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function requestQuery(id: string) {
  return queryOptions({
    queryKey: [...accessKey, "requests", "one", id] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/access/requests/{id}", { params: { path: { id } } })),
  });
}

export const sodRulesQuery = queryOptions({
  queryKey: [...accessKey, "sod-rules"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/access/sod-rules")).items,
});

export function campaignsQuery(state: CampaignState | undefined) {
  return queryOptions({
    queryKey: [...accessKey, "reviews", "list", state ?? "any"] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/access/reviews", { params: { query: { state, limit: 200 } } })).items,
  });
}

export function campaignQuery(id: string) {
  return queryOptions({
    queryKey: [...accessKey, "reviews", "one", id] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/access/reviews/{id}", { params: { path: { id } } })),
  });
}

export function campaignItemsQuery(id: string, mineOnly: boolean) {
  return queryOptions({
    queryKey: [...accessKey, "reviews", "items", id, mineOnly] as const,
    queryFn: async () => {
      // Every item of the campaign, page by page (a campaign holds at most a few thousand).
      const items = [];
      let cursor: string | undefined;
      for (let page = 0; page < 40; page++) {
        const data = expectData(
          await api.GET("/api/v1/access/reviews/{id}/items", {
            params: { path: { id }, query: { reviewer: mineOnly ? "me" : undefined, cursor, limit: 500 } },
          }),
        );
        items.push(...data.items);
        if (!data.nextCursor) break;
        cursor = data.nextCursor;
      }
      return items;
    },
  });
}

export const myReviewsQuery = queryOptions({
  queryKey: [...accessKey, "reviews", "mine"] as const,
  queryFn: async () =>
    expectData(await api.GET("/api/v1/me/reviews", { params: { query: { limit: 500 } } })).items,
});

export const CERTIFICATES_PAGE_SIZE = 50;

export function certificatesQuery(personId: string | undefined) {
  return infiniteQueryOptions({
    queryKey: [...accessKey, "certificates", personId ?? "all"] as const,
    queryFn: async ({ pageParam }) =>
      expectData(
        await api.GET("/api/v1/access/certificates", {
          params: { query: { personId, cursor: pageParam, limit: CERTIFICATES_PAGE_SIZE } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Reading a certificate is an audited download: only on demand (the Verify button), never prefetched. */
export async function fetchCertificate(id: string) {
  return expectData(await api.GET("/api/v1/access/certificates/{id}", { params: { path: { id } } }));
}

export const myAccessQuery = queryOptions({
  queryKey: [...accessKey, "me"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/me/access")),
});

export function metricsQuery(from: string, to: string) {
  return queryOptions({
    queryKey: [...accessKey, "metrics", from, to] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/access/metrics", { params: { query: { from, to } } })),
    placeholderData: keepPreviousData,
  });
}
