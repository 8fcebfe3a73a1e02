import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { seedReportsDemo } from "../reports/index.js";
import { seedIncidentsDemo } from "./index.js";

/** `tandem demo` for incident response: the seed goes through the services and runs once. */

let h: TestApp;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

describe("the incidents demo", () => {
  it("seeds an open incident with running clocks and tasks, a closed one with its post-mortem, and an HR case", async () => {
    const sec = await h.signedIn(["security"]);
    const hr = await h.signedIn(["hr"]);
    await h.signedIn(["employee"]);
    const reports = await seedReportsDemo(h.t, { ctx: { actorLabel: "cli" } });
    expect(reports.phishingReportIds).toHaveLength(2);
    const r = await seedIncidentsDemo(h.t, {
      ctx: { actorLabel: "cli" },
      reportIds: reports.phishingReportIds,
    });
    expect(r.alreadySeeded).toBe(false);
    const list = (await sec.get("/api/v1/incidents")).json<{
      items: { id: string; reference: string; status: string }[];
    }>().items;
    const open = list.find((i) => i.reference === r.openIncident);
    const closed = list.find((i) => i.reference === r.closedIncident);
    expect(open?.status).toBe("contained");
    expect(closed?.status).toBe("closed");
    const clocks = (await sec.get(`/api/v1/incidents/${open?.id}/clocks`)).json<{
      items: { state: string }[];
    }>().items;
    expect(clocks.map((c) => c.state).sort()).toEqual(["notified", "running", "running"]);
    // Opened from the demo's phishing wave: those reports show on it, and are escalated.
    const detail = (await sec.get(`/api/v1/incidents/${open?.id}`)).json<{ reports: { id: string }[] }>();
    expect(detail.reports.map((x) => x.id).sort()).toEqual([...reports.phishingReportIds].sort());
    const escalated = await h.t.db.query<{ status: string }>(
      "SELECT status FROM reports WHERE id = ANY($1)",
      [reports.phishingReportIds],
    );
    expect(escalated.rows.map((x) => x.status)).toEqual(["escalated", "escalated"]);
    const tasks = (await sec.get(`/api/v1/incidents/${open?.id}/tasks`)).json<{ items: unknown[] }>().items;
    expect(tasks.length).toBeGreaterThan(3);
    const pm = (await sec.get(`/api/v1/incidents/${closed?.id}/postmortem`)).json<{
      completedAt: string;
      actions: { status: string }[];
    }>();
    expect(pm.completedAt).not.toBeNull();
    expect(pm.actions.map((a) => a.status).sort()).toEqual(["done", "open"]);
    const cases = (await hr.get("/api/v1/hr-cases")).json<{ items: { reference: string }[] }>().items;
    expect(cases.map((c) => c.reference)).toContain(r.hrCase);
    expect((await sec.get("/api/v1/hr-cases")).json<{ items: unknown[] }>().items).toEqual([]);
    expect((await seedIncidentsDemo(h.t, { ctx: { actorLabel: "cli" } })).alreadySeeded).toBe(true);
  });
});
