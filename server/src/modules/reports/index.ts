import { registerEncryptedColumn } from "../../platform/crypto/index.js";
import { attachmentAad } from "./attachments.js";
import { RECEIVED, type ReportsDeps, reportSettings } from "./context.js";
import { MAIL_PARSE_JOB, mailAad, parseMail } from "./mail.js";
import { registerNoticeKinds, tellTriage } from "./notices.js";
import "./policy.js";
import { askRoutes } from "./routes-ask.js";
import { reportRoutes } from "./routes-report.js";
import { triageRoutes } from "./routes-triage.js";
import { closeAsSimulation, PHISH_RECOGNISED, PHISH_REPORTED } from "./simulation.js";
import { createReportSmtp } from "./smtp.js";

export {
  getReportSummaries,
  markEscalated,
  type ReportStats,
  type ReportSummary,
  reportStats,
} from "./api.js";
export type { ReportsDeps } from "./context.js";
export { type ReportsDemoResult, seedReportsDemo } from "./demo.js";
export { receiveMail } from "./mail.js";
export { CATEGORIES as REPORT_CATEGORIES } from "./schemas.js";

/** Domain events this module publishes (in the transaction of the change). */
export const REPORT_EVENTS = {
  /**
   * { reportId, category, reporterUserId: string | null, simulated: false, urls: string[],
   * simulationMarkers: string[] } (X-Tandem-Simulation header values of a reported mail; an
   * anonymous report carries no urls and no markers)
   */
  received: "reports.received",
  /** { reportId, verdict } */
  verdict: "reports.verdict",
} as const;

registerEncryptedColumn({
  table: "report_attachments",
  idColumn: "id",
  column: "content_enc",
  aad: attachmentAad,
});
registerEncryptedColumn({ table: "report_mail", idColumn: "id", column: "raw_enc", aad: mailAad });

/**
 * Registers reporting: the reporter's routes (also anonymous), triage, Ask Security, the
 * mail parse job, and the SMTP listener (started with the server when
 * TANDEM_REPORT_SMTP_PORT is set).
 */
export function registerReports(deps: ReportsDeps) {
  const settings = reportSettings(deps.config);
  registerNoticeKinds(deps.notifier);
  deps.events.subscribe<{ reportId: string }>(RECEIVED, "reports.tell_triage", (e) =>
    deps.db.tx((q) => tellTriage(q, deps.notifier, e.payload.reportId)),
  );
  const simulation = (e: { payload: { reportId: string } }) =>
    deps.db.tx((q) => closeAsSimulation(q, deps.notifier, e.payload.reportId).then(() => undefined));
  deps.events.subscribe<{ reportId: string }>(PHISH_REPORTED, "reports.simulation", simulation);
  deps.events.subscribe<{ reportId: string }>(PHISH_RECOGNISED, "reports.simulation_copy", simulation);
  reportRoutes(deps, settings);
  triageRoutes(deps);
  askRoutes(deps);
  deps.jobs.define<{ mailId: string }>({
    name: MAIL_PARSE_JOB,
    retryLimit: 5,
    handler: (data) => parseMail(deps.db, { ...deps, settings }, data.mailId),
  });
  const smtp = createReportSmtp({ ...deps, settings });
  let smtpAddress: { host: string; port: number } | null = null;
  const port = deps.config.TANDEM_REPORT_SMTP_PORT;
  if (port !== undefined) {
    deps.app.addHook("onReady", async () => {
      const a = await smtp.listen(deps.config.TANDEM_REPORT_SMTP_HOST, port);
      smtpAddress = { host: a.address, port: a.port };
      deps.log.info({ smtp: smtpAddress }, "report mail listener started");
    });
    deps.app.addHook("onClose", async () => smtp.close());
  }
  return {
    settings,
    /** Where the SMTP listener listens (null when it is off). */
    smtpAddress: () => smtpAddress,
  };
}
