import type { Body, Ok } from "../../api/types";

/** Types of the organisation API (departments, job roles, locations), from the generated `paths`. */
export type Department = Ok<"/api/v1/departments", "get">["items"][number];
export type DepartmentBody = Body<"/api/v1/departments", "post">;
export type JobRole = Ok<"/api/v1/job-roles", "get">["items"][number];
export type JobRoleBody = Body<"/api/v1/job-roles", "post">;
export type Location = Ok<"/api/v1/locations", "get">["items"][number];
export type LocationBody = Body<"/api/v1/locations", "post">;

type Resolved<T> = [T] extends [never] ? false : true;

export const ORG_TYPES_RESOLVED: [
  Resolved<Department>,
  Resolved<DepartmentBody>,
  Resolved<JobRole>,
  Resolved<JobRoleBody>,
  Resolved<Location>,
  Resolved<LocationBody>,
] = [true, true, true, true, true, true];
