// The Foundation's main journeys in a real browser: first sign-in, users and roles, password +
// TOTP, SSO against a real OpenID Connect provider, API tokens and the audit log. The tests
// run in order on one server and share what earlier ones created (the admin's password, the
// second user's setup link), as a person doing these steps one after the other would.
import { authenticator } from "otplib";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ensureFirstAdmin,
  FIRST_ADMIN_EMAIL,
  findUserByEmail,
  totpNow,
} from "../server/src/platform/auth/index.js";
import { startOidcProvider, type TestOidcProvider } from "../server/src/test/oidc-provider.js";
import {
  type E2eServer,
  expectAccessible,
  freePort,
  type GuardedPage,
  launchBrowser,
  openPage,
  screenshot,
  startTandem,
  waitFor,
} from "./setup.js";

const ADMIN_PASSWORD = "blue kettle morning 42";
const GRACE = { email: "grace@example.test", name: "Grace Hopper", password: "compilers sail at dawn" };
const SSO_ACCOUNT = { sub: "ana", email: "ana.lima@example.test", name: "Ana Lima" };

let server: E2eServer;
let idp: TestOidcProvider;
let browser: Browser;
const pages: GuardedPage[] = [];
/** Set by the users journey, used by the MFA journey. */
let graceSetupLink = "";

beforeAll(async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  [idp, browser] = await Promise.all([
    startOidcProvider({ redirectUris: [`${url}/api/v1/auth/sso/callback`], accounts: [SSO_ACCOUNT] }),
    launchBrowser(),
  ]);
  server = await startTandem({ port });
});

afterEach(async () => {
  // Close every page of the test; this fails the test on a blocked request or a page error.
  const open = pages.splice(0);
  for (const p of open) await p.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await idp?.close();
});

async function newPage(): Promise<Page> {
  const guarded = await openPage(browser, server.url);
  pages.push(guarded);
  return guarded.page;
}

