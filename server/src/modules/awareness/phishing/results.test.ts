import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Api, buildEmployee, buildModule } from "../../../test/awareness.js";
import { startTestApp, type TestApp } from "../../../test/harness.js";
import {
  BROWSER,
  buildDepartment,
  type SeedCampaign,
  seedCampaign,
  seedRecipient,
  stagesOf,
} from "../../../test/phishing-tracking.js";
import { seedAwarenessDemo } from "../index.js";

/**
 * What Security and HR read: every tracked request with why it counted or not, overrides
 * (audited, stages recomputed), rates per department, month and campaign, and repeat
 * clickers, over real HTTP with the permission checks.
 */

let h: TestApp;
let hr: Api;
let sec: Api;
let auditor: Api;
let emp: Api;
let moduleId: string;

beforeAll(async () => {
  h = await startTestApp({ TANDEM_PHISHING_SCANNER_RANGES: "198.51.100.0/24" });
  hr = await h.signedIn(["hr"]);
  sec = await h.signedIn(["security"]);
  auditor = await h.signedIn(["auditor"]);
  emp = await h.signedIn(["employee"]);
  moduleId = (await buildModule(sec, { title: "Phishing follow-up" })).id;
});
afterAll(async () => h?.close());

const base = "/api/v1/awareness/phishing";

interface Listed {
  items: {
    id: string;
    kind: string;
    counted: boolean;
    filterReason: string | null;
    personName: string | null;
    shape: Record<string, unknown>;
    override: { counted: boolean; reason: string; by: string | null } | null;
  }[];
  total: number;
  filtered: Record<string, number>;
}

