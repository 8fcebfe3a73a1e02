import type { Config } from "../../platform/config/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import type { Identity, TypedApp } from "../../platform/http/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Logger } from "../../platform/log/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import type { AttachmentLimits } from "./attachments.js";
import type { Bucket } from "./followup.js";

/** What the reports module is built from (the composition root passes it in). */
export interface ReportsDeps {
  app: TypedApp;
  db: Db;
  jobs: Jobs;
  events: Events;
  envelope: Envelope;
  config: Config;
  log: Logger;
  notifier: Notifier;
}

export interface ReportSettings {
  attachments: AttachmentLimits;
  anonymous: Bucket;
  lookups: Bucket;
  /** Extra tokens a wrong follow-up code costs. */
  lookupPenalty: number;
  mailMaxBytes: number;
  addresses: string[];
}

export function reportSettings(config: Config): ReportSettings {
  return {
    attachments: {
      maxCount: config.TANDEM_REPORT_ATTACHMENT_MAX_COUNT,
      maxBytes: config.TANDEM_REPORT_ATTACHMENT_MAX_BYTES,
    },
    anonymous: { name: "anonymous_reports", perMinute: config.TANDEM_REPORT_ANON_PER_MINUTE },
    lookups: { name: "follow_up_lookups", perMinute: config.TANDEM_REPORT_LOOKUP_PER_MINUTE },
    lookupPenalty: 4,
    mailMaxBytes: config.TANDEM_REPORT_MAIL_MAX_BYTES,
    addresses: config.TANDEM_REPORT_ADDRESSES.split(",").map((a) => a.trim().toLowerCase()),
  };
}

/** The largest JSON body a report with attachments can need (base64 grows by a third). */
export const reportBodyLimit = (s: ReportSettings) =>
  Math.ceil(s.attachments.maxCount * s.attachments.maxBytes * 1.37) + 512 * 1024;

export function caller(req: { identity?: Identity }): Identity {
  if (!req.identity) throw new Error("route declared access but has no identity");
  return req.identity;
}

export const iso = (d: Date | string | null | undefined): string | null =>
  d === null || d === undefined ? null : new Date(d).toISOString();

export const RECEIVED = "reports.received";
export const VERDICT = "reports.verdict";
