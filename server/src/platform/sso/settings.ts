import type { Config } from "../config/index.js";
import { type Envelope, registerEncryptedColumn } from "../crypto/index.js";
import type { Queryable } from "../db/index.js";

export interface SsoSettings {
  enabled: boolean;
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  defaultRoles: string[];
  allowedDomains: string[];
  source: "environment" | "database";
}

const AAD = "settings.secret_enc:sso";
registerEncryptedColumn({
  table: "settings",
  idColumn: "key",
  column: "secret_enc",
  aad: (k) => `settings.secret_enc:${k}`,
});

export const redirectUri = (config: Pick<Config, "publicUrl">) =>
  `${config.publicUrl}/api/v1/auth/sso/callback`;

/** SSO settings: environment variables win over what an admin saved in the UI. */
export async function loadSsoSettings(
  q: Queryable,
  envelope: Envelope,
  config: Config,
): Promise<SsoSettings> {
  if (config.TANDEM_OIDC_ISSUER && config.TANDEM_OIDC_CLIENT_ID) {
    return {
      enabled: true,
      label: config.TANDEM_OIDC_LABEL ?? "Single sign-on",
      issuer: config.TANDEM_OIDC_ISSUER,
      clientId: config.TANDEM_OIDC_CLIENT_ID,
      clientSecret: config.TANDEM_OIDC_CLIENT_SECRET ?? null,
      defaultRoles: ["employee"],
      allowedDomains: [],
      source: "environment",
    };
  }
  const r = await q.query<{ value: Omit<SsoSettings, "clientSecret" | "source">; secret_enc: string | null }>(
    "SELECT value, secret_enc FROM settings WHERE key = 'sso'",
  );
  const row = r.rows[0];
  const value = row?.value ?? {
    enabled: false,
    label: "Single sign-on",
    issuer: "",
    clientId: "",
    defaultRoles: ["employee"],
    allowedDomains: [],
  };
  return {
    ...value,
    clientSecret: row?.secret_enc ? envelope.decrypt(row.secret_enc, AAD) : null,
    source: "database",
  };
}

export async function saveSsoSettings(
  q: Queryable,
  envelope: Envelope,
  value: Omit<SsoSettings, "clientSecret" | "source">,
  clientSecret: string | null | undefined,
): Promise<void> {
  // undefined keeps the stored secret, null clears it, a string replaces it.
  const secret =
    clientSecret === undefined
      ? undefined
      : clientSecret === null
        ? null
        : envelope.encrypt(clientSecret, AAD);
  await q.query(
    `INSERT INTO settings (key, value, secret_enc, updated_at) VALUES ('sso', $1, $2, now())
     ON CONFLICT (key) DO UPDATE SET value = $1, updated_at = now(),
       secret_enc = CASE WHEN $3 THEN settings.secret_enc ELSE $2 END`,
    [JSON.stringify(value), secret ?? null, secret === undefined],
  );
}