describe("interactions and overrides", () => {
  let camp: SeedCampaign;
  let recipient: { id: string; token: string };
  let personId: string;

  beforeAll(async () => {
    camp = await seedCampaign(h.t.db, { followUpModuleId: moduleId });
    personId = (await buildEmployee(h, hr, { legalName: "Robin Clicker" })).person.id;
    recipient = await seedRecipient(h.t.db, camp.id, personId);
    // A scanner and a person's unconfirmed visit.
    await h.client().request({
      method: "GET",
      url: `/t/c/${recipient.token}`,
      headers: BROWSER,
      remoteAddress: "198.51.100.9",
    });
    await h.client().request({ method: "HEAD", url: `/t/c/${recipient.token}`, headers: BROWSER });
    await h.client().get(`/t/o/${recipient.token}.gif`, BROWSER);
  });

  it("lists what was tracked with the reason and a summary of what was filtered", async () => {
    const res = await auditor.get(`${base}/campaigns/${camp.id}/interactions`);
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json<Listed>();
    expect(list.total).toBe(3);
    expect(list.filtered).toEqual({ head_request: 1, scanner_range: 1 });
    expect(list.items.map((i) => [i.kind, i.counted, i.filterReason])).toEqual([
      ["open", true, null],
      ["click", false, "head_request"],
      ["click", false, "scanner_range"],
    ]);
    expect(list.items[0]!.personName).toBe("Robin Clicker");
    const onlyFiltered = (
      await auditor.get(`${base}/campaigns/${camp.id}/interactions?counted=false&kind=click&limit=1`)
    ).json<Listed>();
    expect(onlyFiltered.total).toBe(2);
    expect(onlyFiltered.items).toHaveLength(1);
  });

  it("lets Security count a filtered click (audited): stages follow and the follow-up training is assigned", async () => {
    const list = (await sec.get(`${base}/campaigns/${camp.id}/interactions?kind=click`)).json<Listed>();
    const scanner = list.items.find((i) => i.filterReason === "scanner_range")!;
    expect((await stagesOf(h.t.db, recipient.id)).clicked_at).toBeNull();

    const res = await sec.post(`${base}/interactions/${scanner.id}/override`, {
      counted: true,
      reason: "That range is our own web proxy",
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<Listed["items"][number]>()).toMatchObject({
      counted: true,
      filterReason: "scanner_range",
      override: { counted: true, reason: "That range is our own web proxy", by: sec.email },
    });
    expect((await stagesOf(h.t.db, recipient.id)).clicked_at).not.toBeNull();
    const assigned = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM awareness_assignments WHERE person_id = $1 AND item_id = $2 AND status = 'open'",
      [personId, moduleId],
    );
    expect(assigned.rows[0]!.n).toBe(1);
    const audit = await h.t.db.query<{ details: { reason: string; to: boolean } }>(
      "SELECT details FROM audit_log WHERE action = 'phishing.interaction_overridden' AND target_id = $1",
      [scanner.id],
    );
    expect(audit.rows.map((a) => [a.details.reason, a.details.to])).toEqual([
      ["That range is our own web proxy", true],
    ]);
    const after = (await sec.get(`${base}/campaigns/${camp.id}/interactions`)).json<Listed>();
    expect(after.filtered).toEqual({ head_request: 1 });

    const undo = await hr.post(`${base}/interactions/${scanner.id}/override`, {
      counted: false,
      reason: "Checked again: a scanner",
    });
    expect(undo.statusCode, undo.body).toBe(200);
    const s = await stagesOf(h.t.db, recipient.id);
    expect(s.clicked_at).toBeNull();
    expect(s.opened_at).not.toBeNull();
  });

  it("refuses bad input naming the field, unknown ids, and callers without the permission", async () => {
    const list = (await sec.get(`${base}/campaigns/${camp.id}/interactions`)).json<Listed>();
    const id = list.items[0]!.id;
    const short = await sec.post(`${base}/interactions/${id}/override`, { counted: true, reason: "ok" });
    expect(short.statusCode).toBe(400);
    expect(JSON.stringify(short.json())).toContain("reason");
    const missing = await sec.post(`${base}/interactions/${id}/override`, { reason: "no flag given" });
    expect(missing.statusCode).toBe(400);
    expect(JSON.stringify(missing.json())).toContain("counted");
    expect(
      (
        await sec.post(`${base}/interactions/01J00000000000000000000000/override`, {
          counted: true,
          reason: "why not",
        })
      ).statusCode,
    ).toBe(404);
    expect((await sec.get(`${base}/campaigns/01J00000000000000000000000/interactions`)).statusCode).toBe(404);
    expect((await sec.get(`${base}/campaigns/${camp.id}/interactions?counted=maybe`)).statusCode).toBe(400);

    expect((await h.client().get(`${base}/campaigns/${camp.id}/interactions`)).statusCode).toBe(401);
    expect((await emp.get(`${base}/campaigns/${camp.id}/interactions`)).statusCode).toBe(403);
    expect(
      (await auditor.post(`${base}/interactions/${id}/override`, { counted: true, reason: "auditor try" }))
        .statusCode,
    ).toBe(403);
    expect(
      (await emp.post(`${base}/interactions/${id}/override`, { counted: true, reason: "employee try" }))
        .statusCode,
    ).toBe(403);
    expect((await h.client().get(`${base}/results`)).statusCode).toBe(401);
    expect((await emp.get(`${base}/results`)).statusCode).toBe(403);
    expect((await emp.get(`${base}/repeat-clickers`)).statusCode).toBe(403);
    expect((await sec.get(`${base}/results?from=yesterday`)).statusCode).toBe(400);
  });
});

