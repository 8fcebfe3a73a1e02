import type { AuditContext } from "../../platform/audit/index.js";
import type { Config } from "../../platform/config/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import type { Identity, TypedApp } from "../../platform/http/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Notifier } from "../../platform/notify/index.js";

export interface IncidentsDeps {
  app: TypedApp;
  db: Db;
  jobs: Jobs;
  events: Events;
  envelope: Envelope;
  config: Config;
  notifier: Notifier;
}

export function caller(req: { identity?: Identity }): Identity {
  if (!req.identity) throw new Error("route declared access but has no identity");
  return req.identity;
}

export const iso = (d: Date | string | null | undefined): string | null =>
  d ? new Date(d).toISOString() : null;

/** The actor of a timeline entry, from an audit context. */
export function actorOf(ctx: AuditContext): { id: string | null; label: string | null } {
  return { id: ctx.actorId ?? null, label: ctx.actorLabel ?? null };
}

export const SYSTEM: AuditContext = { actorLabel: "incident response" };
