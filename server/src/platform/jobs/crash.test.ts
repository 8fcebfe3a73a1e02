import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CRASH_QUEUE,
  CRASH_TABLES_SQL,
  defineCrashJob,
  openCrashDatabase,
} from "../../test/fixtures/crash-worker.js";
import { onPostgres, tempDir, testDatabase } from "../../test/harness.js";
import type { Db } from "../db/index.js";
import { createLogger } from "../log/index.js";
import { Jobs } from "./index.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const WORKER = path.join(ROOT, "server/src/test/fixtures/crash-worker.ts");
// tsx's CLI runs the script in a second process, which a SIGKILL to the CLI would leave
// running; loading tsx into the worker's own process makes the kill hit the worker itself.
const TSX_LOADER = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const WAIT_MS = 60_000;
const BUSINESS_KEY = "revoke:directory:uid=ada";

/** A worker child process and what it has reported so far. */
class WorkerProcess {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[] = [];
  stderr = "";
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<void>;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, ["--import", TSX_LOADER, WORKER, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    readline.createInterface({ input: this.child.stdout! }).on("line", (line) => {
      try {
        this.events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.stderr += `${line}\n`;
      }
    });
    this.child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  private describe(): string {
    return `worker ${this.pid} reported ${JSON.stringify(this.events)}; stderr:\n${this.stderr.slice(-3000)}`;
  }

  async waitForEvent(name: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.events.find((e) => e.event === name);
      if (found) return found;
      if (this.exit)
        throw new Error(`Worker exited (${JSON.stringify(this.exit)}) before "${name}"; ${this.describe()}`);
      if (Date.now() > deadline)
        throw new Error(`Timed out after ${WAIT_MS} ms waiting for "${name}"; ${this.describe()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Timed out waiting for exit; ${this.describe()}`)), WAIT_MS);
    });
    try {
      await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return this.exit!;
  }

  killHard(): void {
    if (!this.exit) this.child.kill("SIGKILL");
  }
}

const log = createLogger("silent");
const workers: WorkerProcess[] = [];
let env: Record<string, string>;
let bossSchema: string;
let cleanup: () => Promise<void> = async () => {};
/** PostgreSQL: the test's own connection. PGlite: none while a worker owns the data directory. */
let pgDb: Db | undefined;

async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  if (pgDb) return fn(pgDb);
  const db = await openCrashDatabase(env);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  if (onPostgres) {
    const t = await testDatabase();
    pgDb = t.db;
    bossSchema = `${t.schema}_boss`;
    env = {
      CRASH_DATABASE_URL: process.env.TEST_DATABASE_URL!,
      CRASH_DB_SCHEMA: t.schema!,
      CRASH_BOSS_SCHEMA: bossSchema,
    };
    cleanup = t.drop;
  } else {
    const dir = tempDir("tandem-crash-");
    bossSchema = "crash_boss";
    env = { CRASH_PGLITE_DIR: dir, CRASH_BOSS_SCHEMA: bossSchema };
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
});

afterAll(async () => {
  for (const w of workers) w.killHard();
  await Promise.all(workers.map((w) => w.exited));
  await cleanup();
});

describe("a worker killed mid-job", () => {
  it("leaves the job to a restarted worker, which completes it exactly once", {
    timeout: 240_000,
  }, async () => {
    const jobId = await withDatabase(async (db) => {
      await db.exec(CRASH_TABLES_SQL);
      const jobs = new Jobs({ db, log, schema: bossSchema, work: false });
      defineCrashJob(jobs, db, { hold: true, report: () => {} });
      await jobs.start();
      const id = await db.tx((q) => jobs.send(q, CRASH_QUEUE, { businessKey: BUSINESS_KEY }));
      await jobs.stop();
      return id;
    });
    expect(jobId).toBeTruthy();

    const first = new WorkerProcess(["hold"], env);
    workers.push(first);
    const started = await first.waitForEvent("started");
    expect(started).toMatchObject({ jobId, retryCount: 0 });
    first.killHard();
    expect(await first.waitForExit()).toEqual({ code: null, signal: "SIGKILL" });
    expect(first.events.some((e) => e.event === "applied")).toBe(false);

    const second = new WorkerProcess(["finish", jobId!], env);
    workers.push(second);
    expect(await second.waitForEvent("settled")).toMatchObject({ jobId, state: "completed" });
    expect(await second.waitForExit()).toEqual({ code: 0, signal: null });

    await withDatabase(async (db) => {
      const job = await db.query<{ state: string; retry_count: number }>(
        `SELECT state, retry_count FROM ${bossSchema}.job WHERE id = $1`,
        [jobId],
      );
      expect(job.rows).toHaveLength(1);
      const { state, retry_count: retryCount } = job.rows[0]!;
      expect(state).toBe("completed");
      expect(retryCount).toBeGreaterThanOrEqual(1);

      const effects = await db.query<{ business_key: string; job_id: string; pid: number }>(
        "SELECT business_key, job_id, pid FROM crash_effects",
      );
      expect(effects.rows).toEqual([{ business_key: BUSINESS_KEY, job_id: jobId, pid: second.pid }]);

      const attempts = await db.query<{ retry_count: number; pid: number }>(
        "SELECT retry_count, pid FROM crash_attempts WHERE job_id = $1 ORDER BY at",
        [jobId],
      );
      expect(attempts.rows[0]).toEqual({ retry_count: 0, pid: first.pid });
      expect(attempts.rows.filter((a) => a.pid === second.pid)).toEqual([
        { retry_count: retryCount, pid: second.pid },
      ]);
      expect(attempts.rows).toHaveLength(retryCount + 1);
    });
  });
});
