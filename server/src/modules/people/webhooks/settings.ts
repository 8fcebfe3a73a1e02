import { type Envelope, registerEncryptedColumn } from "../../../platform/crypto/index.js";
import type { Queryable } from "../../../platform/db/index.js";

/** The HR webhook's settings row: `enabled` in `value`, the shared secret envelope-encrypted in `secret_enc`. */
const KEY = "hr_webhook";
const aad = (key: string) => `settings.secret_enc:${key}`;
registerEncryptedColumn({ table: "settings", idColumn: "key", column: "secret_enc", aad });

export interface HrWebhookSettings {
  enabled: boolean;
  secret: string | null;
  updatedAt: string | null;
}

export async function loadHrWebhook(q: Queryable, envelope: Envelope): Promise<HrWebhookSettings> {
  const r = await q.query<{
    value: { enabled?: boolean };
    secret_enc: string | null;
    updated_at: Date | string;
  }>("SELECT value, secret_enc, updated_at FROM settings WHERE key = $1", [KEY]);
  const row = r.rows[0];
  if (!row) return { enabled: false, secret: null, updatedAt: null };
  return {
    enabled: row.value?.enabled === true,
    secret: row.secret_enc ? envelope.decrypt(row.secret_enc, aad(KEY)) : null,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Saves the settings; `secret` undefined keeps the stored one, null removes it. */
export async function saveHrWebhook(
  q: Queryable,
  envelope: Envelope,
  enabled: boolean,
  secret: string | null | undefined,
): Promise<void> {
  const enc = typeof secret === "string" ? envelope.encrypt(secret, aad(KEY)) : null;
  await q.query(
    `INSERT INTO settings (key, value, secret_enc, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = now(),
       secret_enc = CASE WHEN $4 THEN settings.secret_enc ELSE $3 END`,
    [KEY, JSON.stringify({ enabled }), enc, secret === undefined],
  );
}
