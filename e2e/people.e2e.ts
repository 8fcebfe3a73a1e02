// The People journeys in a real browser: HR sets up a location, imports a CSV through the
// wizard (first a file with a mistake, then the fixed one), finds a person in the directory,
// meets a concurrent edit (412), and schedules a termination that shows on the timeline.
// The tests run in order on one server and build on what the earlier ones created.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hashPassword, insertUser } from "../server/src/platform/auth/index.js";
import {
  count,
  csvFile,
  dayFromNow,
  expectHeading,
  goToNav,
  label,
  previewFile,
  ROWS,
} from "./people-journey.js";
import {
  type E2eServer,
  expectAccessible,
  type GuardedPage,
  launchBrowser,
  openPage,
  screenshot,
  startTandem,
} from "./setup.js";

const HR = { email: "hana.hr@example.test", name: "Hana Moyo", password: "people first, always 7" };

let server: E2eServer;
let browser: Browser;
let dir: string;
const pages: GuardedPage[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTandem(), launchBrowser()]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-people-e2e-"));
  await insertUser(server.t.db, {
    email: HR.email,
    displayName: HR.name,
    roles: ["hr"],
    passwordHash: await hashPassword(HR.password),
  });
});

afterEach(async () => {
  const open = pages.splice(0);
  for (const p of open) await p.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function signedInPage(): Promise<Page> {
  const guarded = await openPage(browser, server.url);
  pages.push(guarded);
  const page = guarded.page;
  await page.goto("/signin");
  await page.getByLabel(label("Email")).fill(HR.email);
  await page.getByLabel(label("Password")).fill(HR.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectHeading(page, "Welcome, Hana");
  return page;
}

describe("People journeys", () => {
  it("an empty directory tells HR what to do; HR adds a location with its time zone", async () => {
    const page = await signedInPage();
    await goToNav(page, "People", "People");
    await page.getByText("No people yet").waitFor();
    await page.getByRole("link", { name: "Import a CSV" }).waitFor();
    await expectAccessible(page, "the empty people directory");

    await goToNav(page, "Locations", "Locations");
    await page.getByRole("button", { name: "Add location" }).click();
    const dialog = page.getByRole("dialog", { name: "Add location" });
    await dialog.getByLabel(label("Name")).fill("Cape Town");
    await dialog.getByRole("combobox", { name: label("Time zone") }).fill("Johannesburg");
    await page.getByRole("option", { name: "Africa/Johannesburg" }).click();
    await dialog.getByLabel(label("Country")).fill("za");
    await expectAccessible(page, "the add-location dialog");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden" });
    const row = page
      .getByRole("table", { name: "Locations" })
      .getByRole("row")
      .filter({ hasText: "Cape Town" });
    await row.getByText("Africa/Johannesburg").waitFor();
    await row.getByText("ZA").waitFor();
    await expectAccessible(page, "the locations page");
  });

  it("import wizard: a file with a mistake is refused in the preview; the fixed file is applied", async () => {
    const page = await signedInPage();
    await page.goto("/people/import");
    await expectHeading(page, "Import people");
    await expectAccessible(page, "the import wizard (file step)");

    const broken = csvFile(dir, "people-broken.csv", [
      ROWS[0]!,
      ROWS[1]!.replace("alan@example.test", "alan-at-example"),
    ]);
    await previewFile(page, broken);
    const errors = page.getByRole("table", { name: "Errors in the file" });
    const errorRow = errors.getByRole("row").filter({ hasText: "work_email" });
    await errorRow.getByRole("cell", { name: "3", exact: true }).waitFor();
    expect(await count(page.getByRole("list", { name: "Preview counts" }), "Errors")).toBe("1");
    await expect(page.getByRole("button", { name: "Import now" }).isDisabled()).resolves.toBe(true);
    await expectAccessible(page, "the import preview with errors");

    // Back to the first step with the fixed file.
    await page.getByRole("button", { name: "Back" }).click();
    await page.getByRole("button", { name: "Back" }).click();
    const fixed = csvFile(dir, "people.csv", ROWS);
    await previewFile(page, fixed);
    const counts = page.getByRole("list", { name: "Preview counts" });
    expect(await count(counts, "New people")).toBe("4");
    expect(await count(counts, "Errors")).toBe("0");
    await page.getByRole("table", { name: "Changes the import makes" }).getByText("E103").waitFor();
    await expectAccessible(page, "the import preview");
    expect((await server.t.db.query("SELECT 1 FROM people")).rowCount, "a preview writes nothing").toBe(0);

    await page.getByRole("button", { name: "Import now" }).click();
    await page.getByText("Import finished").waitFor({ timeout: 60_000 });
    expect(await count(page.getByRole("list", { name: "Import counts" }), "New people")).toBe("4");
    const runs = page.getByRole("table", { name: "Past imports" });
    await runs.getByRole("row").filter({ hasText: "Import" }).filter({ hasText: "people.csv" }).waitFor();
    await expectAccessible(page, "the finished import");

    const stored = await server.t.db.query<{ employee_number: string }>(
      "SELECT employee_number FROM people ORDER BY employee_number",
    );
    expect(stored.rows.map((r) => r.employee_number)).toEqual(["E100", "E101", "E102", "E103"]);
  });

  it("directory: HR searches and filters, then opens a person", async () => {
    const page = await signedInPage();
    await goToNav(page, "People", "People");
    const table = page.getByRole("table", { name: "People" });
    await table.getByRole("link", { name: "Katherine Johnson" }).waitFor();
    await expect(table.getByRole("row").count()).resolves.toBe(5);
    await expectAccessible(page, "the people directory");
    await screenshot(page, "people-directory.png");

    await page.getByLabel("Employment type").selectOption("contractor");
    await page.waitForURL(/employmentType=contractor/);
    await table.getByRole("link", { name: "Ada Lovelace" }).waitFor({ state: "detached" });
    await table.getByRole("link", { name: "Grace Hopper" }).waitFor();
    await expect(table.getByRole("row").count()).resolves.toBe(2);
    await page.getByRole("button", { name: "Clear" }).click();

    await page.getByLabel("Search people").fill("turing");
    await page.waitForURL(/q=turing/);
    await table.getByRole("link", { name: "Katherine Johnson" }).waitFor({ state: "detached" });
    await table.getByRole("link", { name: "Alan Turing" }).waitFor();
    await expect(table.getByRole("row").count()).resolves.toBe(2);
    await table.getByRole("link", { name: "Alan Turing" }).click();
    await expectHeading(page, "Alan Turing");
    const record = page.getByRole("region", { name: "Record" });
    await record.getByRole("link", { name: "Ada Lovelace" }).waitFor();
    await record.getByText("Cape Town (Africa/Johannesburg)").waitFor();
    await expectAccessible(page, "the person page");

    // Adding a person: the server's validation errors appear next to their fields.
    await goToNav(page, "People", "People");
    await page.getByRole("button", { name: "Add person" }).click();
    const dialog = page.getByRole("dialog", { name: "Add person" });
    await dialog.getByLabel(label("Legal name")).fill("Mary Jackson");
    await dialog.getByLabel(label("Work email")).fill("ada@example.test");
    await dialog.getByLabel(label("Employee number")).fill("E104");
    await dialog.getByRole("button", { name: "Add person" }).click();
    await dialog.getByRole("alert").getByText("Another person has this work email").waitFor();
    const email = dialog.getByLabel(label("Work email"));
    await expect(email.getAttribute("aria-invalid")).resolves.toBe("true");
    await expectAccessible(page, "the add-person dialog with a field error");
    await email.fill("mary@example.test");
    await dialog.getByLabel("Department").selectOption({ label: "Engineering" });
    await dialog.getByRole("button", { name: "Add person" }).click();
    await expectHeading(page, "Mary Jackson");
  });

  it("person: an edit that crosses someone else's change is refused (412) and reloaded", async () => {
    const page = await signedInPage();
    const { rows } = await server.t.db.query<{ id: string }>(
      "SELECT id FROM people WHERE employee_number = 'E101'",
    );
    const id = rows[0]!.id;
    await page.goto(`/people/${id}`);
    await expectHeading(page, "Alan Turing");
    await page.getByRole("button", { name: "Edit" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit Alan Turing" });
    await dialog.getByLabel(label("Preferred name")).fill("Alan");

    // Meanwhile someone else changes the record (same API, their own If-Match).
    const session = await (await page.request.get("/api/v1/auth/session")).json();
    const current = await page.request.get(`/api/v1/people/${id}`);
    const other = await page.request.patch(`/api/v1/people/${id}`, {
      headers: { "if-match": current.headers().etag!, "x-csrf-token": session.csrfToken },
      data: { employmentType: "intern" },
    });
    expect(other.status()).toBe(200);

    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.getByText("The record changed while you were editing").waitFor();
    await expect(dialog.getByLabel("Employment type").inputValue()).resolves.toBe("intern");
    await expectAccessible(page, "the edit dialog after a conflict");
    await dialog.getByLabel(label("Preferred name")).fill("Alan");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expectHeading(page, /^Alan$/);
  });

  it("timeline: HR records a termination with a future date and sees it scheduled", async () => {
    const page = await signedInPage();
    const { rows } = await server.t.db.query<{ id: string }>(
      "SELECT id FROM people WHERE employee_number = 'E102'",
    );
    await page.goto(`/people/${rows[0]!.id}`);
    await expectHeading(page, "Grace Hopper");
    // The import recorded how Grace joined; nothing is scheduled yet.
    await page.getByRole("region", { name: "Past" }).getByRole("listitem").first().waitFor();
    await expect(page.getByRole("region", { name: "Scheduled" }).count()).resolves.toBe(0);

    const day = dayFromNow(30);
    await page.getByRole("button", { name: "Record event" }).click();
    const dialog = page.getByRole("dialog", { name: "Record an event for Grace Hopper" });
    await dialog.getByLabel(label("Event")).selectOption("termination");
    await dialog.getByRole("button", { name: "Record event" }).click();
    // Missing answers are named next to their fields before anything is sent.
    await dialog.getByText("Choose the kind of termination").waitFor();
    await dialog.getByLabel(label("Kind of termination")).selectOption("involuntary");
    await dialog.getByLabel(label("Termination date")).fill(day);
    await dialog.getByLabel(/High-risk leaver/).check();
    await dialog.getByLabel(label("Why high-risk")).fill("Holds the production signing keys");
    await expectAccessible(page, "the record-event dialog");
    await dialog.getByRole("button", { name: "Record event" }).click();
    await dialog.waitFor({ state: "hidden" });

    const scheduled = page.getByRole("region", { name: "Scheduled" });
    const item = scheduled.getByRole("listitem", { name: "Termination, scheduled" });
    await item.getByText("Scheduled", { exact: true }).waitFor();
    await item.getByText("Involuntary termination").waitFor();
    await item.getByText("(their time, Africa/Johannesburg)").waitFor();
    await item.getByText(/\(your time, (Etc\/)?UTC\)/).waitFor();
    await page.getByRole("region", { name: "Record" }).getByText("High risk", { exact: true }).waitFor();
    await expectAccessible(page, "the person timeline");
    await screenshot(page, "person-timeline.png");

    const events = await server.t.db.query<{ type: string; state: string; effective_at: Date }>(
      "SELECT type, state, effective_at FROM person_events WHERE person_id = $1 AND type = 'termination'",
      [rows[0]!.id],
    );
    expect(events.rows.map((e) => [e.type, e.state])).toEqual([["termination", "scheduled"]]);
    // Midnight at the start of that day in Cape Town (UTC+2) is 22:00 UTC the day before.
    expect(new Date(events.rows[0]!.effective_at).toISOString()).toBe(
      new Date(Date.parse(`${day}T00:00:00Z`) - 2 * 3_600_000).toISOString(),
    );
  });

  it("the other People pages pass axe: tabs, org admin pages and my profile", async () => {
    const page = await signedInPage();
    const { rows } = await server.t.db.query<{ id: string }>(
      "SELECT id FROM people WHERE employee_number = 'E100'",
    );
    await page.goto(`/people/${rows[0]!.id}`);
    await expectHeading(page, "Ada Lovelace");
    for (const [tab, ready] of [
      ["Agreements", "Record an agreement"],
      ["Checklist", "Contract includes the security terms"],
      ["Background checks", "No background checks"],
      ["History", "Show the record"],
    ] as const) {
      await page.getByRole("tab", { name: tab }).click();
      await page.getByText(ready).first().waitFor();
      await expectAccessible(page, `the ${tab} tab`);
    }
    await page.getByRole("button", { name: "Show the record" }).click();
    await page.getByText(/Version \d+, valid from/).waitFor();

    await goToNav(page, "Departments", "Departments");
    const engineering = page
      .getByRole("table", { name: "Departments" })
      .getByRole("row")
      .filter({ hasText: "Engineering" });
    await engineering.getByRole("link", { name: "4 people in Engineering" }).waitFor();
    await expectAccessible(page, "the departments page");
    await goToNav(page, "Job roles", "Job roles");
    await page.getByRole("table", { name: "Job roles" }).getByText("Software Engineer").waitFor();
    await expectAccessible(page, "the job roles page");
    await goToNav(page, "Profile", "Profile");
    await page.getByText("No HR record linked yet").waitFor();
    await expectAccessible(page, "the profile page with My HR record");
  });
});