describe("results and repeat clickers", () => {
  const day = (iso: string) => new Date(`${iso}T10:00:00Z`);

  async function outcome(
    recipientId: string,
    sentAt: Date,
    stages: { opened?: boolean; clicked?: boolean; submitted?: boolean; reported?: boolean },
  ) {
    const at = new Date(sentAt.getTime() + 3_600_000);
    await h.t.db.query(
      `UPDATE phishing_recipients SET sent_at = $2, send_at = $2, opened_at = $3, clicked_at = $4, submitted_at = $5, reported_at = $6
       WHERE id = $1`,
      [
        recipientId,
        sentAt,
        stages.opened || stages.clicked ? at : null,
        stages.clicked ? at : null,
        stages.submitted ? at : null,
        stages.reported ? at : null,
      ],
    );
  }

  it("gives rates per department, per month and per campaign, filtered by dates and department", async () => {
    const finance = await buildDepartment(hr, "Finance (results)");
    const sales = await buildDepartment(hr, "Sales (results)");
    const march = await seedCampaign(h.t.db, {
      name: "Invoice lure",
      windowStart: day("2026-03-02"),
      windowEnd: day("2026-03-06"),
    });
    const may = await seedCampaign(h.t.db, {
      name: "Parcel lure",
      windowStart: day("2026-05-04"),
      windowEnd: day("2026-05-08"),
    });
    const people = await Promise.all([1, 2, 3, 4].map(() => buildEmployee(h, hr)));
    const ids = people.map((p) => p.person.id);
    const rs = async (c: SeedCampaign, i: number, dept: string) =>
      (await seedRecipient(h.t.db, c.id, ids[i]!, { departmentId: dept })).id;
    await outcome(await rs(march, 0, finance), day("2026-03-03"), { clicked: true, submitted: true });
    await outcome(await rs(march, 1, finance), day("2026-03-03"), { reported: true, opened: true });
    await outcome(await rs(march, 2, sales), day("2026-03-04"), { clicked: true });
    await outcome(await rs(march, 3, sales), day("2026-03-04"), {});
    await outcome(await rs(may, 0, finance), day("2026-05-05"), { clicked: true });
    await outcome(await rs(may, 1, finance), day("2026-05-05"), { reported: true });

    const res = await auditor.get(`${base}/results?from=2026-03-01&to=2026-05-31`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json<{
      byDepartment: {
        departmentName: string;
        recipients: number;
        sent: number;
        opened: number;
        clicked: number;
        submitted: number;
        reported: number;
        clickRate: number;
        reportRate: number;
      }[];
      overTime: {
        period: string;
        sent: number;
        clicked: number;
        reported: number;
        clickRate: number;
        reportRate: number;
      }[];
      campaigns: { name: string; sent: number; clickRate: number; reportRate: number }[];
    }>();
    expect(r.byDepartment).toEqual([
      expect.objectContaining({
        departmentName: "Finance (results)",
        recipients: 4,
        sent: 4,
        opened: 3,
        clicked: 2,
        submitted: 1,
        reported: 2,
        clickRate: 50,
        reportRate: 50,
      }),
      expect.objectContaining({
        departmentName: "Sales (results)",
        recipients: 2,
        sent: 2,
        opened: 1,
        clicked: 1,
        submitted: 0,
        reported: 0,
        clickRate: 50,
        reportRate: 0,
      }),
    ]);
    expect(r.overTime).toEqual([
      { period: "2026-03", sent: 4, clicked: 2, reported: 1, clickRate: 50, reportRate: 25 },
      { period: "2026-05", sent: 2, clicked: 1, reported: 1, clickRate: 50, reportRate: 50 },
    ]);
    expect(r.campaigns.map((c) => [c.name, c.sent, c.clickRate, c.reportRate])).toEqual([
      ["Parcel lure", 2, 50, 50],
      ["Invoice lure", 4, 50, 25],
    ]);
    const onlyMarch = (
      await auditor.get(`${base}/results?from=2026-03-01&to=2026-03-31&departmentId=${sales}`)
    ).json<typeof r>();
    expect(onlyMarch.byDepartment.map((d) => [d.departmentName, d.sent, d.clicked])).toEqual([
      ["Sales (results)", 2, 1],
    ]);
    expect(onlyMarch.campaigns.map((c) => c.name)).toEqual(["Invoice lure"]);
    // One campaign's figures per department (its own page).
    const onlyMay = (await auditor.get(`${base}/results?campaignId=${may.id}`)).json<typeof r>();
    expect(onlyMay.byDepartment.map((d) => [d.departmentName, d.sent, d.clicked, d.reported])).toEqual([
      ["Finance (results)", 2, 1, 1],
    ]);
    expect(onlyMay.campaigns.map((c) => c.name)).toEqual(["Parcel lure"]);
  });

  it("lists repeat clickers for HR without opening an HR case", async () => {
    const now = Date.now();
    const a = await seedCampaign(h.t.db, {
      windowStart: new Date(now - 90 * 86_400_000),
      windowEnd: new Date(now - 85 * 86_400_000),
    });
    const b = await seedCampaign(h.t.db, {
      windowStart: new Date(now - 20 * 86_400_000),
      windowEnd: new Date(now - 15 * 86_400_000),
    });
    const twice = await buildEmployee(h, hr, { legalName: "Casey Twice" });
    const once = await buildEmployee(h, hr, { legalName: "Jo Once" });
    const r1 = await seedRecipient(h.t.db, a.id, twice.person.id);
    const r2 = await seedRecipient(h.t.db, b.id, twice.person.id);
    const r3 = await seedRecipient(h.t.db, b.id, once.person.id);
    for (const [id, daysAgo] of [
      [r1.id, 88],
      [r2.id, 18],
      [r3.id, 17],
    ] as const)
      await outcome(id, new Date(now - daysAgo * 86_400_000), { clicked: true });
    await h.t.db.query(
      `INSERT INTO awareness_assignments (id, person_id, item_type, item_id, cycle, source, reason, due_at)
       VALUES ('01JREPEATFOLLOWUP000000000', $1, 'module', $2, 'phishing:' || $3, 'phishing:' || $3, 'follow-up', now() + interval '30 days')`,
      [twice.person.id, moduleId, b.id],
    );
    const cases = async () =>
      (await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM hr_cases")).rows[0]!.n;
    const before = await cases();

    const res = await hr.get(`${base}/repeat-clickers`);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json<{
      items: { personId: string; name: string; clicks: number; openFollowUp: boolean; lastClickAt: string }[];
    }>().items;
    const mine = items.filter((i) => [twice.person.id, once.person.id].includes(i.personId));
    expect(mine.map((i) => [i.name, i.clicks, i.openFollowUp])).toEqual([["Casey Twice", 2, true]]);
    const recent = (await hr.get(`${base}/repeat-clickers?months=2&minClicks=1`)).json<{
      items: { personId: string; clicks: number }[];
    }>().items;
    expect(recent.filter((i) => i.personId === twice.person.id).map((i) => i.clicks)).toEqual([1]);
    expect(recent.some((i) => i.personId === once.person.id)).toBe(true);
    expect((await hr.get(`${base}/repeat-clickers?minClicks=0`)).statusCode).toBe(400);
    expect(await cases()).toBe(before);
  });
});

describe("the demo", () => {
  it("adds three finished simulations as history, once, with filtered scanner clicks", async () => {
    const dept = await buildDepartment(hr, "Operations (demo)");
    for (let i = 0; i < 12; i++) await buildEmployee(h, hr, { departmentId: dept });
    const first = await seedAwarenessDemo(h.t, { ctx: { actorLabel: "demo-test" } });
    expect(first.phishingCampaigns).toBe(3);
    const r = (await hr.get(`${base}/results?departmentId=${dept}`)).json<{
      byDepartment: { sent: number; opened: number; clicked: number; reported: number }[];
      overTime: { period: string }[];
      campaigns: { name: string; sent: number }[];
    }>();
    expect(r.campaigns.map((c) => [c.name, c.sent])).toEqual([
      ["Your AI assistant licence", 12],
      ["Parcel held at the depot", 12],
      ["Supplier bank details change", 12],
    ]);
    expect(r.byDepartment[0]!.sent).toBe(36);
    expect(r.byDepartment[0]!.opened).toBeGreaterThan(r.byDepartment[0]!.clicked);
    expect(r.overTime.length).toBeGreaterThanOrEqual(3);
    const campaignId = (r.campaigns[0] as unknown as { id: string }).id;
    const list = (await hr.get(`${base}/campaigns/${campaignId}/interactions?counted=false`)).json<Listed>();
    expect(list.total).toBeGreaterThan(0);
    expect(Object.keys(list.filtered).some((k) => ["scanner_range", "too_fast"].includes(k))).toBe(true);
    const campaigns = async () =>
      (
        await h.t.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM phishing_campaigns WHERE created_by = 'demo'",
        )
      ).rows[0]!.n;
    expect(await campaigns()).toBe(3);
    await seedAwarenessDemo(h.t, { ctx: { actorLabel: "demo-test" } });
    expect(await campaigns()).toBe(3);
  });
});
