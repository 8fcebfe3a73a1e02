import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { receiveMail } from "./index.js";
import { parseMail } from "./mail.js";

/**
 * Mail intake is durable: the raw message and its parse job are stored together, so a
 * crash after the SMTP 250 loses nothing, and running the job again adds nothing.
 */

let h: TestApp;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

describe("mail parsing survives a crash", () => {
  it("keeps the raw message with its job, and parsing it twice makes one report", async () => {
    const raw = Buffer.from(
      "From: kim@example.test\r\nTo: report@localhost\r\nSubject: Odd login prompt\r\nMessage-ID: <c1@example.test>\r\n\r\nSee https://login-odd.test/\r\n",
    );
    // Jobs are not worked in this app: the message waits in the queue as it would after a crash.
    const { id } = await receiveMail(h.t.db, h.t, raw, "kim@example.test");
    const queued = await h.t.db.query(
      `SELECT 1 FROM "${h.t.jobs.schema}".job WHERE name = 'reports.mail_parse' AND data->>'mailId' = $1`,
      [id],
    );
    expect(queued.rowCount).toBe(1);
    const deps = { envelope: h.t.envelope, events: h.t.events, settings: h.t.reports.settings };
    await parseMail(h.t.db, deps, id);
    await parseMail(h.t.db, deps, id);
    const reports = await h.t.db.query(
      "SELECT 1 FROM reports WHERE title = 'Reported e-mail: Odd login prompt'",
    );
    expect(reports.rowCount).toBe(1);
    expect((await receiveMail(h.t.db, h.t, raw, null)).duplicate).toBe(true);
  });
});
