import { registerEncryptedColumn } from "../../platform/crypto/index.js";
import { secretsAad } from "./connectors.js";
import type { AccessDeps } from "./context.js";
import { subscribeAccessEvents } from "./events.js";
import "./policy.js";
import { planRoutes } from "./routes-plans.js";
import { profileRoutes } from "./routes-profiles.js";
import { systemRoutes } from "./routes-systems.js";
import { defineRunnerJobs } from "./runner.js";
import { createAccessService } from "./service.js";

export type { AccessDeps } from "./context.js";
export type { PlanView, StepView } from "./schemas.js";
export type { AccessService } from "./service.js";
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
  defineRunnerJobs(deps.jobs, access.runners);
  subscribeAccessEvents(deps.events, { db: deps.db, access, settings: access.settings });
  deps.app.addHook("onClose", async () => access.close());
  return access;
}
