import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../test/access.js";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";

/**
 * When the phishing simulation recognises its own mail in a report (the
 * `awareness.phish_reported` event), the report is marked simulated, closed with a
 * thank-you, and the signed-in reporter is told once, however often the event arrives.
 */

type Api = TestClient & { userId: string; email: string };
let h: TestApp;
let sec: Api;
let emp: Api;

beforeAll(async () => {
  h = await startTestApp({}, { jobs: true });
  sec = await h.signedIn(["security"]);
  emp = await h.signedIn(["employee"]);
});
afterAll(async () => h?.close());

async function report(by: Api, title: string): Promise<string> {
  const res = await by.post("/api/v1/reports", {
    title,
    description: "Asks me to sign in to read a shared document.",
    details: { category: "phishing_email", sender: "docs@share-files.test" },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

const publish = (reportId: string, name = "awareness.phish_reported") =>
  h.t.db.tx((q) =>
    h.t.events.publish(q, name, { personId: "p1", campaignId: "c1", recipientId: "r1", reportId }),
  );

const outcomes = async (c: Api) =>
  (await c.get("/api/v1/notifications?limit=100"))
    .json<{ items: { kind: string; link: string }[] }>()
    .items.filter((n) => n.kind === "reports.outcome_for_reporter");

describe("reports of simulated phishing", () => {
  it("marks the report simulated, closes it with a thank-you and tells the reporter once", async () => {
    const id = await report(emp, "Shared document sign-in");
    await publish(id);
    const view = await eventually(
      "the report closed",
      async () => {
        const r = (await emp.get(`/api/v1/reports/mine/${id}`)).json<{
          status: string;
          outcome: string | null;
        }>();
        return r.status === "closed" ? r : undefined;
      },
      20_000,
    );
    expect(view.outcome).toMatch(/^Well spotted! This was a simulated phishing mail/);
    const row = (
      await h.t.db.query<{ simulated: boolean; verdict: string }>(
        "SELECT simulated, verdict FROM reports WHERE id = $1",
        [id],
      )
    ).rows[0]!;
    expect(row).toEqual({ simulated: true, verdict: "benign" });
    await eventually(
      "the reporter told",
      async () => ((await outcomes(emp)).length ? true : undefined),
      20_000,
    );

    // The event again (a redelivery, a second match): nothing more happens.
    await publish(id);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await outcomes(emp)).map((n) => n.link)).toEqual([`/reports/mine/${id}`]);
    const audits = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'report.simulation_recognised' AND target_id = $1",
      [id],
    );
    expect(audits.rows[0]!.n).toBe(1);
  });

  it("closes a recognised copy that does not count for the recipient the same way", async () => {
    const id = await report(emp, "A colleague's copy");
    await publish(id, "awareness.phish_report_recognised");
    const row = await eventually(
      "the copy closed",
      async () => {
        const r = await h.t.db.query<{ status: string; simulated: boolean; outcome: string }>(
          "SELECT status, simulated, outcome FROM reports WHERE id = $1",
          [id],
        );
        return r.rows[0]?.status === "closed" ? r.rows[0] : undefined;
      },
      20_000,
    );
    expect(row.simulated).toBe(true);
    expect(row.outcome).toMatch(/^Well spotted!/);
  });

  it("only marks a report Security already closed, keeping its outcome", async () => {
    const id = await report(emp, "Parcel delivery fee");
    const closed = await sec.post(`/api/v1/reports/${id}/close`, {
      outcome: "Handled already.",
      verdict: "malicious",
    });
    expect(closed.statusCode, closed.body).toBe(200);
    await publish(id);
    await eventually(
      "the report marked simulated",
      async () => {
        const r = await h.t.db.query<{ simulated: boolean }>("SELECT simulated FROM reports WHERE id = $1", [
          id,
        ]);
        return r.rows[0]?.simulated ? true : undefined;
      },
      20_000,
    );
    const row = (
      await h.t.db.query<{ outcome: string; verdict: string }>(
        "SELECT outcome, verdict FROM reports WHERE id = $1",
        [id],
      )
    ).rows[0]!;
    expect(row).toEqual({ outcome: "Handled already.", verdict: "malicious" });
  });
});
