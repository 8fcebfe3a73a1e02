import { parse } from "csv-parse/sync";
import { Attribute, Change, type Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildPerson,
  buildProfile,
  buildRole,
  buildSystem,
  entitlementId,
  eventually,
  groupsOf,
  ldapEntry,
  type PersonView,
  syncSystem,
} from "../../test/access.js";
import { startTestApp, TEST_PASSWORD, type TestApp, type TestClient } from "../../test/harness.js";
import { startSlapd, type TestSlapd } from "../../test/slapd.js";
import { createReviewService, type ReviewItemView } from "./index.js";

/**
 * Access reviews end to end: a campaign snapshots the grants on a real slapd, managers keep
 * or revoke, a revocation is carried out by the engine and verified by reading the directory
 * back, and the campaign closes into evidence (CSV and PDF).
 */

type Signed = Awaited<ReturnType<TestApp["signedIn"]>>;

let h: TestApp;
let slapd: TestSlapd;
let admin: Client;
let sec: Signed;
let hr: Signed;
let auditor: Signed;
let systemId: string;
let mgrA: PersonView;
let mgrB: PersonView;
let asA: TestClient;
let asB: TestClient;
let asR1: TestClient;
const reports: Record<"r1" | "r2" | "r3" | "r4", PersonView> = {} as never;
let campaignId: string;

const DAY = 86_400_000;

interface Campaign {
  id: string;
  state: string;
  closeReason: string | null;
  progress: {
    total: number;
    decided: number;
    open: number;
    kept: number;
    revoked: number;
    notReviewed: number;
    flagged: number;
  };
  reviewers: {
    reviewerPersonId: string | null;
    reviewerUserId: string | null;
    total: number;
    decided: number;
  }[];
}

const groupsOfPerson = async (email: string) => {
  const e = await ldapEntry(admin, slapd, email);
  return e ? (await groupsOf(admin, slapd, e.dn)).sort() : undefined;
};

/** Signs in as the Tandem account People made for a person (given the test password). */
async function signInAs(p: PersonView): Promise<TestClient> {
  await h.t.db.query(
    "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE id = $1) WHERE lower(email) = lower($2)",
    [hr.userId, p.workEmail],
  );
  const c = h.client();
  const res = await c.login(p.workEmail, TEST_PASSWORD);
  expect(res.statusCode, res.body).toBe(200);
  return c;
}

