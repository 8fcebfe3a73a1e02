import type { paths } from "../../api/schema";
import type { Body, Ok } from "../../api/types";

/** Types of the People API, derived from the generated OpenAPI `paths` (never written by hand). */
export type PeoplePage = Ok<"/api/v1/people", "get">;
export type Person = Ok<"/api/v1/people/{id}", "get">;
export type PersonStatus = Person["status"];
export type EmploymentType = Person["employmentType"];
export type TerminationType = NonNullable<Person["terminationType"]>;
export type NewPersonBody = Body<"/api/v1/people", "post">;
export type PersonPatchBody = Body<"/api/v1/people/{id}", "patch">;
export type DirectoryQuery = NonNullable<paths["/api/v1/people"]["get"]["parameters"]["query"]>;

export type PersonEvent = Ok<"/api/v1/people/{id}/events", "get">["items"][number];
export type EventType = PersonEvent["type"];
export type EventBody = Body<"/api/v1/people/{id}/events", "post">;
export type PersonAsOf = Ok<"/api/v1/people/{id}/as-of", "get">;

export type Agreement = Ok<"/api/v1/people/{id}/agreements", "get">["items"][number];
export type AgreementBody = Body<"/api/v1/people/{id}/agreements", "post">;
export type ChecklistItem = Ok<"/api/v1/people/{id}/checklist", "get">["items"][number];
export type ChecksAnswer = Ok<"/api/v1/people/{id}/checks", "get">;
export type Check = ChecksAnswer["items"][number];
export type CheckBody = Body<"/api/v1/people/{id}/checks", "post">;

export type ImportResult = Ok<"/api/v1/people/import/apply", "post">;
export type ImportRun = Ok<"/api/v1/people/import/runs", "get">["items"][number];
export type ImportCounts = ImportResult["counts"];

type Resolved<T> = [T] extends [never] ? false : true;

/** Stops type-checking if an alias above stops resolving after the OpenAPI document changes. */
export const PEOPLE_TYPES_RESOLVED: [
  Resolved<Person>,
  Resolved<NewPersonBody>,
  Resolved<PersonPatchBody>,
  Resolved<PersonEvent>,
  Resolved<EventBody>,
  Resolved<PersonAsOf>,
  Resolved<Agreement>,
  Resolved<ChecklistItem>,
  Resolved<Check>,
  Resolved<ImportResult>,
  Resolved<ImportRun>,
] = [true, true, true, true, true, true, true, true, true, true, true];