/** Matches a field's label exactly, with or without the " *" Mantine adds to required fields. */
const label = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( \\*)?$`);

const heading = (page: Page, name: string | RegExp) => page.getByRole("heading", { level: 1, name });

async function expectHeading(page: Page, name: string | RegExp): Promise<void> {
  await heading(page, name).waitFor();
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/signin");
  await expectHeading(page, "Sign in");
  await page.getByLabel(label("Email")).fill(email);
  await page.getByLabel(label("Password")).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

async function signInAsAdmin(page: Page): Promise<void> {
  await signIn(page, FIRST_ADMIN_EMAIL, ADMIN_PASSWORD);
  await expectHeading(page, "Welcome, Administrator");
}

async function signOut(page: Page, displayName: string): Promise<void> {
  await page.getByRole("button", { name: `Account menu for ${displayName}` }).click();
  await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
  await expectHeading(page, "Sign in");
}

async function goToNav(page: Page, label: string, title: string | RegExp): Promise<void> {
  await page
    .getByRole("navigation", { name: "Main navigation" })
    .getByRole("link", { name: label, exact: true })
    .click();
  await expectHeading(page, title);
}

/** Opens a Mantine MultiSelect and picks an option by its label. */
async function pickOption(page: Page, field: string, option: string, scope = page.locator("body")) {
  // Without search the box around the input takes the click; force clicks there all the same.
  await scope.getByRole("combobox", { name: field }).click({ force: true });
  await page.getByRole("option", { name: option, exact: true }).click();
  await page.keyboard.press("Escape");
}

/** Creates a user through the "New user" dialog and returns the one-time setup link shown. */
async function createUser(page: Page, email: string, displayName: string): Promise<string> {
  await page.getByRole("button", { name: "New user" }).click();
  const dialog = page.getByRole("dialog", { name: "New user" });
  await dialog.getByLabel(label("Email")).fill(email);
  await dialog.getByLabel(label("Display name")).fill(displayName);
  await dialog.getByRole("button", { name: "Create user" }).click();
  const link = (await dialog.getByLabel(label("Setup link")).textContent()) ?? "";
  await dialog.getByRole("button", { name: "Done" }).click();
  await dialog.waitFor({ state: "hidden" });
  return link;
}

/** The code a phone would show 30 s from now (the server accepts one step of clock drift). */
function nextTotp(secret: string): string {
  return authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret);
}

describe("Foundation journeys", () => {
  it("first sign-in: the one-time setup link sets the admin's password and opens home", async () => {
    const link = await ensureFirstAdmin(server.t.db, server.t.auth);
    expect(link).toMatch(new RegExp(`^${server.url}/setup\\?token=`));

    const page = await newPage();
    await page.goto("/");
    await page.waitForURL(/\/signin\?redirect=/);
    await expectHeading(page, "Sign in");
    await expectAccessible(page, "the sign-in page");

    await page.goto(link!);
    await expectHeading(page, "Set your password");
    await expectAccessible(page, "the setup page");
    await page.getByLabel(label("New password")).fill(ADMIN_PASSWORD);
    await page.getByLabel(label("Confirm new password")).fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await expectHeading(page, "Welcome, Administrator");
    expect(new URL(page.url()).pathname).toBe("/");
    await expectAccessible(page, "the home page");

    await page.goto("/no-such-page");
    await expectHeading(page, "Page not found");
    await expectAccessible(page, "the 404 page");

    // The link works once: a second visitor with the same link is refused.
    const other = await newPage();
    await other.goto(link!);
    await other.getByLabel(label("New password")).fill("someone else's try 1");
    await other.getByLabel(label("Confirm new password")).fill("someone else's try 1");
    await other.getByRole("button", { name: "Set password and sign in" }).click();
    await other.getByRole("alert").filter({ hasText: "Could not set the password" }).waitFor();
    await other.goto("/no-such-page");
    await expectHeading(other, "Page not found");
    await expectAccessible(other, "the 404 page when signed out");
  });

  it("users & roles: an admin creates users and changes a user's roles", async () => {
    const page = await newPage();
    await signInAsAdmin(page);
    await goToNav(page, "Users & roles", "Users & roles");
    const table = page.getByRole("table", { name: "Users" });
    await table.getByRole("row").filter({ hasText: FIRST_ADMIN_EMAIL }).waitFor();
    await expectAccessible(page, "the users page");

    await page.getByRole("button", { name: "New user" }).click();
    await page.getByRole("dialog").waitFor();
    await expectAccessible(page, "the new-user dialog");
    await page.keyboard.press("Escape");
    graceSetupLink = await createUser(page, GRACE.email, GRACE.name);
    expect(graceSetupLink).toMatch(new RegExp(`^${server.url}/setup\\?token=`));
    await createUser(page, "lin.okafor@example.test", "Lin Okafor");
    await createUser(page, "sam.reyes@example.test", "Sam Reyes");

    const graceRow = table.getByRole("row").filter({ hasText: GRACE.email });
    await graceRow.getByText("Invited").waitFor();

    // Grace joins the security team.
    await graceRow.getByRole("button", { name: GRACE.email }).click();
    const drawer = page.getByRole("dialog", { name: GRACE.name });
    await drawer.getByText("Account actions").waitFor();
    await expectAccessible(page, "the user drawer");
    await pickOption(page, "Roles", "Security", drawer);
    await drawer.getByRole("button", { name: "Save roles" }).click();
    await graceRow.getByText("Security").waitFor();
    await drawer.getByRole("button", { name: "Close panel" }).click();
    await drawer.waitFor({ state: "hidden" });

    const stored = await findUserByEmail(server.t.db, GRACE.email);
    expect([...(stored?.roles ?? [])].sort()).toEqual(["employee", "security"]);
    await table.getByRole("row").filter({ hasText: "sam.reyes@example.test" }).waitFor();
    await screenshot(page, "users.png");
  });

  it("password + TOTP: a user enrols an authenticator, then signs in with password and code", async () => {
    expect(graceSetupLink, "the users journey creates Grace").not.toBe("");
    const page = await newPage();
    await page.goto(graceSetupLink);
    await expectHeading(page, "Set your password");
    await page.getByLabel(label("New password")).fill(GRACE.password);
    await page.getByLabel(label("Confirm new password")).fill(GRACE.password);
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await expectHeading(page, "Welcome, Grace");

    await goToNav(page, "Profile", "Profile");
    await expectAccessible(page, "the profile page");
    const mfa = page.getByRole("region", { name: "Two-step verification (MFA)" });
    await mfa.getByRole("button", { name: "Set up authenticator" }).click();
    await mfa.getByRole("img", { name: "QR code to add Tandem to your authenticator app" }).waitFor();
    const secret = (await mfa.getByText(/^[A-Z2-7]{16,}$/).textContent()) ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    // Bring the card to the top, below the 60 px header, for the screenshot.
    await mfa.evaluate((card) => window.scrollTo(0, card.getBoundingClientRect().top + window.scrollY - 76));
    await expectAccessible(page, "the profile page during MFA enrolment");
    await screenshot(page, "profile-mfa.png");

    const enrolCode = totpNow(secret);
    await mfa.getByLabel(label("Code from your authenticator")).fill(enrolCode);
    await mfa.getByRole("button", { name: "Turn on two-step verification" }).click();
    const codes = ((await mfa.getByLabel(label("Recovery codes")).textContent()) ?? "")
      .split("\n")
      .filter(Boolean);
    expect(codes.length).toBeGreaterThanOrEqual(8);
    expect(new Set(codes).size).toBe(codes.length);
    await expectAccessible(page, "the recovery codes");
    await mfa.getByRole("button", { name: "I have saved my recovery codes" }).click();
    await mfa.getByText("To turn it off, confirm with a current code").waitFor();
    const account = page.getByRole("region", { name: "Account" });
    await expect.poll(() => account.getByText("On", { exact: true }).count()).toBe(1);

    await signOut(page, GRACE.name);
    await signIn(page, GRACE.email, GRACE.password);
    await expectHeading(page, "Two-step verification");
    await expectAccessible(page, "the sign-in code step");
    // The code already used at enrolment is refused (each code works once).
    const code = page.getByLabel(label("Authentication code"));
    await code.fill(enrolCode);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("alert").filter({ hasText: "Could not verify the code" }).waitFor();
    await code.fill(nextTotp(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await expectHeading(page, "Welcome, Grace");
    const roles = page.getByRole("region", { name: "Your roles" });
    await roles.getByText("Security").waitFor();
  });

  it("SSO: an admin configures the identity provider, then a new person signs in with it", async () => {
    const page = await newPage();
    await signInAsAdmin(page);
    await goToNav(page, "SSO settings", "SSO settings");
    await page.getByText("Redirect URI to register at the identity provider").waitFor();
    await expect(page.getByText(`${server.url}/api/v1/auth/sso/callback`).count()).resolves.toBe(1);
    await expectAccessible(page, "the SSO settings page");

    await page.getByRole("switch", { name: /^Enable single sign-on/ }).check();
    await page.getByLabel(label("Button label")).fill("Test IdP");
    await page.getByLabel(label("Issuer URL")).fill(idp.issuer);
    await page.getByLabel(label("Client ID")).fill(idp.clientId);
    await page.getByLabel(label("Client secret")).fill(idp.clientSecret);
    // Employee is a default role already; add Auditor.
    await pickOption(page, "Default roles for new SSO users", "Auditor");
    await page.getByRole("combobox", { name: "Allowed email domains" }).fill("example.test");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "SSO settings were saved." }).waitFor();
    await page.getByText("A secret is stored.").waitFor();
    await expectAccessible(page, "the saved SSO settings");

    await signOut(page, "Administrator");
    const ssoButton = page.getByRole("link", { name: "Sign in with Test IdP" });
    await ssoButton.waitFor();
    await expectAccessible(page, "the sign-in page with SSO");
    await screenshot(page, "signin.png");

    await ssoButton.click();
    await page.waitForURL((u) => u.href.startsWith(`${idp.issuer}/interaction/`));
    await page.getByLabel(label("Account")).fill(SSO_ACCOUNT.sub);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${server.url}/`);
    await expectHeading(page, "Welcome, Ana");
    const roles = page.getByRole("region", { name: "Your roles" });
    await roles.getByText("Auditor").waitFor();
    await roles.getByText("Employee").waitFor();

    const ana = await findUserByEmail(server.t.db, SSO_ACCOUNT.email);
    expect(ana?.display_name).toBe(SSO_ACCOUNT.name);
    expect(ana?.oidc_subject).toBe(`${idp.issuer}|${SSO_ACCOUNT.sub}`);
  });

  it("API tokens: a token is shown once, copied from the page and accepted by the API", async () => {
    const page = await newPage();
    await signInAsAdmin(page);
    await goToNav(page, "API tokens", "API tokens");
    await page.getByText("No API tokens yet").waitFor();
    await expectAccessible(page, "the tokens page");

    await page.getByRole("button", { name: "Create token" }).click();
    const dialog = page.getByRole("dialog", { name: "Create API token" });
    await dialog.getByLabel(label("Name")).fill("Audit export");
    await pickOption(page, "Scopes", "audit:read", dialog);
    await expectAccessible(page, "the create-token dialog");
    await dialog.getByRole("button", { name: "Create token" }).click();
    const secret = ((await dialog.getByLabel(label("Token")).textContent()) ?? "").trim();
    expect(secret.length).toBeGreaterThan(20);
    await expectAccessible(page, "the new token");
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "hidden" });
    const row = page
      .getByRole("table", { name: "API tokens" })
      .getByRole("row")
      .filter({ hasText: "Audit export" });
    await row.getByText("Active").waitFor();
    await expect(page.getByText(secret).count(), "the token is not shown again").resolves.toBe(0);

    const withToken = await fetch(`${server.url}/api/v1/audit?action=token.created`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(withToken.status).toBe(200);
    const body = (await withToken.json()) as { items: { action: string }[] };
    expect(body.items.map((e) => e.action)).toContain("token.created");
    const without = await fetch(`${server.url}/api/v1/audit`);
    expect(without.status).toBe(401);
    const wrong = await fetch(`${server.url}/api/v1/audit`, {
      headers: { authorization: `Bearer ${secret.slice(0, -2)}xx` },
    });
    expect(wrong.status).toBe(401);
  });

  it("audit log: browse, filter by action, open an entry and create a checkpoint", async () => {
    const page = await newPage();
    await signInAsAdmin(page);
    await goToNav(page, "Audit log", "Audit log");
    const table = page.getByRole("table", { name: "Audit log entries" });
    for (const action of ["user.created", "user.roles_changed", "mfa.enabled", "settings.sso_changed"]) {
      await table.getByText(action, { exact: true }).first().waitFor();
    }
    await expectAccessible(page, "the audit log");
    await screenshot(page, "audit-log.png");

    await page.getByLabel(label("Action")).fill("auth.sign_in");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const actions = table.locator("tbody tr td:nth-child(3)");
    await waitFor(async () => {
      const all = await actions.allTextContents();
      return all.length > 0 && all.every((a) => a === "auth.sign_in");
    }, "only auth.sign_in entries");
    await expectAccessible(page, "the filtered audit log");

    const ssoRow = table.getByRole("row").filter({ hasText: SSO_ACCOUNT.email }).first();
    await ssoRow.getByRole("button").first().click();
    const drawer = page.getByRole("dialog", { name: /^Audit entry #\d+$/ });
    const json = drawer.getByLabel(label("Full audit entry as JSON"));
    await json.waitFor();
    const entry = JSON.parse((await json.textContent()) ?? "{}") as {
      action?: string;
      actorLabel?: string;
      details?: { method?: string };
    };
    expect(entry.action).toBe("auth.sign_in");
    expect(entry.actorLabel).toBe(SSO_ACCOUNT.email);
    expect(entry.details?.method).toBe("sso");
    await expectAccessible(page, "the audit entry drawer");
    await drawer.getByRole("button", { name: "Close panel" }).click();
    await drawer.waitFor({ state: "hidden" });

    await page.getByRole("button", { name: "Create checkpoint" }).click();
    const modal = page.getByRole("dialog", { name: "Audit checkpoint" });
    await modal.getByText(/The log up to entry #\d+ was signed at/).waitFor();
    await expectAccessible(page, "the checkpoint dialog");
    await modal.getByRole("button", { name: "Close", exact: true }).click();
    await modal.waitFor({ state: "hidden" });
    const checkpoints = await server.t.db.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM audit_checkpoints",
    );
    expect(Number(checkpoints.rows[0]?.n)).toBeGreaterThanOrEqual(1);
  });
});
