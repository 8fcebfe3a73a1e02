// A phishing simulation from end to end in a real browser: Security creates a campaign from a
// starter template for one small department and schedules it; the mails arrive in a real SMTP
// sink; one recipient opens the link in a browser (landing page, then the teachable moment);
// the other forwards the mail as an attachment to Tandem's report address; the campaign page
// then counts one click and one report. Pages are checked with axe.
import type { AddressInfo } from "node:net";
import AxeBuilder from "@axe-core/playwright";
import { type ParsedMail, simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import type { Browser, Page } from "playwright-core";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hashPassword, insertUser } from "../server/src/platform/auth/index.js";
import { TestClient } from "../server/src/test/harness.js";
import { expectHeading, goToNav, label } from "./people-journey.js";
import {
  type E2eServer,
  expectAccessible,
  type GuardedPage,
  launchBrowser,
  openPage,
  screenshot,
  settle,
  startTandem,
  waitFor,
} from "./setup.js";

const SEC = { email: "sam.sec@example.test", name: "Sam Okafor", password: "phish responsibly, 7 times" };
const HR = { email: "hana.hr@example.test", name: "Hana Moyo", password: "people first, always 7" };
const REPORT_ADDRESS = "phishing@example.test";
const ADA = { name: "Ada Dube", email: "ada.dube@corp.test" };
const BEN = { name: "Ben Khumalo", email: "ben.khumalo@corp.test" };
const CLEO = { name: "Cleo Naidoo", email: "cleo.naidoo@corp.test" };
const CAMPAIGN = "Treasury: shared document";
const TEMPLATE = "Document shared with you";
/** A request sooner than this after delivery is taken for a machine (set low so the journey is quick). */
const MIN_SECONDS = 2;
/** The user agent of an ordinary desktop Chrome. */
const PERSON_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

interface SinkMail {
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

let server: E2eServer;
let browser: Browser;
let sink: SMTPServer;
const inbox: SinkMail[] = [];
const pages: GuardedPage[] = [];
let campaignId = "";

/** A mail server that accepts everything and keeps each message as received. */
async function startSink(): Promise<number> {
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            inbox.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw, parsed });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  return (sink.server.address() as AddressInfo).port;
}

async function client(u: { email: string; password: string }): Promise<TestClient> {
  const c = new TestClient(server.t);
  const res = await c.login(u.email, u.password);
  if (res.statusCode !== 200) throw new Error(`sign-in ${u.email}: ${res.body}`);
  return c;
}

beforeAll(async () => {
  const sinkPort = await startSink();
  [server, browser] = await Promise.all([
    startTandem({
      env: {
        TANDEM_PHISHING_SMTP_URL: `smtp://127.0.0.1:${sinkPort}`,
        TANDEM_PHISHING_MIN_SECONDS: String(MIN_SECONDS),
        TANDEM_REPORT_SMTP_PORT: "0",
        TANDEM_REPORT_ADDRESSES: REPORT_ADDRESS,
      },
    }),
    launchBrowser(),
  ]);
  // What `tandem serve` does on first start: the starter training and phishing templates.
  await server.t.awareness.seedStarter();
  for (const [u, roles] of [
    [SEC, ["security"]],
    [HR, ["hr"]],
  ] as const) {
    await insertUser(server.t.db, {
      email: u.email,
      displayName: u.name,
      roles: [...roles],
      passwordHash: await hashPassword(u.password),
    });
  }
  // HR's directory: two people in Treasury (the campaign's audience), one in Sales.
  const hr = await client(HR);
  const dept = async (name: string) => {
    const r = await hr.post("/api/v1/departments", { name });
    expect(r.statusCode, r.body).toBe(201);
    return r.json<{ id: string }>().id;
  };
  const treasury = await dept("Treasury");
  const sales = await dept("Sales");
  for (const [i, p, departmentId] of [
    [1, ADA, treasury],
    [2, BEN, treasury],
    [3, CLEO, sales],
  ] as const) {
    const r = await hr.post("/api/v1/people", {
      employeeNumber: `P00${i}`,
      legalName: p.name,
      workEmail: p.email,
      departmentId,
      status: "active",
    });
    expect(r.statusCode, r.body).toBe(201);
  }
}, 180_000);

afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
});

async function fresh(): Promise<GuardedPage> {
  const guarded = await openPage(browser, server.url);
  pages.push(guarded);
  return guarded;
}

