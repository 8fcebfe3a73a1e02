/**
 * The outbound channels: e-mail over SMTP (pooled nodemailer transport) and the Slack and
 * Microsoft Teams incoming webhooks (undici, timeout, no redirects, https only except for
 * loopback addresses).
 */
import nodemailer, { type Transporter } from "nodemailer";
import { Agent, fetch as undiciFetch } from "undici";
import type { Config } from "../config/index.js";
import { type Envelope, registerEncryptedColumn } from "../crypto/index.js";
import type { Queryable } from "../db/index.js";

export type Webhook = "slack" | "teams";
export const WEBHOOKS: readonly Webhook[] = ["slack", "teams"];

const LOOPBACK = new Set(["127.0.0.1", "::1", "[::1]", "localhost"]);
const WEBHOOK_TIMEOUT_MS = 10_000;

export interface Message {
  title: string;
  body: string;
  link: string | null;
  severity: string;
}

/** An error whose message is safe to store and show: it never carries the webhook URL. */
export class DeliveryError extends Error {}

/** Why a webhook URL is refused, or null when it is acceptable. */
export function webhookUrlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (u.username || u.password) return "must not carry credentials";
  if (u.protocol === "https:") return null;
  if (u.protocol === "http:" && LOOPBACK.has(u.hostname)) return null;
  return "must use https";
}

const settingKey = (w: Webhook) => `notify.${w}`;
const aad = (w: Webhook) => `settings.secret_enc:${settingKey(w)}`;

registerEncryptedColumn({
  table: "settings",
  idColumn: "key",
  column: "secret_enc",
  // The same column and AAD scheme as the SSO settings (registered once either way).
  aad: (k) => `settings.secret_enc:${k}`,
});

export async function webhookUrl(q: Queryable, envelope: Envelope, w: Webhook): Promise<string | null> {
  const r = await q.query<{ secret_enc: string | null }>("SELECT secret_enc FROM settings WHERE key = $1", [
    settingKey(w),
  ]);
  const enc = r.rows[0]?.secret_enc;
  return enc ? envelope.decrypt(enc, aad(w)) : null;
}

export async function webhookConfigured(q: Queryable, w: Webhook): Promise<boolean> {
  const r = await q.query("SELECT 1 FROM settings WHERE key = $1 AND secret_enc IS NOT NULL", [
    settingKey(w),
  ]);
  return r.rowCount > 0;
}

/** Saves (string) or removes (null) a webhook URL, sealed per record. */
export async function saveWebhookUrl(
  q: Queryable,
  envelope: Envelope,
  w: Webhook,
  url: string | null,
): Promise<void> {
  if (url === null) {
    await q.query("DELETE FROM settings WHERE key = $1", [settingKey(w)]);
    return;
  }
  await q.query(
    `INSERT INTO settings (key, value, secret_enc, updated_at) VALUES ($1, '{}', $2, now())
     ON CONFLICT (key) DO UPDATE SET secret_enc = $2, updated_at = now()`,
    [settingKey(w), envelope.encrypt(url, aad(w))],
  );
}

function text(m: Message): string {
  return [`[${m.severity}] ${m.title}`, m.body, m.link ?? ""].filter(Boolean).join("\n");
}

function payload(w: Webhook, m: Message): unknown {
  if (w === "slack") return { text: text(m) };
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: m.title, weight: "Bolder", wrap: true },
            { type: "TextBlock", text: m.body, wrap: true },
          ],
          ...(m.link ? { actions: [{ type: "Action.OpenUrl", title: "Open in Tandem", url: m.link }] } : {}),
        },
      },
    ],
  };
}

export class Channels {
  private mailer: Transporter | null = null;
  private readonly agent = new Agent({ connect: { timeout: WEBHOOK_TIMEOUT_MS } });

  constructor(private readonly config: Pick<Config, "TANDEM_SMTP_URL" | "TANDEM_MAIL_FROM">) {}

  get emailConfigured(): boolean {
    return !!this.config.TANDEM_SMTP_URL;
  }

  get mailFrom(): string {
    return this.config.TANDEM_MAIL_FROM;
  }

  private transport(): Transporter {
    if (!this.config.TANDEM_SMTP_URL) throw new DeliveryError("e-mail is not configured (TANDEM_SMTP_URL)");
    this.mailer ??= nodemailer.createTransport({ url: this.config.TANDEM_SMTP_URL, pool: true } as never);
    return this.mailer;
  }

  async email(
    to: string,
    subject: string,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<void> {
    try {
      await this.transport().sendMail({
        from: this.config.TANDEM_MAIL_FROM,
        to,
        subject,
        text: body,
        headers,
      });
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const code = (err as { code?: string; responseCode?: number }).code ?? "error";
      throw new DeliveryError(`the mail server refused or could not be reached (${code})`);
    }
  }

  async webhook(w: Webhook, url: string, m: Message): Promise<void> {
    let status: number;
    try {
      const res = await undiciFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload(w, m)),
        redirect: "manual",
        dispatcher: this.agent,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      status = res.status;
      await res.body?.cancel().catch(() => {});
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string } };
      const why = e.name === "TimeoutError" ? "timeout" : (e.cause?.code ?? e.name ?? "error");
      throw new DeliveryError(`the ${w} webhook could not be reached (${why})`);
    }
    if (status >= 300 && status < 400)
      throw new DeliveryError(`the ${w} webhook answered a redirect (${status})`);
    if (status < 200 || status >= 300) throw new DeliveryError(`the ${w} webhook answered ${status}`);
  }

  async close(): Promise<void> {
    this.mailer?.close();
    await this.agent.close();
  }
}
