import { randomToken, sha256 } from "../crypto/index.js";
import type { Queryable } from "../db/index.js";
import { ulid } from "../ids/index.js";

export const TOKEN_PREFIX = "tdm_";

export interface ApiToken {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  scopes: string[];
  created_at: Date | string;
  expires_at: Date | string;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  scopes: r.scopes,
  createdAt: iso(r.created_at) as string,
  expiresAt: iso(r.expires_at) as string,
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
});

export async function createApiToken(
  q: Queryable,
  input: { userId: string; name: string; scopes: string[]; expiresInDays: number },
): Promise<{ token: ApiToken; secret: string }> {
  const secret = `${TOKEN_PREFIX}${randomToken()}`;
  const r = await q.query<TokenRow>(
    `INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING *`,
    [ulid(), input.userId, input.name, sha256(secret), input.scopes, input.expiresInDays],
  );
  return { token: toToken(r.rows[0] as TokenRow), secret };
}

export async function listApiTokens(q: Queryable, userId: string): Promise<ApiToken[]> {
  const r = await q.query<TokenRow>("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC", [
    userId,
  ]);
  return r.rows.map(toToken);
}

export async function revokeApiToken(q: Queryable, userId: string, id: string): Promise<boolean> {
  const r = await q.query(
    "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    [id, userId],
  );
  return r.rowCount > 0;
}

export async function revokeTokensOf(q: Queryable, userId: string): Promise<number> {
  return (
    await q.query("UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", [
      userId,
    ])
  ).rowCount;
}

export interface ResolvedToken {
  id: string;
  userId: string;
  scopes: string[];
  email: string;
  displayName: string;
  disabled: boolean;
  mfaEnabled: boolean;
  roles: string[];
}

/**
 * Resolves a presented token with its user and roles in one statement; last-used time is
 * written at most once a minute (only then a second statement).
 */
export async function resolveApiToken(
  q: Queryable,
  secret: string,
): Promise<ResolvedToken | "expired" | undefined> {
  const r = await q.query<{
    token_id: string;
    user_id: string;
    scopes: string[];
    live: boolean;
    stale: boolean;
    email: string;
    display_name: string;
    disabled: boolean;
    mfa_enabled: boolean;
    roles: string[] | null;
  }>(
    `SELECT t.id AS token_id, t.user_id, t.scopes, (t.revoked_at IS NULL AND t.expires_at > now()) AS live,
            (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute') AS stale,
            u.email, u.display_name, u.disabled, u.mfa_enabled,
            COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = t.user_id), '{}') AS roles
     FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
    [sha256(secret)],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  if (!row.live) return "expired";
  if (row.stale) await q.query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1", [row.token_id]);
  return {
    id: row.token_id,
    userId: row.user_id,
    scopes: row.scopes,
    email: row.email,
    displayName: row.display_name,
    disabled: row.disabled,
    mfaEnabled: row.mfa_enabled,
    roles: row.roles ?? [],
  };
}
