import type { AuditContext } from "../../platform/audit/index.js";
import type { Config } from "../../platform/config/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import type { Identity, TypedApp } from "../../platform/http/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Notifier } from "../../platform/notify/index.js";

/** What the awareness module is built from (the composition root passes it in). */
export interface AwarenessDeps {
  app: TypedApp;
  db: Db;
  jobs: Jobs;
  events: Events;
  config: Config;
  notifier: Notifier;
}

/** What the routes need. */
export interface RouteDeps {
  app: TypedApp;
  db: Db;
  events: Events;
}

/** Escalation of overdue assignments: days after the due date for each step. */
export interface EscalationSettings {
  remindAfterDays: number;
  managerAfterDays: number;
  hrAfterDays: number;
}

export function escalationSettings(config: Config): EscalationSettings {
  return {
    remindAfterDays: config.TANDEM_AWARENESS_REMIND_AFTER_DAYS,
    managerAfterDays: config.TANDEM_AWARENESS_MANAGER_AFTER_DAYS,
    hrAfterDays: config.TANDEM_AWARENESS_HR_AFTER_DAYS,
  };
}

export const SYSTEM: AuditContext = { actorLabel: "awareness" };

export function caller(req: { identity?: Identity }): Identity {
  if (!req.identity) throw new Error("route declared access but has no identity");
  return req.identity;
}

export const iso = (d: Date | string | null | undefined): string | null =>
  d === null || d === undefined ? null : new Date(d).toISOString();

/** `date` columns come back as strings from PostgreSQL and as Date from PGlite. */
export const dateOnly = (d: Date | string | null): string | null => {
  if (d === null) return null;
  if (typeof d === "string") return d.slice(0, 10);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

export const DAY_MS = 86_400_000;
export const addDays = (d: Date, days: number) => new Date(d.getTime() + days * DAY_MS);
