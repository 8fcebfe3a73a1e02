import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabase } from "../../test/harness.js";
import { type Db, migrate } from "../db/index.js";
import { Jobs } from "../jobs/index.js";
import { createLogger } from "../log/index.js";
import { type DomainEvent, Events } from "./index.js";

interface PersonLeft extends Record<string, unknown> {
  personId: string;
  lastDay: string;
}

let db: Db;
let drop: () => Promise<void>;
let bossSchema: string;
let jobs: Jobs;
let events: Events;
const received: Record<string, DomainEvent<PersonLeft>[]> = { access: [], awareness: [] };
const calls: Record<"flaky" | "bulk", Record<string, number>> = { flaky: {}, bulk: {} };
const manySizes: number[] = [];

beforeAll(async () => {
  const t = await testDatabase();
  db = t.db;
  drop = t.drop;
  bossSchema = t.schema ? `${t.schema}_boss` : "pgboss";
  await migrate(db);
  jobs = new Jobs({
    db,
    log: createLogger("silent"),
    schema: bossSchema,
    work: true,
    pollingIntervalSeconds: 0.5,
  });
  events = new Events(jobs);
  for (const subscriber of ["access", "awareness"] as const) {
    events.subscribe<PersonLeft>("person.left", subscriber, async (e) => void received[subscriber]!.push(e));
  }
  events.subscribe("person.hired", "welcome", async () => {});
  // One event (p-bad) always fails; the others must be handled once each all the same.
  events.subscribe<PersonLeft>("person.noticed", "flaky", async (e) => {
    calls.flaky[e.payload.personId] = (calls.flaky[e.payload.personId] ?? 0) + 1;
    if (e.payload.personId === "p-bad") throw new Error("cannot handle p-bad");
  });
  events.subscribe<PersonLeft>(
    "person.noticed",
    "bulk",
    async (e) => {
      calls.bulk[e.payload.personId] = (calls.bulk[e.payload.personId] ?? 0) + 1;
      if (e.payload.personId === "p-bad") throw new Error("cannot handle p-bad");
    },
    {
      batchSize: 10,
      many: async (list) => {
        manySizes.push(list.length);
        if (list.some((e) => e.payload.personId === "p-bad")) throw new Error("batch with p-bad");
        for (const e of list) calls.bulk[e.payload.personId] = (calls.bulk[e.payload.personId] ?? 0) + 1;
      },
    },
  );
  await jobs.start();
});

afterAll(async () => {
  await jobs?.stop();
  await drop();
});