async function security(): Promise<Page> {
  const { page } = await fresh();
  await page.goto("/signin");
  await page.getByLabel(label("Email")).fill(SEC.email);
  await page.getByLabel(label("Password")).fill(SEC.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectHeading(page, `Welcome, ${SEC.name.split(" ")[0]}`);
  return page;
}

/**
 * axe (WCAG 2.0/2.1 A and AA) on a page that shows a mail preview. The preview is the
 * template author's HTML inside an iframe with an empty sandbox, where no script may run, so
 * axe cannot be injected there (it would wait for ever); it checks everything around it,
 * the iframe's own title included.
 */
async function expectAccessibleAroundMail(page: Page, what: string): Promise<void> {
  await settle(page);
  const frames = await page.locator("iframe[sandbox]").count();
  expect(frames, `a sandboxed mail preview on ${what}`).toBeGreaterThan(0);
  for (const title of await page
    .locator("iframe[sandbox]")
    .evaluateAll((els) => els.map((e) => e.getAttribute("title") ?? ""))) {
    expect(title, "the preview frame's title").toMatch(/^Preview of the mail: /);
  }
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .exclude("iframe[sandbox]")
    .analyze();
  expect(results.passes.length, `axe checked nothing on ${what}`).toBeGreaterThan(0);
  const violations = results.violations.map(
    (v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(violations, `accessibility violations on ${what}`).toEqual([]);
}

/** yyyy-mm-ddThh:mm in UTC (the browser runs in UTC), `seconds` from now. */
function localMinute(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString().slice(0, 16);
}

const mailTo = (email: string) => inbox.find((m) => m.to.includes(email));
const trackingLink = (m: SinkMail) => {
  const found = (m.parsed.text ?? "").match(/https?:\/\/\S+\/t\/c\/[A-Za-z0-9_-]+/);
  if (!found) throw new Error(`no tracking link in the mail to ${m.to.join(", ")}`);
  return found[0];
};

describe("phishing simulation: campaign → mail → click → report → results", () => {
  it("Security creates a campaign for Treasury from a starter template and schedules it", async () => {
    const page = await security();
    await goToNav(page, "Phishing campaigns", "Phishing campaigns");
    await page.getByText("No campaigns yet").waitFor();
    await expectAccessible(page, "the empty campaign list");

    await page.getByRole("button", { name: "New campaign" }).click();
    const dialog = page.getByRole("dialog", { name: "New phishing campaign" });
    await dialog.getByLabel(label("Campaign name")).fill(CAMPAIGN);
    await dialog.getByRole("combobox", { name: label("Template") }).click({ force: true });
    await page.getByRole("option", { name: new RegExp(`^${TEMPLATE}`) }).click();
    // The template's mail is shown in a sandboxed frame, with sample values merged in.
    const frame = dialog.locator("iframe");
    await frame.waitFor();
    expect(await frame.getAttribute("sandbox")).toBe("");
    expect(await frame.getAttribute("srcdoc")).not.toContain("{{");
    await dialog.getByLabel("Everyone who works here").uncheck();
    await dialog.getByRole("combobox", { name: "Departments" }).click({ force: true });
    await page.getByRole("option", { name: "Treasury", exact: true }).click();
    await page.keyboard.press("Escape");
    await dialog.getByLabel(label("Sending starts")).fill(localMinute(0));
    await dialog.getByLabel(label("Sending ends")).fill(localMinute(120));
    await expectAccessibleAroundMail(page, "the new campaign dialog");
    await dialog.getByRole("button", { name: "Create draft" }).click();

    await expectHeading(page, CAMPAIGN);
    campaignId = new URL(page.url()).pathname.split("/").pop() ?? "";
    expect(campaignId).not.toBe("");
    await page.getByText("Recipients are chosen from the audience when the campaign is scheduled.").waitFor();
    await page.getByRole("button", { name: "Schedule", exact: true }).click();
    await page
      .getByRole("group", { name: "Confirm action" })
      .getByRole("button", { name: "Schedule" })
      .click();
    const done = page.getByRole("dialog", { name: "Campaign scheduled" });
    await done.getByText("2 mail(s) will go out during the window.").waitFor();
    await done.getByRole("button", { name: "Close", exact: true }).click();
    await page.getByRole("table", { name: "Recipients" }).getByText(ADA.name).waitFor();
    await expectAccessible(page, "a scheduled campaign");
  }, 180_000);

  it("the mails arrive in the SMTP sink, one per person in Treasury, each with its own link", async () => {
    await waitFor(() => inbox.length >= 2, "two simulation mails in the sink", {
      timeout: 200_000,
      interval: 500,
    });
    const ada = mailTo(ADA.email);
    const ben = mailTo(BEN.email);
    expect(ada, "Ada's mail").toBeDefined();
    expect(ben, "Ben's mail").toBeDefined();
    expect(mailTo(CLEO.email), "nothing for Sales").toBeUndefined();
    for (const m of [ada!, ben!]) {
      expect(m.parsed.headers.get("x-tandem-simulation")).toBeTruthy();
      expect(m.parsed.subject ?? "").not.toContain("{{");
      expect(m.parsed.text ?? "").not.toContain("{{");
      expect(trackingLink(m).startsWith(`${server.url}/t/c/`)).toBe(true);
    }
    expect(ada!.parsed.text).toContain("Ada");
    expect(trackingLink(ada!)).not.toBe(trackingLink(ben!));
  }, 240_000);

  it("Ada opens her link in a browser: the sign-in look-alike, then the teachable moment", async () => {
    const { context, page } = await fresh();
    // Ada's own browser, not an automated one: without this Chromium announces that it is
    // driven (navigator.webdriver, "HeadlessChrome"), and Tandem rightly does not count it.
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, "webdriver", { get: () => false });
    });
    await context.setExtraHTTPHeaders({ "user-agent": PERSON_UA });
    // People read their mail some seconds after it arrives; sooner is taken for a scanner.
    await new Promise((resolve) => setTimeout(resolve, (MIN_SECONDS + 1) * 1000));
    const confirmed = page.waitForResponse((r) => /\/t\/c\/[^/]+\/confirm/.test(r.url()));
    await page.goto(trackingLink(mailTo(ADA.email)!));
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.mouse.move(200, 200);
    await page.mouse.move(260, 240);
    expect((await confirmed).status()).toBe(204);
    await page.getByLabel("E-mail address").fill(ADA.email);
    await page.getByLabel("Password").fill("not my real password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expectHeading(page, "Let's look at that mail together");
    await page.getByText("This was a phishing simulation by your security team.").waitFor();
    await page.getByRole("heading", { name: "Next time: report it" }).waitFor();
    await expectAccessible(page, "the teachable moment");
    expect(await context.cookies(), "the recipient holds no session").toEqual([]);
  }, 120_000);

  it("Ben forwards his mail as an attachment to the report address", async () => {
    // First the mail gateway's link checker looks at his link: recorded, never counted.
    const checked = await fetch(trackingLink(mailTo(BEN.email)!), { method: "HEAD" });
    expect(checked.status).toBe(200);
    const addr = server.t.reports.smtpAddress();
    expect(addr).not.toBeNull();
    const transport = nodemailer.createTransport({
      host: addr!.host,
      port: addr!.port,
      secure: false,
      ignoreTLS: true,
    });
    try {
      const ben = mailTo(BEN.email)!;
      const info = await transport.sendMail({
        from: `${BEN.name} <${BEN.email}>`,
        to: REPORT_ADDRESS,
        subject: `Fwd: ${ben.parsed.subject ?? ""}`,
        text: "This looks like phishing to me.",
        attachments: [{ filename: "suspicious.eml", content: ben.raw, contentType: "message/rfc822" }],
      });
      expect(info.response).toMatch(/^250/);
    } finally {
      transport.close();
    }
  });

  it("the campaign page counts one click and one report", async () => {
    const api = await client(SEC);
    await waitFor(
      async () => {
        const c = (await api.get(`/api/v1/awareness/phishing/campaigns/${campaignId}`)).json<{
          counts: { clicked: number; reported: number };
        }>();
        if (c.counts.clicked === 1 && c.counts.reported === 1) return true;
        // Not yet: say what was tracked, so a timeout explains itself.
        const tracked = await api.get(`/api/v1/awareness/phishing/campaigns/${campaignId}/interactions`);
        throw new Error(`counts ${JSON.stringify(c.counts)}; tracked ${tracked.body}`);
      },
      "one click and one report counted",
      { timeout: 60_000, interval: 500 },
    );
    const page = await security();
    await page.goto(`/awareness/phishing/campaigns/${campaignId}`);
    await expectHeading(page, CAMPAIGN);
    await page
      .getByRole("img", { name: /^Funnel: Sent 2, Opened \d, Clicked 1, Submitted 1, Reported 1$/ })
      .waitFor();
    const recipients = page.getByRole("table", { name: "Recipients" });
    await recipients.getByText(ADA.name).waitFor();
    await recipients.getByText(BEN.name).waitFor();
    await expectAccessible(page, "the campaign page");
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "phishing-campaign.png");

    // Filtered to Ada who clicked: Ben is not listed.
    await page.getByRole("combobox", { name: "Reached stage" }).click({ force: true });
    await page.getByRole("option", { name: "Clicked", exact: true }).click();
    await recipients.getByText(BEN.name).waitFor({ state: "detached" });
    await recipients.getByText(ADA.name).waitFor();

    await page.getByRole("tab", { name: "Per department" }).click();
    await page.getByRole("table", { name: "Per department" }).getByText("Treasury").waitFor();
    // The link checker's request is listed with the reason it was not counted; Security
    // confirms that decision with a reason of their own (audited).
    await page.getByRole("tab", { name: "Filtered requests" }).click();
    const filtered = page.getByRole("table", { name: "Filtered requests" });
    const row = filtered.getByRole("row").filter({ hasText: BEN.name });
    await row.getByText("A HEAD request (link checkers)").waitFor();
    await page
      .getByRole("list", { name: "Not counted, by reason" })
      .getByText(/HEAD request.*: 1$/)
      .waitFor();
    await expectAccessible(page, "the filtered requests");
    await row.getByRole("button", { name: /^Override .* by Ben Khumalo/ }).click();
    const dialog = page.getByRole("dialog", { name: /^Override: .* by Ben Khumalo$/ });
    await dialog.getByText("No, do not count it").click();
    await dialog.getByLabel(label("Reason")).fill("no");
    await dialog.getByRole("button", { name: "Save override" }).click();
    await dialog.getByText("say why, in at least 3 characters", { exact: true }).waitFor();
    expect(await dialog.getByLabel(label("Reason")).getAttribute("aria-invalid")).toBe("true");
    await expectAccessible(page, "the override dialog with its error");
    await dialog.getByLabel(label("Reason")).fill("The mail gateway checks every link");
    await dialog.getByRole("button", { name: "Save override" }).click();
    await dialog.waitFor({ state: "detached" });
    await row.getByText(/^Not counted by .*: The mail gateway checks every link$/).waitFor();
    const after = (await api.get(`/api/v1/awareness/phishing/campaigns/${campaignId}`)).json<{
      counts: { clicked: number; reported: number };
    }>();
    expect(after.counts).toMatchObject({ clicked: 1, reported: 1 });
  }, 120_000);

  it("templates and results: the starter templates, a sandboxed preview, rates per department", async () => {
    const page = await security();
    await goToNav(page, "Phishing templates", "Phishing templates");
    // A new template with a merge field that does not exist: refused, the field named.
    await page.getByRole("button", { name: "New template" }).click();
    const dialog = page.getByRole("dialog", { name: "New phishing template" });
    await dialog.getByLabel(label("Name")).fill("Expense claim rejected");
    await dialog.getByLabel(label("Sender name")).fill("Expenses");
    await dialog.getByLabel(label("Sender address")).fill("expenses@claims-portal.test");
    await dialog.getByLabel(label("Subject")).fill("Your claim {{claim_number}} was rejected");
    await dialog.getByLabel(label("Teachable moment (Markdown)")).fill("Check the sender's domain.");
    await dialog.getByRole("button", { name: "Create template" }).click();
    await dialog.getByText(/^unknown merge field \{\{claim_number\}\}/).waitFor();
    expect(await dialog.getByLabel(label("Subject")).getAttribute("aria-invalid")).toBe("true");
    await dialog.getByLabel(label("Subject")).fill("Your expense claim was rejected, {{first_name}}");
    await dialog.getByRole("button", { name: "Create template" }).click();
    await expectHeading(page, "Expense claim rejected");
    await page.getByRole("link", { name: "All templates" }).click();
    await page.getByRole("link", { name: TEMPLATE }).click();
    await expectHeading(page, TEMPLATE);
    const frame = page.locator("iframe");
    await frame.waitFor();
    expect(await frame.getAttribute("sandbox")).toBe("");
    await page.getByText("{{link}}").first().waitFor();
    await page.getByLabel("Mail body (HTML)").waitFor();
    await expectAccessibleAroundMail(page, "a template");

    await goToNav(page, "Phishing results", "Phishing results");
    await page.getByRole("img", { name: /^Treasury: clicked 50 %, reported 50 %$/ }).waitFor();
    await page.getByRole("table", { name: "Campaigns in the period" }).getByText(CAMPAIGN).waitFor();
    await page.getByText("No repeat clickers").waitFor();
    await expectAccessible(page, "the results");
    await screenshot(page, "phishing-results.png");
  }, 120_000);
});
