import path from "node:path";
import { fileURLToPath } from "node:url";
import swaggerUi from "@fastify/swagger-ui";
import { registerAccess } from "./modules/access/index.js";
import { registerAwareness } from "./modules/awareness/index.js";
import { registerIncidents } from "./modules/incidents/index.js";
import { registerPeople } from "./modules/people/index.js";
import { registerReports } from "./modules/reports/index.js";
import {
  auditRoutes,
  CheckpointSigner,
  type CheckpointSinks,
  createCheckpoint,
} from "./platform/audit/index.js";
import { createAuthService, purgeExpiredSessions, registerAuth } from "./platform/auth/index.js";
import type { Config } from "./platform/config/index.js";
import { Envelope, Keyring } from "./platform/crypto/index.js";
import { type Db, migrate, openDatabase } from "./platform/db/index.js";
import { Events } from "./platform/events/index.js";
import { createHttpServer } from "./platform/http/index.js";
import { Jobs } from "./platform/jobs/index.js";
import { createLogger, type Logger } from "./platform/log/index.js";
import { createMetrics } from "./platform/metrics/index.js";
import { Notifier, notifyRoutes } from "./platform/notify/index.js";
import { opsRoutes } from "./platform/ops.js";
import { settingsRoutes } from "./platform/sso/index.js";
import { serveWeb } from "./platform/web.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface BuildOptions {
  db?: Db;
  log?: Logger;
  /** pg-boss schema (tests give each database its own). */
  jobsSchema?: string;
  env?: NodeJS.ProcessEnv;
}

/** The composition root: platform first, then each module's routes, jobs and subscribers. */
export async function buildApp(config: Config, opts: BuildOptions = {}) {
  const log = opts.log ?? createLogger(config.TANDEM_LOG_LEVEL);
  const metrics = createMetrics();
  const db = opts.db ?? (await openDatabase(config));
  await migrate(db);
  const keyring = Keyring.fromEnv(config.dataDir, opts.env ?? process.env);
  const envelope = new Envelope(keyring);
  const signer = CheckpointSigner.load(config.auditSigningKeyFile);
  const sinks: CheckpointSinks = {
    file: config.TANDEM_AUDIT_CHECKPOINT_FILE ?? path.join(config.dataDir, "audit-checkpoints.ndjson"),
    url: config.TANDEM_AUDIT_CHECKPOINT_URL,
    syslog: config.TANDEM_AUDIT_CHECKPOINT_SYSLOG,
  };
  const jobs = new Jobs({ db, log, metrics, work: config.TANDEM_JOBS, schema: opts.jobsSchema });
  const events = new Events(jobs);
  const notifier = new Notifier({ db, jobs, envelope, config, log });
  const auth = createAuthService({ db, envelope, config });

  jobs.define({
    name: "platform.sessions.purge",
    handler: async () => void (await purgeExpiredSessions(db)),
  });
  jobs.schedule("platform.sessions.purge", "*/15 * * * *");
  if (config.TANDEM_AUDIT_CHECKPOINT_MINUTES > 0) {
    jobs.define({
      name: "platform.audit.checkpoint",
      retryLimit: 3,
      handler: async () => void (await createCheckpoint(db, signer, sinks)),
    });
    const every = config.TANDEM_AUDIT_CHECKPOINT_MINUTES;
    jobs.schedule(
      "platform.audit.checkpoint",
      every < 60 ? `*/${every} * * * *` : `0 */${Math.floor(every / 60)} * * *`,
    );
  }

  const app = await createHttpServer({ config, log, metrics });
  registerAuth({ app, db, envelope, config, auth, idleMinutes: config.TANDEM_SESSION_IDLE_MINUTES });
  settingsRoutes({ app, db, envelope, config, auth });
  auditRoutes(app, db, signer, sinks);
  const people = registerPeople({ app, db, jobs, events, envelope, config });
  const access = registerAccess({ app, db, jobs, events, envelope, config, metrics, log });
  const reports = registerReports({ app, db, jobs, events, envelope, config, log, notifier });
  notifyRoutes(app, db, envelope, notifier);
  const incidents = registerIncidents({ app, db, jobs, events, envelope, config, notifier });
  const awareness = registerAwareness({ app, db, jobs, events, config, notifier });
  app.addHook("onClose", async () => notifier.close());
  opsRoutes(app, db, jobs, metrics);

  await app.register(swaggerUi, { routePrefix: "/api/docs", uiConfig: { deepLinking: false } });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  const webDir = config.TANDEM_WEB_DIR ? path.resolve(config.TANDEM_WEB_DIR) : path.join(ROOT, "web/dist");
  const webServed = await serveWeb(app, webDir);

  await app.ready();
  await jobs.start();

  let closed = false;
  async function close() {
    if (closed) return;
    closed = true;
    await app.close();
    await jobs.stop();
    if (!opts.db) await db.close();
  }
  return {
    app,
    db,
    jobs,
    events,
    envelope,
    keyring,
    signer,
    sinks,
    auth,
    people,
    access,
    reports,
    incidents,
    awareness,
    notifier,
    log,
    metrics,
    config,
    webServed,
    close,
  };
}

export type Tandem = Awaited<ReturnType<typeof buildApp>>;
