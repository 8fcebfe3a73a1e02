import { type AuditContext, appendAudit } from "../audit/index.js";
import type { Config } from "../config/index.js";
import { type Envelope, randomToken, registerEncryptedColumn, sha256 } from "../crypto/index.js";
import type { Db, Queryable } from "../db/index.js";
import { AppError, badRequest, tooMany, unauthorized } from "../http/errors.js";
import { hashPassword, passwordProblem, verifyPassword } from "./password.js";
import { deleteSessionsOf } from "./sessions.js";
import { newTotpSecret, otpauthUrl, qrDataUrl, totpStep } from "./totp.js";
import { findUserByEmail, findUserById, type UserRow } from "./users.js";

const mfaAad = (userId: string) => `users.mfa_secret_enc:${userId}`;
registerEncryptedColumn({ table: "users", idColumn: "id", column: "mfa_secret_enc", aad: mfaAad });

export interface AuthDeps {
  db: Db;
  envelope: Envelope;
  config: Pick<Config, "TANDEM_LOCKOUT_THRESHOLD" | "TANDEM_LOCKOUT_MINUTES" | "publicUrl">;
}

const lockedFor = (u: UserRow) => (u.locked_until ? new Date(u.locked_until).getTime() - Date.now() : 0);

/** Password, TOTP, recovery codes, lockout and one-time setup links. */
export function createAuthService({ db, envelope, config }: AuthDeps) {
  /** Records a failed attempt (its own transaction, so it survives the error we then throw). */
  async function recordFailure(ctx: AuditContext, user: UserRow | undefined, email: string, reason: string) {
    let lockedNow = false;
    await db.tx(async (q) => {
      if (user) {
        const r = await q.query<{ failed_attempts: number }>(
          `UPDATE users SET failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
             locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
           WHERE id = $1 RETURNING failed_attempts, locked_until`,
          [user.id, config.TANDEM_LOCKOUT_THRESHOLD, config.TANDEM_LOCKOUT_MINUTES],
        );
        lockedNow = r.rows[0]?.failed_attempts === 0;
      }
      await appendAudit(
        q,
        { ...ctx, actorId: user?.id ?? null, actorLabel: email },
        {
          action: "auth.sign_in",
          targetType: "user",
          targetId: user?.id ?? null,
          outcome: "failure",
          details: { reason, ...(lockedNow ? { lockedForMinutes: config.TANDEM_LOCKOUT_MINUTES } : {}) },
        },
      );
    });
  }

  function assertNotLocked(user: UserRow) {
    const ms = lockedFor(user);
    if (ms > 0) throw tooMany("auth.locked", "Too many failed attempts; try again later", ms / 1000);
  }

  return {
    /** Step one. Returns the user and whether a second factor is still needed. */
    async checkPassword(ctx: AuditContext, email: string, password: string) {
      const user = await findUserByEmail(db, email);
      if (user) assertNotLocked(user);
      const ok = await verifyPassword(user?.password_hash ?? null, password);
      if (!user || !ok || user.disabled) {
        await recordFailure(
          ctx,
          user,
          email,
          !user ? "unknown_user" : user.disabled ? "disabled" : "bad_password",
        );
        throw unauthorized("auth.invalid_credentials", "Email or password is not correct");
      }
      return { user, mfaRequired: user.mfa_enabled };
    },

    /** Step two: a TOTP code (each accepted once) or an unused recovery code. */
    async checkSecondFactor(ctx: AuditContext, userId: string, code: string) {
      const user = await findUserById(db, userId);
      if (!user || user.disabled || !user.mfa_enabled || !user.mfa_secret_enc) throw unauthorized();
      assertNotLocked(user);
      const clean = code.replace(/[\s-]/g, "");
      const accepted = await db.tx(async (q) => {
        if (/^\d{6}$/.test(clean)) {
          const secret = envelope.decrypt(user.mfa_secret_enc as string, mfaAad(user.id));
          const step = totpStep(secret, clean);
          if (step === null) return false;
          const r = await q.query(
            "UPDATE users SET mfa_last_step = $2 WHERE id = $1 AND mfa_last_step < $2",
            [user.id, step],
          );
          return r.rowCount === 1 ? "totp" : false;
        }
        const r = await q.query(
          "UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
          [user.id, sha256(clean.toLowerCase())],
        );
        return r.rowCount === 1 ? "recovery_code" : false;
      });
      if (!accepted) {
        await recordFailure(ctx, user, user.email, "bad_second_factor");
        throw unauthorized("auth.invalid_code", "The code is not valid (or was already used)");
      }
      return { user, method: accepted };
    },

    /** Marks a successful sign-in (resets the failure counter) and audits it. */
    async signedIn(q: Queryable, ctx: AuditContext, user: { id: string; email: string }, method: string) {
      await q.query(
        "UPDATE users SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = now() WHERE id = $1",
        [user.id],
      );
      await appendAudit(
        q,
        { ...ctx, actorId: user.id, actorLabel: user.email },
        {
          action: "auth.sign_in",
          targetType: "user",
          targetId: user.id,
          details: { method },
        },
      );
    },

    async createSetupLink(q: Queryable, userId: string, hours = 72): Promise<string> {
      const token = randomToken();
      await q.query("UPDATE one_time_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL", [
        userId,
      ]);
      await q.query(
        `INSERT INTO one_time_tokens (token_hash, user_id, purpose, expires_at)
         VALUES ($1, $2, 'setup', now() + make_interval(hours => $3))`,
        [sha256(token), userId, hours],
      );
      return `${config.publicUrl}/setup?token=${token}`;
    },

    /** Uses a one-time setup link: sets the password, ends other sessions. Single use. */
    async completeSetup(q: Queryable, ctx: AuditContext, token: string, password: string) {
      const r = await q.query<{ user_id: string }>(
        `UPDATE one_time_tokens SET used_at = now()
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
        [sha256(token)],
      );
      const userId = r.rows[0]?.user_id;
      if (!userId)
        throw new AppError(400, "auth.setup_link_invalid", "This link is invalid, used or expired", [
          { path: "token", message: "invalid, used or expired" },
        ]);
      const user = (await findUserById(q, userId)) as UserRow;
      const problem = passwordProblem(password, user.email);
      if (problem)
        throw badRequest("auth.weak_password", `Password ${problem}`, [
          { path: "password", message: problem },
        ]);
      await q.query(
        "UPDATE users SET password_hash = $2, password_changed_at = now(), failed_attempts = 0, locked_until = NULL WHERE id = $1",
        [userId, await hashPassword(password)],
      );
      await deleteSessionsOf(q, userId);
      await appendAudit(
        q,
        { ...ctx, actorId: userId, actorLabel: user.email },
        {
          action: "auth.password_set",
          targetType: "user",
          targetId: userId,
          details: { via: "setup_link" },
        },
      );
      return user;
    },

    async changePassword(q: Queryable, ctx: AuditContext, userId: string, current: string, next: string) {
      const user = (await findUserById(q, userId)) as UserRow;
      if (!(await verifyPassword(user.password_hash, current))) {
        throw badRequest("auth.wrong_password", "The current password is not correct", [
          { path: "currentPassword", message: "not correct" },
        ]);
      }
      const problem = passwordProblem(next, user.email);
      if (problem)
        throw badRequest("auth.weak_password", `Password ${problem}`, [
          { path: "newPassword", message: problem },
        ]);
      await q.query("UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1", [
        userId,
        await hashPassword(next),
      ]);
      await appendAudit(q, ctx, { action: "auth.password_changed", targetType: "user", targetId: userId });
    },

    async beginMfaEnrolment(q: Queryable, ctx: AuditContext, userId: string) {
      const user = (await findUserById(q, userId)) as UserRow;
      if (user.mfa_enabled)
        throw new AppError(409, "mfa.already_enabled", "Turn MFA off first to enrol again");
      const secret = newTotpSecret();
      await q.query("UPDATE users SET mfa_secret_enc = $2 WHERE id = $1", [
        userId,
        envelope.encrypt(secret, mfaAad(userId)),
      ]);
      await appendAudit(q, ctx, { action: "mfa.enrolment_started", targetType: "user", targetId: userId });
      const url = otpauthUrl(user.email, secret);
      return { secret, otpauthUrl: url, qrDataUrl: await qrDataUrl(url) };
    },

    async confirmMfa(q: Queryable, ctx: AuditContext, userId: string, code: string) {
      const user = (await findUserById(q, userId, true)) as UserRow;
      if (user.mfa_enabled) throw new AppError(409, "mfa.already_enabled", "MFA is already on");
      if (!user.mfa_secret_enc) throw new AppError(409, "mfa.not_started", "Start enrolment first");
      const step = totpStep(envelope.decrypt(user.mfa_secret_enc, mfaAad(userId)), code.trim());
      if (step === null)
        throw badRequest("mfa.invalid_code", "The code is not valid", [
          { path: "code", message: "not valid" },
        ]);
      const codes = Array.from({ length: 10 }, () =>
        randomToken(8)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, "")
          .slice(0, 10),
      );
      await q.query("DELETE FROM recovery_codes WHERE user_id = $1", [userId]);
      for (const c of codes) {
        await q.query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)", [userId, sha256(c)]);
      }
      await q.query("UPDATE users SET mfa_enabled = true, mfa_last_step = $2 WHERE id = $1", [userId, step]);
      await appendAudit(q, ctx, { action: "mfa.enabled", targetType: "user", targetId: userId });
      return codes;
    },

    async disableMfa(
      q: Queryable,
      ctx: AuditContext,
      userId: string,
      opts: { code?: string; byAdmin?: boolean },
    ) {
      const user = (await findUserById(q, userId, true)) as UserRow;
      if (!opts.byAdmin) {
        if (!user.mfa_enabled || !user.mfa_secret_enc)
          throw new AppError(409, "mfa.not_enabled", "MFA is not on");
        const step = totpStep(
          envelope.decrypt(user.mfa_secret_enc, mfaAad(userId)),
          (opts.code ?? "").trim(),
        );
        if (step === null)
          throw badRequest("mfa.invalid_code", "The code is not valid", [
            { path: "code", message: "not valid" },
          ]);
      }
      await q.query(
        "UPDATE users SET mfa_enabled = false, mfa_secret_enc = NULL, mfa_last_step = 0 WHERE id = $1",
        [userId],
      );
      await q.query("DELETE FROM recovery_codes WHERE user_id = $1", [userId]);
      await appendAudit(q, ctx, {
        action: opts.byAdmin ? "mfa.reset_by_admin" : "mfa.disabled",
        targetType: "user",
        targetId: userId,
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
