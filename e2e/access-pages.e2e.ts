// The access governance pages in a real browser over `tandem demo` data: the dashboard,
// reconciliation and findings, separation of duties, reviews, certificates, requests and
// my access. Each page is checked with axe; three are saved as screenshots for the docs.
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedAccessDemo } from "../server/src/modules/access/index.js";
import { type DemoResult, seedPeopleDemo } from "../server/src/modules/people/index.js";
import { ensureFirstAdmin, FIRST_ADMIN_EMAIL, hashPassword } from "../server/src/platform/auth/index.js";
import { TestClient } from "../server/src/test/harness.js";
import { expectHeading, label } from "./people-journey.js";
import {
  type E2eServer,
  expectAccessible,
  type GuardedPage,
  launchBrowser,
  openPage,
  screenshot,
  startTandem,
  waitFor,
} from "./setup.js";

const PASSWORD = "demo pages, checked 9";
const CTX = { actorLabel: "e2e" };

let server: E2eServer;
let browser: Browser;
let demo: DemoResult;
const pages: GuardedPage[] = [];

type Role = "security" | "manager" | "employee";

beforeAll(async () => {
  [server, browser] = await Promise.all([startTandem(), launchBrowser()]);
  const t = server.t;
  await ensureFirstAdmin(t.db, t.auth);
  demo = await seedPeopleDemo(
    {
      db: t.db,
      people: t.people,
      envelope: t.envelope,
      auth: t.auth,
      checksRetentionDays: server.t.config.TANDEM_CHECKS_RETENTION_DAYS,
    },
    { ctx: CTX, setupLinkHours: 1 },
  );
  const admin = await t.db.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [
    FIRST_ADMIN_EMAIL,
  ]);
  await seedAccessDemo({ app: t.app, db: t.db, access: t.access, publicUrl: server.url }, demo.ids, {
    ctx: CTX,
    adminUserId: admin.rows[0]!.id,
  });
  const hash = await hashPassword(PASSWORD);
  for (const role of ["security", "manager", "employee"] as const) {
    await t.db.query("UPDATE users SET password_hash = $1 WHERE id = $2", [
      hash,
      demo.ids.accounts[role].userId,
    ]);
  }
  // Let the server provision the organisation first (joiner plans), as after `tandem demo`;
  // then a reconciliation of every system, so the findings and the dashboard show something.
  await waitFor(
    async () => {
      const r = await t.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM access_plans WHERE state IN ('running', 'draft')",
      );
      return r.rows[0]?.n === 0;
    },
    "the demo organisation to be provisioned",
    { timeout: 60_000, interval: 1_000 },
  ).catch(() => undefined);
  const sec = new TestClient(t);
  expect((await sec.login(demo.ids.accounts.security.email, PASSWORD)).statusCode).toBe(200);
  const run = await sec.post("/api/v1/access/reconcile", {});
  expect(run.statusCode, run.body).toBe(202);
  const runId = run.json<{ runId: string }>().runId;
  await waitFor(
    async () => {
      const r = await sec.get(`/api/v1/access/reconcile/runs/${runId}`);
      return ["done", "partial", "failed"].includes(r.json<{ state: string }>().state);
    },
    "the reconciliation to finish",
    { timeout: 120_000, interval: 500 },
  );
}, 540_000);

afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedIn(role: Role): Promise<Page> {
  const guarded = await openPage(browser, server.url);
  pages.push(guarded);
  const page = guarded.page;
  await page.goto("/signin");
  await page.getByLabel(label("Email")).fill(demo.ids.accounts[role].email);
  await page.getByLabel(label("Password")).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectHeading(page, /^Welcome/);
  return page;
}

async function visit(page: Page, path: string, heading: string | RegExp, ready?: string | RegExp) {
  await page.goto(path);
  await expectHeading(page, heading);
  if (ready) await page.getByText(ready).first().waitFor({ timeout: 30_000 });
}

