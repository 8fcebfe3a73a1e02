// Anonymous reporting in a real browser: a visitor without an account reports a phishing
// mail, keeps the follow-up code, Security asks a question in the triage view, the reporter
// answers with the code alone, and Security reads the answer. Pages are checked with axe.
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
  startTandem,
} from "./setup.js";

const PASSWORD = "report journey, checked 7";
const SECURITY = "sam.security@example.test";

let server: E2eServer;
let browser: Browser;
const pages: GuardedPage[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTandem(), launchBrowser()]);
  await insertUser(server.t.db, {
    email: SECURITY,
    displayName: "Sam Security",
    roles: ["security"],
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

describe("anonymous report → follow-up code → question → answer", () => {
  let code = "";

  it("a visitor without an account reports anonymously and gets a code and self-help", async () => {
    const page = await fresh();
    await page.goto("/report");
    await expectHeading(page, "Report something");
    await page.getByLabel(label("In a few words")).fill("Fake parcel notice asking me to log in");
    await page.getByLabel("Who sent it").fill("notice@parcel-track.test");
    await page.getByLabel("Subject").fill("Your parcel is waiting");
    await page.getByLabel("I opened a link in it").check();
    await page.getByLabel("Tell us what happened").fill("<b>The page</b> looked like our login page.");
    await expectAccessible(page, "the public report form");
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "report-form.png");
    await page.getByRole("button", { name: "Send anonymously" }).click();
    const codeBlock = page.getByLabel("Follow-up code");
    await codeBlock.waitFor();
    code = ((await codeBlock.textContent()) ?? "").trim();
    expect(code).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
    await page.getByText("What you can do now").waitFor();
    await expectAccessible(page, "the thank-you with the code");
    const cookies = await page.context().cookies();
    expect(cookies, "the anonymous reporter holds no session").toEqual([]);
  });

  it("Security finds it in the queue and asks a question", async () => {
    const page = await security();
    await page.goto("/reports/triage");
    await expectHeading(page, "Report triage");
    const link = page.getByRole("link", { name: "Fake parcel notice asking me to log in" });
    await link.waitFor();
    await expectAccessible(page, "the triage queue");
    await screenshot(page, "report-triage.png");
    await link.click();
    await page.getByText("<b>The page</b> looked like our login page.").waitFor();
    await page.getByLabel("Message to the reporter").fill("Did you type your password on that page?");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText("Waiting for reporter").first().waitFor();
    await expectAccessible(page, "a report in triage");
  });

  it("the reporter reads the question with the code and answers", async () => {
    const page = await fresh();
    await page.goto("/report/follow-up");
    await expectHeading(page, "Follow up on a report");
    await page.getByLabel(label("Follow-up code")).fill(code.toLowerCase());
    await page.getByRole("button", { name: "Show my report" }).click();
    await page.getByText("Did you type your password on that page?").waitFor();
    await expectAccessible(page, "the follow-up page");
    await page.getByLabel("Reply or add something").fill("No, I closed it straight away.");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText("No, I closed it straight away.").waitFor();
    await page.getByText("In review").first().waitFor();
  });

  it("Security reads the answer", async () => {
    const page = await security();
    await page.goto("/reports/triage");
    await page.getByRole("link", { name: "Fake parcel notice asking me to log in" }).click();
    await page.getByText("No, I closed it straight away.").waitFor();
    await page.getByText("Anonymous reporter").first().waitFor();
  });
});
