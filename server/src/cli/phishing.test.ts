import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openPglite } from "../platform/db/index.js";
import { CliWorld } from "../test/cli.js";

/** `tandem phishing templates | campaigns | status | schedule | cancel` on an embedded database. */

const world = new CliWorld("phishing");
const dataDir = world.dataDir;
afterAll(() => world.teardown());
// The embedded database of the data directory, whatever database the suite runs on.
const tandem = (args: string[]) => world.run(args, { useDatabase: false });

const later = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

beforeAll(async () => {
  const db = await openPglite(path.join(dataDir, "db"));
  try {
    await migrate(db);
    await db.query(
      `INSERT INTO people (id, employee_number, legal_name, work_email, employment_type, status)
       VALUES ('P1', 'E-1', 'Ada Lovelace', 'ada@corp.test', 'employee', 'active'),
              ('P2', 'E-2', 'Bob Broken', 'bob@', 'employee', 'active'),
              ('P3', 'E-3', 'Cy Gone', 'cy@corp.test', 'employee', 'alumni')`,
    );
    await db.query(
      `INSERT INTO phishing_templates (id, name, lure, from_name, from_address, subject, body_html, body_text, lesson_md)
       VALUES ('T1', 'Parcel held', 'delivery', 'Parcels', 'p@parcel.test', 'Parcel', '{{link}}', '{{link}}', 'Look.')`,
    );
    await db.query(
      `INSERT INTO phishing_campaigns (id, name, template_id, window_start, window_end)
       VALUES ('C1', 'Spring test', 'T1', $1, $2), ('C2', 'Other', 'T1', $1, $2)`,
      [later(1), later(5)],
    );
  } finally {
    await db.close();
  }
}, 120_000);

describe("tandem phishing", () => {
  it("lists templates and campaigns, schedules, shows the counts and cancels; errors name the argument", async () => {
    const templates = await tandem(["phishing", "templates"]);
    expect(templates.code, templates.stderr).toBe(0);
    expect(templates.stdout).toMatch(/T1\s+Parcel held\s+delivery\s+medium\s+2/);

    const scheduled = await tandem(["phishing", "schedule", "C1"]);
    expect(scheduled.code, scheduled.stderr).toBe(0);
    expect(scheduled.stdout).toContain("Scheduled 1 recipients.");
    expect(scheduled.stdout).toMatch(
      /Skipped 1 .*\n\s*P2\s+Bob Broken\s+bob@\s+the work e-mail is not a valid address/,
    );

    const again = await tandem(["phishing", "schedule", "C1"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("Only a draft campaign can be scheduled");

    const list = await tandem(["phishing", "campaigns", "--status", "scheduled"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/C1\s+Spring test\s+scheduled/);
    expect(list.stdout).not.toContain("C2");
    const badStatus = await tandem(["phishing", "campaigns", "--status", "sideways"]);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain("--status must be one of");

    const status = await tandem(["phishing", "status", "C1"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain("Spring test (C1): scheduled");
    expect(status.stdout).toMatch(/recipients\s+1\n/);
    expect(status.stdout).toMatch(/pending\s+1\n/);

    const missing = await tandem(["phishing", "status", "C9"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ID: no phishing campaign "C9"');

    const cancelled = await tandem(["phishing", "cancel", "C1"]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain("1 recipients not yet sent to were dropped");
    expect((await tandem(["phishing", "cancel", "C9"])).stderr).toContain('ID: no phishing campaign "C9"');

    const db = await openPglite(path.join(dataDir, "db"));
    try {
      const audit = await db.query<{ action: string; actor_label: string }>(
        "SELECT action, actor_label FROM audit_log WHERE target_id = 'C1' ORDER BY seq",
      );
      expect(audit.rows).toEqual([
        { action: "awareness.phishing_campaign_scheduled", actor_label: "cli" },
        { action: "awareness.phishing_campaign_cancelled", actor_label: "cli" },
      ]);
    } finally {
      await db.close();
    }
  }, 300_000);
});
