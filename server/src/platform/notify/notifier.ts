/**
 * One Notifier for every module. A notification lands in each recipient's in-app inbox; only
 * `critical` ones go out at once (e-mail per user preference, the organisation's Slack and
 * Teams channels), each delivery a durable job idempotent by (notification, channel, target).
 * Everything else waits for the recipient's digest (hourly or daily). Every delivery is
 * audited with who, channel and kind, never the message body.
 */

import { type AuditContext, appendAudit } from "../audit/index.js";
import type { Config } from "../config/index.js";
import type { Envelope } from "../crypto/index.js";
import type { Db, Queryable } from "../db/index.js";
import { ulid } from "../ids/index.js";
import type { JobContext, Jobs } from "../jobs/index.js";
import type { Logger } from "../log/index.js";
import {
  Channels,
  DeliveryError,
  type Message,
  WEBHOOKS,
  type Webhook,
  webhookConfigured,
  webhookUrl,
} from "./channels.js";

export type Severity = "critical" | "high" | "normal" | "low";
export type DigestFrequency = "hourly" | "daily" | "off";

export interface NotifyInput {
  kind: string;
  severity: Severity;
  title: string;
  body?: string;
  /** A path in the web app ("/incidents/…"); made absolute with the public URL when sent. */
  link?: string;
  /** Users by role, and/or by id; disabled users are skipped. */
  to: { roles?: readonly string[]; userIds?: readonly string[] };
  /** The cause: a second notify with the same key raises nothing. */
  sourceKey?: string;
}

const SYSTEM: AuditContext = { actorLabel: "notifications" };
const DELIVER = "platform.notify.deliver";
const DIGEST = "platform.notify.digest";
const SEND_DIGEST = "platform.notify.send_digest";
const RETRY_LIMIT = 6;

interface DeliverJob {
  notificationId: string;
  channel: "email" | Webhook;
  target: string;
}

export interface NotifierDeps {
  db: Db;
  jobs: Jobs;
  envelope: Envelope;
  config: Pick<Config, "TANDEM_SMTP_URL" | "TANDEM_MAIL_FROM" | "publicUrl">;
  log: Logger;
}

export class Notifier {
  readonly channels: Channels;
  /** Kinds modules raise, with a label for the preferences page. */
  private readonly kinds = new Map<string, string>();

  constructor(private readonly deps: NotifierDeps) {
    this.channels = new Channels(deps.config);
    deps.jobs.define<DeliverJob>({
      name: DELIVER,
      retryLimit: RETRY_LIMIT,
      retryDelay: 10,
      handler: (job, ctx) => this.deliver(job, ctx),
    });
    deps.jobs.define({
      name: DIGEST,
      retryLimit: 2,
      batchSize: 1,
      handler: async () => void (await this.runDigest()),
    });
    deps.jobs.define<{ digestId: string }>({
      name: SEND_DIGEST,
      retryLimit: RETRY_LIMIT,
      retryDelay: 30,
      handler: (job) => this.sendDigest(job.digestId),
    });
    deps.jobs.schedule(DIGEST, "5 * * * *");
  }

  registerKind(kind: string, label: string): void {
    this.kinds.set(kind, label);
  }

  listKinds(): { kind: string; label: string }[] {
    return [...this.kinds]
      .map(([kind, label]) => ({ kind, label }))
      .sort((a, b) => a.kind.localeCompare(b.kind));
  }

  link(path: string | null): string | null {
    return path ? `${this.deps.config.publicUrl}${path}` : null;
  }

