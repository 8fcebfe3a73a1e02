/**
 * The sender: claims due recipients in batches (a lease and a fresh tracking token each),
 * renders and hands their messages to one pooled SMTP transport concurrently, and records
 * the results of a batch with one statement and one audit entry per campaign.
 *
 * A node that dies between handing messages over and recording them leaves rows `sending`
 * with a lease that runs out; the next sweep marks them `uncertain`, and they are never sent
 * again by themselves (the message may have gone out). Temporary refusals (4xx, connection
 * trouble) go back to `pending` with a growing delay until the attempts run out; permanent
 * ones (5xx) are `failed` with the server's reason.
 */
import { createHash, randomBytes } from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";
import {
  type AuditContext,
  type AuditInput,
  appendAudit,
  appendAuditMany,
} from "../../../platform/audit/index.js";
import type { Config } from "../../../platform/config/index.js";
import type { Db, Queryable } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import type { Jobs } from "../../../platform/jobs/index.js";
import { WORKING } from "../../people/index.js";
import { PHISHING_EVENTS, SIMULATION_HEADER } from "./context.js";
import { mergeValues, renderMessage } from "./merge.js";
import { PERSON_MERGE_SQL, toMergePerson } from "./templates.js";

export const SEND_JOB = "awareness.phishing.send";
export const SENDER: AuditContext = { actorLabel: "phishing sender" };

export interface SenderSettings {
  smtpUrl: string | undefined;
  /** Recipients per claim. */
  batch: number;
  /** SMTP connections of the pooled transport. */
  pool: number;
  /** Claim–send–record loops a run keeps going at once. */
  parallel: number;
  attempts: number;
  retrySeconds: number;
  leaseSeconds: number;
  company: string;
  baseUrl: string;
}

export function senderSettings(config: Config): SenderSettings {
  return {
    smtpUrl: config.TANDEM_PHISHING_SMTP_URL ?? config.TANDEM_SMTP_URL,
    batch: config.TANDEM_PHISHING_SEND_BATCH,
    pool: config.TANDEM_PHISHING_POOL,
    parallel: config.TANDEM_PHISHING_PARALLEL,
    attempts: config.TANDEM_PHISHING_SEND_ATTEMPTS,
    retrySeconds: config.TANDEM_PHISHING_RETRY_SECONDS,
    leaseSeconds: config.TANDEM_PHISHING_LEASE_SECONDS,
    company: config.TANDEM_PHISHING_COMPANY,
    baseUrl: config.publicUrl,
  };
}

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

interface Claimed {
  id: string;
  campaign_id: string;
  template_id: string;
  email: string;
  token_hash: string;
  attempts: number;
  legal_name: string;
  preferred_name: string | null;
  work_email: string;
  department: string | null;
  job_title: string | null;
  manager_name: string | null;
}

interface TemplateRow {
  from_name: string;
  from_address: string;
  subject: string;
  body_html: string;
  body_text: string;
}

interface Outcome {
  id: string;
  campaignId: string;
  hash: string;
  status: "sent" | "pending" | "failed";
  error: string | null;
  messageId: string | null;
  delaySeconds: number;
  at: string;
}

export interface RunResult {
  sent: number;
  failed: number;
  retrying: number;
  uncertain: number;
  dropped: number;
}

/** What an SMTP error means for the message: try again later, or give up with this reason. */
export function classifySmtpError(err: unknown): { temporary: boolean; reason: string } {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  const text = (e.response ?? e.code ?? e.message ?? "error").replace(/\s+/g, " ").trim().slice(0, 300);
  if (typeof e.responseCode === "number" && e.responseCode >= 500) return { temporary: false, reason: text };
  if (typeof e.responseCode === "number" && e.responseCode >= 400) return { temporary: true, reason: text };
  return { temporary: true, reason: e.code ? `${e.code}: could not reach the mail server` : text };
}

export class PhishingSender {
  private transport: Transporter | null = null;

  constructor(
    private readonly db: Db,
    private readonly events: Events,
    private readonly jobs: Jobs | null,
    readonly settings: SenderSettings,
  ) {}

  private mailer(): Transporter {
    if (!this.settings.smtpUrl) throw new Error("phishing mail is not configured (TANDEM_PHISHING_SMTP_URL)");
    this.transport ??= nodemailer.createTransport({
      url: this.settings.smtpUrl,
      pool: true,
      maxConnections: this.settings.pool,
      maxMessages: Number.POSITIVE_INFINITY,
    } as never);
    return this.transport;
  }

