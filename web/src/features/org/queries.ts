import { queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";

/**
 * Departments, job roles and locations are short lists (tens to a few thousand rows), read
 * whole by the API; they feed the filters and pickers of the People pages as well.
 */
export const orgKey = ["org"] as const;

export const departmentsQuery = queryOptions({
  queryKey: [...orgKey, "departments"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/departments")).items,
  staleTime: 60_000,
});

export const jobRolesQuery = queryOptions({
  queryKey: [...orgKey, "job-roles"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/job-roles")).items,
  staleTime: 60_000,
});

export const locationsQuery = queryOptions({
  queryKey: [...orgKey, "locations"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/locations")).items,
  staleTime: 60_000,
});

/** Select options `{ value: id, label }`, sorted as the API sends them (by name). */
export function toOptions<T extends { id: string }>(
  items: readonly T[] | undefined,
  label: (item: T) => string,
) {
  return (items ?? []).map((item) => ({ value: item.id, label: label(item) }));
}
