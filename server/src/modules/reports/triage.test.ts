import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";
import { getReportSummaries, markEscalated, reportStats } from "./index.js";

/**
 * Triage: the queue groups similar reports and filters; severity, assignment, verdicts
 * (needs more info asks the reporter), merge (every reporter hears the outcome), close;
 * the module API the incidents module builds on; who may do what.
 */

type Api = TestClient & { userId: string; email: string };
interface Item {
  id: string;
  reference: string;
  status: string;
  severity: string | null;
  verdict: string | null;
  assignee: { id: string } | null;
  group: {
    sender: string | null;
    urlHost: string | null;
    subject: string | null;
    senderCount: number;
    urlHostCount: number;
    subjectCount: number;
  };
}
interface Detail extends Item {
  messages: { author: string; body: string }[];
  duplicates: { id: string }[];
}

let h: TestApp;
let sec: Api;
let it2: Api;
let reporters: Api[];
const ids: string[] = [];

const phish = (subject: string, sender: string, url: string) => ({
  title: `Phishing: ${subject}`,
  details: { category: "phishing_email", sender, subject, urls: [url] },
});

beforeAll(async () => {
  h = await startTestApp();
  sec = await h.signedIn(["security"]);
  it2 = await h.signedIn(["it"]);
  reporters = [await h.signedIn(["employee"]), await h.signedIn(["employee"]), await h.signedIn(["manager"])];
  const wave = [
    phish("Your parcel is waiting", "DHL <notice@parcel-track.test>", "https://parcel-track.test/a?x=1"),
    phish("RE: Your parcel is waiting", "notice@parcel-track.test", "https://www.parcel-track.test/b"),
    phish("FW: [EXTERNAL] your parcel   is waiting", "other@elsewhere.test", "https://unrelated.test/"),
  ];
  for (const [i, body] of wave.entries()) {
    const r = await reporters[i]!.post("/api/v1/reports", body);
    expect(r.statusCode, r.body).toBe(201);
    ids.push(r.json<{ id: string }>().id);
  }
  const lone = await reporters[0]!.post("/api/v1/reports", {
    title: "A near miss with a USB stick",
    details: { category: "near_miss" },
  });
  ids.push(lone.json<{ id: string }>().id);
});
afterAll(() => h.close());

describe("the queue", () => {
  it("groups similar reports by sender, link host and normalised subject", async () => {
    const r = await sec.get("/api/v1/reports");
    expect(r.statusCode, r.body).toBe(200);
    const items = r.json<{ items: Item[] }>().items;
    expect(items.map((i) => i.id)).toEqual([...ids].reverse());
    const [a, b, c] = ids.map((id) => items.find((i) => i.id === id)!);
    expect(a!.group).toMatchObject({
      sender: "notice@parcel-track.test",
      urlHost: "parcel-track.test",
      subject: "your parcel is waiting",
    });
    expect(a!.group.senderCount).toBe(2);
    expect(a!.group.urlHostCount).toBe(2);
    expect(a!.group.subjectCount).toBe(3);
    expect(b!.group.subject).toBe("your parcel is waiting");
    expect(c!.group.senderCount).toBe(1);
    const similar = await sec.get(`/api/v1/reports/${ids[0]}/similar`);
    expect(
      similar
        .json<{ items: Item[] }>()
        .items.map((i) => i.id)
        .sort(),
    ).toEqual([ids[1], ids[2]].sort());
    const bySender = await sec.get("/api/v1/reports?sender=notice@parcel-track.test");
    expect(bySender.json<{ items: Item[] }>().items).toHaveLength(2);
  });

  it("filters, searches and pages with a cursor", async () => {
    const near = await sec.get("/api/v1/reports?category=near_miss");
    expect(near.json<{ items: Item[] }>().items.map((i) => i.id)).toEqual([ids[3]]);
    const search = await sec.get("/api/v1/reports?q=parcel");
    expect(search.json<{ items: Item[] }>().items).toHaveLength(3);
    const p1 = await sec.get("/api/v1/reports?limit=3");
    const page1 = p1.json<{ items: Item[]; nextCursor: string }>();
    expect(page1.items).toHaveLength(3);
    const p2 = await sec.get(`/api/v1/reports?limit=3&cursor=${page1.nextCursor}`);
    const page2 = p2.json<{ items: Item[]; nextCursor: string | null }>();
    expect(page2.items.map((i) => i.id)).toEqual([ids[0]]);
    expect(page2.nextCursor).toBeNull();
    const bad = await sec.get("/api/v1/reports?cursor=nonsense");
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe("cursor");
    expect((await sec.get("/api/v1/reports?status=sideways")).statusCode).toBe(400);
  });

  it("is for Security, IT and (read-only) auditors; HR and employees see nothing", async () => {
    const hr = await h.signedIn(["hr"]);
    expect((await hr.get("/api/v1/reports")).statusCode).toBe(403);
    expect((await hr.get(`/api/v1/reports/${ids[0]}`)).statusCode).toBe(403);
    expect((await reporters[0]!.get("/api/v1/reports")).statusCode).toBe(403);
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.get("/api/v1/reports")).statusCode).toBe(200);
    expect((await auditor.patch(`/api/v1/reports/${ids[0]}`, { severity: "low" })).statusCode).toBe(403);
    expect((await sec.get("/api/v1/reports/01J00000000000000000000000")).statusCode).toBe(404);
    expect((await h.client().get("/api/v1/reports")).statusCode).toBe(401);
  });
});

