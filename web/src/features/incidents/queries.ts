import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";

/** Everything of incident response lives under this key; a change invalidates the whole tree. */
export const incidentsKey = ["incidents"] as const;
export const hrCasesKey = ["hr-cases"] as const;

export interface IncidentFilter {
  q?: string;
  status?: "open" | "contained" | "resolved" | "closed" | "active";
  severity?: "sev1" | "sev2" | "sev3" | "sev4";
  cursor?: string;
}

export function incidentsQuery(f: IncidentFilter) {
  return queryOptions({
    queryKey: [...incidentsKey, "list", f] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/incidents", { params: { query: { ...f, limit: 25 } } })),
    placeholderData: keepPreviousData,
  });
}

export function incidentQuery(id: string) {
  return queryOptions({
    queryKey: [...incidentsKey, id] as const,
    queryFn: async () => expectData(await api.GET("/api/v1/incidents/{id}", { params: { path: { id } } })),
  });
}

const sub = <P extends "tasks" | "timeline" | "evidence" | "clocks">(part: P, id: string) =>
  [...incidentsKey, id, part] as const;

export const tasksQuery = (id: string) =>
  queryOptions({
    queryKey: sub("tasks", id),
    queryFn: async () =>
      expectData(await api.GET("/api/v1/incidents/{id}/tasks", { params: { path: { id } } })).items,
  });
export const timelineQuery = (id: string) =>
  queryOptions({
    queryKey: sub("timeline", id),
    queryFn: async () =>
      expectData(await api.GET("/api/v1/incidents/{id}/timeline", { params: { path: { id } } })).items,
  });
export const evidenceQuery = (id: string) =>
  queryOptions({
    queryKey: sub("evidence", id),
    queryFn: async () =>
      expectData(await api.GET("/api/v1/incidents/{id}/evidence", { params: { path: { id } } })).items,
  });
export const clocksQuery = (id: string) =>
  queryOptions({
    queryKey: sub("clocks", id),
    queryFn: async () =>
      expectData(await api.GET("/api/v1/incidents/{id}/clocks", { params: { path: { id } } })).items,
  });
export const postmortemQuery = (id: string) =>
  queryOptions({
    queryKey: [...incidentsKey, id, "postmortem"] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/incidents/{id}/postmortem", { params: { path: { id } } })),
  });

export const playbooksQuery = (activeOnly = false) =>
  queryOptions({
    queryKey: [...incidentsKey, "playbooks", activeOnly] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/incident-playbooks", {
          params: { query: activeOnly ? { active: "true" } : {} },
        }),
      ).items,
  });

export const jurisdictionsQuery = queryOptions({
  queryKey: [...incidentsKey, "jurisdictions"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/incident-jurisdictions")).items,
});

export const dashboardQuery = (from?: string) =>
  queryOptions({
    queryKey: [...incidentsKey, "dashboard", from ?? null] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/incidents/dashboard", { params: { query: from ? { from } : {} } })),
  });

export function hrCasesQuery(f: { q?: string; status?: "open" | "closed"; offset: number }) {
  return queryOptions({
    queryKey: [...hrCasesKey, "list", f] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/hr-cases", { params: { query: { ...f, limit: 25 } } })),
    placeholderData: keepPreviousData,
  });
}

export const hrCaseQuery = (id: string) =>
  queryOptions({
    queryKey: [...hrCasesKey, id] as const,
    queryFn: async () => expectData(await api.GET("/api/v1/hr-cases/{id}", { params: { path: { id } } })),
  });

/** Active users to pick as owners, assignees and members. */
export const assigneesQuery = (q: string) =>
  queryOptions({
    queryKey: [...incidentsKey, "assignees", q] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/incidents/assignees", { params: { query: q ? { q } : {} } })).items,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
