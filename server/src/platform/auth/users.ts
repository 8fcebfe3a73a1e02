import type { Queryable } from "../db/index.js";
import { conflict } from "../http/errors.js";
import { ulid } from "../ids/index.js";

export interface User {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  disabled: boolean;
  mfaEnabled: boolean;
  hasPassword: boolean;
  lastSignInAt: string | null;
  createdAt: string;
}

export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  disabled: boolean;
  mfa_enabled: boolean;
  mfa_secret_enc: string | null;
  mfa_last_step: string;
  failed_attempts: number;
  locked_until: Date | string | null;
  oidc_subject: string | null;
  last_sign_in_at: Date | string | null;
  created_at: Date | string;
  roles: string[] | null;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    roles: [...(r.roles ?? [])].sort(),
    disabled: r.disabled,
    mfaEnabled: r.mfa_enabled,
    hasPassword: !!r.password_hash,
    lastSignInAt: iso(r.last_sign_in_at),
    createdAt: iso(r.created_at) as string,
  };
}

const SELECT = `SELECT u.id, u.email, u.display_name, u.password_hash, u.disabled, u.mfa_enabled, u.mfa_secret_enc,
  u.mfa_last_step::text AS mfa_last_step, u.failed_attempts, u.locked_until, u.oidc_subject, u.last_sign_in_at, u.created_at,
  COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id), '{}') AS roles
  FROM users u`;

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | undefined> {
  return (await q.query<UserRow>(`${SELECT} WHERE lower(u.email) = lower($1)`, [email])).rows[0];
}

export async function findUserById(q: Queryable, id: string, lock = false): Promise<UserRow | undefined> {
  return (await q.query<UserRow>(`${SELECT} WHERE u.id = $1${lock ? " FOR UPDATE OF u" : ""}`, [id])).rows[0];
}

export async function findUserBySubject(q: Queryable, subject: string): Promise<UserRow | undefined> {
  return (await q.query<UserRow>(`${SELECT} WHERE u.oidc_subject = $1`, [subject])).rows[0];
}

export async function countUsers(q: Queryable): Promise<number> {
  return Number((await q.query<{ n: string }>("SELECT count(*)::text AS n FROM users")).rows[0]?.n ?? 0);
}

export async function insertUser(
  q: Queryable,
  input: { email: string; displayName: string; roles: string[]; passwordHash?: string; oidcSubject?: string },
): Promise<User> {
  const id = ulid();
  const r = await q.query(
    `INSERT INTO users (id, email, display_name, password_hash, password_changed_at, oidc_subject)
     VALUES ($1, $2, $3, $4, CASE WHEN $4::text IS NULL THEN NULL ELSE now() END, $5)
     ON CONFLICT DO NOTHING RETURNING id`,
    [id, input.email, input.displayName, input.passwordHash ?? null, input.oidcSubject ?? null],
  );
  if (r.rowCount === 0) throw conflict("user.email_in_use", "A user with this email already exists", "email");
  await setRoles(q, id, input.roles);
  return toUser((await findUserById(q, id)) as UserRow);
}

export async function setRoles(q: Queryable, userId: string, roles: string[]): Promise<void> {
  await q.query("DELETE FROM user_roles WHERE user_id = $1 AND NOT (role = ANY($2::text[]))", [
    userId,
    roles,
  ]);
  for (const role of new Set(roles)) {
    await q.query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
      userId,
      role,
    ]);
  }
}

export async function listUsers(
  q: Queryable,
  opts: { search?: string; afterEmail?: string; afterId?: string; limit: number },
): Promise<User[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (opts.search) {
    params.push(`%${opts.search.replace(/[%_\\]/g, "\\$&")}%`);
    where.push(`(u.email ILIKE $${params.length} OR u.display_name ILIKE $${params.length})`);
  }
  if (opts.afterEmail !== undefined && opts.afterId !== undefined) {
    params.push(opts.afterEmail.toLowerCase(), opts.afterId);
    where.push(`(lower(u.email), u.id) > ($${params.length - 1}, $${params.length})`);
  }
  params.push(opts.limit);
  const r = await q.query<UserRow>(
    `${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY lower(u.email), u.id LIMIT $${params.length}`,
    params,
  );
  return r.rows.map(toUser);
}
