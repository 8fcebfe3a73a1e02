import type { Config } from "../../platform/config/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import type { Identity, TypedApp } from "../../platform/http/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Logger } from "../../platform/log/index.js";
import type { Metrics } from "../../platform/metrics/index.js";

/** What the access module is built from (the composition root passes it in). */
export interface AccessDeps {
  app: TypedApp;
  db: Db;
  jobs: Jobs;
  events: Events;
  envelope: Envelope;
  config: Config;
  metrics: Metrics;
  log: Logger;
}

/** Engine settings, from configuration. */
export interface EngineSettings {
  moverGraceHours: number;
  retryLimit: number;
  retrySeconds: number;
  breakerWindowMinutes: number;
  /** Steps one runner pass claims for one system. */
  batchSize: number;
  /** Accounts worked on at the same time within a pass. */
  concurrency: number;
}

export function engineSettings(config: Config): EngineSettings {
  return {
    moverGraceHours: config.TANDEM_ACCESS_MOVER_GRACE_HOURS,
    retryLimit: config.TANDEM_ACCESS_RETRY_LIMIT,
    retrySeconds: config.TANDEM_ACCESS_RETRY_SECONDS,
    breakerWindowMinutes: config.TANDEM_ACCESS_BREAKER_WINDOW_MINUTES,
    batchSize: 200,
    concurrency: 8,
  };
}

export function caller(req: { identity?: Identity }): Identity {
  if (!req.identity) throw new Error("route declared access but has no identity");
  return req.identity;
}

export const iso = (d: Date | string | null | undefined): string | null =>
  d === null || d === undefined ? null : new Date(d).toISOString();
