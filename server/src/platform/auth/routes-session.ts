import { z } from "zod";
import { appendAudit } from "../audit/index.js";
import { forbidden, unauthorized } from "../http/index.js";
import { type AuthRouteDeps, clearSessionCookie, requireIdentity, startSession } from "./context.js";
import { loginResultSchema, sessionInfoSchema } from "./schemas.js";
import { deleteSession, deleteSessionsOf } from "./sessions.js";

const tags = ["auth"];

export function sessionRoutes(deps: AuthRouteDeps) {
  const { app, db, auth, config } = deps;

  app.get(
    "/api/v1/auth/csrf",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "Start a pre-sign-in session and get its CSRF token",
        response: { 200: z.object({ csrfToken: z.string() }) },
      },
    },
    async (req, reply) => {
      if (req.session) return { csrfToken: req.session.csrfToken };
      return { csrfToken: await startSession(deps, req, reply, null, "anonymous") };
    },
  );

  app.post(
    "/api/v1/auth/login",
    {
      config: {
        access: "public",
        rateLimit: { max: config.TANDEM_AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: "1 minute" },
      },
      schema: {
        tags,
        summary: "Sign in with email and password",
        body: z
          .object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(1024) })
          .strict(),
        response: { 200: loginResultSchema },
      },
    },
    async (req, reply) => {
      if (!req.session) throw forbidden("auth.csrf", "Call GET /api/v1/auth/csrf first and send its token");
      const { user, mfaRequired } = await auth.checkPassword(req.auditCtx, req.body.email, req.body.password);
      if (mfaRequired) {
        const csrfToken = await startSession(deps, req, reply, user.id, "mfa");
        return { status: "mfa_required" as const, csrfToken };
      }
      await db.tx((q) => auth.signedIn(q, req.auditCtx, user, "password"));
      const csrfToken = await startSession(deps, req, reply, user.id, "full");
      return { status: "ok" as const, csrfToken };
    },
  );

  app.post(
    "/api/v1/auth/login/mfa",
    {
      config: {
        access: "public",
        rateLimit: { max: config.TANDEM_AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: "1 minute" },
      },
      schema: {
        tags,
        summary: "Second sign-in step: a TOTP code or a recovery code",
        body: z.object({ code: z.string().trim().min(6).max(24) }).strict(),
        response: { 200: loginResultSchema },
      },
    },
    async (req, reply) => {
      if (req.session?.stage !== "mfa" || !req.session.userId) {
        throw unauthorized("auth.no_pending_sign_in", "Sign in with your password first");
      }
      const { user, method } = await auth.checkSecondFactor(req.auditCtx, req.session.userId, req.body.code);
      await db.tx((q) => auth.signedIn(q, req.auditCtx, user, `password+${method}`));
      const csrfToken = await startSession(deps, req, reply, user.id, "full");
      return { status: "ok" as const, csrfToken };
    },
  );

  app.post(
    "/api/v1/auth/setup",
    {
      config: {
        access: "public",
        rateLimit: { max: config.TANDEM_AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: "1 minute" },
      },
      schema: {
        tags,
        summary: "Use a one-time setup link to set a password and sign in",
        body: z
          .object({ token: z.string().min(10).max(200), password: z.string().min(1).max(1024) })
          .strict(),
        response: { 200: loginResultSchema },
      },
    },
    async (req, reply) => {
      if (!req.session) throw forbidden("auth.csrf", "Call GET /api/v1/auth/csrf first and send its token");
      const user = await db.tx((q) => auth.completeSetup(q, req.auditCtx, req.body.token, req.body.password));
      if (user.mfa_enabled) {
        const csrfToken = await startSession(deps, req, reply, user.id, "mfa");
        return { status: "mfa_required" as const, csrfToken };
      }
      await db.tx((q) => auth.signedIn(q, req.auditCtx, user, "setup_link"));
      const csrfToken = await startSession(deps, req, reply, user.id, "full");
      return { status: "ok" as const, csrfToken };
    },
  );

  app.get(
    "/api/v1/auth/session",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Who am I, what may I do, and my CSRF token",
        response: { 200: sessionInfoSchema },
      },
    },
    async (req) => {
      const id = requireIdentity(req);
      return {
        user: {
          id: id.userId,
          email: id.email,
          displayName: id.displayName,
          roles: id.roles,
          mfaEnabled: id.mfaEnabled,
        },
        permissions: [...id.permissions].sort(),
        csrfToken: req.session?.csrfToken ?? "",
      };
    },
  );

  app.post(
    "/api/v1/auth/logout",
    { config: { access: "authenticated" }, schema: { tags, summary: "Sign out this session" } },
    async (req, reply) => {
      const id = requireIdentity(req);
      if (req.session) await deleteSession(db, req.session.token);
      await db.tx((q) =>
        appendAudit(q, req.auditCtx, { action: "auth.sign_out", targetType: "user", targetId: id.userId }),
      );
      clearSessionCookie(reply, config.secureCookies);
      return reply.status(204).send();
    },
  );

  app.post(
    "/api/v1/auth/logout-all",
    { config: { access: "authenticated" }, schema: { tags, summary: "Sign out every session of mine" } },
    async (req, reply) => {
      const id = requireIdentity(req);
      const ended = await db.tx(async (q) => {
        const n = await deleteSessionsOf(q, id.userId);
        await appendAudit(q, req.auditCtx, {
          action: "auth.sign_out_everywhere",
          targetType: "user",
          targetId: id.userId,
          details: { sessionsEnded: n },
        });
        return n;
      });
      req.log.info({ ended }, "signed out everywhere");
      clearSessionCookie(reply, config.secureCookies);
      return reply.status(204).send();
    },
  );
}
