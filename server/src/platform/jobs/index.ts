import PgBoss from "pg-boss";
import { afterCommit, type Db, type Queryable } from "../db/index.js";
import type { Logger } from "../log/index.js";
import type { Metrics } from "../metrics/index.js";

export interface JobContext {
  jobId: string;
  retryCount: number;
  /** Reports progress (0–100) for long work; the UI and CLI read it from job_progress. */
  progress(percent: number, message?: string): Promise<void>;
}

export interface JobDefinition<T extends object> {
  name: string;
  handler: (data: T, ctx: JobContext) => Promise<void>;
  retryLimit?: number;
  /** Seconds before the first retry; doubles with each retry (backoff). */
  retryDelay?: number;
  /** A job still active after this long is taken to have died with its worker and is retried. */
  expireInSeconds?: number;
  /**
   * Jobs one fetch takes (default 10), worked one after another. Keep it 1 for long jobs:
   * a job's expiry clock starts when it is fetched.
   */
  batchSize?: number;
  /**
   * Works a whole fetched batch at once (in one transaction, say), where that is much cheaper
   * than one by one. When it throws, each job of the batch is worked by `handler` on its own,
   * so one bad job fails alone and the others still complete. Must be idempotent like `handler`.
   */
  handleMany?: (items: T[]) => Promise<void>;
}

/** Jobs per statement in sendMany. */
const SEND_MANY_CHUNK = 1000;

export interface SendOptions {
  singletonKey?: string;
  startAfter?: Date | number;
}

/** pg-boss talks to PGlite (or a transaction) through this adapter. */
function executor(
  q: Queryable & { exec?: (sql: string) => Promise<void> },
  multi?: (sql: string) => Promise<unknown>,
) {
  return {
    async executeSql(text: string, values: unknown[]) {
      if ((!values || values.length === 0) && multi && text.includes(";")) {
        await multi(text);
        return { rows: [] };
      }
      const r = await q.query(text, values ?? []);
      return { rows: r.rows };
    },
  };
}

export interface JobsOptions {
  db: Db;
  log: Logger;
  metrics?: Metrics;
  schema?: string;
  /** Whether this process works on jobs (false: it only enqueues). */
  work: boolean;
  pollingIntervalSeconds?: number;
  /** How often a working node looks for expired active jobs (their worker died) and archives. */
  maintenanceIntervalSeconds?: number;
}

/**
 * Durable background work on the application's own PostgreSQL (pg-boss). Jobs are enqueued
 * in the caller's transaction, retried with exponential backoff, and picked up by any node.
 */
export class Jobs {
  private readonly boss: PgBoss;
  private readonly defs = new Map<string, JobDefinition<object>>();
  private readonly schedules: { name: string; cron: string; data: object; tz: string }[] = [];
  private started = false;
  /** This process's worker per queue, to wake it when a job was just enqueued. */
  private readonly workers = new Map<string, string>();
  /** Statements pg-boss has under way; it records a finished job without awaiting the write. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly opts: JobsOptions) {
    const pgliteMulti = opts.db.kind === "pglite" ? (sql: string) => opts.db.exec(sql) : undefined;
    const db = executor(opts.db, pgliteMulti);
    this.boss = new PgBoss({
      db: {
        executeSql: (text: string, values: unknown[]) => {
          const p = db.executeSql(text, values);
          this.inFlight.add(p);
          p.finally(() => this.inFlight.delete(p)).catch(() => {});
          return p;
        },
      },
      schema: opts.schema ?? "pgboss",
      supervise: opts.work,
      schedule: opts.work,
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 60,
    });
    this.boss.on("error", (err) => opts.log.error({ err }, "job queue error"));
  }

  /** The schema holding the queue tables. */
  get schema(): string {
    return this.opts.schema ?? "pgboss";
  }

  define<T extends object>(def: JobDefinition<T>): void {
    if (this.started) throw new Error(`define ${def.name} before start()`);
    this.defs.set(def.name, def as unknown as JobDefinition<object>);
  }

