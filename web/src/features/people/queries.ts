import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { ApiError, api, expectData } from "../../api/client";
import type { DirectoryQuery, Person } from "./types";

/** The directory never loads more than one page; the API pages by (name, id) keyset. */
export const PEOPLE_PAGE_SIZE = 50;

export const peopleKey = ["people"] as const;

export type DirectoryFilters = Omit<DirectoryQuery, "limit" | "cursor">;

export function peopleListQuery(filters: DirectoryFilters, cursor: string | null, limit = PEOPLE_PAGE_SIZE) {
  return queryOptions({
    queryKey: [...peopleKey, "list", filters, cursor, limit] as const,
    queryFn: async ({ signal }) =>
      expectData(
        await api.GET("/api/v1/people", {
          params: { query: { ...filters, limit, cursor: cursor ?? undefined } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export interface PersonWithEtag {
  person: Person;
  /** The ETag to send back as If-Match when editing. */
  etag: string;
}

export function personQuery(id: string) {
  return queryOptions({
    queryKey: [...peopleKey, "one", id] as const,
    queryFn: async (): Promise<PersonWithEtag> => {
      const result = await api.GET("/api/v1/people/{id}", { params: { path: { id } } });
      const person = expectData(result);
      return { person, etag: result.response.headers.get("etag") ?? `"${person.id}.${person.version}"` };
    },
  });
}

export function personEventsQuery(id: string) {
  return queryOptions({
    queryKey: [...peopleKey, "one", id, "events"] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/people/{id}/events", { params: { path: { id } } })).items,
  });
}

export function agreementsQuery(id: string) {
  return queryOptions({
    queryKey: [...peopleKey, "one", id, "agreements"] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/people/{id}/agreements", { params: { path: { id } } })).items,
  });
}

export function checklistQuery(id: string) {
  return queryOptions({
    queryKey: [...peopleKey, "one", id, "checklist"] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/people/{id}/checklist", { params: { path: { id } } })).items,
  });
}

export function checksQuery(id: string) {
  return queryOptions({
    queryKey: [...peopleKey, "one", id, "checks"] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/people/{id}/checks", { params: { path: { id } } })),
  });
}

export function asOfQuery(id: string, at: string) {
  return queryOptions({
    queryKey: [...peopleKey, "one", id, "as-of", at] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/people/{id}/as-of", { params: { path: { id }, query: { at } } })),
    retry: false,
  });
}

/** My own HR record, or null when my account is not linked to one (404 person.not_linked). */
export const myPersonQuery = queryOptions({
  queryKey: [...peopleKey, "me"] as const,
  queryFn: async (): Promise<Person | null> => {
    try {
      return expectData(await api.GET("/api/v1/me/person"));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  },
});
