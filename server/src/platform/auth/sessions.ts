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

/** Finds a live session and slides its idle window. */
export async function touchSession(
  q: Queryable,
  token: string,
  idleMinutes: number,
): Promise<SessionRow | undefined> {
  const r = await q.query<SessionRow>(
    `UPDATE sessions SET last_seen_at = now()
     WHERE id_hash = $1 AND expires_at > now() AND last_seen_at > now() - make_interval(mins => $2)
     RETURNING id_hash, user_id, csrf_token, stage, created_at, last_seen_at, expires_at`,
    [sha256(token), idleMinutes],
  );
  return r.rows[0];
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
