import { EMPLOYMENT_TYPES, isOneOf, STATUSES } from "./labels";
import type { DirectoryFilters } from "./queries";

function text(value: unknown, max: number): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const s = String(value).trim();
  return s.length > 0 ? s.slice(0, max) : undefined;
}

/** The directory's URL search params (?q=…&status=…), checked so a hand-edited URL cannot break the page. */
export function validateDirectorySearch(search: Record<string, unknown>): DirectoryFilters {
  return {
    q: text(search.q, 100),
    status: isOneOf(STATUSES, search.status) ? search.status : undefined,
    departmentId: text(search.departmentId, 40),
    jobRoleId: text(search.jobRoleId, 40),
    employmentType: isOneOf(EMPLOYMENT_TYPES, search.employmentType) ? search.employmentType : undefined,
    locationId: text(search.locationId, 40),
  };
}

export function hasFilters(filters: DirectoryFilters): boolean {
  return Object.values(filters).some((value) => value !== undefined && value !== "");
}
