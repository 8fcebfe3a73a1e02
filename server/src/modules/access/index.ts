import { registerEncryptedColumn } from "../../platform/crypto/index.js";
import { secretsAad } from "./connectors.js";
import type { AccessDeps } from "./context.js";
import { demoAppRoutes } from "./demo-app.js";
import { subscribeAccessEvents } from "./events.js";
import { myAccessRoutes } from "./my-access.js";
import "./policy.js";
import { createReconciler, defineReconcileJobs } from "./reconcile.js";
import { certificateRoutes } from "./routes-certificates.js";
import { metricsRoutes } from "./routes-metrics.js";
import { planRoutes } from "./routes-plans.js";
import { profileRoutes } from "./routes-profiles.js";
import { reconcileRoutes } from "./routes-reconcile.js";
import { registerRequests } from "./routes-requests.js";
import { registerReviews } from "./routes-reviews.js";
import { systemRoutes } from "./routes-systems.js";
import { defineRunnerJobs } from "./runner.js";
import { createAccessService } from "./service.js";

export {
  type CertificateView,
  certificatePdf,
  findCertificate,
  latestCertificate,
  recordDownload,
  toCertificateView,
} from "./certificate.js";
export type { AccessDeps } from "./context.js";
export { type AccessDemoResult, seedAccessDemo } from "./demo.js";
export { createReconciler, type Reconciler } from "./reconcile.js";
export { type EndedGrant, endRequestGrant, planGrantEnd } from "./requests.js";
export { createReviewService, type ReviewService } from "./reviews.js";
export type { CampaignView, ItemView as ReviewItemView } from "./reviews-schemas.js";
export { getRequest, listRequests, type RequestFilter } from "./routes-requests.js";
export type {
  FindingView,
  PlanView,
  ReconcileRunView,
  RequestView,
  SodRuleInput,
  SodRuleView,
  StepView,
} from "./schemas.js";
export type { AccessService } from "./service.js";
export { createSodRule, findEntitlementRef, listSodRules } from "./sod.js";
export { createTaskSink, type TaskInput } from "./tasks.js";
export type { OffboardingView } from "./views.js";

registerEncryptedColumn({ table: "systems", idColumn: "id", column: "secrets_enc", aad: secretsAad });

/**
 * Registers the access engine: the systems catalogue, profiles, plans and their runners,
 * and the subscribers that turn HR events into plans. Returns its service (CLI, tests).
 */
export function registerAccess(deps: AccessDeps) {
  const access = createAccessService(deps);
  const routeDeps = { app: deps.app, db: deps.db, envelope: deps.envelope, access };
  systemRoutes(routeDeps);
  profileRoutes(routeDeps);
  planRoutes(routeDeps);
  certificateRoutes(routeDeps);
  myAccessRoutes(routeDeps);
  metricsRoutes(deps);
  demoAppRoutes(deps.app, deps.db, deps.config.publicUrl);
  registerRequests(deps, access);
  registerReviews(deps, access);
  defineRunnerJobs(deps.jobs, access.runners);
  const reconciler = createReconciler({ ...deps, access });
  reconcileRoutes({ ...routeDeps, reconciler });
  defineReconcileJobs(deps.jobs, reconciler, deps.config);
  subscribeAccessEvents(deps.events, { db: deps.db, access, settings: access.settings });
  deps.app.addHook("onClose", async () => access.close());
  return access;
}