describe("Access governance pages", () => {
  it("Security: dashboard, reconciliation, findings, SoD rules, reviews and certificates pass axe", async () => {
    const page = await signedIn("security");
    await visit(page, "/access/dashboard", "Access dashboard", "Time to verified revocation per system");
    await page.getByText("Workplace suite (demo app)").first().waitFor();
    await expectAccessible(page, "the access dashboard");
    await screenshot(page, "access-dashboard.png");

    await visit(page, "/access/reconcile", "Reconciliation", /^Done|^Partly done/);
    await expectAccessible(page, "the reconciliation runs");
    await visit(page, "/access/findings?state=all", "Findings");
    await page
      .getByRole("table", { name: "Findings" })
      .or(page.getByText("No findings here"))
      .first()
      .waitFor();
    await expectAccessible(page, "the findings");

    await visit(page, "/access/sod-rules", "Separation of duties", "Approve and pay");
    await expectAccessible(page, "the separation-of-duties rules");
    await page.getByRole("button", { name: "Add rule" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a separation-of-duties rule" });
    await dialog.getByRole("button", { name: "Add rule" }).click();
    await dialog.getByText("Give the rule a name").waitFor();
    await expectAccessible(page, "the add-rule form with its errors");
    await dialog.getByRole("button", { name: "Cancel" }).click();

    await visit(page, "/access/reviews", "Access reviews");
    const campaign = page.getByRole("table", { name: "Access review campaigns" }).getByRole("link").first();
    await campaign.click();
    await page.getByRole("heading", { level: 2, name: "Reviewers" }).waitFor();
    await expectAccessible(page, "a review campaign");

    await visit(page, "/access/certificates", "Revocation certificates");
    const verify = page.getByRole("button", { name: /^Verify the certificate of/ }).first();
    await verify.click();
    await page.getByText("Verified against the audit chain").waitFor();
    await expectAccessible(page, "the certificates with a verified one");

    await visit(page, "/access/requests?view=all", "Access requests");
    await page.getByRole("table", { name: "Access requests" }).waitFor();
    await expectAccessible(page, "every access request");
  }, 240_000);

  it("A manager keeps a grant in one click on their review page and sees the request waiting for them", async () => {
    const page = await signedIn("manager");
    await visit(page, "/access/my-reviews", "My reviews");
    const table = page.getByRole("table", { name: "Review items" });
    await table.waitFor();
    const before = await table.getByRole("row").count();
    await screenshot(page, "access-review.png");
    await expectAccessible(page, "my reviews");
    await table
      .getByRole("button", { name: /^Keep / })
      .first()
      .click();
    await waitFor(
      async () => (await table.getByRole("row").count()) < before,
      "the kept item to leave the open list",
    );

    await visit(page, "/access/requests?view=approve", "Access requests");
    await page.getByRole("table", { name: "Access requests" }).getByRole("link").first().click();
    await page.getByRole("heading", { level: 2, name: "Approval chain" }).waitFor();
    await page.getByRole("button", { name: "Approve" }).waitFor();
    await expectAccessible(page, "a request waiting for the manager");
  }, 180_000);

  it("An employee sees their access and why, and the request form reports separation of duties", async () => {
    const page = await signedIn("employee");
    await visit(page, "/my-access", "My access", "Workplace suite (demo app)");
    await page
      .getByText(/^Role: /)
      .first()
      .waitFor();
    await expectAccessible(page, "my access");
    await screenshot(page, "my-access.png");

    await visit(page, "/access/requests", "Access requests");
    await page.getByRole("table", { name: "Access requests" }).waitFor();
    await expectAccessible(page, "my requests");

    await visit(page, "/access/request", "Request access");
    await page.getByRole("button", { name: "Send the request" }).click();
    await page.getByText("Choose a system").waitFor();
    await expectAccessible(page, "the request form with its errors");
    // finance-approvers with payments-admins (asked for already) crosses the demo's "Approve and pay" rule.
    await page.getByLabel(label("System")).first().click();
    await page.getByRole("option", { name: "Workplace suite (demo app)" }).click();
    await page.getByLabel(label("What you need")).first().click();
    await page.getByRole("option", { name: /^finance-approvers/ }).click();
    await page.getByLabel(label("Why you need it")).fill("Covering approvals during the audit");
    await page.getByRole("button", { name: "Send the request" }).click();
    await page.getByText("Separation of duties: a justification is needed").waitFor();
    await page
      .getByText(/Approve and pay/)
      .first()
      .waitFor();
    await expectAccessible(page, "the request form reporting separation of duties");
  }, 180_000);
});
