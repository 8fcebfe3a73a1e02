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
  it("enqueues one event per payload for each subscriber, in the publishing transaction", async () => {
    const payloads = Array.from({ length: 30 }, (_, i) => ({
      personId: `p-4${String(i).padStart(2, "0")}`,
      lastDay: "2025-09-30",
    }));
    await expect(
      db.tx(async (q) => {
        expect(await events.publishMany(q, "person.left", payloads)).toBe(60);
        throw new Error("the import was refused");
      }),
    ).rejects.toThrow("the import was refused");
    for (const p of payloads.slice(0, 3)) expect(await jobsFor(p.personId)).toEqual([]);

    expect(await db.tx((q) => events.publishMany(q, "person.left", payloads))).toBe(60);
    const of = (subscriber: string, personId: string) =>
      received[subscriber]!.filter((e) => e.payload.personId === personId);
    await waitFor("both subscribers to receive every event", () =>
      payloads.every((p) => of("access", p.personId).length > 0 && of("awareness", p.personId).length > 0),
    );
    for (const p of payloads) {
      const rows = await jobsFor(p.personId);
      expect(rows.map((r) => r.name)).toEqual(["event.access", "event.awareness"]);
      for (const subscriber of ["access", "awareness"]) {
        const got = of(subscriber, p.personId);
        expect(got).toHaveLength(1);
        expect(got[0]!.type).toBe("person.left");
        expect(got[0]!.payload).toEqual(p);
        expect(Number.isNaN(Date.parse(got[0]!.occurredAt))).toBe(false);
      }
    }
  });

  it("enqueues nothing for no payloads or a type nobody subscribed to", async () => {
    expect(await db.tx((q) => events.publishMany(q, "person.left", []))).toBe(0);
    expect(await db.tx((q) => events.publishMany(q, "person.moved", [{ personId: "p-500" }]))).toBe(0);
    expect(await jobsFor("p-500")).toEqual([]);
  });
});
