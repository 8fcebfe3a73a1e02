import client from "prom-client";

/** One registry per app instance, so tests can build several apps in one process. */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "tandem_" });
  const httpDuration = new client.Histogram({
    name: "tandem_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const jobsProcessed = new client.Counter({
    name: "tandem_jobs_processed_total",
    help: "Background jobs processed by queue and outcome",
    labelNames: ["queue", "outcome"] as const,
    registers: [registry],
  });
  const auditEntries = new client.Counter({
    name: "tandem_audit_entries_total",
    help: "Audit entries written by this process",
    registers: [registry],
  });
  return { registry, httpDuration, jobsProcessed, auditEntries };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** A histogram on an app's registry, for a module that measures its own work. */
export function addHistogram<L extends string>(
  metrics: Metrics,
  cfg: { name: string; help: string; labelNames: readonly L[]; buckets: number[] },
): client.Histogram<L> {
  return new client.Histogram({ ...cfg, registers: [metrics.registry] });
}
