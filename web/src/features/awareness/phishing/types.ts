import type { paths } from "../../../api/schema";
import type { Body, Ok } from "../../../api/types";

/** Types of the phishing simulation API, derived from the generated OpenAPI `paths`. */
export type TemplateSummary = Ok<"/api/v1/awareness/phishing/templates", "get">["items"][number];
export type Template = Ok<"/api/v1/awareness/phishing/templates/{id}", "get">;
export type TemplateBody = Body<"/api/v1/awareness/phishing/templates", "post">;
export type Difficulty = NonNullable<TemplateBody["difficulty"]>;
export type LandingKind = NonNullable<TemplateBody["landingKind"]>;
export type Preview = Ok<"/api/v1/awareness/phishing/templates/{id}/preview", "post">;

export type Campaign = Ok<"/api/v1/awareness/phishing/campaigns/{id}", "get">;
export type CampaignBody = Body<"/api/v1/awareness/phishing/campaigns", "post">;
export type CampaignStatus = Campaign["status"];
export type ScheduleResult = Ok<"/api/v1/awareness/phishing/campaigns/{id}/schedule", "post">;

type RecipientsParams = NonNullable<
  paths["/api/v1/awareness/phishing/campaigns/{id}/recipients"]["get"]["parameters"]["query"]
>;
export type Recipient = Ok<"/api/v1/awareness/phishing/campaigns/{id}/recipients", "get">["items"][number];
export type RecipientStatus = Recipient["status"];
export type Stage = NonNullable<RecipientsParams["stage"]>;
export type RecipientsQuery = Pick<RecipientsParams, "status" | "stage" | "departmentId" | "q">;

export type InteractionsPage = Ok<"/api/v1/awareness/phishing/campaigns/{id}/interactions", "get">;
export type Interaction = InteractionsPage["items"][number];
export type InteractionKind = Interaction["kind"];

export type Results = Ok<"/api/v1/awareness/phishing/results", "get">;
export type RepeatClicker = Ok<"/api/v1/awareness/phishing/repeat-clickers", "get">["items"][number];
