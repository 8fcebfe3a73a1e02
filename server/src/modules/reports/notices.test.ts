import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";

/**
 * Who hears about a report: Security of each new one (once, in the inbox and digest), and a
 * signed-in reporter of Security's question and of the outcome; an anonymous reporter is
 * never looked up or notified (they read it with their code).
 */

type Api = TestClient & { userId: string };
interface Inbox {
  items: { kind: string; severity: string; title: string; link: string | null }[];
}

let h: TestApp;
let sec: Api;
let emp: Api;

const inbox = async (c: Api, kind: string) =>
  (await c.get("/api/v1/notifications?limit=100")).json<Inbox>().items.filter((n) => n.kind === kind);

/** The subscriber's job, run as a worker would (twice: a second delivery must add nothing). */
const deliverReceived = async (reportId: string) => {
  for (let i = 0; i < 2; i++)
    await h.t.jobs.runInline("event.reports.tell_triage", {
      type: "reports.received",
      occurredAt: new Date().toISOString(),
      payload: { reportId },
    });
};

beforeAll(async () => {
  h = await startTestApp();
  sec = await h.signedIn(["security"]);
  emp = await h.signedIn(["employee"]);
});
afterAll(() => h.close());

describe("report notices", () => {
  it("tells Security of a new report once, not at once (inbox and digest), with a link to triage", async () => {
    const r = await emp.post("/api/v1/reports", {
      title: "Odd invoice from a supplier",
      details: { category: "other" },
      description: "It asks us to pay a new bank account.",
    });
    expect(r.statusCode, r.body).toBe(201);
    const { id, reference } = r.json<{ id: string; reference: string }>();
    await deliverReceived(id);
    const told = await inbox(sec, "reports.new_report");
    expect(told).toEqual([
      expect.objectContaining({
        severity: "normal",
        title: `New report ${reference} to triage`,
        link: `/reports/triage/${id}`,
      }),
    ]);
    // The title names the reference only: what the report says stays in Tandem.
    expect(JSON.stringify(told)).not.toContain("bank account");
    expect(await inbox(emp, "reports.new_report")).toEqual([]);
  });

  it("tells a signed-in reporter of a question and of the outcome; an anonymous one is never notified", async () => {
    const mine = await emp.post("/api/v1/reports", {
      title: "I clicked a link",
      details: { category: "other" },
      description: "A link in a chat message.",
    });
    const { id, reference } = mine.json<{ id: string; reference: string }>();
    expect((await sec.post(`/api/v1/reports/${id}/messages`, { body: "Which chat tool?" })).statusCode).toBe(
      200,
    );
    expect(await inbox(emp, "reports.question_for_reporter")).toEqual([
      expect.objectContaining({
        title: `Security has a question about your report ${reference}`,
        link: `/reports/mine/${id}`,
      }),
    ]);
    const closed = await sec.post(`/api/v1/reports/${id}/close`, {
      outcome: "Nothing was taken. Thank you!",
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect((await inbox(emp, "reports.outcome_for_reporter")).map((n) => n.link)).toEqual([
      `/reports/mine/${id}`,
    ]);

    const before = await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM notifications");
    const anon = await h.client().post("/api/v1/reports/anonymous", {
      title: "Someone shares passwords",
      details: { category: "other" },
      description: "On a sticky note.",
    });
    expect(anon.statusCode, anon.body).toBe(201);
    const anonId = anon.json<{ id: string }>().id;
    expect((await sec.post(`/api/v1/reports/${anonId}/messages`, { body: "Which floor?" })).statusCode).toBe(
      200,
    );
    expect(
      (await sec.post(`/api/v1/reports/${anonId}/close`, { outcome: "We talked to the team. Thank you." }))
        .statusCode,
    ).toBe(200);
    const after = await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM notifications");
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});
