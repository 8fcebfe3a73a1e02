import nodemailer, { type Transporter } from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../test/access.js";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";

/**
 * Mail intake over real SMTP: nodemailer sends to Tandem's listener; the message is kept
 * (encrypted) before the 250, parsed by a job into a report; malformed mail becomes a
 * flagged report; oversize mail and strangers' recipients are refused at the SMTP level.
 */

let h: TestApp;
let sec: TestClient & { userId: string; email: string };
let reporter: TestClient & { userId: string; email: string };
let transport: Transporter;

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
const SUSPICIOUS = [
  "From: Payroll Team <payroll@hr-portal-update.test>",
  "To: staff@example.test",
  "Subject: Confirm your salary details",
  "Message-ID: <inner-1@hr-portal-update.test>",
  "Content-Type: text/html; charset=utf-8",
  "",
  '<p>Please <a href="https://hr-portal-update.test/confirm?id=7">confirm here</a> today.</p>',
].join("\r\n");

interface Item {
  id: string;
  channel: string;
  title: string;
  flags: string[];
  reporterName: string | null;
  group: { sender: string | null; urlHost: string | null; subject: string | null };
}

beforeAll(async () => {
  h = await startTestApp(
    {
      TANDEM_REPORT_SMTP_PORT: "0",
      TANDEM_REPORT_ADDRESSES: "phishing@example.test, report@example.test",
      TANDEM_REPORT_MAIL_MAX_BYTES: "60000",
    },
    { jobs: true },
  );
  sec = await h.signedIn(["security"]);
  reporter = await h.signedIn(["employee"], "dana@example.test");
  const addr = h.t.reports.smtpAddress();
  expect(addr).not.toBeNull();
  transport = nodemailer.createTransport({
    host: addr!.host,
    port: addr!.port,
    secure: false,
    ignoreTLS: true,
  });
});
afterAll(async () => {
  transport?.close();
  await h.close();
});

const queue = async () => (await sec.get("/api/v1/reports?status=all")).json<{ items: Item[] }>().items;

describe("mail intake", () => {
  it("turns a forwarded phishing mail into a report: sender, subject, links, attachments, original kept", async () => {
    const info = await transport.sendMail({
      from: "Dana <dana@example.test>",
      to: "Phishing@example.test",
      subject: "Fwd: Confirm your salary details",
      text: "This looks fake, see attached.",
      attachments: [
        { filename: "original.eml", content: SUSPICIOUS, contentType: "message/rfc822" },
        { filename: "screenshot.png", content: PNG },
        { filename: "payload.pdf.exe", content: Buffer.from("MZ fake") },
      ],
    });
    expect(info.response).toMatch(/^250/);
    const item = await eventually(
      "the mail report",
      async () => (await queue()).find((i) => i.channel === "email"),
      20_000,
    );
    expect(item.title).toBe("Reported e-mail: Confirm your salary details");
    expect(item.group).toMatchObject({
      sender: "payroll@hr-portal-update.test",
      urlHost: "hr-portal-update.test",
      subject: "confirm your salary details",
    });
    expect(item.flags).toContain("attachment_refused");
    const d = (await sec.get(`/api/v1/reports/${item.id}`)).json<{
      urls: string[];
      reporterEmail: string;
      attachments: { filename: string }[];
      mail: { messageId: string } | null;
    }>();
    expect(d.urls).toContain("https://hr-portal-update.test/confirm?id=7");
    expect(d.reporterEmail).toBe("dana@example.test");
    expect(d.attachments.map((a) => a.filename)).toEqual(["screenshot.png"]);
    expect(d.mail?.messageId).toBe(info.messageId);
    // The sender is a Tandem user: the report is theirs to follow.
    const mine = await reporter.get("/api/v1/reports/mine");
    expect(mine.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toContain(item.id);

    const raw = await h.t.db.query<{ raw_enc: string }>(
      "SELECT raw_enc FROM report_mail WHERE report_id = $1",
      [item.id],
    );
    expect(raw.rows[0]!.raw_enc).toMatch(/^v1\./);
    expect(raw.rows[0]!.raw_enc).not.toContain("salary");
    const eml = await sec.get(`/api/v1/reports/${item.id}/original-mail`);
    expect(eml.statusCode).toBe(200);
    expect(eml.headers["content-disposition"]).toMatch(/^attachment; filename="R-\d+\.eml"/);
    expect(eml.headers["x-content-type-options"]).toBe("nosniff");
    expect(eml.body).toContain("Subject: Fwd: Confirm your salary details");
  });

  it("stores the same message once and links a repeated Message-ID to the first report", async () => {
    const raw = [
      "From: lee@example.test",
      "To: report@example.test",
      "Subject: Weird text message",
      "Message-ID: <same-1@example.test>",
      "",
      "Got an SMS asking for my PIN: http://sms-pin.test/x",
      "",
    ].join("\r\n");
    const envelope = { from: "lee@example.test", to: ["report@example.test"] };
    await transport.sendMail({ envelope, raw });
    await transport.sendMail({ envelope, raw });
    await transport.sendMail({ envelope, raw: raw.replace("Subject:", "X-Relay: 2\r\nSubject:") });
    await eventually(
      "the mails parsed",
      async () => {
        const r = await h.t.db.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM report_mail WHERE message_id = '<same-1@example.test>' AND state <> 'received'",
        );
        return r.rows[0]!.n === "2" ? true : undefined;
      },
      20_000,
    );
    const reports = (await queue()).filter((i) => i.title === "Reported e-mail: Weird text message");
    expect(reports).toHaveLength(1);
  });

  it("keeps malformed mail as an 'unparseable' report instead of losing it", async () => {
    await transport.sendMail({
      envelope: { from: "", to: ["report@example.test"] },
      raw: Buffer.concat([Buffer.from("\u0000\u0001\u0002"), Buffer.alloc(300, 0xff), Buffer.from("\r\n")]),
    });
    const item = await eventually(
      "the unparseable report",
      async () => (await queue()).find((i) => i.flags.includes("unparseable")),
      20_000,
    );
    expect(item.title).toMatch(/^Unreadable e-mail/);
    const eml = await sec.get(`/api/v1/reports/${item.id}/original-mail`);
    expect(eml.statusCode).toBe(200);
  });

  it("refuses mail for other recipients and mail over the size limit at the SMTP level", async () => {
    const before = Number(
      (await h.t.db.query<{ n: string }>("SELECT count(*)::text AS n FROM report_mail")).rows[0]!.n,
    );
    await expect(
      transport.sendMail({ from: "x@example.test", to: "ceo@example.test", subject: "relay?", text: "hi" }),
    ).rejects.toMatchObject({ responseCode: 550 });
    await expect(
      transport.sendMail({
        from: "x@example.test",
        to: "report@example.test",
        subject: "big",
        text: "x".repeat(100_000),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    const after = Number(
      (await h.t.db.query<{ n: string }>("SELECT count(*)::text AS n FROM report_mail")).rows[0]!.n,
    );
    expect(after).toBe(before);
  });
});
