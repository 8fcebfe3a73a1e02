import http from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../test/access.js";
import { startTestApp, type TestApp } from "../../test/harness.js";

/**
 * Notifications end to end against real peers started here: an SMTP sink (smtp-server,
 * messages parsed with mailparser) and an HTTP receiver standing in for the Slack and Teams
 * incoming webhooks. Critical notifications go out at once; everything else waits for the
 * digest; every delivery is audited without its body.
 */

interface Mail {
  to: string;
  subject: string;
  text: string;
  headers: Map<string, unknown>;
}
interface Hook {
  path: string;
  body: Record<string, unknown>;
}

let h: TestApp;
let smtp: SMTPServer;
let receiver: http.Server;
let hookBase: string;
const mails: Mail[] = [];
const hooks: Hook[] = [];
/** Status the receiver answers per path (default 200). */
const answers = new Map<string, number>();

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((m) => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address).join(","),
            subject: m.subject ?? "",
            text: m.text ?? "",
            headers: m.headers,
          });
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  receiver = http.createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      const status = answers.get(req.url ?? "") ?? 200;
      if (status < 300) hooks.push({ path: req.url ?? "", body: JSON.parse(data || "{}") });
      if (status >= 300 && status < 400) res.setHeader("location", "http://127.0.0.1:1/elsewhere");
      res.writeHead(status).end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  h = await startTestApp(
    { TANDEM_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, TANDEM_MAIL_FROM: "Tandem <alerts@corp.test>" },
    { jobs: true },
  );
});

afterAll(async () => {
  await h.close();
  await new Promise<void>((r) => smtp.close(r));
  await new Promise<void>((r) => receiver.close(() => r()));
});

async function notify(input: Parameters<TestApp["t"]["notifier"]["notify"]>[1]) {
  return h.t.db.tx((q) => h.t.notifier.notify(q, input));
}