  /**
   * Raises a notification inside the caller's transaction: inbox rows now, real-time
   * deliveries as jobs that exist only if the transaction commits. Returns its id, or null
   * when the same cause was notified already or nobody is to hear it.
   */
  async notify(q: Queryable, n: NotifyInput): Promise<string | null> {
    const users = await q.query<{ id: string }>(
      `SELECT DISTINCT u.id FROM users u LEFT JOIN user_roles r ON r.user_id = u.id
       WHERE NOT u.disabled AND (r.role = ANY($1::text[]) OR u.id = ANY($2::text[])) ORDER BY u.id`,
      [n.to.roles ?? [], n.to.userIds ?? []],
    );
    if (!users.rows.length) return null;
    const id = ulid();
    const ins = await q.query(
      `INSERT INTO notifications (id, kind, severity, title, body, link, source_key) VALUES ($1,$2,$3,$4,$5,$6,$7)
       ON CONFLICT (source_key) WHERE source_key IS NOT NULL DO NOTHING`,
      [id, n.kind, n.severity, n.title, n.body ?? "", n.link ?? null, n.sourceKey ?? null],
    );
    if (!ins.rowCount) return null;
    const critical = n.severity === "critical";
    const ids = users.rows.map((u) => u.id);
    // A critical notification went out at once; it is not repeated in a digest.
    await q.query(
      `INSERT INTO notification_recipients (notification_id, user_id, digested_at)
       SELECT $1, u, CASE WHEN $3 THEN now() END FROM unnest($2::text[]) AS u`,
      [id, ids, critical],
    );
    const deliveries: DeliverJob[] = [];
    if (critical) {
      if (this.channels.emailConfigured) {
        const optedOut = await q.query<{ user_id: string }>(
          "SELECT user_id FROM notification_prefs WHERE user_id = ANY($1::text[]) AND email_kinds->>$2 = 'false'",
          [ids, n.kind],
        );
        const off = new Set(optedOut.rows.map((r) => r.user_id));
        for (const u of ids)
          if (!off.has(u)) deliveries.push({ notificationId: id, channel: "email", target: u });
      }
      for (const w of WEBHOOKS) {
        if (await webhookConfigured(q, w)) deliveries.push({ notificationId: id, channel: w, target: "org" });
      }
    }
    for (const d of deliveries) {
      await q.query(
        "INSERT INTO notification_deliveries (notification_id, channel, target) VALUES ($1,$2,$3)",
        [d.notificationId, d.channel, d.target],
      );
      await this.deps.jobs.send(q, DELIVER, d, {
        singletonKey: `${d.notificationId}:${d.channel}:${d.target}`,
      });
    }
    await appendAudit(q, SYSTEM, {
      action: "notification.raised",
      targetType: "notification",
      targetId: id,
      details: {
        kind: n.kind,
        severity: n.severity,
        recipients: ids,
        realTime: deliveries.map((d) => `${d.channel}:${d.target}`),
      },
    });
    return id;
  }

  /** One real-time delivery (a job): sends unless already sent, then records and audits it. */
  async deliver(job: DeliverJob, ctx?: Pick<JobContext, "retryCount">): Promise<void> {
    const { db } = this.deps;
    const row = await db.query<{
      state: string;
      kind: string;
      severity: string;
      title: string;
      body: string;
      link: string | null;
    }>(
      `SELECT d.state, n.kind, n.severity, n.title, n.body, n.link FROM notification_deliveries d
       JOIN notifications n ON n.id = d.notification_id
       WHERE d.notification_id = $1 AND d.channel = $2 AND d.target = $3`,
      [job.notificationId, job.channel, job.target],
    );
    const d = row.rows[0];
    if (!d || d.state === "sent") return;
    const m: Message = { title: d.title, body: d.body, link: this.link(d.link), severity: d.severity };
    try {
      if (job.channel === "email") {
        const u = await db.query<{ email: string; disabled: boolean }>(
          "SELECT email, disabled FROM users WHERE id = $1",
          [job.target],
        );
        const user = u.rows[0];
        if (!user || user.disabled) throw new DeliveryError("the recipient has no active account");
        await this.channels.email(
          user.email,
          `[Tandem] ${m.title}`,
          [m.body, m.link ?? ""].filter(Boolean).join("\n\n"),
          {
            "X-Tandem-Notification": job.notificationId,
          },
        );
      } else {
        const url = await webhookUrl(db, this.deps.envelope, job.channel);
        if (!url) throw new DeliveryError(`the ${job.channel} webhook is no longer configured`);
        await this.channels.webhook(job.channel, url, m);
      }
    } catch (err) {
      const message = err instanceof DeliveryError ? err.message : "delivery failed";
      const last = (ctx?.retryCount ?? 0) >= RETRY_LIMIT;
      await db.tx(async (q) => {
        await q.query(
          `UPDATE notification_deliveries SET attempts = attempts + 1, last_error = $4, state = $5
           WHERE notification_id = $1 AND channel = $2 AND target = $3`,
          [job.notificationId, job.channel, job.target, message, last ? "failed" : "pending"],
        );
        if (last)
          await appendAudit(q, SYSTEM, {
            action: "notification.failed",
            targetType: job.channel === "email" ? "user" : "channel",
            targetId: job.channel === "email" ? job.target : job.channel,
            outcome: "failure",
            details: {
              notificationId: job.notificationId,
              channel: job.channel,
              kind: d.kind,
              error: message,
            },
          });
      });
      throw err instanceof DeliveryError ? err : new DeliveryError(message);
    }
    await db.tx(async (q) => {
      await q.query(
        `UPDATE notification_deliveries SET attempts = attempts + 1, state = 'sent', sent_at = now(), last_error = NULL
         WHERE notification_id = $1 AND channel = $2 AND target = $3`,
        [job.notificationId, job.channel, job.target],
      );
      await appendAudit(q, SYSTEM, {
        action: "notification.sent",
        targetType: job.channel === "email" ? "user" : "channel",
        targetId: job.channel === "email" ? job.target : job.channel,
        details: { notificationId: job.notificationId, channel: job.channel, kind: d.kind },
      });
    });
  }

