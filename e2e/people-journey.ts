// Page helpers and data for e2e/people.e2e.ts (the People journeys).
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";

export const HEADER =
  "Personnel No,Full Name,Email,Department,Job Title,Manager,Office,Start Date,Employment Type";
export const ROWS = [
  "E100,Ada Lovelace,ada@example.test,Engineering,Engineering Manager,,Cape Town,2024-02-01,employee",
  "E101,Alan Turing,alan@example.test,Engineering,Software Engineer,E100,Cape Town,2024-03-01,employee",
  "E102,Grace Hopper,grace@example.test,Engineering,Software Engineer,E100,Cape Town,2024-04-01,contractor",
  "E103,Katherine Johnson,katherine@example.test,Finance,Analyst,,Cape Town,2024-05-02,employee",
];

/** Matches a field's label exactly, with or without the " *" Mantine adds to required fields. */
export const label = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( \\*)?$`);

export async function expectHeading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

export async function goToNav(page: Page, name: string, title: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name }).click();
  await expectHeading(page, title);
}

export function csvFile(dir: string, name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${[HEADER, ...lines].join("\r\n")}\r\n`);
  return file;
}

/** yyyy-mm-dd, `days` from today (UTC). */
export function dayFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Steps 1–3 of the wizard for one file; leaves the page on the preview. */
export async function previewFile(page: Page, file: string): Promise<void> {
  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByText(path.basename(file)).waitFor();
  await page.getByRole("button", { name: "Next: match columns" }).click();
  const mapping = page.getByRole("table", { name: "Column mapping" });
  // Obvious names are matched already; "Manager" is not, so HR maps it.
  await expect(mapping.getByLabel("Field for the column Personnel No").inputValue()).resolves.toBe(
    "employee_number",
  );
  await expect(mapping.getByLabel("Field for the column Office").inputValue()).resolves.toBe("location");
  await expect(mapping.getByLabel("Field for the column Manager").inputValue()).resolves.toBe("");
  await mapping.getByLabel("Field for the column Manager").selectOption("manager_employee_number");
  await page.getByLabel(/Create departments, job roles and locations/).check();
  await page.getByRole("button", { name: "Preview the import" }).click();
  await page.getByRole("list", { name: "Preview counts" }).waitFor();
}

export async function count(list: ReturnType<Page["getByRole"]>, name: string): Promise<string> {
  return (await list.getByRole("listitem").filter({ hasText: name }).locator("p").last().textContent()) ?? "";
}