describe("channel settings", () => {
  it("are for admins, keep webhook URLs write-only and refuse plain http to other hosts", async () => {
    const admin = await h.signedIn(["admin"]);
    const security = await h.signedIn(["security"]);
    expect((await h.client().get("/api/v1/settings/notifications")).statusCode).toBe(401);
    expect((await security.get("/api/v1/settings/notifications")).statusCode).toBe(403);

    const bad = await admin.put("/api/v1/settings/notifications", { slackUrl: "http://hooks.example.com/x" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("body.slackUrl");
    const creds = await admin.put("/api/v1/settings/notifications", {
      teamsUrl: "https://u:p@example.com/x",
    });
    expect(creds.statusCode).toBe(400);

    const ok = await admin.put("/api/v1/settings/notifications", {
      slackUrl: `${hookBase}/slack`,
      teamsUrl: `${hookBase}/teams`,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({
      email: { configured: true, from: "Tandem <alerts@corp.test>" },
      slack: { configured: true },
      teams: { configured: true },
    });
    expect(ok.body).not.toContain(hookBase);
    const stored = await h.t.db.query<{ secret_enc: string }>(
      "SELECT secret_enc FROM settings WHERE key = 'notify.slack'",
    );
    expect(stored.rows[0]?.secret_enc).toMatch(/^v1\./);
    expect(stored.rows[0]?.secret_enc).not.toContain("127.0.0.1");
  });

  it("test-send reaches the channel and reports a failing one without leaking its URL", async () => {
    const admin = await h.signedIn(["admin"]);
    const before = hooks.length;
    const r = await admin.post("/api/v1/settings/notifications/test", { channel: "slack" });
    expect(r.json()).toEqual({ ok: true, error: null });
    expect(hooks.slice(before).some((x) => x.path === "/slack")).toBe(true);

    answers.set("/teams", 302);
    const redirected = await admin.post("/api/v1/settings/notifications/test", { channel: "teams" });
    expect(redirected.json<{ ok: boolean; error: string }>()).toEqual({
      ok: false,
      error: "the teams webhook answered a redirect (302)",
    });
    answers.delete("/teams");

    const mail = await admin.post("/api/v1/settings/notifications/test", { channel: "email" });
    expect(mail.json()).toEqual({ ok: true, error: null });
    const got = await eventually("test mail", async () => mails.find((m) => m.to === admin.email));
    expect(got.subject).toBe("[Tandem] Test message from Tandem");
    expect((await admin.post("/api/v1/settings/notifications/test", { channel: "pager" })).statusCode).toBe(
      400,
    );
  });
});

describe("routing by severity", () => {
  it("sends a critical notification at once by e-mail, Slack and Teams, and audits each delivery without the body", async () => {
    const legal = await h.signedIn(["legal"]);
    const id = await notify({
      kind: "test.critical",
      severity: "critical",
      title: "Sev1 opened: payroll data exposed",
      body: "Secret detail about Jane Doe",
      link: "/incidents/x",
      to: { userIds: [legal.userId] },
    });
    expect(id).toBeTruthy();
    const mail = await eventually("critical mail", async () =>
      mails.find((m) => m.subject.includes("payroll data exposed")),
    );
    expect(mail.to).toBe(legal.email);
    expect(mail.text).toContain("/incidents/x");
    expect(mail.headers.get("x-tandem-notification")).toBe(id);
    const slack = await eventually("slack post", async () =>
      hooks.find((x) => x.path === "/slack" && String(x.body.text).includes("payroll data exposed")),
    );
    expect(slack.body.text).toContain("[critical]");
    const teams = await eventually("teams post", async () =>
      hooks.find((x) => x.path === "/teams" && JSON.stringify(x.body).includes("payroll data exposed")),
    );
    expect((teams.body.attachments as { contentType: string }[])[0]?.contentType).toBe(
      "application/vnd.microsoft.card.adaptive",
    );
    const audit = await eventually("three audited deliveries", async () => {
      const r = await h.t.db.query<{ details: Record<string, string>; target_id: string }>(
        "SELECT details, target_id FROM audit_log WHERE action = 'notification.sent' AND details->>'notificationId' = $1",
        [id],
      );
      return r.rows.length === 3 ? r.rows : undefined;
    });
    expect(audit.map((a) => a.details.channel).sort()).toEqual(["email", "slack", "teams"]);
    expect(audit.find((a) => a.details.channel === "email")?.target_id).toBe(legal.userId);
    expect(JSON.stringify(audit)).not.toContain("Jane Doe");
    // It went out in real time, so the digest does not repeat it.
    const r = await h.t.db.query(
      "SELECT 1 FROM notification_recipients WHERE notification_id = $1 AND digested_at IS NULL",
      [id],
    );
    expect(r.rowCount).toBe(0);
  });

  it("keeps non-critical notifications in the inbox for the digest, and the digest sends them once", async () => {
    const hr = await h.signedIn(["hr"]);
    await hr.put("/api/v1/notifications/preferences", { digest: "hourly", email: {} });
    const a = await notify({
      kind: "test.normal",
      severity: "normal",
      title: "Task due soon: brief staff",
      to: { userIds: [hr.userId] },
    });
    await notify({ kind: "test.high", severity: "high", title: "Referral waiting", to: { roles: ["hr"] } });
    const deliveries = await h.t.db.query(
      "SELECT 1 FROM notification_deliveries WHERE notification_id = $1",
      [a],
    );
    expect(deliveries.rowCount).toBe(0);
    expect(mails.some((m) => m.subject.includes("brief staff"))).toBe(false);

    const inbox = await hr.get("/api/v1/notifications?unread=true");
    expect(inbox.json<{ unread: number; items: { title: string }[] }>().items.map((i) => i.title)).toEqual([
      "Referral waiting",
      "Task due soon: brief staff",
    ]);

    const made = await h.t.notifier.runDigest();
    expect(made.length).toBeGreaterThanOrEqual(1);
    const digest = await eventually("digest mail", async () =>
      mails.find((m) => m.to === hr.email && m.subject.includes("digest")),
    );
    expect(digest.subject).toBe("[Tandem] Your digest: 2 notifications");
    expect(digest.text).toContain("[normal] Task due soon: brief staff");
    expect(digest.text).toContain("[high] Referral waiting");
    // A second run finds nothing new for this user.
    const again = await h.t.notifier.runDigest();
    const mine = await h.t.db.query("SELECT 1 FROM notification_digests WHERE user_id = $1", [hr.userId]);
    expect(mine.rowCount).toBe(1);
    expect(again.length).toBe(0);
    await eventually("digest audited", async () => {
      const r = await h.t.db.query(
        "SELECT 1 FROM audit_log WHERE action = 'notification.digest_sent' AND target_id = $1",
        [hr.userId],
      );
      return r.rowCount ? true : undefined;
    });
  });

  it("daily digests wait a day; users who opted out of e-mail for a kind get it in-app only", async () => {
    const it1 = await h.signedIn(["it"]);
    const prefs = await it1.get("/api/v1/notifications/preferences");
    expect(prefs.json<{ digest: string }>().digest).toBe("daily");
    const bad = await it1.put("/api/v1/notifications/preferences", {
      digest: "daily",
      email: { "no.such": false },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("email.no.such");
    const off = await it1.put("/api/v1/notifications/preferences", {
      digest: "daily",
      email: { "incident.clock": false },
    });
    expect(off.statusCode, off.body).toBe(200);
    const id = await notify({
      kind: "incident.clock",
      severity: "critical",
      title: "Clock passed",
      to: { userIds: [it1.userId] },
    });
    const d = await h.t.db.query<{ channel: string }>(
      "SELECT channel FROM notification_deliveries WHERE notification_id = $1",
      [id],
    );
    expect(d.rows.map((x) => x.channel).sort()).toEqual(["slack", "teams"]);

    await h.t.db.query(
      "INSERT INTO notification_digests (id, user_id, notification_ids, created_at, sent_at) VALUES ('01DIGESTDAILYTEST000000000', $1, '{}', now(), now())",
      [it1.userId],
    );
    await notify({
      kind: "test.normal",
      severity: "normal",
      title: "Daily item",
      to: { userIds: [it1.userId] },
    });
    await h.t.notifier.runDigest();
    const pending = await h.t.db.query(
      "SELECT 1 FROM notification_recipients WHERE user_id = $1 AND digested_at IS NULL",
      [it1.userId],
    );
    expect(pending.rowCount).toBe(1);
    await h.t.notifier.runDigest(new Date(Date.now() + 24 * 3_600_000));
    const after = await h.t.db.query(
      "SELECT 1 FROM notification_recipients WHERE user_id = $1 AND digested_at IS NULL",
      [it1.userId],
    );
    expect(after.rowCount).toBe(0);
  });

  it("retries a failing webhook and records the error without the URL", async () => {
    const sec = await h.signedIn(["security"]);
    answers.set("/slack", 500);
    const id = (await notify({
      kind: "test.critical",
      severity: "critical",
      title: "Failing slack",
      to: { userIds: [sec.userId] },
    })) as string;
    const row = await eventually("a failed attempt", async () => {
      const r = await h.t.db.query<{ attempts: number; last_error: string; state: string }>(
        "SELECT attempts, last_error, state FROM notification_deliveries WHERE notification_id = $1 AND channel = 'slack'",
        [id],
      );
      return r.rows[0]?.attempts ? r.rows[0] : undefined;
    });
    expect(row.last_error).toBe("the slack webhook answered 500");
    expect(row.state).toBe("pending");
    answers.delete("/slack");
    // Delivering again (as the retry does) sends once and only once.
    await h.t.notifier.deliver({ notificationId: id, channel: "slack", target: "org" });
    await h.t.notifier.deliver({ notificationId: id, channel: "slack", target: "org" });
    expect(hooks.filter((x) => String(x.body.text).includes("Failing slack")).length).toBe(1);
  });
});

describe("the inbox", () => {
  it("is per user: 401 anonymous, 404 for someone else's notification, mark read", async () => {
    const a = await h.signedIn(["employee"]);
    const b = await h.signedIn(["employee"]);
    const id = (await notify({
      kind: "test.normal",
      severity: "low",
      title: "For A only",
      to: { userIds: [a.userId] },
    })) as string;
    expect((await h.client().get("/api/v1/notifications")).statusCode).toBe(401);
    expect((await b.get("/api/v1/notifications")).json<{ items: unknown[] }>().items).toEqual([]);
    expect((await b.post(`/api/v1/notifications/${id}/read`)).statusCode).toBe(404);
    expect((await a.post(`/api/v1/notifications/${id}/read`)).statusCode).toBe(204);
    expect((await a.get("/api/v1/notifications")).json<{ unread: number }>().unread).toBe(0);
    expect((await a.get("/api/v1/notifications?limit=0")).statusCode).toBe(400);
  });

  it("does not raise the same cause twice and skips nobody-to-tell", async () => {
    const u = await h.signedIn(["auditor"]);
    const first = await notify({
      kind: "k",
      severity: "low",
      title: "once",
      to: { userIds: [u.userId] },
      sourceKey: "same-cause",
    });
    const second = await notify({
      kind: "k",
      severity: "low",
      title: "once",
      to: { userIds: [u.userId] },
      sourceKey: "same-cause",
    });
    expect(first).toBeTruthy();
    expect(second).toBeNull();
    expect(await notify({ kind: "k", severity: "low", title: "nobody", to: { roles: [] } })).toBeNull();
  });
});