  /**
   * Gathers each user's undigested notifications into a digest when their frequency says it
   * is time (hourly: every run; daily: once a day), and enqueues its e-mail. Users with
   * digests off (or no e-mail configured) only have the rows marked: the inbox keeps them.
   */
  async runDigest(now = new Date()): Promise<string[]> {
    const { db } = this.deps;
    const due = await db.query<{ user_id: string; digest: DigestFrequency; last: Date | null }>(
      `SELECT r.user_id, COALESCE(p.digest, 'daily') AS digest,
         (SELECT max(created_at) FROM notification_digests g WHERE g.user_id = r.user_id) AS last
       FROM notification_recipients r LEFT JOIN notification_prefs p ON p.user_id = r.user_id
       WHERE r.digested_at IS NULL GROUP BY r.user_id, p.digest ORDER BY r.user_id`,
    );
    const made: string[] = [];
    for (const u of due.rows) {
      const last = u.last ? new Date(u.last).getTime() : 0;
      if (u.digest === "daily" && now.getTime() - last < 23 * 3_600_000) continue;
      const id = await db.tx(async (q) => {
        const rows = await q.query<{ notification_id: string }>(
          `UPDATE notification_recipients SET digested_at = $2 WHERE user_id = $1 AND digested_at IS NULL
           RETURNING notification_id`,
          [u.user_id, now],
        );
        if (!rows.rowCount || u.digest === "off" || !this.channels.emailConfigured) return null;
        const digestId = ulid();
        await q.query(
          "INSERT INTO notification_digests (id, user_id, notification_ids, created_at) VALUES ($1,$2,$3,$4)",
          [digestId, u.user_id, rows.rows.map((r) => r.notification_id), now],
        );
        await this.deps.jobs.send(q, SEND_DIGEST, { digestId }, { singletonKey: digestId });
        return digestId;
      });
      if (id) made.push(id);
    }
    return made;
  }

  /** Sends one digest e-mail (a job), once. */
  async sendDigest(digestId: string): Promise<void> {
    const { db } = this.deps;
    const g = await db.query<{
      user_id: string;
      notification_ids: string[];
      sent_at: Date | null;
      email: string;
    }>(
      `SELECT g.user_id, g.notification_ids, g.sent_at, u.email FROM notification_digests g
       JOIN users u ON u.id = g.user_id WHERE g.id = $1`,
      [digestId],
    );
    const d = g.rows[0];
    if (!d || d.sent_at) return;
    const items = await db.query<{ kind: string; severity: string; title: string; link: string | null }>(
      "SELECT kind, severity, title, link FROM notifications WHERE id = ANY($1::text[]) ORDER BY created_at, id",
      [d.notification_ids],
    );
    const lines = items.rows.map(
      (n) => `- [${n.severity}] ${n.title}${n.link ? `\n  ${this.link(n.link)}` : ""}`,
    );
    await this.channels.email(
      d.email,
      `[Tandem] Your digest: ${items.rows.length} notification${items.rows.length === 1 ? "" : "s"}`,
      ["What happened since your last digest:", "", ...lines].join("\n"),
      { "X-Tandem-Digest": digestId },
    );
    await db.tx(async (q) => {
      await q.query("UPDATE notification_digests SET sent_at = now() WHERE id = $1", [digestId]);
      await appendAudit(q, SYSTEM, {
        action: "notification.digest_sent",
        targetType: "user",
        targetId: d.user_id,
        details: {
          digestId,
          channel: "email",
          count: items.rows.length,
          kinds: [...new Set(items.rows.map((i) => i.kind))],
        },
      });
    });
  }

  close(): Promise<void> {
    return this.channels.close();
  }
}
