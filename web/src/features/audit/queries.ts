import { infiniteQueryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import type { AuditQuery } from "../../api/types";

export const AUDIT_PAGE_SIZE = 50;

type Outcome = NonNullable<AuditQuery["outcome"]>;

export const OUTCOMES: readonly Outcome[] = ["success", "failure", "denied"];

export interface AuditFilters {
  action: string;
  actor: string;
  outcome: Outcome | "";
  /** yyyy-mm-dd from a date input, in the viewer's time zone. */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: AuditFilters = { action: "", actor: "", outcome: "", from: "", to: "" };

function dayBoundary(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T${end ? "23:59:59.999" : "00:00:00.000"}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function toAuditQuery(filters: AuditFilters, cursor: string | undefined): AuditQuery {
  return {
    limit: AUDIT_PAGE_SIZE,
    cursor,
    action: filters.action.trim() || undefined,
    actor: filters.actor.trim() || undefined,
    outcome: filters.outcome || undefined,
    from: dayBoundary(filters.from, false),
    to: dayBoundary(filters.to, true),
  };
}

export function auditQuery(filters: AuditFilters) {
  return infiniteQueryOptions({
    queryKey: ["audit", filters] as const,
    queryFn: async ({ pageParam }) =>
      expectData(await api.GET("/api/v1/audit", { params: { query: toAuditQuery(filters, pageParam) } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
