import type { paths } from "../../api/schema";
import type { Body, Ok } from "../../api/types";

/** Types of the Awareness API, derived from the generated OpenAPI `paths`. */
export type MyItems = Ok<"/api/v1/awareness/me", "get">;
export type MyItem = MyItems["items"][number];
export type MyPolicy = Ok<"/api/v1/awareness/me/policies/{id}", "get">;
export type MyModule = Ok<"/api/v1/awareness/me/modules/{id}", "get">;
export type Attempt = Ok<"/api/v1/awareness/me/modules/{id}/attempts", "post">;
export type AttemptResult = Ok<"/api/v1/awareness/me/attempts/{id}/submit", "post">;

export type PolicySummary = Ok<"/api/v1/awareness/policies", "get">["items"][number];
export type Policy = Ok<"/api/v1/awareness/policies/{id}", "get">;
export type PolicyBody = Body<"/api/v1/awareness/policies", "post">;
export type Audience = PolicyBody["audience"];
export type ModuleSummary = Ok<"/api/v1/awareness/modules", "get">["items"][number];
export type TrainingModule = Ok<"/api/v1/awareness/modules/{id}", "get">;
export type ModuleBody = Body<"/api/v1/awareness/modules", "post">;
export type QuestionBody = NonNullable<ModuleBody["questions"]>[number];
export type Rule = Ok<"/api/v1/awareness/rules", "get">["items"][number];
export type RuleBody = Body<"/api/v1/awareness/rules", "post">;
export type Compliance = Ok<"/api/v1/awareness/compliance", "get">;
export type AssignmentRow = Ok<"/api/v1/awareness/assignments", "get">["items"][number];
export type AssignmentsQuery = NonNullable<
  paths["/api/v1/awareness/assignments"]["get"]["parameters"]["query"]
>;
export type Team = Ok<"/api/v1/awareness/team", "get">;
