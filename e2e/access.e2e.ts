// The leaver journey in a real browser, against a real OpenLDAP directory: HR terminates a
// person with immediate effect, Security watches the leaver page until the directory's
// card turns green, and `ldapsearch` (OpenLDAP's own client) then reads the entry locked.
import { spawnSync } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hashPassword, insertUser } from "../server/src/platform/auth/index.js";
import { ldapSystemInput } from "../server/src/test/access.js";
import { TestClient } from "../server/src/test/harness.js";
import { startSlapd, type TestSlapd } from "../server/src/test/slapd.js";
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

const HR = { email: "hana.hr@example.test", name: "Hana Moyo", password: "people first, always 7" };
const SEC = { email: "sam.sec@example.test", name: "Sam Okafor", password: "trust, then verify 42" };
const SYSTEM = "Staff directory";

let server: E2eServer;
let browser: Browser;
let slapd: TestSlapd;
let person: { id: string; workEmail: string; legalName: string };
const pages: GuardedPage[] = [];

async function client(email: string, password: string): Promise<TestClient> {
  const c = new TestClient(server.t);
  const res = await c.login(email, password);
  if (res.statusCode !== 200) throw new Error(`sign-in ${email}: ${res.body}`);
  return c;
}

beforeAll(async () => {
  [server, browser, slapd] = await Promise.all([startTandem(), launchBrowser(), startSlapd()]);
  for (const [u, roles] of [
    [HR, ["hr"]],
    [SEC, ["security"]],
  ] as const) {
    await insertUser(server.t.db, {
      email: u.email,
      displayName: u.name,
      roles: [...roles],
      passwordHash: await hashPassword(u.password),
    });
  }
  // Security connects the directory and gives everyone an account in the vpn group.
  const sec = await client(SEC.email, SEC.password);
  const sys = await sec.post("/api/v1/access/systems", ldapSystemInput(slapd, { name: SYSTEM }));
  expect(sys.statusCode, sys.body).toBe(201);
  const systemId = sys.json<{ id: string }>().id;
  expect((await sec.post(`/api/v1/access/systems/${systemId}/sync`)).statusCode).toBe(200);
  const ents = (await sec.get(`/api/v1/access/systems/${systemId}/entitlements`)).json<{
    items: { id: string; name: string }[];
  }>();
  const vpn = ents.items.find((e) => e.name === "vpn")!.id;
  const profile = await sec.post("/api/v1/access/profiles", {
    name: "Everyone",
    entitlements: [
      { systemId, entitlementId: null },
      { systemId, entitlementId: vpn },
    ],
  });
  expect(profile.statusCode, profile.body).toBe(201);
  // HR hires Lin; the engine provisions the account before the journey starts.
  const hr = await client(HR.email, HR.password);
  const res = await hr.post("/api/v1/people", {
    employeeNumber: "E900",
    legalName: "Lin Zhou",
    workEmail: "lin.zhou@corp.test",
    status: "active",
  });
  expect(res.statusCode, res.body).toBe(201);
  person = res.json();
  await waitFor(
    async () => {
      const r = await server.t.db.query<{ state: string }>(
        "SELECT state FROM access_plans WHERE person_id = $1 AND reason = 'joiner'",
        [person.id],
      );
      return r.rows[0]?.state === "done";
    },
    "the joiner plan to provision Lin's account",
    { timeout: 60_000 },
  );
}, 180_000);

afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await slapd?.stop();
});

async function signedIn(u: { email: string; password: string; name: string }): Promise<Page> {
  const guarded = await openPage(browser, server.url);
  pages.push(guarded);
  const page = guarded.page;
  await page.goto("/signin");
  await page.getByLabel(label("Email")).fill(u.email);
  await page.getByLabel(label("Password")).fill(u.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectHeading(page, `Welcome, ${u.name.split(" ")[0]}`);
  return page;
}

/** The directory entry as OpenLDAP's own command-line client reads it. */
function ldapsearch(mail: string): string {
  const r = spawnSync(
    "ldapsearch",
    [
      "-x",
      "-LLL",
      "-H",
      slapd.url,
      "-D",
      slapd.bindDn,
      "-w",
      slapd.bindPassword,
      "-b",
      slapd.baseDn,
      `(mail=${mail})`,
      "uid",
      "pwdAccountLockedTime",
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`ldapsearch failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function vpnMembers(): string {
  const r = spawnSync(
    "ldapsearch",
    [
      "-x",
      "-LLL",
      "-H",
      slapd.url,
      "-D",
      slapd.bindDn,
      "-w",
      slapd.bindPassword,
      "-b",
      slapd.groups.vpn!,
      "-s",
      "base",
      "member",
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`ldapsearch failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe("Access journeys", () => {
  it("HR terminates Lin at once; Security watches the leaver page turn green; the directory entry is locked", async () => {
    expect(ldapsearch(person.workEmail)).not.toContain("pwdAccountLockedTime");
    expect(vpnMembers()).toContain("uid=lin.zhou");

    const hr = await signedIn(HR);
    await hr.goto(`/people/${person.id}`);
    await expectHeading(hr, "Lin Zhou");
    await hr.getByRole("button", { name: "Record event" }).click();
    const dialog = hr.getByRole("dialog", { name: "Record an event for Lin Zhou" });
    await dialog.getByLabel(label("Event")).selectOption("termination");
    await dialog.getByLabel(label("Kind of termination")).selectOption("involuntary");
    await dialog.getByLabel("Immediately").check();
    await dialog.getByRole("button", { name: "Record event" }).click();
    await dialog.waitFor({ state: "hidden" });

    const sec = await signedIn(SEC);
    await sec.goto(`/access/people/${person.id}/offboarding`);
    await expectHeading(sec, /Lin Zhou/);
    const card = sec.getByRole("region", { name: SYSTEM });
    // The page refreshes itself: the directory's card turns green once every step is read back.
    await card.getByText("Done", { exact: true }).waitFor({ timeout: 60_000 });
    await card.getByText(/^(\d+) of \1 verified$/).waitFor();
    await expectAccessible(sec, "the leaver page");
    await screenshot(sec, "leaver-page.png");

    expect(ldapsearch(person.workEmail)).toMatch(/pwdAccountLockedTime: 000001010000Z/);
    expect(vpnMembers()).not.toContain("uid=lin.zhou");
  }, 180_000);
});