async function items(c: TestClient, id: string, query = ""): Promise<ReviewItemView[]> {
  const res = await c.get(`/api/v1/access/reviews/${id}/items?limit=500${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: ReviewItemView[] }>().items;
}

const itemOf = (list: ReviewItemView[], p: PersonView, entitlement: string | null) => {
  const found = list.find(
    (i) =>
      i.personId === p.id &&
      (entitlement === null ? i.kind === "account" : i.entitlementName === entitlement),
  );
  if (!found) throw new Error(`no item for ${p.workEmail} ${entitlement ?? "account"}`);
  return found;
};

const decide = (c: TestClient, itemId: string, body: Record<string, unknown>) =>
  c.post(`/api/v1/access/reviews/items/${itemId}/decision`, body);

async function createCampaign(body: Record<string, unknown>): Promise<Campaign> {
  const res = await sec.post("/api/v1/access/reviews", {
    name: `Review ${Math.random().toString(36).slice(2, 7)}`,
    scope: "manager",
    systemIds: [systemId],
    dueAt: new Date(Date.now() + 10 * DAY).toISOString(),
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Campaign>();
}

async function start(id: string): Promise<Campaign> {
  const res = await sec.post(`/api/v1/access/reviews/${id}/start`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Campaign>();
}

beforeAll(async () => {
  slapd = await startSlapd();
  admin = await slapd.admin();
  h = await startTestApp({}, { jobs: true });
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
  auditor = await h.signedIn(["auditor"]);
  systemId = (await buildSystem(sec, slapd, { name: "Reviewed directory", breakerThreshold: 1 })).id;
  await syncSystem(sec, systemId);
  const engineers = await buildRole(hr, "Reviewed engineer");
  await buildProfile(sec, {
    name: "Reviewed engineers",
    jobRoleId: engineers,
    entitlements: [
      { systemId, entitlementId: await entitlementId(sec, systemId, "engineering") },
      { systemId, entitlementId: await entitlementId(sec, systemId, "vpn") },
    ],
  });
  mgrA = await buildPerson(hr);
  mgrB = await buildPerson(hr);
  reports.r1 = await buildPerson(hr, { jobRoleId: engineers, managerId: mgrA.id });
  reports.r2 = await buildPerson(hr, { jobRoleId: engineers, managerId: mgrA.id });
  reports.r3 = await buildPerson(hr, { jobRoleId: engineers, managerId: mgrB.id });
  reports.r4 = await buildPerson(hr, { jobRoleId: engineers });
  for (const p of Object.values(reports)) {
    await eventually(`groups of ${p.workEmail}`, async () =>
      (await groupsOfPerson(p.workEmail))?.length === 2 ? true : undefined,
    );
  }
  // A group no profile gives, added by hand on the directory.
  const r2 = await ldapEntry(admin, slapd, reports.r2.workEmail);
  await admin.modify(slapd.groups.finance as string, [
    new Change({
      operation: "add",
      modification: new Attribute({ type: "member", values: [r2?.dn as string] }),
    }),
  ]);
  await syncSystem(sec, systemId);
  asA = await signInAs(mgrA);
  asB = await signInAs(mgrB);
  asR1 = await signInAs(reports.r1);
}, 180_000);

afterAll(async () => {
  await admin?.unbind();
  await h?.close();
  await slapd?.stop();
});

describe("a campaign by manager", () => {
  it("snapshots every grant in scope and gives each to the person's manager; no manager: the owner, flagged", async () => {
    const draft = await createCampaign({ name: "Quarterly review, managers" });
    expect(draft.state).toBe("draft");
    campaignId = draft.id;
    const started = await start(campaignId);
    expect(started.state).toBe("active");
    // Each report: the account and its two groups; r2 also the group added by hand.
    expect(started.progress).toMatchObject({ total: 13, decided: 0, open: 13, flagged: 3 });

    const all = await items(sec, campaignId);
    for (const i of all) {
      if (i.personId === reports.r1.id || i.personId === reports.r2.id) {
        expect(i.reviewerPersonId).toBe(mgrA.id);
      } else if (i.personId === reports.r3.id) {
        expect(i.reviewerPersonId).toBe(mgrB.id);
      } else {
        expect(i.personId).toBe(reports.r4.id);
        expect(i).toMatchObject({ reviewerPersonId: null, reviewerUserId: sec.userId, flag: "no_manager" });
      }
    }
    expect(itemOf(all, reports.r2, "finance").state).toBe("open");

    const mine = (await asA.get("/api/v1/me/reviews")).json<{ items: ReviewItemView[] }>().items;
    expect(mine).toHaveLength(7);
    expect(new Set(mine.map((i) => i.personId))).toEqual(new Set([reports.r1.id, reports.r2.id]));
    expect(await items(asB, campaignId, "&reviewer=me")).toHaveLength(3);
    // A reviewer who is not an access reader sees only their own items and their own line.
    expect(await items(asB, campaignId)).toHaveLength(3);
    const seen = (await asB.get(`/api/v1/access/reviews/${campaignId}`)).json<Campaign>();
    expect(seen.reviewers).toEqual([expect.objectContaining({ reviewerPersonId: mgrB.id, total: 3 })]);
    expect(
      (await asB.get("/api/v1/access/reviews")).json<{ items: Campaign[] }>().items.map((c) => c.id),
    ).toEqual([campaignId]);
    // Someone with no part in it does not see it.
    expect((await asR1.get(`/api/v1/access/reviews/${campaignId}`)).statusCode).toBe(404);
    expect((await asR1.get("/api/v1/access/reviews")).json<{ items: Campaign[] }>().items).toEqual([]);
    // Starting twice is refused.
    expect((await sec.post(`/api/v1/access/reviews/${campaignId}/start`)).statusCode).toBe(409);
  });
});

describe("decisions", () => {
  it("keeps with one click, and a revoke (with a reason) removes the LDAP group, verified by read-back", async () => {
    const all = await items(asA, campaignId);
    const kept = await decide(asA, itemOf(all, reports.r1, "engineering").id, { decision: "keep" });
    expect(kept.statusCode, kept.body).toBe(200);
    expect(kept.json<ReviewItemView>()).toMatchObject({
      state: "kept",
      delegate: false,
      decidedBy: mgrA.workEmail,
    });

    const vpn = itemOf(all, reports.r1, "vpn");
    const noReason = await decide(asA, vpn.id, { decision: "revoke" });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("reason");
    const revoked = await decide(asA, vpn.id, { decision: "revoke", reason: "no longer works remotely" });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const planId = revoked.json<ReviewItemView>().planId;
    expect(planId).toBeTruthy();
    const plan = await sec.get(`/api/v1/access/plans/${planId}`);
    expect(plan.json<{ reason: string }>().reason).toBe("review");

    await eventually("vpn gone from the directory", async () => {
      const g = await groupsOfPerson(reports.r1.workEmail);
      return g?.length === 1 ? g : undefined;
    });
    expect(await groupsOfPerson(reports.r1.workEmail)).toEqual(["engineering"]);
    const verified = await eventually("the removal verified", async () => {
      const i = itemOf(await items(sec, campaignId), reports.r1, "vpn");
      return i.removal?.state === "verified" ? i : undefined;
    });
    expect(verified.removal?.verifiedAt).toBeTruthy();
    // The profile still gives vpn, but the revocation stands: a new plan does not grant it back.
    const preview = await sec.post(`/api/v1/access/people/${reports.r1.id}/plan?dryRun=true`);
    expect(preview.json<{ steps: { action: string }[] }>().steps.filter((s) => s.action === "grant")).toEqual(
      [],
    );
  });

  it("decides several items at once, and revokes a group no profile gives", async () => {
    const all = await items(asA, campaignId);
    const keep = await asA.post(`/api/v1/access/reviews/${campaignId}/decisions`, {
      decision: "keep",
      itemIds: [
        itemOf(all, reports.r2, null).id,
        itemOf(all, reports.r2, "engineering").id,
        itemOf(all, reports.r2, "vpn").id,
      ],
      reason: "needed for the job",
    });
    expect(keep.statusCode, keep.body).toBe(200);
    expect(keep.json<{ items: ReviewItemView[] }>().items.map((i) => i.state)).toEqual([
      "kept",
      "kept",
      "kept",
    ]);
    const finance = await asA.post(`/api/v1/access/reviews/${campaignId}/decisions`, {
      decision: "revoke",
      itemIds: [itemOf(all, reports.r2, "finance").id],
      reason: '=HYPERLINK("http://x.test","added by hand, not needed")',
    });
    expect(finance.statusCode, finance.body).toBe(200);
    await eventually("finance gone from the directory", async () => {
      const g = await groupsOfPerson(reports.r2.workEmail);
      return g && !g.includes("finance") ? g : undefined;
    });
    expect(await groupsOfPerson(reports.r2.workEmail)).toEqual(["engineering", "vpn"]);
    const progress = (await sec.get(`/api/v1/access/reviews/${campaignId}`)).json<Campaign>();
    expect(progress.progress).toMatchObject({ total: 13, decided: 6, kept: 4, revoked: 2, open: 7 });
    expect(progress.reviewers.find((r) => r.reviewerPersonId === mgrA.id)).toMatchObject({
      total: 7,
      decided: 6,
    });
  });

  it("refuses a non-reviewer (403), a second decision (409) unless changed on purpose", async () => {
    const all = await items(sec, campaignId);
    const r1Account = itemOf(all, reports.r1, null);
    const byOther = await decide(asB, r1Account.id, { decision: "keep" });
    expect(byOther.statusCode).toBe(403);
    expect(byOther.json<{ code: string }>().code).toBe("access.review_not_reviewer");
    const self = await decide(asR1, r1Account.id, { decision: "keep" });
    expect(self.statusCode).toBe(403);
    expect(self.json<{ code: string }>().code).toBe("access.review_self");
    // Not the whole batch when one item is someone else's.
    const mixed = await asB.post(`/api/v1/access/reviews/${campaignId}/decisions`, {
      decision: "keep",
      itemIds: [itemOf(all, reports.r3, null).id, r1Account.id],
    });
    expect(mixed.statusCode).toBe(403);
    expect(itemOf(await items(sec, campaignId), reports.r3, null).state).toBe("open");

    const engineering = itemOf(all, reports.r1, "engineering");
    const twice = await decide(asA, engineering.id, { decision: "keep" });
    expect(twice.statusCode).toBe(409);
    expect(twice.json<{ code: string }>().code).toBe("access.review_decided");

    // Changing vpn back to keep lifts the revocation: the profile's group comes back.
    const vpn = itemOf(all, reports.r1, "vpn");
    const back = await decide(asA, vpn.id, {
      decision: "keep",
      reason: "asked again, remote work",
      change: true,
    });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json<ReviewItemView>()).toMatchObject({ state: "kept", changes: 1 });
    await eventually("vpn back in the directory", async () => {
      const g = await groupsOfPerson(reports.r1.workEmail);
      return g?.length === 2 ? g : undefined;
    });

    // An access admin may decide for a reviewer: recorded as a delegate decision.
    const delegated = await decide(sec, itemOf(all, reports.r3, null).id, { decision: "keep" });
    expect(delegated.statusCode, delegated.body).toBe(200);
    expect(delegated.json<ReviewItemView>()).toMatchObject({ delegate: true, decidedBy: sec.email });
  });

  it("lets an auditor read and export but not decide", async () => {
    expect((await auditor.get(`/api/v1/access/reviews/${campaignId}`)).statusCode).toBe(200);
    const list = await items(auditor, campaignId);
    expect(list).toHaveLength(13);
    expect((await auditor.get(`/api/v1/access/reviews/${campaignId}/export.csv`)).statusCode).toBe(200);
    const open = list.find((i) => i.state === "open") as ReviewItemView;
    const res = await decide(auditor, open.id, { decision: "keep" });
    expect(res.statusCode).toBe(403);
    expect((await auditor.post(`/api/v1/access/reviews/${campaignId}/close`)).statusCode).toBe(403);
    expect((await asA.get(`/api/v1/access/reviews/${campaignId}/export.csv`)).statusCode).toBe(403);
  });
});

describe("closing and evidence", () => {
  it("closing marks open items not_reviewed; decisions stop", async () => {
    const before = (await sec.get(`/api/v1/access/reviews/${campaignId}`)).json<Campaign>().progress;
    const res = await sec.post(`/api/v1/access/reviews/${campaignId}/close`);
    expect(res.statusCode, res.body).toBe(200);
    const closed = res.json<Campaign>();
    expect(closed).toMatchObject({ state: "closed", closeReason: "manual" });
    expect(closed.progress).toMatchObject({ open: 0, notReviewed: before.open, decided: before.decided });
    const all = await items(sec, campaignId);
    expect(all.filter((i) => i.state === "not_reviewed")).toHaveLength(before.open);
    const late = await decide(sec, all.find((i) => i.state === "not_reviewed")?.id as string, {
      decision: "keep",
    });
    expect(late.statusCode).toBe(409);
    expect(late.json<{ code: string }>().code).toBe("access.review_closed");
    expect((await asA.get("/api/v1/me/reviews")).json<{ items: unknown[] }>().items).toEqual([]);
  });

  it("exports every item as CSV (formula-like text neutralised) and as PDF, each export audited", async () => {
    const csv = await sec.get(`/api/v1/access/reviews/${campaignId}/export.csv`);
    expect(csv.statusCode).toBe(200);
    expect(String(csv.headers["content-type"])).toMatch(/^text\/csv/);
    expect(String(csv.headers["content-disposition"])).toMatch(/attachment; filename=".+\.csv"/);
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    const all = await items(sec, campaignId);
    expect(rows.map((r) => r.item_id).sort()).toEqual(all.map((i) => i.id).sort());
    const finance = rows.find((r) => r.entitlement === "finance");
    expect(finance).toMatchObject({
      decision: "revoked",
      reviewer: expect.any(String),
      exported_by: sec.email,
    });
    expect(finance?.comment).toBe(`'=HYPERLINK("http://x.test","added by hand, not needed")`);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://x.test"",""added by hand, not needed"")"`);
    expect(rows.filter((r) => r.decision === "not_reviewed").length).toBeGreaterThan(0);

    const pdf = await h.t.app.inject({
      method: "GET",
      url: `/api/v1/access/reviews/${campaignId}/export.pdf`,
      headers: { cookie: [...sec.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString("latin1")).toBe("%PDF-");

    const audit = await h.t.db.query<{ format: string; actor: string }>(
      `SELECT details->>'format' AS format, actor_label AS actor FROM audit_log
       WHERE action = 'access.review_exported' AND target_id = $1 ORDER BY seq`,
      [campaignId],
    );
    expect(audit.rows.map((r) => r.format)).toEqual(["csv", "csv", "pdf"]);
    expect(audit.rows.at(-1)?.actor).toBe(sec.email);
    const decisions = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'access.review_decided' AND details->>'campaignId' = $1",
      [campaignId],
    );
    expect(decisions.rowCount).toBe(8);
  });
});

