/**
 * Runners: one loop per system works through its due steps batch by batch. A runner is
 * started by a durable job (any node) and, for speed, right after a plan commits in this
 * process; while one runs for a system, further kicks only ask it to look again, so many
 * plans made together are carried out together. A sweep every minute catches anything due
 * that no job woke.
 */
import type { AuditContext } from "../../platform/audit/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Logger } from "../../platform/log/index.js";
import { systemRow } from "./catalogue.js";
import type { ConnectorPool } from "./connectors.js";
import type { EngineSettings } from "./context.js";
import {
  claimSteps,
  executeBatch,
  keepLeased,
  nextWake,
  recordOutcomes,
  type StepOutcome,
} from "./execute.js";
import { RUN_JOB, scheduleRunner } from "./plans.js";

const ENGINE: AuditContext = { actorLabel: "access engine" };
const IDLE_RECHECK_MS = 5000;

export interface RunnerDeps {
  db: Db;
  jobs: Jobs;
  pool: ConnectorPool;
  settings: EngineSettings;
  log: Logger;
  /** Seconds from the HR event to verified revocation, per system. */
  observeRevocation: (system: string, seconds: number) => void;
}

export class Runners {
  private readonly active = new Map<string, Promise<number>>();
  private readonly again = new Set<string>();
  private stopped = false;

  constructor(private readonly deps: RunnerDeps) {}

  /** Starts (or re-arms) this process's runner for each system; does not wait. */
  kick(systemIds: Iterable<string>): void {
    for (const id of systemIds) void this.start(id).catch(() => undefined);
  }

  /** Runs each system's due steps now and waits until none are left (CLI, jobs, tests). */
  async drain(systemIds: Iterable<string>): Promise<number> {
    let n = 0;
    for (const id of systemIds) n += await this.start(id);
    return n;
  }

  private start(systemId: string): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    const running = this.active.get(systemId);
    if (running) {
      this.again.add(systemId);
      // Wait for the pass that will see what the caller just made.
      return running.then(() => this.active.get(systemId) ?? Promise.resolve(0));
    }
    const p = (async () => {
      let total = 0;
      try {
        do {
          this.again.delete(systemId);
          total += await this.runSystem(systemId);
        } while (this.again.has(systemId) && !this.stopped);
      } finally {
        this.active.delete(systemId);
      }
      return total;
    })();
    p.catch((err) => this.deps.log.error({ err, systemId }, "access runner failed"));
    this.active.set(systemId, p);
    return p;
  }

  /** Works through the system's due steps; schedules a wake-up for the next one due later. */
  private async runSystem(systemId: string): Promise<number> {
    const { db, pool, settings } = this.deps;
    let processed = 0;
    for (;;) {
      if (this.stopped) break;
      const system = await systemRow(db, systemId);
      if (!system?.enabled) break;
      const steps = await claimSteps(db, systemId, settings.batchSize);
      if (!steps.length) break;
      let outcomes: StepOutcome[];
      const release = keepLeased(
        db,
        steps.map((s) => s.id),
        (err) => this.deps.log.warn({ err, systemId }, "access runner could not renew its leases"),
      );
      try {
        outcomes = await executeBatch(pool.get(system), steps, settings);
      } catch (err) {
        // The connector could not even be built (bad settings, missing secret): every step says why.
        outcomes = steps.map((s) => ({
          step: s,
          state: "failed",
          error: (err as Error).message,
          accountRef: s.account_ref,
          applied: false,
          nextAttemptMs: 0,
        }));
      } finally {
        await release();
      }
      if (outcomes.some((o) => o.error && /cannot reach|unreachable/i.test(o.error))) pool.drop(systemId);
      await recordOutcomes(db, ENGINE, system, outcomes);
      await this.measure(system.name, systemId, outcomes);
      processed += steps.length;
    }
    let wake = await nextWake(db, systemId);
    // A pass that found nothing it could take must not re-arm itself at once (a step due
    // but not claimable would make that a busy loop): look again a little later.
    if (wake && processed === 0) wake = new Date(Math.max(wake.getTime(), Date.now() + IDLE_RECHECK_MS));
    if (wake && !this.stopped) await db.tx((q) => scheduleRunner(q, this.deps.jobs, systemId, wake));
    return processed;
  }

  /** For leavers: once every step of a system is verified, the time since the HR event. */
  private async measure(systemName: string, systemId: string, outcomes: StepOutcome[]): Promise<void> {
    const plans = [
      ...new Set(
        outcomes
          .filter((o) => o.state === "verified" && o.step.reason === "leaver" && o.step.hr_event_at)
          .map((o) => o.step.plan_id),
      ),
    ];
    if (plans.length === 0) return;
    const r = await this.deps.db.query<{ seconds: number | string | null }>(
      `SELECT EXTRACT(EPOCH FROM max(s.verified_at) - p.hr_event_at) AS seconds
       FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
       WHERE s.plan_id = ANY ($1::text[]) AND s.system_id = $2 AND s.action <> 'manual_task'
       GROUP BY s.plan_id, p.hr_event_at
       HAVING count(*) FILTER (WHERE s.state NOT IN ('verified', 'cancelled')) = 0`,
      [plans, systemId],
    );
    for (const row of r.rows)
      if (row.seconds !== null) this.deps.observeRevocation(systemName, Math.max(0, Number(row.seconds)));
  }

  /** Systems with steps due now and nobody working on them (the sweep's safety net). */
  async dueSystems(): Promise<string[]> {
    const r = await this.deps.db.query<{ system_id: string }>(
      `SELECT DISTINCT s.system_id FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
       WHERE (s.state IN ('pending', 'applied') OR (s.state = 'manual' AND s.connector_task))
         AND p.state = 'running' AND s.system_id IS NOT NULL
         AND s.due_at <= now() AND s.next_attempt_at <= now()
         AND (s.lease_until IS NULL OR s.lease_until < now())`,
    );
    return r.rows.map((x) => x.system_id);
  }

  /** Stops starting passes and waits for the ones under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.active.values()]);
  }
}

/** The durable jobs: a runner per system, and the sweep. */
export function defineRunnerJobs(jobs: Jobs, runners: Runners): void {
  jobs.define<{ systemId: string }>({
    name: RUN_JOB,
    retryLimit: 5,
    retryDelay: 2,
    expireInSeconds: 30 * 60,
    batchSize: 1,
    handler: async ({ systemId }) => void (await runners.drain([systemId])),
  });
  jobs.define({
    name: "access.sweep",
    retryLimit: 1,
    handler: async () => void (await runners.drain(await runners.dueSystems())),
  });
  jobs.schedule("access.sweep", "* * * * *");
}
