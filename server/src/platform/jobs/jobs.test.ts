import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabase } from "../../test/harness.js";
import { type Db, migrate } from "../db/index.js";
import { createLogger } from "../log/index.js";
import { Jobs, type JobsOptions } from "./index.js";

let db: Db;
let drop: () => Promise<void>;
let bossSchema: string;
const instances: Jobs[] = [];

beforeAll(async () => {
  const t = await testDatabase();
  db = t.db;
  drop = t.drop;
  bossSchema = t.schema ? `${t.schema}_boss` : "pgboss";
  await migrate(db);
});

afterAll(async () => {
  for (const jobs of instances) await jobs.stop();
  await drop();
});

function newJobs(opts: Partial<JobsOptions> = {}): Jobs {
  const jobs = new Jobs({
    db,
    log: createLogger("silent"),
    schema: bossSchema,
    work: true,
    pollingIntervalSeconds: 0.5,
    ...opts,
  });
  instances.push(jobs);
  return jobs;
}

/** Polls until probe answers something truthy; fails with `what` after the deadline. */
async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 40_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function settled(jobs: Jobs, queue: string, id: string) {
  return waitFor(`job ${id} on ${queue} to complete or fail`, async () => {
    const job = await jobs.getJob(queue, id);
    return job && (job.state === "completed" || job.state === "failed") ? job : null;
  });
}

async function queuedData(queue: string) {
  const r = await db.query<{ data: Record<string, unknown> }>(
    `SELECT data FROM ${bossSchema}.job WHERE name = $1 ORDER BY created_on`,
    [queue],
  );
  return r.rows.map((row) => row.data);
}