async function waitFor(what: string, probe: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The jobs carrying one person's event, whatever state they are in. */
async function jobsFor(personId: string) {
  const r = await db.query<{ name: string; data: DomainEvent<PersonLeft> }>(
    `SELECT name, data FROM ${bossSchema}.job WHERE data->'payload'->>'personId' = $1 ORDER BY name`,
    [personId],
  );
  return r.rows;
}

describe("domain events", () => {
  it("enqueues one job per subscriber in the publishing transaction", async () => {
    const payload = { personId: "p-100", lastDay: "2025-06-30" };
    const { count, inside } = await db.tx(async (q) => {
      const n = await events.publish(q, "person.left", payload);
      const seen = await q.query<{ name: string }>(
        `SELECT name FROM ${bossSchema}.job WHERE data->'payload'->>'personId' = $1 ORDER BY name`,
        [payload.personId],
      );
      return { count: n, inside: seen.rows.map((r) => r.name) };
    });
    expect(count).toBe(2);
    expect(inside).toEqual(["event.access", "event.awareness"]);
    const rows = await jobsFor(payload.personId);
    expect(rows.map((r) => r.name)).toEqual(["event.access", "event.awareness"]);
    for (const row of rows) {
      expect(row.data.type).toBe("person.left");
      expect(row.data.payload).toEqual(payload);
      expect(Number.isNaN(Date.parse(row.data.occurredAt))).toBe(false);
    }
  });

  it("delivers each committed event to every subscriber once and a rolled-back one to none", async () => {
    const rolledBack = { personId: "p-200", lastDay: "2025-07-31" };
    const committed = { personId: "p-201", lastDay: "2025-08-31" };

    await expect(
      db.tx(async (q) => {
        expect(await events.publish(q, "person.left", rolledBack)).toBe(2);
        throw new Error("the HR change was refused");
      }),
    ).rejects.toThrow("the HR change was refused");
    expect(await jobsFor(rolledBack.personId)).toEqual([]);

    await db.tx((q) => events.publish(q, "person.left", committed));
    const of = (subscriber: string, personId: string) =>
      received[subscriber]!.filter((e) => e.payload.personId === personId);
    await waitFor("both subscribers to receive the committed event", async () => {
      if (of("access", committed.personId).length === 0 || of("awareness", committed.personId).length === 0)
        return false;
      const r = await db.query<{ state: string }>(
        `SELECT state FROM ${bossSchema}.job WHERE data->'payload'->>'personId' = $1`,
        [committed.personId],
      );
      return r.rows.length === 2 && r.rows.every((row) => row.state === "completed");
    });

    for (const subscriber of ["access", "awareness"]) {
      const got = of(subscriber, committed.personId);
      expect(got).toHaveLength(1);
      expect(got[0]!.type).toBe("person.left");
      expect(got[0]!.payload).toEqual(committed);
      expect(of(subscriber, rolledBack.personId)).toEqual([]);
    }
  });

  it("enqueues nothing for an event type nobody subscribed to", async () => {
    const n = await db.tx((q) => events.publish(q, "person.moved", { personId: "p-300" }));
    expect(n).toBe(0);
    expect(await jobsFor("p-300")).toEqual([]);
  });
});

describe("publishMany", () => {
  /** The jobs carrying events published together that include one person's event. */
  async function chunksFor(personId: string) {
    const r = await db.query<{ name: string; n: number }>(
      `SELECT name, jsonb_array_length(data->'payloads') AS n FROM ${bossSchema}.job
        WHERE data->'payloads' @> $1::jsonb ORDER BY name`,
      [JSON.stringify([{ personId }])],
    );
    return r.rows;
  }

  it("delivers one event per payload to each subscriber, queued together in the publishing transaction", async () => {
    const payloads = Array.from({ length: 130 }, (_, i) => ({
      personId: `p-4${String(i).padStart(3, "0")}`,
      lastDay: "2025-09-30",
    }));
    await expect(
      db.tx(async (q) => {
        expect(await events.publishMany(q, "person.left", payloads)).toBe(260);
        throw new Error("the import was refused");
      }),
    ).rejects.toThrow("the import was refused");
    for (const p of payloads.slice(0, 3)) expect(await chunksFor(p.personId)).toEqual([]);

    expect(await db.tx((q) => events.publishMany(q, "person.left", payloads))).toBe(260);
    // 130 events travel in two jobs per subscriber (100 and 30), not 130.
    expect(await chunksFor(payloads[0]!.personId)).toEqual([
      { name: "event.access", n: 100 },
      { name: "event.awareness", n: 100 },
    ]);
    expect(await chunksFor(payloads[129]!.personId)).toEqual([
      { name: "event.access", n: 30 },
      { name: "event.awareness", n: 30 },
    ]);
    const of = (subscriber: string, personId: string) =>
      received[subscriber]!.filter((e) => e.payload.personId === personId);
    await waitFor("both subscribers to receive every event", () =>
      payloads.every((p) => of("access", p.personId).length > 0 && of("awareness", p.personId).length > 0),
    );
    for (const p of payloads) {
      for (const subscriber of ["access", "awareness"]) {
        const got = of(subscriber, p.personId);
        expect(got).toHaveLength(1);
        expect(got[0]!.type).toBe("person.left");
        expect(got[0]!.payload).toEqual(p);
        expect(Number.isNaN(Date.parse(got[0]!.occurredAt))).toBe(false);
      }
    }
  });

  it("a single payload is queued as a plain event", async () => {
    const p = { personId: "p-600", lastDay: "2025-10-31" };
    expect(await db.tx((q) => events.publishMany(q, "person.left", [p]))).toBe(2);
    expect((await jobsFor("p-600")).map((r) => r.name)).toEqual(["event.access", "event.awareness"]);
  });

  it("an event of a shared job that fails is queued again on its own; the others are handled once", async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `p-7${String(i).padStart(2, "0")}`);
    ids.splice(12, 0, "p-bad");
    const payloads = ids.map((personId) => ({ personId, lastDay: "2025-11-30" }));
    await db.tx((q) => events.publishMany(q, "person.noticed", payloads));
    await waitFor("p-bad to be queued on its own for both subscribers", async () => {
      const rows = await jobsFor("p-bad");
      return rows.length === 2;
    });
    expect((await jobsFor("p-bad")).map((r) => r.name)).toEqual(["event.bulk", "event.flaky"]);
    await waitFor("the requeued p-bad to be tried again", () => (calls.flaky["p-bad"] ?? 0) >= 2, 60_000);
    for (const id of ids.filter((i) => i !== "p-bad")) {
      expect(calls.flaky[id], id).toBe(1);
      expect(calls.bulk[id], id).toBe(1);
    }
    // The bulk subscriber got its events in batches of at most 10; the batch holding p-bad
    // was worked one by one.
    expect(manySizes.length).toBeGreaterThan(1);
    expect(Math.max(...manySizes)).toBeLessThanOrEqual(10);
  });

  it("enqueues nothing for no payloads or a type nobody subscribed to", async () => {
    expect(await db.tx((q) => events.publishMany(q, "person.left", []))).toBe(0);
    expect(await db.tx((q) => events.publishMany(q, "person.moved", [{ personId: "p-500" }]))).toBe(0);
    expect(await jobsFor("p-500")).toEqual([]);
  });
});
