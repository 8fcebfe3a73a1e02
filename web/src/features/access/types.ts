import type { paths } from "../../api/schema";
import type { Body, Ok } from "../../api/types";

/** Types of the Access API, derived from the generated OpenAPI `paths` (never written by hand). */
export type ConnectorType = Ok<"/api/v1/access/connector-types", "get">["items"][number];
export type System = Ok<"/api/v1/access/systems/{id}", "get">;
export type SystemBody = Body<"/api/v1/access/systems", "post">;
export type SystemPatchBody = Body<"/api/v1/access/systems/{id}", "patch">;
export type Criticality = System["criticality"];
export type Classification = System["dataClassification"];
export type UsernameRule = System["usernameRule"];
export type TestResult = Ok<"/api/v1/access/systems/{id}/test", "post">;
export type SyncResult = Ok<"/api/v1/access/systems/{id}/sync", "post">;

export type Entitlement = Ok<"/api/v1/access/systems/{id}/entitlements", "get">["items"][number];
export type EntitlementBody = Body<"/api/v1/access/systems/{id}/entitlements", "post">;
export type EntitlementKind = Entitlement["kind"];
export type AccountsPage = Ok<"/api/v1/access/systems/{id}/accounts", "get">;
export type Account = AccountsPage["items"][number];

export type Profile = Ok<"/api/v1/access/profiles/{id}", "get">;
export type ProfileBody = Body<"/api/v1/access/profiles", "post">;

export type Plan = Ok<"/api/v1/access/plans/{id}", "get">;
export type PlanSummary = Ok<"/api/v1/access/plans", "get">["items"][number];
export type PlanState = Plan["state"];
export type PlanReason = Plan["reason"];
export type PlansQuery = NonNullable<paths["/api/v1/access/plans"]["get"]["parameters"]["query"]>;
export type Step = Plan["steps"][number];
export type StepState = Step["state"];
export type StepAction = Step["action"];
export type HandOverBody = Body<"/api/v1/access/steps/{id}/manual", "post">;

export type Offboarding = Ok<"/api/v1/access/people/{id}/offboarding", "get">;
export type OffboardingSystem = Offboarding["systems"][number];
export type SystemProgress = OffboardingSystem["state"];

export type Task = Ok<"/api/v1/access/tasks", "get">["items"][number];
export type TaskState = Task["state"];
export type TasksQuery = NonNullable<paths["/api/v1/access/tasks"]["get"]["parameters"]["query"]>;

export type Alert = Ok<"/api/v1/access/alerts", "get">["items"][number];

type Resolved<T> = [T] extends [never] ? false : true;

/** Stops type-checking if an alias above stops resolving after the OpenAPI document changes. */
export const ACCESS_TYPES_RESOLVED: [
  Resolved<ConnectorType>,
  Resolved<System>,
  Resolved<SystemBody>,
  Resolved<SystemPatchBody>,
  Resolved<TestResult>,
  Resolved<SyncResult>,
  Resolved<Entitlement>,
  Resolved<EntitlementBody>,
  Resolved<Account>,
  Resolved<Profile>,
  Resolved<ProfileBody>,
  Resolved<Plan>,
  Resolved<PlanSummary>,
  Resolved<HandOverBody>,
  Resolved<Offboarding>,
  Resolved<Task>,
  Resolved<Alert>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];

// --- reconciliation, requests, SoD, reviews, certificates, my access, metrics -----------------

export type ReconcileRun = Ok<"/api/v1/access/reconcile/runs/{id}", "get">;
export type FindingsQuery = NonNullable<paths["/api/v1/access/findings"]["get"]["parameters"]["query"]>;
export type Finding = Ok<"/api/v1/access/findings", "get">["items"][number];
export type FindingKind = Finding["kind"];
export type FindingState = Finding["state"];
export type FixBody = Body<"/api/v1/access/findings/{id}/fix", "post">;

export type Catalogue = Ok<"/api/v1/access/catalogue", "get">["items"];
export type AccessRequest = Ok<"/api/v1/access/requests/{id}", "get">;
export type RequestState = AccessRequest["state"];
export type RequestBody = Body<"/api/v1/access/requests", "post">;
export type SodRule = Ok<"/api/v1/access/sod-rules/{id}", "get">;
export type SodRuleBody = Body<"/api/v1/access/sod-rules", "post">;

export type Campaign = Ok<"/api/v1/access/reviews/{id}", "get">;
export type CampaignSummary = Ok<"/api/v1/access/reviews", "get">["items"][number];
export type CampaignState = Campaign["state"];
export type CampaignBody = Body<"/api/v1/access/reviews", "post">;
export type ReviewItem = Ok<"/api/v1/access/reviews/{id}/items", "get">["items"][number];
export type ReviewItemState = ReviewItem["state"];

export type CertificateSummary = Ok<"/api/v1/access/certificates", "get">["items"][number];
export type Certificate = Ok<"/api/v1/access/certificates/{id}", "get">;
export type MyAccess = Ok<"/api/v1/me/access", "get">;
export type MyAccount = MyAccess["items"][number];
export type AccessReason = MyAccount["reasons"][number];
export type AccessMetrics = Ok<"/api/v1/access/metrics", "get">;

export const GOVERNANCE_TYPES_RESOLVED: [
  Resolved<ReconcileRun>,
  Resolved<Finding>,
  Resolved<FixBody>,
  Resolved<Catalogue>,
  Resolved<AccessRequest>,
  Resolved<RequestBody>,
  Resolved<SodRule>,
  Resolved<SodRuleBody>,
  Resolved<Campaign>,
  Resolved<CampaignSummary>,
  Resolved<CampaignBody>,
  Resolved<ReviewItem>,
  Resolved<CertificateSummary>,
  Resolved<Certificate>,
  Resolved<MyAccess>,
  Resolved<AccessMetrics>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