  /**
   * Housekeeping before sending: leases that ran out while `sending` become `uncertain`,
   * pending recipients who no longer work here are dropped, campaigns with nothing left finish.
   */
  async sweep(): Promise<{ uncertain: number; dropped: number }> {
    return this.db.tx(async (q) => {
      const lost = await q.query<{ id: string; campaign_id: string }>(
        `UPDATE phishing_recipients SET status = 'uncertain', lease_until = NULL,
           last_error = 'the sender stopped before recording whether the mail server took the message'
         WHERE status = 'sending' AND lease_until < now() RETURNING id, campaign_id`,
      );
      const gone = await q.query<{ id: string; campaign_id: string }>(
        `UPDATE phishing_recipients r SET status = 'dropped', last_error = 'no longer works here'
         FROM people p WHERE p.id = r.person_id AND r.status = 'pending' AND NOT (p.status = ANY($1::text[]))
         RETURNING r.id, r.campaign_id`,
        [[...WORKING]],
      );
      const entries: AuditInput[] = [];
      for (const [action, rows] of [
        ["awareness.phishing_messages_uncertain", lost.rows],
        ["awareness.phishing_recipients_dropped", gone.rows],
      ] as const) {
        for (const [campaignId, ids] of groupBy(rows))
          entries.push({
            action,
            targetType: "phishing_campaign",
            targetId: campaignId,
            details: { recipientIds: ids },
          });
      }
      await appendAuditMany(q, SENDER, entries);
      // Every running campaign with nothing left, also those a busy moment kept from finishing.
      const running = await q.query<{ id: string }>(
        "SELECT id FROM phishing_campaigns WHERE status IN ('scheduled', 'sending')",
      );
      if (running.rows.length)
        await finishCampaigns(
          q,
          this.events,
          running.rows.map((r) => r.id),
        );
      return { uncertain: lost.rowCount, dropped: gone.rowCount };
    });
  }

  /** Claims up to a batch of due recipients: leased, attempt counted, a fresh token each. */
  async claim(): Promise<{ rows: Claimed[]; tokens: Map<string, string> }> {
    const tokens = new Map<string, string>();
    const hashes: string[] = [];
    for (let i = 0; i < this.settings.batch; i++) {
      const token = randomBytes(18).toString("base64url");
      const hash = hashToken(token);
      tokens.set(hash, token);
      hashes.push(hash);
    }
    const rows = await this.db.tx(async (q) => {
      const r = await q.query<Claimed>(
        `WITH due AS (
           SELECT r.id FROM phishing_recipients r JOIN phishing_campaigns c ON c.id = r.campaign_id
           WHERE r.status = 'pending' AND r.send_at <= now() AND c.status IN ('scheduled', 'sending')
           ORDER BY r.send_at LIMIT $1 FOR UPDATE OF r SKIP LOCKED),
         numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM due),
         toks AS (SELECT * FROM unnest($2::text[]) WITH ORDINALITY AS t(hash, n)),
         claimed AS (
           UPDATE phishing_recipients r SET status = 'sending', attempts = r.attempts + 1, token_hash = toks.hash,
             lease_until = now() + make_interval(secs => $3)
           FROM numbered JOIN toks ON toks.n = numbered.n WHERE r.id = numbered.id
           RETURNING r.id, r.campaign_id, r.person_id, r.email, r.token_hash, r.attempts)
         SELECT claimed.*, c.template_id, ${PERSON_MERGE_SQL}
         FROM claimed JOIN phishing_campaigns c ON c.id = claimed.campaign_id JOIN people p ON p.id = claimed.person_id`,
        [this.settings.batch, hashes, this.settings.leaseSeconds],
      );
      if (r.rows.length) {
        const started = await q.query<{ id: string }>(
          `UPDATE phishing_campaigns SET status = 'sending', updated_at = now()
           WHERE id IN (SELECT id FROM phishing_campaigns WHERE id = ANY($1::text[]) AND status = 'scheduled'
             FOR UPDATE SKIP LOCKED)
           RETURNING id`,
          [[...new Set(r.rows.map((x) => x.campaign_id))]],
        );
        await appendAuditMany(
          q,
          SENDER,
          started.rows.map((c) => ({
            action: "awareness.phishing_campaign_sending",
            targetType: "phishing_campaign",
            targetId: c.id,
            details: { from: "scheduled" },
          })),
        );
      }
      return r.rows;
    });
    return { rows, tokens };
  }