describe("acting on a report", () => {
  it("sets severity and assignment (Security or IT only), acknowledging it", async () => {
    const r = await sec.patch(`/api/v1/reports/${ids[0]}`, { severity: "high", assigneeUserId: it2.userId });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json<Item>()).toMatchObject({
      severity: "high",
      status: "acknowledged",
      assignee: { id: it2.userId },
    });
    const wrong = await sec.patch(`/api/v1/reports/${ids[0]}`, { assigneeUserId: reporters[0]!.userId });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe("assigneeUserId");
    expect((await sec.patch(`/api/v1/reports/${ids[0]}`, { severity: "apocalyptic" })).statusCode).toBe(400);
    const mine = await it2.get("/api/v1/reports?assignee=me");
    expect(mine.json<{ items: Item[] }>().items.map((i) => i.id)).toEqual([ids[0]]);
  });

  it("needs more info: the question reaches the reporter, whose answer goes back to Security", async () => {
    const missing = await sec.post(`/api/v1/reports/${ids[0]}/verdict`, { verdict: "needs_more_info" });
    expect(missing.statusCode).toBe(422);
    expect(missing.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe("question");
    const r = await sec.post(`/api/v1/reports/${ids[0]}/verdict`, {
      verdict: "needs_more_info",
      question: "Did the message come to your work address?",
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json<Detail>().status).toBe("waiting_for_reporter");
    const mine = await reporters[0]!.get(`/api/v1/reports/mine/${ids[0]}`);
    expect(mine.json<{ status: string; messages: { body: string }[] }>()).toMatchObject({
      status: "waiting_for_reporter",
      messages: [{ body: "Did the message come to your work address?" }],
    });
    const answer = await reporters[0]!.post(`/api/v1/reports/mine/${ids[0]}/messages`, {
      body: "Yes, my work address.",
    });
    expect(answer.json<{ status: string }>().status).toBe("in_review");
    const verdict = await sec.post(`/api/v1/reports/${ids[0]}/verdict`, { verdict: "malicious" });
    expect(verdict.json<Detail>().verdict).toBe("malicious");
  });

  it("merges duplicates: every reporter follows the primary to its outcome", async () => {
    expect((await sec.post(`/api/v1/reports/${ids[0]}/merge`, { duplicateIds: [ids[0]] })).statusCode).toBe(
      422,
    );
    const unknown = await sec.post(`/api/v1/reports/${ids[0]}/merge`, {
      duplicateIds: ["01J00000000000000000000000"],
    });
    expect(unknown.statusCode).toBe(404);
    const r = await sec.post(`/api/v1/reports/${ids[0]}/merge`, { duplicateIds: [ids[1], ids[2]] });
    expect(r.statusCode, r.body).toBe(200);
    expect(
      r
        .json<Detail>()
        .duplicates.map((d) => d.id)
        .sort(),
    ).toEqual([ids[1], ids[2]].sort());
    const dupView = await reporters[1]!.get(`/api/v1/reports/mine/${ids[1]}`);
    expect(dupView.json<{ status: string; statusText: string }>().status).toBe("merged");
    const open = await sec.get("/api/v1/reports");
    expect(open.json<{ items: Item[] }>().items.map((i) => i.id)).not.toContain(ids[1]);
    // Merging a merged report again is refused.
    expect((await sec.post(`/api/v1/reports/${ids[3]}/merge`, { duplicateIds: [ids[1]] })).statusCode).toBe(
      409,
    );

    const close = await sec.post(`/api/v1/reports/${ids[0]}/close`, {
      outcome: "It was a phishing wave; we blocked the sender and the site. Thank you for reporting it.",
      verdict: "malicious",
    });
    expect(close.statusCode, close.body).toBe(200);
    for (const [i, who] of [
      [0, reporters[0]!],
      [1, reporters[1]!],
      [2, reporters[2]!],
    ] as const) {
      const v = await who.get(`/api/v1/reports/mine/${ids[i]}`);
      expect(v.json<{ status: string; outcome: string }>()).toMatchObject({
        status: "closed",
        outcome: expect.stringMatching(/blocked the sender/),
      });
    }
    expect((await sec.post(`/api/v1/reports/${ids[0]}/messages`, { body: "more?" })).statusCode).toBe(409);
    const audit = await h.t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_id = $1 AND action LIKE 'report.%' ORDER BY seq",
      [ids[0]],
    );
    expect(audit.rows.map((a) => a.action)).toEqual([
      "report.received",
      "report.triaged",
      "report.question_asked",
      "report.verdict",
      "report.reporter_replied",
      "report.verdict",
      "report.merged",
      "report.closed",
    ]);
  });
});