  /** A recurring job (cron syntax, time zone aware). */
  schedule(name: string, cron: string, data: object = {}, tz = "UTC"): void {
    this.schedules.push({ name, cron, data, tz });
  }

  async start(): Promise<void> {
    await this.installing(async () => {
      await this.boss.start();
      await this.enforceSingletonKeys();
      for (const def of this.defs.values()) {
        await this.boss.createQueue(def.name, {
          name: def.name,
          retryLimit: def.retryLimit ?? 5,
          retryDelay: def.retryDelay ?? 5,
          retryBackoff: true,
          expireInSeconds: def.expireInSeconds ?? 15 * 60,
        });
      }
    });
    this.started = true;
    if (!this.opts.work) return;
    for (const s of this.schedules) await this.boss.schedule(s.name, s.cron, s.data, { tz: s.tz });
    for (const def of this.defs.values()) {
      const batchSize = def.batchSize ?? 10;
      const workerId = await this.boss.work<object>(
        def.name,
        { batchSize, pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 2, includeMetadata: true },
        async (batch) => {
          // pg-boss completes the batch when this returns; a job that failed is failed here
          // first (completion only touches jobs still active), so each job keeps its own fate.
          if (!(await this.runMany(def, batch))) for (const job of batch) await this.runOne(def, job);
          // A full batch: more are probably waiting, so fetch again without the polling pause.
          if (batch.length >= batchSize && workerId) this.boss.notifyWorker(workerId);
        },
      );
      this.workers.set(def.name, workerId);
    }
  }

  /** The batch through handleMany; false when there is none, or it failed (then one by one). */
  private async runMany(
    def: JobDefinition<object>,
    batch: PgBoss.JobWithMetadata<object>[],
  ): Promise<boolean> {
    if (!def.handleMany || batch.length < 2) return false;
    try {
      await def.handleMany(batch.map((job) => job.data));
      this.opts.metrics?.jobsProcessed.labels(def.name, "completed").inc(batch.length);
      return true;
    } catch (err) {
      this.opts.log.warn(
        { err, queue: def.name, jobs: batch.length },
        "job batch failed; working its jobs one by one",
      );
      return false;
    }
  }

