import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";

/** Ask Security: questions, answers, the FAQ, and who sees what. */

type Api = TestClient & { userId: string; email: string };
interface Question {
  id: string;
  status: string;
  askedBy: string | null;
  mine: boolean;
  answers: { id: string; body: string }[];
  faqId: string | null;
}

let h: TestApp;
let sec: Api;
let alice: Api;
let bob: Api;

beforeAll(async () => {
  h = await startTestApp();
  sec = await h.signedIn(["security"]);
  alice = await h.signedIn(["employee"]);
  bob = await h.signedIn(["employee"]);
});
afterAll(() => h.close());

describe("Ask Security", () => {
  let qid = "";
  it("takes a question that only the asker and Security see", async () => {
    const r = await alice.post("/api/v1/ask/questions", {
      title: "Can I use my own USB stick for presentations?",
      body: "Only slides, nothing confidential.",
    });
    expect(r.statusCode, r.body).toBe(201);
    const q = r.json<Question>();
    qid = q.id;
    expect(q).toMatchObject({ status: "open", mine: true, answers: [] });
    expect((await bob.get(`/api/v1/ask/questions/${qid}`)).statusCode).toBe(404);
    expect((await bob.get("/api/v1/ask/questions")).json<{ items: Question[] }>().items).toEqual([]);
    const all = await sec.get("/api/v1/ask/questions?status=open");
    expect(all.json<{ items: Question[] }>().items.map((i) => i.id)).toEqual([qid]);
    const bad = await alice.post("/api/v1/ask/questions", { title: "Hi" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]!.path).toContain("title");
  });

  it("is answered by Security; employees cannot answer", async () => {
    expect((await bob.post(`/api/v1/ask/questions/${qid}/answers`, { body: "Sure!" })).statusCode).toBe(403);
    const r = await sec.post(`/api/v1/ask/questions/${qid}/answers`, {
      body: "Please use the company share instead; unknown USB sticks are blocked on meeting-room PCs.",
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json<Question>().status).toBe("answered");
    const mine = await alice.get(`/api/v1/ask/questions/${qid}`);
    expect(mine.json<Question>().answers[0]!.body).toMatch(/company share/);
    expect(
      (await sec.post("/api/v1/ask/questions/01J00000000000000000000000/answers", { body: "x y" }))
        .statusCode,
    ).toBe(404);
  });

  it("promotes a good answer to the FAQ that everyone signed in can search", async () => {
    const answerId = (await sec.get(`/api/v1/ask/questions/${qid}`)).json<Question>().answers[0]!.id;
    const wrong = await sec.post(`/api/v1/ask/questions/${qid}/faq`, {
      answerId: "01J00000000000000000000000",
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe("answerId");
    const r = await sec.post(`/api/v1/ask/questions/${qid}/faq`, {
      answerId,
      question: "May I use a personal USB stick at work?",
    });
    expect(r.statusCode, r.body).toBe(201);
    const faq = await bob.get("/api/v1/ask/faq?q=usb");
    expect(faq.statusCode).toBe(200);
    expect(faq.json<{ items: { question: string; answer: string }[] }>().items).toEqual([
      expect.objectContaining({ question: "May I use a personal USB stick at work?" }),
    ]);
    expect((await bob.get("/api/v1/ask/faq?q=payroll")).json<{ items: unknown[] }>().items).toEqual([]);
    expect((await h.client().get("/api/v1/ask/faq")).statusCode).toBe(401);
    expect((await bob.delete(`/api/v1/ask/faq/${r.json<{ id: string }>().id}`)).statusCode).toBe(403);
    const audit = await h.t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action LIKE 'ask.%' ORDER BY seq",
    );
    expect(audit.rows.map((a) => a.action)).toEqual(["ask.question_asked", "ask.answered", "ask.faq_added"]);
  });
});
