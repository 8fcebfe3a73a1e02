import type { Envelope } from "../../platform/crypto/index.js";
import type { Db } from "../../platform/db/index.js";
import type { TypedApp } from "../../platform/http/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import type { HrCases } from "./hr-cases.js";
import type { ReportsPort } from "./reports-port.js";
import type { IncidentService } from "./service.js";

/** What the route files of this module share. */
export interface RouteDeps {
  app: TypedApp;
  db: Db;
  envelope: Envelope;
  jobs: Jobs;
  notifier: Notifier;
  service: IncidentService;
  reports: ReportsPort;
  hrCases: HrCases;
}
