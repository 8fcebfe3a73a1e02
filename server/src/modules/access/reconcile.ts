/**
 * Reconciliation: read every system (or the ones asked for) through the ordinary sync, then
 * compare the actual state with the desired state and with HR, and record findings that
 * persist across runs. A system whose read fails, or comes back empty where accounts were
 * known, stops there: it gets no findings, its open findings stay as they were, and nothing
 * is revoked. Runs are durable jobs (on demand, and on a schedule); fixes go through the
 * engine's plans.
 */

import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Config } from "../../platform/config/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import { AppError, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Logger } from "../../platform/log/index.js";
import type { PlanDeps } from "./plans.js";
import { computeFindings } from "./reconcile-findings.js";
import { acceptFinding, fixFinding } from "./reconcile-fix.js";
import {
  type FindingFilter,
  findingRow,
  getRun,
  listFindings,
  openByKind,
  toFinding,
} from "./reconcile-views.js";
import type { FindingView, FixInput, ReconcileRunView } from "./schemas.js";
import type { AccessService } from "./service.js";
import { syncSystem } from "./sync.js";

export const RECONCILE_JOB = "access.reconcile";
export const RECONCILE_SCHEDULED_JOB = "access.reconcile_scheduled";
const RETRIES = 2;

const RECONCILER: AuditContext = { actorLabel: "reconciliation" };

export type RunTrigger = ReconcileRunView["trigger"];

export interface ReconcileDeps {
  db: Db;
  jobs: Jobs;
  access: AccessService;
  config: Config;
  log: Logger;
}

export interface RunRequest {
  /** Every enabled system when left out. */
  systemIds?: string[];
  trigger: RunTrigger;
}

