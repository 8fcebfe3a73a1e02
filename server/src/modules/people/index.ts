import { registerEncryptedColumn } from "../../platform/crypto/index.js";
import type { PeopleContext } from "./context.js";
import { importRoutes } from "./import/index.js";
import { peopleJobs } from "./jobs.js";
import "./policy.js";
import { authorityRoutes } from "./routes-authority.js";
import { orgRoutes } from "./routes-org.js";
import { peopleRoutes } from "./routes-people.js";
import { prehireRoutes } from "./routes-prehire.js";
import { scimRoutes } from "./scim/routes.js";
import { createPeopleService, type PeopleDeps, reasonAad } from "./service.js";
import { webhookRoutes } from "./webhooks/routes.js";

export type { PeopleContext } from "./context.js";
export {
  DEMO_ROLES,
  type DemoDeps,
  type DemoIds,
  type DemoOptions,
  type DemoResult,
  type DemoRole,
  seedPeopleDemo,
} from "./demo.js";
export {
  type ImportOptions,
  type ImportResult,
  importPeople,
  isField,
  normalizeHeader,
} from "./import/index.js";
export { findPerson, findPersonBy, toPerson } from "./repo.js";
export type { EventInput, Person, PersonEvent, PersonInput, PersonPatch, Source } from "./schemas.js";
export { createPeopleService, type PeopleService } from "./service.js";
export { nextStatus, STATUSES, type Status, TransitionError, WORKING } from "./status.js";

registerEncryptedColumn({ table: "people", idColumn: "id", column: "high_risk_reason_enc", aad: reasonAad });

/** Registers the People module: routes, jobs and subscribers. Returns its service for other modules. */
export function registerPeople(deps: Omit<PeopleContext, "people"> & PeopleDeps) {
  const people = createPeopleService(deps);
  const ctx: PeopleContext = { ...deps, people };
  peopleRoutes(ctx);
  orgRoutes(ctx);
  authorityRoutes(ctx);
  importRoutes(ctx);
  scimRoutes(ctx);
  webhookRoutes(ctx);
  const checks = prehireRoutes(ctx);
  peopleJobs(ctx, checks);
  return people;
}