describe("enqueue in the caller's transaction", () => {
  it("drops a job whose transaction rolls back and runs a committed one exactly once", async () => {
    const runs: string[] = [];
    const jobs = newJobs();
    jobs.define<{ key: string }>({ name: "test.tx", handler: async (d) => void runs.push(d.key) });
    await jobs.start();

    let rolledBackId: string | null = null;
    await expect(
      db.tx(async (q) => {
        rolledBackId = await jobs.send(q, "test.tx", { key: "rolled-back" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(rolledBackId).toBeTruthy();

    const id = await db.tx(async (q) => {
      await q.query("SELECT 1");
      return jobs.send(q, "test.tx", { key: "committed" });
    });
    expect(id).toBeTruthy();
    const job = await settled(jobs, "test.tx", id!);
    expect(job.state).toBe("completed");
    expect(job.retryCount).toBe(0);
    expect(runs).toEqual(["committed"]);
    expect(await jobs.getJob("test.tx", rolledBackId!)).toBeNull();
    expect(await queuedData("test.tx")).toEqual([{ key: "committed" }]);
  });

  it("refuses a job name that was never defined", async () => {
    const jobs = newJobs({ work: false });
    jobs.define({ name: "test.known", handler: async () => {} });
    await jobs.start();
    await expect(db.tx((q) => jobs.send(q, "test.unknown", {}))).rejects.toThrow(/Unknown job test\.unknown/);
  });
});

describe("retries with backoff", () => {
  it("retries a failing handler and completes on the third attempt", async () => {
    const attempts: number[] = [];
    const jobs = newJobs();
    jobs.define({
      name: "test.flaky",
      retryLimit: 3,
      retryDelay: 1,
      handler: async (_d, ctx) => {
        attempts.push(ctx.retryCount);
        if (attempts.length <= 2) throw new Error(`transient failure ${attempts.length}`);
      },
    });
    await jobs.start();
    const id = await db.tx((q) => jobs.send(q, "test.flaky", { step: "grant" }));
    const job = await settled(jobs, "test.flaky", id!);
    expect(job.state).toBe("completed");
    expect(job.retryCount).toBe(2);
    expect(job.retryBackoff).toBe(true);
    expect(job.retryDelay).toBe(1);
    expect(attempts).toEqual([0, 1, 2]);
  });

  it("marks a job failed, with its error, once the retry limit is spent", async () => {
    let attempts = 0;
    const jobs = newJobs();
    jobs.define({
      name: "test.broken",
      retryLimit: 1,
      retryDelay: 1,
      handler: async () => {
        attempts++;
        throw new Error("the directory refused the change");
      },
    });
    await jobs.start();
    const id = await db.tx((q) => jobs.send(q, "test.broken", {}));
    const job = await settled(jobs, "test.broken", id!);
    expect(job.state).toBe("failed");
    expect(job.retryCount).toBe(1);
    expect(attempts).toBe(2);
    expect((job.output as { message?: string }).message).toBe("the directory refused the change");
  });
});

describe("progress", () => {
  it("writes job_progress rows, clamping the percentage to 0..100", async () => {
    const seen: { percent: number; message: string | null }[] = [];
    const readProgress = async (jobId: string) => {
      const r = await db.query<{ queue: string; percent: number; message: string | null }>(
        "SELECT queue, percent, message FROM job_progress WHERE job_id = $1",
        [jobId],
      );
      return r.rows[0];
    };
    const jobs = newJobs();
    jobs.define({
      name: "test.progress",
      handler: async (_d, ctx) => {
        for (const [percent, message] of [
          [-5, "starting"],
          [42.4, "halfway"],
          [250, "done"],
        ] as const) {
          await ctx.progress(percent, message);
          const row = await readProgress(ctx.jobId);
          if (row) seen.push({ percent: row.percent, message: row.message });
        }
      },
    });
    await jobs.start();
    const id = await db.tx((q) => jobs.send(q, "test.progress", {}));
    expect((await settled(jobs, "test.progress", id!)).state).toBe("completed");
    expect(seen).toEqual([
      { percent: 0, message: "starting" },
      { percent: 42, message: "halfway" },
      { percent: 100, message: "done" },
    ]);
    expect(await readProgress(id!)).toEqual({ queue: "test.progress", percent: 100, message: "done" });
  });
});

describe("recurring schedules", () => {
  it("registers a working node's schedule in the queue's schedule table", async () => {
    const jobs = newJobs();
    jobs.define({ name: "test.nightly", handler: async () => {} });
    jobs.schedule("test.nightly", "30 2 * * *", { scope: "all" }, "Africa/Johannesburg");
    await jobs.start();
    const r = await db.query<{ cron: string; timezone: string; data: unknown }>(
      `SELECT cron, timezone, data FROM ${bossSchema}.schedule WHERE name = $1`,
      ["test.nightly"],
    );
    expect(r.rows).toEqual([{ cron: "30 2 * * *", timezone: "Africa/Johannesburg", data: { scope: "all" } }]);
  });

  it("leaves schedules to working nodes: an enqueue-only node registers none", async () => {
    const jobs = newJobs({ work: false });
    jobs.define({ name: "test.hourly", handler: async () => {} });
    jobs.schedule("test.hourly", "0 * * * *");
    await jobs.start();
    const r = await db.query(`SELECT 1 FROM ${bossSchema}.schedule WHERE name = $1`, ["test.hourly"]);
    expect(r.rows).toEqual([]);
  });
});

describe("singleton keys", () => {
  it("keeps one queued job per key and accepts the key again once that job has run", async () => {
    const runs: number[] = [];
    const jobs = newJobs();
    jobs.define<{ n: number }>({ name: "test.single", handler: async (d) => void runs.push(d.n) });
    await jobs.start();
    const key = "system-1:account-7";

    const [first, duplicate, other] = await db.tx(async (q) => [
      await jobs.send(q, "test.single", { n: 1 }, { singletonKey: key }),
      await jobs.send(q, "test.single", { n: 2 }, { singletonKey: key }),
      await jobs.send(q, "test.single", { n: 3 }, { singletonKey: "system-1:account-8" }),
    ]);
    expect(first).toBeTruthy();
    expect(duplicate).toBeNull();
    expect(other).toBeTruthy();
    expect((await settled(jobs, "test.single", first!)).state).toBe("completed");
    expect((await settled(jobs, "test.single", other!)).state).toBe("completed");

    const again = await db.tx((q) => jobs.send(q, "test.single", { n: 4 }, { singletonKey: key }));
    expect(again).toBeTruthy();
    expect((await settled(jobs, "test.single", again!)).state).toBe("completed");
    expect(runs.sort()).toEqual([1, 3, 4]);
  });

  it("keeps queueing jobs that carry no key", async () => {
    const jobs = newJobs({ work: false });
    jobs.define({ name: "test.unkeyed", handler: async () => {} });
    await jobs.start();
    const ids = await db.tx(async (q) => [
      await jobs.send(q, "test.unkeyed", { n: 1 }),
      await jobs.send(q, "test.unkeyed", { n: 1 }),
    ]);
    expect(ids.every(Boolean)).toBe(true);
    expect(await queuedData("test.unkeyed")).toHaveLength(2);
  });
});

describe("graceful stop", () => {
  it("waits for the job in flight to finish before it resolves", async () => {
    const order: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const jobs = newJobs();
    jobs.define({
      name: "test.long",
      expireInSeconds: 60,
      handler: async () => {
        order.push("job started");
        await gate;
        order.push("job finished");
      },
    });
    await jobs.start();
    const id = await db.tx((q) => jobs.send(q, "test.long", {}));
    await waitFor("the job to start", async () => order.includes("job started"));

    const stopping = jobs.stop().then(() => void order.push("stop resolved"));
    order.push("stop called");
    // Longer than pg-boss's 500 ms check for work in progress: a stop that did not wait resolves here.
    await new Promise((r) => setTimeout(r, 1500));
    release();
    await stopping;

    expect(order).toEqual(["job started", "stop called", "job finished", "stop resolved"]);
    // Recorded as completed by the time stop() resolves: nothing is left for a restart to redo.
    expect((await jobs.getJob("test.long", id!))?.state).toBe("completed");
  });
});

describe("batches", () => {
  it("works a queue of many jobs through in batches; a failing job retries alone, the others complete once", async () => {
    const runs = new Map<number, number>();
    // A polling pause longer than the test's deadline: only batch refetching and the wake-up
    // after commit can get 45 jobs done in time.
    const jobs = newJobs({ pollingIntervalSeconds: 120 });
    jobs.define<{ n: number }>({
      name: "test.batch",
      retryLimit: 1,
      retryDelay: 0,
      handler: async ({ n }) => {
        runs.set(n, (runs.get(n) ?? 0) + 1);
        if (n === 7 && runs.get(n) === 1) throw new Error("first attempt of job 7 fails");
      },
    });
    await jobs.start();
    const ids = await db.tx(async (q) => {
      const out: string[] = [];
      for (let n = 0; n < 45; n++) out.push((await jobs.send(q, "test.batch", { n })) as string);
      return out;
    });
    await waitFor(
      "every job of the batch queue to run",
      async () => ids.length === 45 && [...Array(45).keys()].every((n) => runs.has(n)),
      60_000,
    );
    const states = await Promise.all(ids.map((id) => jobs.getJob("test.batch", id)));
    const notSeven = states.filter((_, n) => n !== 7);
    expect(notSeven.every((j) => j?.state === "completed")).toBe(true);
    expect([...runs.entries()].filter(([n]) => n !== 7).every(([, c]) => c === 1)).toBe(true);
    const seven = states[7];
    expect(seven?.state === "retry" || seven?.state === "completed" || seven?.state === "created").toBe(true);
    expect(seven?.retryCount ?? 0).toBeLessThanOrEqual(1);
  }, 90_000);
});

describe("handleMany", () => {
  it("works a fetched batch at once; a batch that fails is worked job by job, so only the bad job fails", async () => {
    const together: number[][] = [];
    const alone = new Map<number, number>();
    const jobs = newJobs({ pollingIntervalSeconds: 120 });
    jobs.define<{ n: number }>({
      name: "test.handle_many",
      batchSize: 20,
      retryLimit: 0,
      handler: async ({ n }) => {
        alone.set(n, (alone.get(n) ?? 0) + 1);
        if (n === 13) throw new Error("job 13 is bad");
      },
      handleMany: async (items) => {
        if (items.some((i) => i.n === 13)) throw new Error("a bad job in the batch");
        together.push(items.map((i) => i.n));
      },
    });
    await jobs.start();
    // Everything sent in one transaction: one fetch takes 20 of them together.
    const good = await db.tx(async (q) => {
      const out: string[] = [];
      for (let n = 0; n < 20; n++)
        out.push((await jobs.send(q, "test.handle_many", { n: 100 + n })) as string);
      return out;
    });
    for (const id of good) expect((await settled(jobs, "test.handle_many", id)).state).toBe("completed");
    expect(together.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    expect(together.some((b) => b.length > 1)).toBe(true);

    const mixed = await db.tx(async (q) => {
      const out: string[] = [];
      for (let n = 10; n < 16; n++) out.push((await jobs.send(q, "test.handle_many", { n })) as string);
      return out;
    });
    const states = await Promise.all(mixed.map((id) => settled(jobs, "test.handle_many", id)));
    expect(states.map((j) => j.state)).toEqual([
      "completed",
      "completed",
      "completed",
      "failed",
      "completed",
      "completed",
    ]);
    // The batch with the bad job never counted as done together; each of its jobs ran once alone.
    expect(together.flat().filter((n) => n < 100)).toEqual([]);
    expect([10, 11, 12, 13, 14, 15].map((n) => alone.get(n))).toEqual([1, 1, 1, 1, 1, 1]);
  }, 90_000);
});

describe("sendMany", () => {
  it("enqueues many jobs in the caller's transaction: none on rollback, each committed one runs once", async () => {
    const runs = new Map<number, number>();
    // Longer than the test's deadline: only the wake-up after commit and batch refetching get them done.
    const jobs = newJobs({ pollingIntervalSeconds: 120 });
    jobs.define<{ n: number }>({
      name: "test.many",
      batchSize: 100,
      handler: async ({ n }) => void runs.set(n, (runs.get(n) ?? 0) + 1),
    });
    await jobs.start();
    const items = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ data: { n: from + i } }));

    await expect(
      db.tx(async (q) => {
        await jobs.sendMany(q, "test.many", items(10_000, 50));
        throw new Error("the import failed");
      }),
    ).rejects.toThrow("the import failed");
    // More than one statement's worth (1000 per statement).
    await db.tx((q) => jobs.sendMany(q, "test.many", items(0, 1500)));

    await waitFor("every committed job to run", async () => runs.size >= 1500, 60_000);
    const r = await db.query<{ n: string; state: string }>(
      `SELECT count(*)::text AS n, state FROM ${bossSchema}.job WHERE name = 'test.many' GROUP BY state`,
    );
    await waitFor("every job to be recorded complete", async () => {
      const c = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${bossSchema}.job WHERE name = 'test.many' AND state <> 'completed'`,
      );
      return c.rows[0]?.n === "0";
    });
    expect(r.rows.reduce((sum, row) => sum + Number(row.n), 0)).toBe(1500);
    expect([...runs.keys()].sort((a, b) => a - b)).toEqual([...Array(1500).keys()]);
    expect([...runs.values()].every((c) => c === 1)).toBe(true);
  }, 90_000);

  it("makes the jobs send makes: the queue's retry settings, start times, singleton keys", async () => {
    const jobs = newJobs({ work: false });
    jobs.define({ name: "test.many_opts", retryLimit: 4, retryDelay: 3, handler: async () => {} });
    await jobs.start();
    const later = new Date(Date.now() + 3_600_000);
    const sent = await db.tx((q) => jobs.send(q, "test.many_opts", { via: "send" }, { startAfter: later }));
    await db.tx((q) =>
      jobs.sendMany(q, "test.many_opts", [
        { data: { via: "many", k: 1 }, startAfter: later, singletonKey: "k-1" },
        { data: { via: "many", k: 2 } },
      ]),
    );
    // A singleton key still waiting in the queue is not enqueued twice (as with send).
    await db.tx((q) =>
      jobs.sendMany(q, "test.many_opts", [{ data: { via: "many", k: 3 }, singletonKey: "k-1" }]),
    );

    const r = await db.query<{
      data: { via: string; k?: number };
      state: string;
      singleton_key: string | null;
      start_after: Date | string;
      retry_limit: number;
      retry_delay: number;
      retry_backoff: boolean;
      expire_in: unknown;
      keep: number;
    }>(
      `SELECT data, state, singleton_key, start_after, retry_limit, retry_delay, retry_backoff, expire_in,
         extract(epoch FROM keep_until - start_after)::int AS keep
       FROM ${bossSchema}.job WHERE name = 'test.many_opts' ORDER BY data->>'k' NULLS FIRST`,
    );
    expect(r.rows.map((j) => [j.data, j.singleton_key])).toEqual([
      [{ via: "send" }, null],
      [{ via: "many", k: 1 }, "k-1"],
      [{ via: "many", k: 2 }, null],
    ]);
    const [one, many, now] = r.rows as [(typeof r.rows)[0], (typeof r.rows)[0], (typeof r.rows)[0]];
    expect(sent).toBeTruthy();
    for (const j of [one, many, now]) {
      expect(j.state).toBe("created");
      expect([j.retry_limit, j.retry_delay, j.retry_backoff]).toEqual([4, 3, true]);
      expect(j.expire_in).toEqual(one.expire_in);
      expect(j.keep).toBe(one.keep);
    }
    expect(new Date(many.start_after).getTime()).toBe(new Date(one.start_after).getTime());
    expect(new Date(one.start_after).getTime()).toBe(later.getTime());
    expect(Math.abs(new Date(now.start_after).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("refuses a job name that was never defined", async () => {
    const jobs = newJobs({ work: false });
    jobs.define({ name: "test.many_known", handler: async () => {} });
    await jobs.start();
    await expect(db.tx((q) => jobs.sendMany(q, "test.many_unknown", [{ data: {} }]))).rejects.toThrow(
      /Unknown job test\.many_unknown/,
    );
  });
});