export function createReconciler(deps: ReconcileDeps) {
  const { db, jobs, access, config, log } = deps;
  const planDeps: PlanDeps = {
    jobs,
    settings: access.settings,
    capabilities: (row) => access.pool.capabilities(row),
  };
  const kick = (systemIds: string[]) => {
    if (config.TANDEM_JOBS && systemIds.length) access.runners.kick(systemIds);
  };

  /** Records a run and its systems (queued); the caller enqueues or executes it. */
  async function createRun(q: Queryable, ctx: AuditContext, req: RunRequest): Promise<string> {
    let ids: string[];
    if (req.systemIds) {
      ids = [...new Set(req.systemIds)];
      const known = await q.query<{ id: string }>("SELECT id FROM systems WHERE id = ANY ($1::text[])", [
        ids,
      ]);
      const have = new Set(known.rows.map((r) => r.id));
      const missing = req.systemIds
        .map((id, i) => ({ id, i }))
        .filter((x) => !have.has(x.id))
        .map((x) => ({ path: `body.systemIds.${x.i}`, message: "no such system" }));
      if (missing.length) throw unprocessable("access.unknown_system", "Unknown system", missing);
    } else {
      const r = await q.query<{ id: string }>(
        "SELECT id FROM systems WHERE enabled ORDER BY lower(name), id",
      );
      ids = r.rows.map((x) => x.id);
    }
    const runId = ulid();
    await q.query(
      `INSERT INTO access_reconcile_runs (id, state, trigger, requested_by, requested_system_ids)
       VALUES ($1, 'queued', $2, $3, $4)`,
      [runId, req.trigger, ctx.actorLabel ?? ctx.actorId ?? null, req.systemIds ? ids : []],
    );
    await q.query(
      `INSERT INTO access_reconcile_systems (run_id, system_id, seq)
       SELECT $1, x.id, x.n FROM unnest($2::text[]) WITH ORDINALITY AS x (id, n)`,
      [runId, ids],
    );
    await appendAudit(q, ctx, {
      action: "access.reconcile_requested",
      targetType: "reconcile_run",
      targetId: runId,
      details: { trigger: req.trigger, systemIds: ids },
    });
    return runId;
  }

  const setSystem = (runId: string, systemId: string, fields: Record<string, unknown>) => {
    const keys = Object.keys(fields);
    return db.query(
      `UPDATE access_reconcile_systems SET ${keys.map((k, i) => `${k} = $${i + 3}`).join(", ")}
       WHERE run_id = $1 AND system_id = $2`,
      [runId, systemId, ...keys.map((k) => fields[k])],
    );
  };

  /** Why something failed, in words safe for an administrator (connector messages are). */
  const reasonOf = (err: unknown) =>
    err instanceof AppError ? err.message : "an unexpected error (the server log has the details)";

  async function reconcileSystem(runId: string, systemId: string, read: boolean): Promise<void> {
    await setSystem(runId, systemId, { state: "reading", started_at: new Date().toISOString(), error: null });
    const readAt = new Date();
    let accounts: number;
    let linked: number | null = null;
    try {
      if (read) {
        const r = await syncSystem(db, access.pool, RECONCILER, systemId);
        accounts = r.accounts;
        linked = r.linked;
      } else {
        const n = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM accounts WHERE system_id = $1",
          [systemId],
        );
        accounts = n.rows[0]?.n ?? 0;
      }
    } catch (err) {
      if (!(err instanceof AppError)) log.error({ err, systemId, runId }, "reconciliation read failed");
      // The read stopped this system: no findings, nothing resolved, nothing revoked.
      await setSystem(runId, systemId, {
        state: "failed",
        error: `Read failed: ${reasonOf(err)}`.slice(0, 2000),
        finished_at: new Date().toISOString(),
      });
      return;
    }
    await setSystem(runId, systemId, { state: "computing", accounts, linked });
    try {
      await db.tx(async (q) => {
        const r = await computeFindings(q, {
          systemId,
          runId,
          dormantDays: config.TANDEM_ACCESS_DORMANT_DAYS,
          readAt,
        });
        await q.query(
          `UPDATE access_reconcile_systems SET state = 'done', observed = $3, opened = $4, resolved = $5, reopened = $6,
             by_kind = $7, finished_at = clock_timestamp() WHERE run_id = $1 AND system_id = $2`,
          [runId, systemId, r.observed, r.opened, r.resolved, r.reopened, JSON.stringify(r.byKind)],
        );
        await appendAudit(q, RECONCILER, {
          action: "access.reconcile_system",
          targetType: "system",
          targetId: systemId,
          details: { runId, accounts, linked, ...r },
        });
      });
    } catch (err) {
      log.error({ err, systemId, runId }, "reconciliation findings failed");
      await setSystem(runId, systemId, {
        state: "failed",
        error: `Findings could not be computed: ${reasonOf(err)}`,
        finished_at: new Date().toISOString(),
      });
    }
  }

  /** Carries out a run (again, after a crash: systems already done are skipped). */
  async function execute(runId: string, opts: { read?: boolean } = {}): Promise<void> {
    const claimed = await db.query(
      `UPDATE access_reconcile_runs SET state = 'running', started_at = COALESCE(started_at, now())
       WHERE id = $1 AND state IN ('queued', 'running') RETURNING id`,
      [runId],
    );
    if (!claimed.rowCount) return;
    const todo = await db.query<{ system_id: string }>(
      `SELECT system_id FROM access_reconcile_systems WHERE run_id = $1 AND state NOT IN ('done', 'failed')
       ORDER BY seq`,
      [runId],
    );
    for (const s of todo.rows) await reconcileSystem(runId, s.system_id, opts.read ?? true);
    await db.tx(async (q) => {
      const r = await q.query<{ total: number; failed: number }>(
        `SELECT count(*)::int AS total, (count(*) FILTER (WHERE state = 'failed'))::int AS failed
         FROM access_reconcile_systems WHERE run_id = $1`,
        [runId],
      );
      const { total, failed } = r.rows[0] ?? { total: 0, failed: 0 };
      const state = total > 0 && failed === total ? "failed" : failed > 0 ? "partial" : "done";
      await q.query("UPDATE access_reconcile_runs SET state = $2, finished_at = now() WHERE id = $1", [
        runId,
        state,
      ]);
      await appendAudit(q, RECONCILER, {
        action: "access.reconcile_finished",
        targetType: "reconcile_run",
        targetId: runId,
        outcome: failed ? "failure" : "success",
        details: { state, systems: total, failed },
      });
    });
  }

  async function markFailed(runId: string, err: unknown): Promise<void> {
    await db.query(
      `UPDATE access_reconcile_runs SET state = 'failed', finished_at = now(), error = $2
       WHERE id = $1 AND state IN ('queued', 'running')`,
      [runId, reasonOf(err)],
    );
  }

  /** Starts a run as a durable job (API). */
  async function start(ctx: AuditContext, systemIds?: string[]): Promise<string> {
    return db.tx(async (q) => {
      const runId = await createRun(q, ctx, { systemIds, trigger: "manual" });
      await jobs.send(q, RECONCILE_JOB, { runId }, { singletonKey: runId });
      return runId;
    });
  }

  /**
   * Runs a reconciliation in this process and waits (CLI, schedule). With `read: false` the
   * findings come from the actual state as last read, without asking the systems.
   */
  async function runInline(
    ctx: AuditContext,
    req: RunRequest & { read?: boolean },
  ): Promise<ReconcileRunView> {
    const runId = await db.tx((q) => createRun(q, ctx, req));
    try {
      await execute(runId, { read: req.read });
    } catch (err) {
      await markFailed(runId, err);
      throw err;
    }
    return getRun(db, runId);
  }

  async function fix(
    ctx: AuditContext,
    id: string,
    input: FixInput,
  ): Promise<{ finding: FindingView; planId: string | null }> {
    const out = await db.tx((q) => fixFinding(q, ctx, planDeps, id, input));
    kick(out.systemIds);
    return { finding: toFinding(await findingRow(db, id)), planId: out.planId };
  }

  async function accept(ctx: AuditContext, id: string, input: { justification: string; expiresAt: string }) {
    await db.tx((q) => acceptFinding(q, ctx, id, input));
    return toFinding(await findingRow(db, id));
  }

  /** Systems by id or name (case-insensitive), in the order asked; unknown names are listed. */
  async function systemsNamed(
    names: string[],
  ): Promise<{ found: { id: string; name: string }[]; unknown: string[] }> {
    const r = await db.query<{ id: string; name: string }>(
      "SELECT id, name FROM systems WHERE id = ANY ($1::text[]) OR lower(name) = ANY ($2::text[])",
      [names, names.map((x) => x.toLowerCase())],
    );
    const found: { id: string; name: string }[] = [];
    const unknown: string[] = [];
    for (const want of names) {
      const hit = r.rows.find((x) => x.id === want || x.name.toLowerCase() === want.toLowerCase());
      if (hit) found.push(hit);
      else unknown.push(want);
    }
    return { found, unknown };
  }

  return {
    start,
    runInline,
    execute,
    markFailed,
    fix,
    accept,
    getRun: (id: string) => getRun(db, id),
    findings: (f: FindingFilter) => listFindings(db, f),
    openByKind: (systemIds?: string[]) => openByKind(db, systemIds),
    systemsNamed,
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;

/** The run job, and the schedule (TANDEM_ACCESS_RECONCILE_CRON; "off" switches it off). */
export function defineReconcileJobs(jobs: Jobs, reconciler: Reconciler, config: Config): void {
  jobs.define<{ runId: string }>({
    name: RECONCILE_JOB,
    retryLimit: RETRIES,
    retryDelay: 30,
    expireInSeconds: 2 * 3600,
    batchSize: 1,
    handler: async ({ runId }, ctx) => {
      try {
        await reconciler.execute(runId);
      } catch (err) {
        if (ctx.retryCount >= RETRIES) await reconciler.markFailed(runId, err);
        throw err;
      }
    },
  });
  const cron = config.TANDEM_ACCESS_RECONCILE_CRON;
  jobs.define({
    name: RECONCILE_SCHEDULED_JOB,
    retryLimit: 0,
    expireInSeconds: 2 * 3600,
    batchSize: 1,
    // A schedule left in the queue from an earlier setting does nothing once switched off.
    handler: async () => {
      if (cron === "off") return;
      await reconciler.runInline(RECONCILER, { trigger: "schedule" });
    },
  });
  if (cron !== "off") jobs.schedule(RECONCILE_SCHEDULED_JOB, cron);
}