describe("a grant that came from an access request", () => {
  it("ends the request when revoked, and the engine removes the group", async () => {
    const policy = await sec.patch(`/api/v1/access/systems/${systemId}/request-policy`, {
      approvalChain: "manager",
    });
    expect(policy.statusCode, policy.body).toBe(200);
    const r3 = reports.r3;
    const asR3 = await signInAs(r3);
    const asked = await asR3.post("/api/v1/access/requests", {
      systemId,
      entitlementId: await entitlementId(sec, systemId, "finance"),
      reason: "month-end close",
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const requestId = asked.json<{ id: string }>().id;
    const approved = await asB.post(`/api/v1/access/requests/${requestId}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    await eventually("finance granted", async () =>
      (await groupsOfPerson(r3.workEmail))?.includes("finance") ? true : undefined,
    );
    await syncSystem(sec, systemId);

    const c = await createCampaign({ name: "After the request" });
    await start(c.id);
    const finance = itemOf(await items(asB, c.id), r3, "finance");
    const res = await decide(asB, finance.id, { decision: "revoke", reason: "month-end is over" });
    expect(res.statusCode, res.body).toBe(200);
    const request = (await sec.get(`/api/v1/access/requests/${requestId}`)).json<{
      state: string;
      endReason: string;
    }>();
    expect(request.state).toBe("ended");
    expect(request.endReason).toContain("month-end is over");
    await eventually("finance removed", async () => {
      const g = await groupsOfPerson(r3.workEmail);
      return g && !g.includes("finance") ? g : undefined;
    });
    const plans = await h.t.db.query<{ reason: string }>(
      "SELECT reason FROM access_plans WHERE person_id = $1 AND created_at >= $2::timestamptz ORDER BY created_at",
      [r3.id, res.json<ReviewItemView>().decidedAt],
    );
    expect(plans.rows.map((p) => p.reason)).toEqual(["review"]);
  });
});

describe("by system owner, reminders and the due date", () => {
  it("gives items to the system's owner, reminds before and after the due date, closes itself when due", async () => {
    const patch = await sec.patch(`/api/v1/access/systems/${systemId}`, { ownerPersonId: mgrB.id });
    expect(patch.statusCode, patch.body).toBe(200);
    const due = Date.now() + 2 * DAY;
    const c = await createCampaign({
      scope: "system_owner",
      dueAt: new Date(due).toISOString(),
      reminderDays: [3, 1],
      autoClose: false,
    });
    const started = await start(c.id);
    expect(started.progress.total).toBeGreaterThan(0);
    expect(started.progress.flagged).toBe(0);
    expect((await items(sec, c.id)).every((i) => i.reviewerPersonId === mgrB.id)).toBe(true);

    const reviews = createReviewService({
      db: h.t.db,
      jobs: h.t.jobs,
      access: h.t.access,
      config: h.t.config,
    });
    const reminders = async () =>
      (
        await h.t.db.query<{ slot: string; target: string }>(
          `SELECT details->>'slot' AS slot, target_id AS target FROM audit_log
           WHERE action = 'access.review_reminder' AND details->>'campaignId' = $1 ORDER BY seq`,
          [c.id],
        )
      ).rows;
    await reviews.tick(new Date());
    await reviews.tick(new Date());
    expect(await reminders()).toEqual([{ slot: "3d", target: mgrB.id }]);
    await reviews.tick(new Date(due - DAY / 2));
    await reviews.tick(new Date(due + 60_000));
    await reviews.tick(new Date(due + 60_000));
    const overdueDay = new Date(due + 60_000).toISOString().slice(0, 10);
    expect((await reminders()).map((r) => r.slot)).toEqual(["3d", "1d", overdueDay]);
    expect((await sec.get(`/api/v1/access/reviews/${c.id}`)).json<Campaign>().state).toBe("active");

    // A campaign that closes by itself does so at the due date.
    const auto = await createCampaign({ dueAt: new Date(due).toISOString() });
    await start(auto.id);
    expect((await reviews.tick(new Date(due - 60_000))).closed).not.toContain(auto.id);
    expect((await reviews.tick(new Date(due + 60_000))).closed).toContain(auto.id);
    const closed = (await sec.get(`/api/v1/access/reviews/${auto.id}`)).json<Campaign>();
    expect(closed).toMatchObject({ state: "closed", closeReason: "due" });
    expect(closed.progress.notReviewed).toBe(closed.progress.total);
  });

  it("refuses bad input naming the field", async () => {
    const past = await sec.post("/api/v1/access/reviews", {
      name: "Late",
      scope: "manager",
      dueAt: new Date(Date.now() - DAY).toISOString(),
    });
    expect(past.statusCode).toBe(422);
    expect(past.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("dueAt");
    const unknown = await sec.post("/api/v1/access/reviews", {
      name: "Unknown system",
      scope: "manager",
      systemIds: [systemId, "01J00000000000000000000000"],
      dueAt: new Date(Date.now() + DAY).toISOString(),
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("systemIds.1");
    expect((await asA.post("/api/v1/access/reviews", { name: "x", scope: "manager" })).statusCode).toBe(403);
  });
});
