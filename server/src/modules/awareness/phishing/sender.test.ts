import net, { type AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../../platform/audit/index.js";
import { buildPerson } from "../../../test/access.js";
import type { Api } from "../../../test/awareness.js";
import { startTestApp, type TestApp } from "../../../test/harness.js";
import { hashToken, PhishingSender } from "./sender.js";

/**
 * The sender against a real SMTP sink (smtp-server, parsed with mailparser): messages with
 * the simulation header, the tracked link and the open pixel, one token per recipient stored
 * only as its hash; permanent refusals (550) failed with the reason, temporary ones (451)
 * retried with backoff; a lost batch marked uncertain and never resent by itself; resend.
 */

interface Mail {
  to: string;
  parsed: ParsedMail;
}

let h: TestApp;
let security: Api;
let hr: Api;
let smtp: SMTPServer;
const mails: Mail[] = [];
/** Refusals so far per address (the sink's memory for the 451-then-accept case). */
const refusals = new Map<string, number>();
const PUBLIC = "https://tandem.corp.test";

function smtpError(code: number, text: string) {
  return Object.assign(new Error(text), { responseCode: code });
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, cb) {
      const a = address.address;
      const seen = refusals.get(a) ?? 0;
      if (a.startsWith("nobody.")) return cb(smtpError(550, "5.1.1 No such mailbox here"));
      if (a.startsWith("busy.") && seen < 2) {
        refusals.set(a, seen + 1);
        return cb(smtpError(451, "4.7.1 Greylisted, try again later"));
      }
      if (a.startsWith("full.")) {
        refusals.set(a, seen + 1);
        return cb(smtpError(452, "4.2.2 Mailbox full"));
      }
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((parsed) => {
          for (const r of session.envelope.rcptTo) mails.push({ to: r.address, parsed });
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
  const port = (smtp.server.address() as AddressInfo).port;
  h = await startTestApp({
    TANDEM_PHISHING_SMTP_URL: `smtp://127.0.0.1:${port}`,
    TANDEM_PUBLIC_URL: PUBLIC,
    TANDEM_PHISHING_COMPANY: "Acme Widgets",
    TANDEM_PHISHING_SEND_BATCH: "4",
    TANDEM_PHISHING_SEND_ATTEMPTS: "3",
    TANDEM_PHISHING_RETRY_SECONDS: "0.2",
    TANDEM_PHISHING_LEASE_SECONDS: "2",
  });
  security = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
}, 120_000);

afterAll(async () => {
  await h.close();
  await new Promise<void>((r) => smtp.close(r));
});

const sender = () => h.t.awareness.phishing.sender;

async function department(): Promise<string> {
  const d = await hr.post("/api/v1/departments", { name: `Dept ${Math.random().toString(36).slice(2, 8)}` });
  expect(d.statusCode, d.body).toBe(201);
  return d.json<{ id: string }>().id;
}

/** A scheduled campaign for the department whose window closes in `ms`: everyone due by then. */
async function campaign(departmentId: string, ms = 1500): Promise<string> {
  const t = await security.post("/api/v1/awareness/phishing/templates", {
    name: "Shared document",
    lure: "login",
    fromName: "Docs",
    fromAddress: "share@docs-example.test",
    subject: "{{first_name}}, a document was shared with you",
    bodyHtml: '<html><body><p>Hi {{full_name}} at {{company}}</p><a href="{{link}}">Open</a></body></html>',
    bodyText: "Hi {{full_name}} at {{company}}. Open: {{link}}",
    lessonMd: "Check the address bar.",
  });
  expect(t.statusCode, t.body).toBe(201);
  const c = await security.post("/api/v1/awareness/phishing/campaigns", {
    name: "Docs lure",
    templateId: t.json<{ id: string }>().id,
    audience: { departmentIds: [departmentId] },
    windowStart: new Date().toISOString(),
    windowEnd: new Date(Date.now() + ms).toISOString(),
  });
  expect(c.statusCode, c.body).toBe(201);
  const id = c.json<{ id: string }>().id;
  const s = await security.post(`/api/v1/awareness/phishing/campaigns/${id}/schedule`);
  expect(s.statusCode, s.body).toBe(200);
  await new Promise((r) => setTimeout(r, ms + 50));
  return id;
}

async function recipients(id: string) {
  return (
    await h.t.db.query<{
      id: string;
      email: string;
      status: string;
      attempts: number;
      last_error: string | null;
      token_hash: string | null;
      sent_at: Date | null;
      message_id: string | null;
    }>("SELECT * FROM phishing_recipients WHERE campaign_id = $1 ORDER BY email", [id])
  ).rows;
}

const campaignView = async (id: string) =>
  (await security.get(`/api/v1/awareness/phishing/campaigns/${id}`)).json<{
    status: string;
    counts: Record<string, number>;
  }>();

/** Runs the sender until the campaign has nothing pending or being sent (retries come due on their own). */
async function sendAll(id: string) {
  for (let i = 0; i < 100; i++) {
    await sender().run();
    const c = await campaignView(id);
    if (c.counts.pending === 0 && c.counts.sending === 0) return c;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error("the campaign never finished sending");
}

describe("the phishing sender", () => {
  it("sends one message per recipient with the simulation header, tracked link and pixel; records batches", async () => {
    const dept = await department();
    const people = [];
    for (let i = 0; i < 10; i++)
      people.push(await buildPerson(hr, { departmentId: dept, legalName: `Pat Person${i}` }));
    const id = await campaign(dept);
    const before = mails.length;
    const result = await sender().run();
    expect(result).toMatchObject({ sent: 10, failed: 0, retrying: 0 });

    const mine = mails.slice(before);
    expect(mine.map((m) => m.to).sort()).toEqual(people.map((p) => p.workEmail).sort());
    const rows = await recipients(id);
    for (const m of mine) {
      const token = m.parsed.headers.get("x-tandem-simulation") as string;
      expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      const row = rows.find((r) => r.email === m.to)!;
      expect(row.token_hash).toBe(hashToken(token));
      expect(row).toMatchObject({ status: "sent", attempts: 1, last_error: null });
      expect(row.sent_at).not.toBeNull();
      expect(row.message_id).toBe(m.parsed.messageId);
      expect(m.parsed.from?.value[0]).toEqual({ name: "Docs", address: "share@docs-example.test" });
      expect(m.parsed.subject).toMatch(/^Pat, a document was shared with you$/);
      expect(m.parsed.text).toContain(`Open: ${PUBLIC}/t/c/${token}`);
      expect(m.parsed.text).toContain("at Acme Widgets.");
      expect(m.parsed.html).toContain(`href="${PUBLIC}/t/c/${token}"`);
      expect(m.parsed.html).toContain(`<img src="${PUBLIC}/t/o/${token}.gif"`);
      expect(JSON.stringify(rows)).not.toContain(token);
    }
    expect(new Set(mine.map((m) => m.parsed.headers.get("x-tandem-simulation"))).size).toBe(10);

    const view = await campaignView(id);
    expect(view).toMatchObject({ status: "finished", counts: { recipients: 10, sent: 10, pending: 0 } });
    // Sends are audited per batch (batches of four), not per message.
    const audit = await h.t.db.query<{ action: string; details: { sent?: string[] } }>(
      "SELECT action, details FROM audit_log WHERE target_id = $1 ORDER BY seq",
      [id],
    );
    const batches = audit.rows.filter((a) => a.action === "awareness.phishing_batch_sent");
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.length).toBeLessThan(10);
    expect(batches.flatMap((b) => b.details.sent ?? []).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(audit.rows.map((a) => a.action).filter((a) => a !== "awareness.phishing_batch_sent")).toEqual([
      "awareness.phishing_campaign_created",
      "awareness.phishing_campaign_scheduled",
      "awareness.phishing_campaign_sending",
      "awareness.phishing_campaign_finished",
    ]);
    expect((await verifyChain(h.t.db)).ok).toBe(true);

    // Nothing is sent twice: another run finds nothing due.
    expect(await sender().run()).toMatchObject({ sent: 0, failed: 0 });
    expect(mails.length).toBe(before + 10);
  });

  it("fails permanent refusals with the reason, retries temporary ones with backoff until they give up", async () => {
    const dept = await department();
    const tag = Math.random().toString(36).slice(2, 8);
    const ok = await buildPerson(hr, { departmentId: dept, workEmail: `ok.${tag}@corp.test` });
    const nobody = await buildPerson(hr, { departmentId: dept, workEmail: `nobody.${tag}@corp.test` });
    const busy = await buildPerson(hr, { departmentId: dept, workEmail: `busy.${tag}@corp.test` });
    const full = await buildPerson(hr, { departmentId: dept, workEmail: `full.${tag}@corp.test` });
    const id = await campaign(dept);
    const before = mails.length;
    const view = await sendAll(id);
    expect(view).toMatchObject({
      status: "finished",
      counts: { sent: 2, failed: 2, pending: 0, uncertain: 0 },
    });

    const rows = Object.fromEntries((await recipients(id)).map((r) => [r.email, r]));
    expect(rows[ok.workEmail]).toMatchObject({ status: "sent", attempts: 1 });
    expect(rows[nobody.workEmail]).toMatchObject({ status: "failed", attempts: 1 });
    expect(rows[nobody.workEmail]?.last_error).toContain("550");
    expect(rows[nobody.workEmail]?.last_error).toContain("No such mailbox");
    // Greylisted twice, accepted on the third attempt.
    expect(rows[busy.workEmail]).toMatchObject({ status: "sent", attempts: 3 });
    expect(refusals.get(busy.workEmail)).toBe(2);
    // Always temporarily refused: given up after the configured three attempts.
    expect(rows[full.workEmail]).toMatchObject({ status: "failed", attempts: 3 });
    expect(rows[full.workEmail]?.last_error).toMatch(/452.*gave up after 3 attempts/);
    expect(refusals.get(full.workEmail)).toBe(3);

    const delivered = mails
      .slice(before)
      .map((m) => m.to)
      .sort();
    expect(delivered).toEqual([busy.workEmail, ok.workEmail].sort());

    const failedList = await security.get(
      `/api/v1/awareness/phishing/campaigns/${id}/recipients?status=failed`,
    );
    expect(
      failedList
        .json<{ items: { email: string; lastError: string }[] }>()
        .items.map((r) => r.email)
        .sort(),
    ).toEqual([full.workEmail, nobody.workEmail].sort());
    const retries = await h.t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE target_id = $1 AND action = 'awareness.phishing_batch_sent'
       AND jsonb_array_length(details->'retrying') > 0`,
      [id],
    );
    expect(retries.rows[0]?.n).toBeGreaterThan(0);
  });

  it("a claimed batch whose lease ran out is uncertain, never resent by itself; resend sends it once", async () => {
    const dept = await department();
    const a = await buildPerson(hr, { departmentId: dept });
    const b = await buildPerson(hr, { departmentId: dept });
    const id = await campaign(dept);
    // A node claims the batch and dies before sending or recording anything.
    const lost = await sender().claim();
    expect(lost.rows.map((r) => r.email).sort()).toEqual([a.workEmail, b.workEmail].sort());
    expect((await campaignView(id)).counts).toMatchObject({ sending: 2 });
    await new Promise((r) => setTimeout(r, 2500));
    const before = mails.length;
    expect(await sender().run()).toMatchObject({ sent: 0, uncertain: 2 });
    expect(await sender().run()).toMatchObject({ sent: 0, uncertain: 0 });
    expect(mails.length).toBe(before);
    const view = await campaignView(id);
    expect(view).toMatchObject({ status: "finished", counts: { uncertain: 2, sent: 0 } });

    const rid = (await recipients(id)).find((r) => r.email === a.workEmail)!.id;
    const sent = (await recipients(id)).find((r) => r.email === b.workEmail)!.id;
    const notYet = await security.post(`/api/v1/awareness/phishing/campaigns/${id}/recipients/nope/resend`);
    expect(notYet.statusCode).toBe(404);
    const resend = await security.post(`/api/v1/awareness/phishing/campaigns/${id}/recipients/${rid}/resend`);
    expect(resend.statusCode, resend.body).toBe(200);
    expect(resend.json()).toMatchObject({ status: "sending", counts: { pending: 1, uncertain: 1 } });
    expect(await sender().run()).toMatchObject({ sent: 1 });
    expect(mails.slice(before).map((m) => m.to)).toEqual([a.workEmail]);
    expect(await campaignView(id)).toMatchObject({ status: "finished", counts: { sent: 1, uncertain: 1 } });
    // A message already sent cannot be "resent".
    const again = await security.post(`/api/v1/awareness/phishing/campaigns/${id}/recipients/${rid}/resend`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "awareness.phishing.not_resendable" });
    expect(sent).not.toBe(rid);
    const audit = await h.t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_id = $1 AND action IN ('awareness.phishing_messages_uncertain', 'awareness.phishing_recipient_resend') ORDER BY seq",
      [id],
    );
    expect(audit.rows.map((x) => x.action)).toEqual([
      "awareness.phishing_messages_uncertain",
      "awareness.phishing_recipient_resend",
    ]);
  });
  it("retries when the mail server cannot be reached, and sends once it can", async () => {
    const dept = await department();
    const p = await buildPerson(hr, { departmentId: dept });
    const id = await campaign(dept);
    // A port nothing listens on: the connection is refused.
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const down = new PhishingSender(h.t.db, h.t.events, null, {
      ...sender().settings,
      smtpUrl: `smtp://127.0.0.1:${port}`,
      retrySeconds: 1,
    });
    try {
      expect(await down.run()).toMatchObject({ sent: 0, failed: 0, retrying: 1 });
    } finally {
      await down.close();
    }
    const [row] = await recipients(id);
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row?.last_error).toContain("could not reach the mail server");
    // Not due again before its backoff.
    const before = mails.length;
    expect(await sender().run()).toMatchObject({ sent: 0 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await sender().run()).toMatchObject({ sent: 1 });
    expect(mails.slice(before).map((m) => m.to)).toEqual([p.workEmail]);
    expect((await recipients(id))[0]).toMatchObject({ status: "sent", attempts: 2, last_error: null });
  });

  it("a campaign cancelled while a batch is out keeps what was handed over and drops the rest", async () => {
    const dept = await department();
    for (let i = 0; i < 6; i++) await buildPerson(hr, { departmentId: dept });
    const id = await campaign(dept);
    const claimed = await sender().claim();
    expect(claimed.rows).toHaveLength(4);
    const cancel = await security.post(`/api/v1/awareness/phishing/campaigns/${id}/cancel`);
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(cancel.json()).toMatchObject({ status: "cancelled", counts: { sending: 4, dropped: 2 } });
    await sender().record(await sender().deliver(claimed.rows, claimed.tokens));
    expect(await sender().run()).toMatchObject({ sent: 0 });
    expect(await campaignView(id)).toMatchObject({
      status: "cancelled",
      counts: { sent: 4, dropped: 2, pending: 0 },
    });
  });
});