  /** The templates of a batch, read once per batch (an edit reaches the next batch). */
  private async templatesOf(rows: Claimed[]): Promise<Map<string, TemplateRow>> {
    const r = await this.db.query<TemplateRow & { id: string }>(
      "SELECT id, from_name, from_address, subject, body_html, body_text FROM phishing_templates WHERE id = ANY($1::text[])",
      [[...new Set(rows.map((x) => x.template_id))]],
    );
    return new Map(r.rows.map((t) => [t.id, t]));
  }

  /** Renders and hands over one claimed batch, all messages at once through the pool. */
  async deliver(rows: Claimed[], tokens: Map<string, string>): Promise<Outcome[]> {
    const mailer = this.mailer();
    const base = this.settings.baseUrl;
    const templates = await this.templatesOf(rows);
    return Promise.all(
      rows.map(async (r): Promise<Outcome> => {
        const token = tokens.get(r.token_hash) as string;
        const t = templates.get(r.template_id) as TemplateRow;
        const msg = renderMessage(
          { subject: t.subject, bodyHtml: t.body_html, bodyText: t.body_text },
          mergeValues({ ...toMergePerson(r), email: r.email }, this.settings.company, `${base}/t/c/${token}`),
          `${base}/t/o/${token}.gif`,
        );
        const out = { id: r.id, campaignId: r.campaign_id, hash: r.token_hash };
        try {
          const info = await mailer.sendMail({
            from: { name: t.from_name, address: t.from_address },
            to: r.email,
            subject: msg.subject,
            html: msg.html,
            text: msg.text,
            headers: { [SIMULATION_HEADER]: token },
          });
          const at = new Date().toISOString();
          return {
            ...out,
            status: "sent",
            error: null,
            messageId: info.messageId ?? null,
            delaySeconds: 0,
            at,
          };
        } catch (err) {
          const at = new Date().toISOString();
          const { temporary, reason } = classifySmtpError(err);
          if (temporary && r.attempts < this.settings.attempts) {
            const delay = Math.min(3600, this.settings.retrySeconds * 2 ** (r.attempts - 1));
            return { ...out, status: "pending", error: reason, messageId: null, delaySeconds: delay, at };
          }
          const why = temporary ? `${reason} (gave up after ${r.attempts} attempts)` : reason;
          return { ...out, status: "failed", error: why, messageId: null, delaySeconds: 0, at };
        }
      }),
    );
  }

  /** Records a batch's outcomes in one statement, one audit entry per campaign. */
  async record(outcomes: Outcome[]): Promise<void> {
    if (!outcomes.length) return;
    await this.db.tx(async (q) => {
      const col = <K extends keyof Outcome>(k: K) => outcomes.map((o) => o[k]);
      const r = await q.query<{ id: string }>(
        `UPDATE phishing_recipients r SET status = u.status, lease_until = NULL, last_error = u.error,
           message_id = coalesce(u.message_id, r.message_id),
           sent_at = CASE WHEN u.status = 'sent' THEN u.at ELSE r.sent_at END,
           send_at = CASE WHEN u.status = 'pending' THEN u.at + make_interval(secs => u.delay) ELSE r.send_at END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::timestamptz[], $7::text[])
           AS u(id, status, error, message_id, delay, at, hash)
         WHERE r.id = u.id AND r.token_hash = u.hash AND r.status IN ('sending', 'uncertain')
         RETURNING r.id`,
        [
          col("id"),
          col("status"),
          col("error"),
          col("messageId"),
          col("delaySeconds"),
          col("at"),
          col("hash"),
        ],
      );
      const recorded = new Set(r.rows.map((x) => x.id));
      const byCampaign = new Map<string, Outcome[]>();
      for (const o of outcomes)
        if (recorded.has(o.id)) byCampaign.set(o.campaignId, [...(byCampaign.get(o.campaignId) ?? []), o]);
      await appendAuditMany(
        q,
        SENDER,
        [...byCampaign].map(([campaignId, os]) => ({
          action: "awareness.phishing_batch_sent",
          targetType: "phishing_campaign",
          targetId: campaignId,
          details: {
            sent: os.filter((o) => o.status === "sent").map((o) => o.id),
            failed: os.filter((o) => o.status === "failed").map((o) => ({ id: o.id, reason: o.error })),
            retrying: os.filter((o) => o.status === "pending").map((o) => ({ id: o.id, reason: o.error })),
          },
        })),
      );
      await finishCampaigns(q, this.events, [...byCampaign.keys()]);
    });
  }

