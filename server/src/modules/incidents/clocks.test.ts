import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type Tandem } from "../../app.js";
import { hashPassword, insertUser } from "../../platform/auth/index.js";
import { loadConfig } from "../../platform/config/index.js";
import type { Db } from "../../platform/db/index.js";
import { createLogger } from "../../platform/log/index.js";
import { eventually } from "../../test/access.js";
import {
  startTestApp,
  TEST_PASSWORD,
  type TestApp,
  TestClient,
  tempDir,
  testDatabase,
} from "../../test/harness.js";

/**
 * Regulatory clocks: started by Legal with the awareness time, shown counting down, stopped
 * with evidence; reminders and the escalation are durable jobs that fire after the server
 * that scheduled them has gone, when a new one starts on the same database.
 */

const HOUR = 3_600_000;
interface Clock {
  id: string;
  law: string;
  audience: string;
  dueAt: string;
  state: string;
  met: boolean | null;
  overdue: boolean;
}

describe("clocks", () => {
  let h: TestApp;
  beforeAll(async () => {
    h = await startTestApp();
  });
  afterAll(() => h.close());

  it("start when Legal marks a breach, one per duty, and stop with evidence (met or missed)", async () => {
    const legal = await h.signedIn(["legal"]);
    const sec = await h.signedIn(["security"]);
    const i = (
      await sec.post("/api/v1/incidents", { title: "HR export mailed out", severity: "sev2" })
    ).json<{ id: string }>();
    const js = (await legal.get("/api/v1/incident-jurisdictions")).json<{
      items: { id: string; code: string }[];
    }>().items;
    const za = js.find((j) => j.code === "ZA-POPIA")?.id as string;
    const eu = js.find((j) => j.code === "EU-GDPR")?.id as string;

    expect(
      (
        await sec.post(`/api/v1/incidents/${i.id}/breach`, {
          awareAt: new Date().toISOString(),
          jurisdictionIds: [eu],
        })
      ).statusCode,
    ).toBe(403);
    const future = await legal.post(`/api/v1/incidents/${i.id}/breach`, {
      awareAt: new Date(Date.now() + 2 * HOUR).toISOString(),
      jurisdictionIds: [eu],
    });
    expect(future.statusCode).toBe(422);
    expect(future.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("awareAt");
    const unknown = await legal.post(`/api/v1/incidents/${i.id}/breach`, {
      awareAt: new Date().toISOString(),
      jurisdictionIds: ["nope"],
    });
    expect(unknown.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("jurisdictionIds.0");

    const aware = new Date(Date.now() - 80 * HOUR);
    const r = await legal.post(`/api/v1/incidents/${i.id}/breach`, {
      awareAt: aware.toISOString(),
      jurisdictionIds: [za, eu],
    });
    expect(r.statusCode, r.body).toBe(200);
    const clocks = r.json<{ items: Clock[] }>().items;
    expect(clocks.map((c) => `${c.law}/${c.audience}`).sort()).toEqual([
      "GDPR article 33/authority",
      "POPIA section 22/authority",
      "POPIA section 22/subjects",
    ]);
    const gdpr = clocks.find((c) => c.law === "GDPR article 33") as Clock;
    expect(gdpr.dueAt).toBe(new Date(aware.getTime() + 72 * HOUR).toISOString());
    expect(gdpr.overdue).toBe(true);

    const stop = await legal.post(`/api/v1/incidents/${i.id}/clocks/${gdpr.id}/outcome`, {
      outcome: "notified",
      evidence: "Authority portal reference 2291",
    });
    expect(stop.statusCode, stop.body).toBe(200);
    expect(stop.json<Clock>().met).toBe(false);
    expect(
      (
        await legal.post(`/api/v1/incidents/${i.id}/clocks/${gdpr.id}/outcome`, {
          outcome: "notified",
          evidence: "again",
        })
      ).statusCode,
    ).toBe(409);
    const subjects = clocks.find((c) => c.audience === "subjects") as Clock;
    const early = await legal.post(`/api/v1/incidents/${i.id}/clocks/${subjects.id}/outcome`, {
      outcome: "notified",
      at: new Date(aware.getTime() + HOUR).toISOString(),
      evidence: "Letter to all affected staff",
    });
    expect(early.json<Clock>().met).toBe(true);

    const other = new Date(aware.getTime() + 1000).toISOString();
    expect(
      (await legal.post(`/api/v1/incidents/${i.id}/breach`, { awareAt: other, jurisdictionIds: [eu] })).json<{
        code: string;
      }>().code,
    ).toBe("incident.aware_at_set");
    const d = (await legal.get("/api/v1/incidents/dashboard")).json<{
      deadlines: { met: number; missed: number };
    }>();
    expect(d.deadlines.met).toBe(1);
    expect(d.deadlines.missed).toBe(2);
  });

  it("lets Legal and Security configure jurisdictions, validating each field", async () => {
    const legal = await h.signedIn(["legal"]);
    const hr = await h.signedIn(["hr"]);
    const body = {
      code: "UK-GDPR",
      name: "United Kingdom",
      law: "UK GDPR article 33",
      authority: "ICO",
      deadlineHours: 72,
    };
    expect((await hr.post("/api/v1/incident-jurisdictions", body)).statusCode).toBe(403);
    const bad = await legal.post("/api/v1/incident-jurisdictions", {
      ...body,
      notifySubjects: true,
      deadlineHours: 0,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(["body.deadlineHours"]),
    );
    const ok = await legal.post("/api/v1/incident-jurisdictions", body);
    expect(ok.statusCode, ok.body).toBe(201);
    const edit = await legal.put(`/api/v1/incident-jurisdictions/${ok.json<{ id: string }>().id}`, {
      ...body,
      deadlineHours: 48,
    });
    expect(edit.json<{ deadlineHours: number }>().deadlineHours).toBe(48);
    expect((await legal.post("/api/v1/incident-jurisdictions", body)).statusCode).toBe(409);
  });
});

describe("across a restart", () => {
  let db: Db;
  let drop: () => Promise<void>;
  let schema: string | undefined;
  const dataDir = tempDir();
  const config = loadConfig({
    TANDEM_DATA_DIR: dataDir,
    TANDEM_LOG_LEVEL: "silent",
    TANDEM_JOBS: "true",
    TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
    TANDEM_ACCESS_RECONCILE_CRON: "off",
    TANDEM_RATE_LIMIT_PER_MINUTE: "100000",
    TANDEM_AUTH_RATE_LIMIT_PER_MINUTE: "100000",
  });
  const start = () =>
    buildApp(config, {
      db,
      log: createLogger("silent"),
      jobsSchema: schema ? `${schema}_boss` : undefined,
      env: {},
    });

  beforeAll(async () => {
    ({ db, drop, schema } = await testDatabase());
  });
  afterAll(async () => {
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("fires the reminder and the escalation scheduled by a server that was closed, in the next one", async () => {
    let t: Tandem = await start();
    const user = await insertUser(t.db, {
      email: "legal.clock@corp.test",
      displayName: "Legal",
      roles: ["legal", "security"],
      passwordHash: await hashPassword(TEST_PASSWORD),
    });
    const api = new TestClient(t);
    expect((await api.login("legal.clock@corp.test", TEST_PASSWORD)).statusCode).toBe(200);
    const jur = await api.post("/api/v1/incident-jurisdictions", {
      code: "TEST-2H",
      name: "Test",
      law: "Test act s1",
      authority: "Test regulator",
      deadlineHours: 2,
      remindBeforeHours: [1],
    });
    expect(jur.statusCode, jur.body).toBe(201);
    const i = (
      await api.post("/api/v1/incidents", { title: "Restart drill", severity: "sev3", ownerUserId: user.id })
    ).json<{ id: string }>();
    const eu = (await api.get("/api/v1/incident-jurisdictions"))
      .json<{ items: { id: string; code: string }[] }>()
      .items.find((j) => j.code === "EU-GDPR")?.id as string;
    // Aware 72 h minus 4 s ago (GDPR escalates in 4 s); the 2-hour test clock reminds in 4 s.
    const aware = new Date(Date.now() - 72 * HOUR + 4000);
    const marked = await api.post(`/api/v1/incidents/${i.id}/breach`, {
      awareAt: aware.toISOString(),
      jurisdictionIds: [eu],
    });
    expect(marked.statusCode, marked.body).toBe(200);
    const aware2 = new Date(Date.now() - HOUR + 4000);
    const i2 = (
      await api.post("/api/v1/incidents", {
        title: "Restart drill 2",
        severity: "sev3",
        ownerUserId: user.id,
      })
    ).json<{ id: string }>();
    const m2 = await api.post(`/api/v1/incidents/${i2.id}/breach`, {
      awareAt: aware2.toISOString(),
      jurisdictionIds: [jur.json<{ id: string }>().id],
    });
    expect(m2.statusCode, m2.body).toBe(200);
    await t.close();

    const fired = await db.query(
      "SELECT 1 FROM audit_log WHERE action IN ('incident.clock_escalated', 'incident.clock_reminder')",
    );
    expect(fired.rowCount).toBe(0);

    t = await start();
    try {
      const escalated = await eventually("the escalation", async () => {
        const r = await db.query<{ title: string; severity: string }>(
          "SELECT title, severity FROM notifications WHERE kind = 'incident.clock' AND title LIKE '%deadline%passed%'",
        );
        return r.rows[0];
      });
      expect(escalated.severity).toBe("critical");
      expect(escalated.title).toContain("GDPR article 33");
      const reminded = await eventually("the reminder", async () => {
        const r = await db.query<{ title: string }>(
          "SELECT title FROM notifications WHERE kind = 'incident.clock' AND title LIKE '%1h left%'",
        );
        return r.rows[0];
      });
      expect(reminded.title).toContain("Test act s1");
      const api2 = new TestClient(t);
      await api2.login("legal.clock@corp.test", TEST_PASSWORD);
      const clocks = (await api2.get(`/api/v1/incidents/${i.id}/clocks`)).json<{
        items: { escalatedAt: string | null; overdue: boolean }[];
      }>().items;
      expect(clocks[0]?.escalatedAt).not.toBeNull();
      expect(clocks[0]?.overdue).toBe(true);
      const tl = (await api2.get(`/api/v1/incidents/${i.id}/timeline`)).json<{ items: { text: string }[] }>()
        .items;
      expect(
        tl.some((x) => x.text.includes("deadline to notify Lead supervisory authority has passed")),
      ).toBe(true);
    } finally {
      await t.close();
    }
  }, 90_000);
});
