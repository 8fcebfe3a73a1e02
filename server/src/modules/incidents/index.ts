import { registerEncryptedColumn } from "../../platform/crypto/index.js";
import type { IncidentsDeps } from "./context.js";
import { evidenceAad } from "./evidence.js";
import { caseAad, createHrCases, noteAad } from "./hr-cases.js";
import { defineIncidentJobs } from "./jobs.js";
import "./policy.js";
import { reportsPort } from "./reports-port.js";
import { incidentConfigRoutes } from "./routes-config.js";
import { hrCaseRoutes } from "./routes-hr-cases.js";
import { incidentRoutes } from "./routes-incidents.js";
import { incidentWorkRoutes } from "./routes-work.js";
import { createIncidentService } from "./service.js";

export type { IncidentsDeps } from "./context.js";
export { type IncidentsDemoResult, seedIncidentsDemo } from "./demo.js";
export { HR_CASE_CLOSED, type HrCases, OUTCOMES as HR_CASE_OUTCOMES } from "./hr-cases.js";
export { type SweepResult, sweep } from "./jobs.js";
export type { IncidentView } from "./schemas.js";
export type { IncidentService } from "./service.js";

/** Domain events this module publishes (in the transaction of the change). */
export const INCIDENT_EVENTS = {
  /** { caseId, personId: string | null, outcome: "no_action" | "coaching" | "training" | "disciplinary" } */
  hrCaseClosed: "incidents.hr_case_closed",
} as const;

registerEncryptedColumn({ table: "incident_evidence", idColumn: "id", column: "body_enc", aad: evidenceAad });
registerEncryptedColumn({ table: "hr_cases", idColumn: "id", column: "content_enc", aad: caseAad });
registerEncryptedColumn({ table: "hr_case_notes", idColumn: "id", column: "body_enc", aad: noteAad });

const KINDS: [string, string][] = [
  ["incident.high_severity", "Sev1/sev2 incident opened or raised"],
  ["incident.created", "Lower-severity incident opened"],
  ["incident.assigned", "An incident was assigned to me"],
  ["incident.task", "Incident tasks for me or my department"],
  ["incident.task_overdue", "Incident task overdue"],
  ["incident.clock", "Regulatory deadline reminders and escalations"],
  ["incident.action", "Post-mortem actions"],
  ["hr_case.referred", "Matters referred to HR"],
];

/**
 * Registers incident response: incidents and their tasks, evidence, clocks and post-mortems,
 * playbooks and jurisdictions, confidential HR cases, the dashboard, and their jobs.
 */
export function registerIncidents(deps: IncidentsDeps) {
  for (const [kind, label] of KINDS) deps.notifier.registerKind(kind, label);
  const service = createIncidentService({ notifier: deps.notifier, reports: reportsPort });
  const hrCases = createHrCases({
    db: deps.db,
    envelope: deps.envelope,
    events: deps.events,
    retentionDays: deps.config.TANDEM_HR_CASE_RETENTION_DAYS,
    async sourceExists(q, source, id) {
      if (source === "incident")
        return (await q.query("SELECT 1 FROM incidents WHERE id = $1", [id])).rowCount > 0;
      if (source === "report") return (await reportsPort.summaries(q, [id])).length > 0;
      return true;
    },
  });
  const routeDeps = { ...deps, service, reports: reportsPort, hrCases };
  incidentRoutes(routeDeps);
  incidentWorkRoutes(routeDeps);
  incidentConfigRoutes(routeDeps);
  hrCaseRoutes(routeDeps);
  defineIncidentJobs({ db: deps.db, jobs: deps.jobs, notifier: deps.notifier, hrCases });
  return { service, hrCases };
}