  /**
   * Sends what is due: a sweep, then claim–send–record loops (`parallel` of them) until nothing
   * due is left or the time budget is spent. Returns what happened.
   */
  async run(budgetMs = 60_000): Promise<RunResult> {
    const swept = await this.sweep();
    const out: RunResult = { sent: 0, failed: 0, retrying: 0, ...swept };
    // Without a mail server nothing is claimed: recipients wait, pending, until one is configured.
    if (!this.settings.smtpUrl) return out;
    const deadline = Date.now() + budgetMs;
    const loop = async () => {
      while (Date.now() < deadline) {
        const { rows, tokens } = await this.claim();
        if (!rows.length) return;
        const outcomes = await this.deliver(rows, tokens);
        await this.record(outcomes);
        for (const o of outcomes) {
          if (o.status === "sent") out.sent++;
          else if (o.status === "failed") out.failed++;
          else out.retrying++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.settings.parallel) }, loop));
    return out;
  }

  /** Enqueues the next run for when the next recipient is due (nothing when none is waiting). */
  async scheduleNext(q: Queryable = this.db, idle = false): Promise<void> {
    if (!this.jobs || !this.settings.smtpUrl) return;
    const r = await q.query<{ at: Date | null }>(
      `SELECT min(r.send_at) AS at FROM phishing_recipients r JOIN phishing_campaigns c ON c.id = r.campaign_id
       WHERE r.status = 'pending' AND c.status IN ('scheduled', 'sending')`,
    );
    const at = r.rows[0]?.at;
    if (at)
      await kickSender(
        this.jobs,
        q,
        new Date(Math.max(new Date(at).getTime(), Date.now() + (idle ? 5000 : 0))),
      );
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = null;
  }
}

/** Enqueues a sender run at `at` (one per second at most: runs due together are one job). */
export async function kickSender(jobs: Jobs, q: Queryable, at: Date): Promise<void> {
  const due = at.getTime() <= Date.now();
  await jobs.send(
    q,
    SEND_JOB,
    {},
    {
      singletonKey: `at:${due ? "now" : Math.floor(at.getTime() / 1000)}`,
      ...(due ? {} : { startAfter: at }),
    },
  );
}

function groupBy(rows: { id: string; campaign_id: string }[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of rows) m.set(r.campaign_id, [...(m.get(r.campaign_id) ?? []), r.id]);
  return m;
}

/**
 * Campaigns among `ids` with nothing pending or being sent are finished (audited, announced).
 * A campaign another transaction holds (a cancel, a joiner being added) is skipped rather than
 * waited for, so the sender never waits on a campaign while holding recipients; the next
 * sweep finishes it.
 */
export async function finishCampaigns(q: Queryable, events: Events, ids: string[]): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `UPDATE phishing_campaigns c SET status = 'finished', finished_at = now(), updated_at = now()
     WHERE c.id IN (SELECT id FROM phishing_campaigns WHERE id = ANY($1::text[])
         AND status IN ('scheduled', 'sending') FOR UPDATE SKIP LOCKED)
       AND NOT EXISTS (SELECT 1 FROM phishing_recipients r WHERE r.campaign_id = c.id AND r.status IN ('pending', 'sending'))
     RETURNING c.id`,
    [ids],
  );
  for (const c of r.rows) {
    const counts = await q.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM phishing_recipients WHERE campaign_id = $1 GROUP BY status",
      [c.id],
    );
    await appendAudit(q, SENDER, {
      action: "awareness.phishing_campaign_finished",
      targetType: "phishing_campaign",
      targetId: c.id,
      details: { recipients: Object.fromEntries(counts.rows.map((x) => [x.status, x.n])) },
    });
    await events.publish(q, PHISHING_EVENTS.campaignFinished, { campaignId: c.id });
  }
  return r.rows.map((x) => x.id);
}
