import type { FastifyRequest } from "fastify";
import { appendAudit } from "../audit/index.js";
import { permissionsOf } from "../authz/index.js";
import { safeEqual } from "../crypto/index.js";
import type { Db } from "../db/index.js";
import { forbidden, type TypedApp, unauthorized } from "../http/index.js";
import { resolveSession, SESSION_COOKIE } from "./sessions.js";
import { resolveApiToken, TOKEN_PREFIX } from "./tokens.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

async function auditDenial(db: Db, req: FastifyRequest, reason: string) {
  await db.tx((q) =>
    appendAudit(q, req.auditCtx, {
      action: "authz.denied",
      targetType: "route",
      targetId: `${req.method} ${req.routeOptions.url}`,
      outcome: "denied",
      details: { reason },
    }),
  );
}

/**
 * Resolves the caller (bearer token or session cookie) and enforces each route's declared
 * access and CSRF, before the body is even validated.
 */
export function installAuthHook(app: TypedApp, db: Db, idleMinutes: number): void {
  app.addHook("onRequest", async (req: FastifyRequest) => {
    const access = req.routeOptions.config?.access;
    if (!access) return;
    if (access === "public" && req.routeOptions.config?.ownBearer) return;
    const authz = req.headers.authorization;
    if (authz) {
      const m = /^Bearer\s+(\S+)$/i.exec(authz);
      const secret = m?.[1];
      const resolved = secret?.startsWith(TOKEN_PREFIX) ? await resolveApiToken(db, secret) : undefined;
      if (!resolved || resolved === "expired") {
        await auditDenial(db, req, resolved === "expired" ? "token_expired_or_revoked" : "token_unknown");
        throw unauthorized("auth.invalid_token", "The API token is unknown, expired or revoked");
      }
      if (resolved.disabled) throw unauthorized("auth.invalid_token", "The token's user is disabled");
      const rolePerms = permissionsOf(resolved.roles);
      req.identity = {
        userId: resolved.userId,
        email: resolved.email,
        displayName: resolved.displayName,
        roles: resolved.roles,
        mfaEnabled: resolved.mfaEnabled,
        permissions: new Set(resolved.scopes.filter((s) => rolePerms.has(s))),
        via: "token",
        tokenId: resolved.id,
      };
    } else {
      const token = req.cookies[SESSION_COOKIE];
      const s = token ? await resolveSession(db, token, idleMinutes) : undefined;
      if (s && token) {
        req.session = { token, userId: s.user_id, stage: s.stage, csrfToken: s.csrf_token };
        if (s.stage === "full" && s.user_id && s.email && !s.disabled) {
          req.identity = {
            userId: s.user_id,
            email: s.email,
            displayName: s.display_name ?? s.email,
            roles: s.roles ?? [],
            mfaEnabled: !!s.mfa_enabled,
            permissions: permissionsOf(s.roles ?? []),
            via: "session",
          };
        }
      }
      // Cookie-borne requests that change state must echo the session's CSRF token.
      if (req.session && !SAFE_METHODS.has(req.method)) {
        const sent = req.headers["x-csrf-token"];
        if (typeof sent !== "string" || !safeEqual(sent, req.session.csrfToken)) {
          await auditDenial(db, req, "csrf");
          throw forbidden("auth.csrf", "Missing or wrong x-csrf-token header");
        }
      }
    }
    if (req.identity) {
      req.auditCtx.actorId = req.identity.userId;
      req.auditCtx.actorLabel =
        req.identity.via === "token" ? `${req.identity.email} (token)` : req.identity.email;
    }
    if (access === "public") return;
    if (!req.identity) throw unauthorized();
    if (access === "authenticated") return;
    if (!req.identity.permissions.has(access.permission)) {
      await auditDenial(db, req, `missing ${access.permission}`);
      throw forbidden("auth.forbidden", `This needs the ${access.permission} permission`);
    }
  });
}
