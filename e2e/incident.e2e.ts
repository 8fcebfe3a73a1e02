// From an anonymous report to a closed incident in a real browser: a visitor reports a
// phishing mail anonymously and keeps the follow-up code, Security asks a question, the
// reporter answers with the code alone, Security opens a sev2 incident from the report,
// writes the blameless post-mortem and closes the incident. Pages are checked with axe.
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hashPassword, insertUser } from "../server/src/platform/auth/index.js";
import { expectHeading, label } from "./people-journey.js";
import {
  type E2eServer,
  expectAccessible,
  type GuardedPage,
  launchBrowser,
  openPage,
  screenshot,
  settle,
  startTandem,
} from "./setup.js";

const PASSWORD = "incident journey, checked 9";
const SECURITY = "ines.incident@example.test";
const TITLE = "Invoice mail with a fake sign-in link";

let server: E2eServer;
let browser: Browser;
const pages: GuardedPage[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTandem(), launchBrowser()]);
  await insertUser(server.t.db, {
    email: SECURITY,
    displayName: "Ines Incident",
    roles: ["security", "legal"],
    passwordHash: await hashPassword(PASSWORD),
  });
}, 120_000);

afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function fresh(): Promise<Page> {
  const guarded = await openPage(browser, server.url);
  pages.push(guarded);
  return guarded.page;
}

async function security(): Promise<Page> {
  const page = await fresh();
  await page.goto("/signin");
  await page.getByLabel(label("Email")).fill(SECURITY);
  await page.getByLabel(label("Password")).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectHeading(page, /^Welcome/);
  return page;
}

describe("anonymous report → question → answer → incident → post-mortem → closed", () => {
  let code = "";
  let reportId = "";
  let incidentUrl = "";

  it("a visitor reports anonymously and keeps the follow-up code", async () => {
    const page = await fresh();
    await page.goto("/report");
    await expectHeading(page, "Report something");
    await page.getByLabel(label("In a few words")).fill(TITLE);
    await page.getByLabel("Who sent it").fill("billing@invoices-portal.test");
    await page.getByLabel("Subject").fill("Invoice 2291 overdue");
    await page.getByLabel("I opened a link in it").check();
    await page.getByLabel("Tell us what happened").fill("The link asked for my work password.");
    await page.getByRole("button", { name: "Send anonymously" }).click();
    const codeBlock = page.getByLabel("Follow-up code");
    await codeBlock.waitFor();
    code = ((await codeBlock.textContent()) ?? "").trim();
    expect(code.length).toBeGreaterThan(20);
  });

  it("Security asks the reporter a question", async () => {
    const page = await security();
    await page.goto("/reports/triage");
    await page.getByRole("link", { name: TITLE }).click();
    await page.waitForURL(/\/reports\/triage\/[0-9A-Z]+$/);
    reportId = page.url().split("/").pop() as string;
    await page.getByLabel("Message to the reporter").fill("Did you enter your password on that page?");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText("Waiting for reporter").first().waitFor();
  });

  it("the reporter answers with the code alone", async () => {
    const page = await fresh();
    await page.goto("/report/follow-up");
    await page.getByLabel(label("Follow-up code")).fill(code);
    await page.getByRole("button", { name: "Show my report" }).click();
    await page.getByText("Did you enter your password on that page?").waitFor();
    await page.getByLabel("Reply or add something").fill("Yes, I typed it before I noticed the address.");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText("Yes, I typed it before I noticed the address.").waitFor();
  });

  it("Security opens a sev2 incident from the report with the phishing playbook", async () => {
    const page = await security();
    await page.goto(`/incidents?fromReport=${reportId}`);
    const dialog = page.getByRole("dialog", { name: "Open an incident" });
    await dialog.waitFor();
    await dialog.getByLabel(label("Title")).fill("Credentials phished through invoice mail");
    await dialog.getByRole("combobox", { name: label("Severity") }).click({ force: true });
    await page.getByRole("option", { name: "SEV2 · high" }).click();
    await dialog.getByRole("combobox", { name: "Playbook" }).click({ force: true });
    await page.getByRole("option", { name: "Phishing compromise" }).click();
    await settle(page);
    await expectAccessible(page, "the new incident form");
    await dialog.getByRole("button", { name: "Open incident" }).click();
    await page.waitForURL(/\/incidents\/[0-9A-Z]+$/);
    incidentUrl = new URL(page.url()).pathname;
    await expectHeading(page, /^INC-\d{4}: Credentials phished through invoice mail$/);
    await page.getByText(TITLE).waitFor();
    await expectAccessible(page, "an incident");
    await screenshot(page, "incident.png");
    await page.getByRole("tab", { name: /^Tasks/ }).click();
    await page.getByText("Reset the password and revoke the sessions of affected accounts").waitFor();
    // The report now says it was escalated.
    const r = await server.t.db.query<{ status: string; incident_id: string }>(
      "SELECT status, incident_id FROM reports WHERE id = $1",
      [reportId],
    );
    expect(r.rows[0]?.status).toBe("escalated");
    expect(incidentUrl.endsWith(r.rows[0]?.incident_id as string)).toBe(true);
  });

  it("a sev2 closes only after the blameless post-mortem", async () => {
    const page = await security();
    await page.goto(incidentUrl);
    const changeStatus = page.getByRole("button", { name: "Change status" });
    await changeStatus.click();
    await page.getByRole("menuitem", { name: "Resolved" }).click();
    await page.getByText("Resolved", { exact: true }).first().waitFor();
    await changeStatus.click();
    await page.getByRole("menuitem", { name: "Closed" }).click();
    await page
      .getByText("Sev1 and sev2 incidents close after their blameless post-mortem is completed")
      .waitFor();

    await page.getByRole("tab", { name: "Post-mortem" }).click();
    await page.getByText("There is no field for fault or blame").waitFor();
    await page
      .getByLabel("What happened")
      .fill("A look-alike invoice mail led to one password being entered on a fake page.");
    await page
      .getByLabel("Timeline summary")
      .fill("09:10 mail received; 09:25 reported anonymously; 09:40 password reset.");
    await page
      .getByLabel("Contributing factors")
      .fill("The sender domain was new and not flagged; the page copied our sign-in.");
    await page
      .getByLabel("What we change")
      .fill("Flag newly registered domains; phishing-resistant MFA for finance.");
    await expectAccessible(page, "the post-mortem");
    await page.getByRole("button", { name: "Complete post-mortem" }).click();
    await page.getByText(/^Completed /).waitFor();

    await changeStatus.click();
    await page.getByRole("menuitem", { name: "Closed" }).click();
    await page.getByRole("button", { name: "Change status" }).waitFor({ state: "detached" });
    await page.getByText("Closed", { exact: true }).first().waitFor();
    const i = await server.t.db.query<{ status: string }>(
      "SELECT status FROM incidents WHERE reference LIKE 'INC-%'",
    );
    expect(i.rows.map((x) => x.status)).toEqual(["closed"]);
  });
});