  private async runOne(def: JobDefinition<object>, job: PgBoss.JobWithMetadata<object>): Promise<void> {
    const ctx: JobContext = {
      jobId: job.id,
      retryCount: job.retryCount,
      progress: (percent, message) => this.progress(job.id, def.name, percent, message),
    };
    try {
      await def.handler(job.data, ctx);
      this.opts.metrics?.jobsProcessed.labels(def.name, "completed").inc();
    } catch (err) {
      this.opts.metrics?.jobsProcessed.labels(def.name, "failed").inc();
      this.opts.log.warn({ err, queue: def.name, jobId: job.id, retry: job.retryCount }, "job failed");
      const e = err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) };
      await this.boss.fail(def.name, job.id, e);
    }
  }

  /** Wakes this process's worker for a queue (a job was just committed to it). */
  private wake(name: string): void {
    const id = this.workers.get(name);
    if (id) this.boss.notifyWorker(id);
  }

  /**
   * Nodes starting together on one PostgreSQL install the queue one after another: pg-boss's
   * own install lock is taken inside the transaction that creates its schema, and a node that
   * waited on it can still fail on "CREATE SCHEMA IF NOT EXISTS". The lock is held by a
   * transaction of its own while pg-boss works on other connections. (PGlite has one process.)
   */
  private async installing(fn: () => Promise<void>): Promise<void> {
    if (this.opts.db.kind !== "postgres") return fn();
    const key = `${this.opts.schema ?? "pgboss"}.install`;
    await this.opts.db.tx(async (q) => {
      await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [key]);
      await fn();
    });
  }

  /**
   * pg-boss 10 honours singletonKey only on queues with a special policy; Tandem's queues are
   * standard, so this index keeps at most one queued job per (queue, key): a second send
   * while the first waits answers null instead of enqueuing a duplicate.
   */
  private async enforceSingletonKeys(): Promise<void> {
    const schema = this.opts.schema ?? "pgboss";
    await this.opts.db.tx(async (q) => {
      await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${schema}.singleton_index`]);
      await q.query(
        `CREATE UNIQUE INDEX IF NOT EXISTS tandem_singleton_queued ON ${schema}.job (name, singleton_key)
         WHERE state = 'created' AND singleton_key IS NOT NULL`,
      );
    });
  }

  /** Runs a defined job's handler now, in this process (CLI verbs and tests); no queue involved. */
  async runInline(name: string, data: object = {}): Promise<void> {
    const def = this.defs.get(name);
    if (!def) throw new Error(`Unknown job ${name}`);
    await def.handler(data, { jobId: `inline-${Date.now()}`, retryCount: 0, progress: async () => {} });
  }

  /** Enqueues inside the given transaction: the job exists only if the change commits. */
  async send(q: Queryable, name: string, data: object, opts: SendOptions = {}): Promise<string | null> {
    if (!this.defs.has(name)) throw new Error(`Unknown job ${name}`);
    const id = await this.boss.send(name, data, {
      singletonKey: opts.singletonKey,
      startAfter: opts.startAfter instanceof Date ? opts.startAfter : opts.startAfter,
      db: executor(q),
    });
    // Due now: this node's worker picks it up as soon as the transaction commits, rather
    // than at its next poll (other nodes still find it by polling).
    const at = opts.startAfter === undefined ? 0 : new Date(opts.startAfter).getTime();
    if (id && at <= Date.now()) afterCommit(q, () => this.wake(name));
    return id;
  }

  /**
   * Enqueues many jobs of one queue inside the given transaction, with a few multi-row
   * statements instead of one per job: the same jobs `send` would make (a singleton key
   * already waiting in the queue is skipped, as there). Ids are not returned.
   */
  /** Enqueues jobs on their own (outside any caller's transaction), to run now. */
  async sendNow(name: string, datas: object[]): Promise<void> {
    await this.sendMany(
      this.opts.db,
      name,
      datas.map((data) => ({ data })),
    );
  }

  async sendMany(q: Queryable, name: string, items: ({ data: object } & SendOptions)[]): Promise<void> {
    if (!this.defs.has(name)) throw new Error(`Unknown job ${name}`);
    if (!items.length) return;
    const now = Date.now();
    let dueNow = false;
    const jobs = items.map((item) => {
      const at = item.startAfter === undefined ? 0 : new Date(item.startAfter).getTime();
      if (at <= now) dueNow = true;
      return {
        name,
        data: item.data,
        singletonKey: item.singletonKey,
        // As send takes it: a date is a moment, a number is seconds from now.
        startAfter:
          item.startAfter instanceof Date
            ? item.startAfter.toISOString()
            : item.startAfter
              ? String(item.startAfter)
              : undefined,
      };
    });
    for (let i = 0; i < jobs.length; i += SEND_MANY_CHUNK)
      await this.boss.insert(jobs.slice(i, i + SEND_MANY_CHUNK), { db: executor(q) });
    if (dueNow) afterCommit(q, () => this.wake(name));
  }

  async progress(jobId: string, queue: string, percent: number, message?: string): Promise<void> {
    await this.opts.db.query(
      `INSERT INTO job_progress (job_id, queue, percent, message) VALUES ($1, $2, $3, $4)
       ON CONFLICT (job_id) DO UPDATE SET percent = $3, message = $4, updated_at = now()`,
      [jobId, queue, Math.max(0, Math.min(100, Math.round(percent))), message ?? null],
    );
  }

  async getJob(name: string, id: string) {
    return this.boss.getJobById(name, id, { includeArchive: true });
  }

  /** True when the queue's tables answer. */
  async ready(): Promise<boolean> {
    try {
      return Boolean(await this.boss.isInstalled());
    } catch {
      return false;
    }
  }

  /** Stops fetching; in-flight jobs get `timeoutMs` to finish, the rest return to the queue by expiry. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.started) return;
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: false, wait: true });
    // Let the last jobs' completion writes land, so the caller may close the database.
    await Promise.allSettled([...this.inFlight]);
  }
}
