import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, migrate, readMigrations } from "../../platform/db/index.js";
import { testDatabase } from "../../test/harness.js";
import { attributeSources, setSources } from "./repo.js";

/** Provenance storage (migration 0012): one row per person, moved over from one row per attribute. */

let db: Db;
let drop: () => Promise<void>;

const addPerson = (id: string) =>
  db.query(
    `INSERT INTO people (id, employee_number, legal_name, work_email, employment_type, status)
     VALUES ($1, $1, 'Pat ' || $1, $1 || '@example.com', 'employee', 'active')`,
    [id],
  );
const stored = async (id: string) =>
  (await db.query<{ sources: unknown }>("SELECT sources FROM person_sources WHERE person_id = $1", [id]))
    .rows[0]?.sources as { source: string; setAt: string; attributes: string[] }[] | undefined;

beforeAll(async () => {
  ({ db, drop } = await testDatabase());
  const all = readMigrations();
  await migrate(
    db,
    all.filter((m) => m.version < 12),
  );
  await addPerson("P1");
  await addPerson("P2");
  await addPerson("P3");
  const rows = [
    ["P1", "legalName", "csv", "2026-01-10T09:00:00Z"],
    ["P1", "workEmail", "csv", "2026-01-10T09:00:00Z"],
    ["P1", "departmentId", "scim", "2026-02-01T12:30:00Z"],
    ["P1", "managerId", "scim", "2026-02-01T12:30:00Z"],
    ["P1", "locationId", "manual", "2026-03-05T07:15:00.250Z"],
    ["P2", "legalName", "webhook", "2026-01-11T10:00:00Z"],
  ];
  for (const [p, a, s, at] of rows)
    await db.query(
      "INSERT INTO person_attribute_sources (person_id, attribute, source, set_at) VALUES ($1, $2, $3, $4)",
      [p, a, s, at],
    );
  await migrate(db, all);
});

afterAll(async () => {
  await drop();
});

describe("person_sources", () => {
  it("keeps every attribute's source and moment when the migration moves them", async () => {
    expect(await attributeSources(db, "P1")).toEqual([
      { attribute: "departmentId", source: "scim", setAt: "2026-02-01T12:30:00.000Z" },
      { attribute: "legalName", source: "csv", setAt: "2026-01-10T09:00:00.000Z" },
      { attribute: "locationId", source: "manual", setAt: "2026-03-05T07:15:00.250Z" },
      { attribute: "managerId", source: "scim", setAt: "2026-02-01T12:30:00.000Z" },
      { attribute: "workEmail", source: "csv", setAt: "2026-01-10T09:00:00.000Z" },
    ]);
    // One entry per change, newest first.
    expect((await stored("P1"))?.map((c) => [c.source, c.attributes])).toEqual([
      ["manual", ["locationId"]],
      ["scim", ["departmentId", "managerId"]],
      ["csv", ["legalName", "workEmail"]],
    ]);
    expect(await attributeSources(db, "P2")).toEqual([
      { attribute: "legalName", source: "webhook", setAt: "2026-01-11T10:00:00.000Z" },
    ]);
    expect(await stored("P3")).toBeUndefined();
    const old = await db.query("SELECT to_regclass('person_attribute_sources') AS t");
    expect(old.rows[0]).toEqual({ t: null });
  });

  it("a later change takes its attributes from the earlier ones and drops a change left with none", async () => {
    const at = await db.tx(async (q) => {
      await setSources(q, "P1", ["managerId", "departmentId", "preferredName"], "csv");
      return (await q.query<{ now: Date | string }>("SELECT now()")).rows[0]?.now;
    });
    const after = await stored("P1");
    expect(after?.map((c) => [c.source, c.attributes])).toEqual([
      ["csv", ["managerId", "departmentId", "preferredName"]],
      ["manual", ["locationId"]],
      ["csv", ["legalName", "workEmail"]],
    ]);
    // Set at the moment of the change's transaction.
    expect(new Date(after?.[0]?.setAt ?? 0).getTime()).toBe(new Date(at ?? 0).getTime());
    const byAttr = new Map((await attributeSources(db, "P1")).map((s) => [s.attribute, s.source]));
    expect(Object.fromEntries(byAttr)).toEqual({
      departmentId: "csv",
      legalName: "csv",
      locationId: "manual",
      managerId: "csv",
      preferredName: "csv",
      workEmail: "csv",
    });
  });

  it("starts a person's provenance with their first change, and nothing for no attribute", async () => {
    await setSources(db, "P3", [], "manual");
    expect(await stored("P3")).toBeUndefined();
    await setSources(db, "P3", ["legalName", "workEmail"], "scim");
    await setSources(db, "P3", ["legalName", "workEmail"], "scim");
    expect((await stored("P3"))?.map((c) => [c.source, c.attributes])).toEqual([
      ["scim", ["legalName", "workEmail"]],
    ]);
  });

  it("refuses provenance that is not a list of changes, or of nobody", async () => {
    await expect(
      db.query("INSERT INTO person_sources (person_id, sources) VALUES ('P2x', '[]')"),
    ).rejects.toThrow();
    await expect(
      db.query("UPDATE person_sources SET sources = '{}' WHERE person_id = 'P2'"),
    ).rejects.toThrow();
  });
});
