import { isOneOf } from "./labels";
import type { PlanState } from "./types";

/** Search parameters of the Access pages (kept apart from the pages so route types stay simple). */
export type PlanFilter = Extract<PlanState, "running" | "held" | "failed" | "done" | "cancelled">;
export const PLAN_FILTERS: readonly PlanFilter[] = ["running", "held", "failed", "done", "cancelled"];

export function validatePlansSearch(search: Record<string, unknown>): { state?: PlanFilter } {
  return { state: isOneOf(PLAN_FILTERS, search.state) ? search.state : undefined };
}

/** "open" is the tasks page's default, so it is left out of the address. */
export type TaskFilter = "open" | "done" | "cancelled" | "all";
export const TASK_FILTERS: readonly TaskFilter[] = ["open", "done", "cancelled", "all"];

export interface TasksSearch {
  state?: Exclude<TaskFilter, "open">;
  /** Only this person's tasks (from the leaver page). */
  personId?: string;
}

export function validateTasksSearch(search: Record<string, unknown>): TasksSearch {
  const value = search.state;
  const personId = typeof search.personId === "string" && search.personId ? search.personId : undefined;
  return { state: isOneOf(TASK_FILTERS, value) && value !== "open" ? value : undefined, personId };
}

/** The findings page: filters in the address so a link shows the same list. */
export interface FindingsSearch {
  kind?: string;
  systemId?: string;
  state?: "accepted" | "fixing" | "resolved" | "all";
  q?: string;
}

const FINDING_STATE_FILTERS = ["accepted", "fixing", "resolved", "all"] as const;

export function validateFindingsSearch(search: Record<string, unknown>): FindingsSearch {
  const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim().slice(0, 200) : undefined);
  return {
    kind: text(search.kind),
    systemId: text(search.systemId),
    state: isOneOf(FINDING_STATE_FILTERS, search.state) ? search.state : undefined,
    q: text(search.q),
  };
}

/** The requests page: whose requests, and in which state. */
export interface RequestsSearch {
  view?: "approve" | "all";
  state?: string;
}

export function validateRequestsSearch(search: Record<string, unknown>): RequestsSearch {
  return {
    view: search.view === "approve" || search.view === "all" ? search.view : undefined,
    state: typeof search.state === "string" && search.state ? search.state : undefined,
  };
}
