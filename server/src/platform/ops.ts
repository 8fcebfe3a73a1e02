import type { Db } from "./db/index.js";
import type { TypedApp } from "./http/index.js";
import type { Jobs } from "./jobs/index.js";
import type { Metrics } from "./metrics/index.js";

/** /healthz (process up), /readyz (database and queue answer), /metrics (Prometheus). */
export function opsRoutes(app: TypedApp, db: Db, jobs: Jobs, metrics: Metrics) {
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (_req, reply) => {
    const checks: Record<string, "ok" | "failing"> = { database: "failing", queue: "failing" };
    try {
      await db.query("SELECT 1");
      checks.database = "ok";
    } catch {
      /* reported below */
    }
    if (checks.database === "ok" && (await jobs.ready())) checks.queue = "ok";
    const ok = Object.values(checks).every((v) => v === "ok");
    return reply.status(ok ? 200 : 503).send({ status: ok ? "ready" : "not_ready", checks });
  });
  app.get("/metrics", { schema: { hide: true } }, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