describe("the module API for incidents", () => {
  it("summarises, escalates (404 naming unknown ids, nothing changed) and counts", async () => {
    const s = await getReportSummaries(h.t.db, [ids[3]!, "nope"]);
    expect(s).toEqual([
      expect.objectContaining({ id: ids[3], category: "near_miss", anonymous: false, status: "new" }),
    ]);
    await expect(
      h.t.db.tx((q) =>
        markEscalated(q, [ids[3]!, "01J0000000000000000000NOPE"], "INC1", { actorLabel: "test" }),
      ),
    ).rejects.toMatchObject({ status: 404, message: expect.stringContaining("01J0000000000000000000NOPE") });
    expect((await getReportSummaries(h.t.db, [ids[3]!]))[0]!.status).toBe("new");
    await h.t.db.tx((q) => markEscalated(q, [ids[3]!], "INC1", { actorLabel: "incident responder" }));
    const d = await sec.get(`/api/v1/reports/${ids[3]}`);
    expect(d.json<{ status: string; incidentId: string }>()).toMatchObject({
      status: "escalated",
      incidentId: "INC1",
    });
    const stats = await reportStats(h.t.db, {
      from: new Date(Date.now() - 3600_000),
      to: new Date(Date.now() + 60_000),
    });
    expect(stats.total).toBe(4);
    expect(stats.byCategory).toEqual({ phishing_email: 3, near_miss: 1 });
    expect(stats.nearMissShare).toBe(0.25);
    expect(stats.byDepartment).toEqual({ Unknown: 4 });
    expect(stats.medianAcknowledgeMinutes).not.toBeNull();
  });
});
