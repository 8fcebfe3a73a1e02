import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { seedReportsDemo } from "./index.js";

let h: TestApp;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

describe("the reports demo", () => {
  it("adds grouped, merged, anonymous and closed sample reports and an FAQ, once", async () => {
    const sec = await h.signedIn(["security"]);
    for (let i = 0; i < 4; i++) await h.signedIn(["employee"]);
    const r = await seedReportsDemo(h.t, { ctx: { actorLabel: "cli" } });
    expect(r).toMatchObject({ alreadySeeded: false, reports: 9, questions: 3 });
    const all = (await sec.get("/api/v1/reports?status=all")).json<{
      items: { category: string; status: string; anonymous: boolean; group: { senderCount: number } }[];
    }>().items;
    expect(all).toHaveLength(9);
    expect(all.filter((i) => i.status === "merged")).toHaveLength(2);
    expect(all.some((i) => i.group.senderCount === 4)).toBe(true);
    expect(new Set(all.map((i) => i.category))).toEqual(
      new Set([
        "phishing_email",
        "suspicious_payment",
        "lost_device",
        "near_miss",
        "own_mistake",
        "suspicious_behaviour",
      ]),
    );
    const followUp = await h.client().post("/api/v1/reports/follow-up", { code: r.followUpCode });
    expect(followUp.json<{ messages: unknown[] }>().messages).toHaveLength(2);
    expect((await sec.get("/api/v1/ask/faq")).json<{ items: unknown[] }>().items).toHaveLength(2);
    expect((await seedReportsDemo(h.t, { ctx: { actorLabel: "cli" } })).alreadySeeded).toBe(true);
  });
});
