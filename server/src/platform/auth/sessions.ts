import { randomToken, sha256 } from "../crypto/index.js";
import type { Queryable } from "../db/index.js";

export type SessionStage = "anonymous" | "mfa" | "full";

export interface SessionRow {
  id_hash: string;
  user_id: string | null;
  csrf_token: string;
  stage: SessionStage;
  created_at: Date | string;
  last_seen_at: Date | string;
  expires_at: Date | string;
}

export const SESSION_COOKIE = "tandem_session";

export interface SessionTimes {
  ttlHours: number;
  idleMinutes: number;
}

/** Creates a session; only the hash of the cookie value is stored. */
export async function createSession(
  q: Queryable,
  input: { userId: string | null; stage: SessionStage; ip?: string; userAgent?: string; ttlMinutes: number },
): Promise<{ token: string; csrfToken: string }> {
  const token = randomToken();
  const csrfToken = randomToken();
  await q.query(
    `INSERT INTO sessions (id_hash, user_id, csrf_token, stage, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5), $6, $7)`,
    [
      sha256(token),
      input.userId,
      csrfToken,
      input.stage,
      input.ttlMinutes,
      input.ip ?? null,
      input.userAgent ?? null,
    ],
  );
  return { token, csrfToken };
}

export interface ResolvedSession {
  user_id: string | null;
  csrf_token: string;
  stage: SessionStage;
  email: string | null;
  display_name: string | null;
  disabled: boolean | null;
  mfa_enabled: boolean | null;
  roles: string[] | null;
}

/**
 * One statement per request: the live session with its user and roles. The idle window
 * slides, but last_seen_at is written at most every 30 seconds, not on every request.
 */
export async function resolveSession(
  q: Queryable,
  token: string,
  idleMinutes: number,
): Promise<ResolvedSession | undefined> {
  const idHash = sha256(token);
  const r = await q.query<ResolvedSession & { stale: boolean }>(
    `SELECT s.user_id, s.csrf_token, s.stage, s.last_seen_at < now() - interval '30 seconds' AS stale,
            u.email, u.display_name, u.disabled, u.mfa_enabled,
            COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = s.user_id), '{}') AS roles
     FROM sessions s LEFT JOIN users u ON u.id = s.user_id
     WHERE s.id_hash = $1 AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(mins => $2)`,
    [idHash, idleMinutes],
  );
  const row = r.rows[0];
  if (row?.stale) await q.query("UPDATE sessions SET last_seen_at = now() WHERE id_hash = $1", [idHash]);
  return row;
}

export async function deleteSession(q: Queryable, token: string): Promise<void> {
  await q.query("DELETE FROM sessions WHERE id_hash = $1", [sha256(token)]);
}

export async function deleteSessionsOf(q: Queryable, userId: string): Promise<number> {
  return (await q.query("DELETE FROM sessions WHERE user_id = $1", [userId])).rowCount;
}

export async function purgeExpiredSessions(q: Queryable): Promise<number> {
  return (await q.query("DELETE FROM sessions WHERE expires_at < now()")).rowCount;
}
