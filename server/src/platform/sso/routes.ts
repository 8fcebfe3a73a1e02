import { z } from "zod";
import { appendAudit } from "../audit/index.js";
import { type AuthRouteDeps, startSession } from "../auth/context.js";
import { roleSchema } from "../auth/schemas.js";
import { findUserByEmail, findUserBySubject, insertUser, type UserRow } from "../auth/users.js";
import { AppError } from "../http/index.js";
import { clearProviderCache, identityOf, oidc, providerConfig, type SsoIdentity } from "./oidc.js";
import { loadSsoSettings, redirectUri, saveSsoSettings } from "./settings.js";

const ssoSettingsSchema = z.object({
  enabled: z.boolean(),
  label: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  clientSecretSet: z.boolean(),
  defaultRoles: z.array(z.string()),
  allowedDomains: z.array(z.string()),
  redirectUri: z.string(),
  source: z.enum(["environment", "database"]),
});

function signInFailed(reply: { redirect: (url: string) => unknown }, reason: string) {
  return reply.redirect(`/signin?sso_error=${encodeURIComponent(reason)}`);
}

/** OIDC single sign-on (authorization code + PKCE) and its admin settings. */
export function settingsRoutes(deps: AuthRouteDeps) {
  const { app, db, envelope, config, auth } = deps;

  app.get(
    "/api/v1/settings/sso",
    {
      config: { access: { permission: "settings:manage" } },
      schema: {
        tags: ["settings"],
        summary: "SSO settings (the client secret is never returned)",
        response: { 200: ssoSettingsSchema },
      },
    },
    async () => {
      const { clientSecret, ...s } = await loadSsoSettings(db, envelope, config);
      return { ...s, clientSecretSet: !!clientSecret, redirectUri: redirectUri(config) };
    },
  );

  app.put(
    "/api/v1/settings/sso",
    {
      config: { access: { permission: "settings:manage" } },
      schema: {
        tags: ["settings"],
        summary: "Save SSO settings; a blank clientSecret keeps the stored one",
        body: z
          .object({
            enabled: z.boolean(),
            label: z.string().trim().min(1).max(60),
            issuer: z.union([z.literal(""), z.string().trim().url()]),
            clientId: z.string().trim().max(200),
            clientSecret: z.string().max(500).optional(),
            defaultRoles: z.array(roleSchema).max(8),
            allowedDomains: z
              .array(
                z
                  .string()
                  .trim()
                  .toLowerCase()
                  .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, "not a domain"),
              )
              .max(50),
          })
          .strict()
          .refine((v) => !v.enabled || (v.issuer && v.clientId), {
            message: "issuer and clientId are required to enable SSO",
            path: ["issuer"],
          }),
        response: { 200: ssoSettingsSchema },
      },
    },
    async (req) => {
      const current = await loadSsoSettings(db, envelope, config);
      if (current.source === "environment") {
        throw new AppError(
          409,
          "sso.configured_by_environment",
          "SSO is configured by TANDEM_OIDC_* variables",
        );
      }
      const { clientSecret, ...value } = req.body;
      await db.tx(async (q) => {
        await saveSsoSettings(q, envelope, value, clientSecret ? clientSecret : undefined);
        await appendAudit(q, req.auditCtx, {
          action: "settings.sso_changed",
          targetType: "settings",
          targetId: "sso",
          details: { enabled: value.enabled, issuer: value.issuer, clientSecretChanged: !!clientSecret },
        });
      });
      clearProviderCache();
      const { clientSecret: s, ...saved } = await loadSsoSettings(db, envelope, config);
      return { ...saved, clientSecretSet: !!s, redirectUri: redirectUri(config) };
    },
  );

  app.get(
    "/api/v1/auth/sso",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Whether SSO sign-in is offered, and its button label",
        response: { 200: z.object({ enabled: z.boolean(), label: z.string() }) },
      },
    },
    async () => {
      const s = await loadSsoSettings(db, envelope, config);
      return { enabled: s.enabled, label: s.label };
    },
  );

  app.get(
    "/api/v1/auth/sso/start",
    {
      config: { access: "public" },
      schema: { tags: ["auth"], summary: "Redirects to the identity provider (authorization code + PKCE)" },
    },
    async (_req, reply) => {
      const s = await loadSsoSettings(db, envelope, config);
      if (!s.enabled) return signInFailed(reply, "SSO is not enabled");
      let provider: oidc.Configuration;
      try {
        provider = await providerConfig(s);
      } catch (err) {
        app.log.warn({ err }, "SSO discovery failed");
        return signInFailed(reply, "The identity provider cannot be reached");
      }
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      await db.query("DELETE FROM oidc_logins WHERE expires_at < now()");
      await db.query(
        "INSERT INTO oidc_logins (state, code_verifier, nonce, return_to, expires_at) VALUES ($1,$2,$3,$4, now() + interval '10 minutes')",
        [state, codeVerifier, nonce, "/"],
      );
      const url = oidc.buildAuthorizationUrl(provider, {
        redirect_uri: redirectUri(config),
        scope: "openid email profile",
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
        state,
        nonce,
      });
      return reply.redirect(url.href);
    },
  );

  app.get(
    "/api/v1/auth/sso/callback",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Where the identity provider sends the browser back",
        querystring: z
          .object({
            code: z.string().max(2048),
            state: z.string().max(512),
            iss: z.string().max(2048),
            session_state: z.string().max(512),
            error: z.string().max(200),
            error_description: z.string().max(2000),
          })
          .partial(),
      },
    },
    async (req, reply) => {
      const s = await loadSsoSettings(db, envelope, config);
      const state = req.query.state ?? "";
      const pending = await db.query<{ code_verifier: string; nonce: string; return_to: string }>(
        "DELETE FROM oidc_logins WHERE state = $1 AND expires_at > now() RETURNING code_verifier, nonce, return_to",
        [state],
      );
      const login = pending.rows[0];
      if (!s.enabled || !login) return signInFailed(reply, "The sign-in attempt expired; try again");
      let person: SsoIdentity | undefined;
      try {
        const provider = await providerConfig(s);
        const current = new URL(
          `${redirectUri(config)}?${new URLSearchParams(Object.entries(req.query).filter((kv): kv is [string, string] => typeof kv[1] === "string")).toString()}`,
        );
        const tokens = await oidc.authorizationCodeGrant(provider, current, {
          pkceCodeVerifier: login.code_verifier,
          expectedState: state,
          expectedNonce: login.nonce,
        });
        person = await identityOf(provider, tokens);
      } catch (err) {
        req.log.warn({ err: (err as Error).message }, "SSO code exchange failed");
      }
      const email = person?.email ?? "";
      if (!person || !email || person.emailVerified === false) {
        await db.tx((q) =>
          appendAudit(
            q,
            { ...req.auditCtx, actorLabel: email || null },
            {
              action: "auth.sign_in",
              outcome: "failure",
              details: { method: "sso", reason: !person ? "code_exchange_failed" : "no_verified_email" },
            },
          ),
        );
        return signInFailed(
          reply,
          !person
            ? "The identity provider did not complete the sign-in; try again"
            : "The identity provider did not confirm a verified email",
        );
      }
      const { subject, emailVerified, name } = person;
      const domain = email.split("@")[1] ?? "";
      const outcome = await db.tx(
        async (q): Promise<{ user: UserRow } | { refused: string; userId?: string }> => {
          let u = await findUserBySubject(q, subject);
          if (!u) {
            const byEmail = await findUserByEmail(q, email);
            if (byEmail) {
              // Link an account by email only when the provider vouches for that email, and never
              // move an account that is already linked to another identity.
              if (emailVerified !== true)
                return { refused: "email_not_verified_for_linking", userId: byEmail.id };
              if (byEmail.oidc_subject) return { refused: "linked_to_another_identity", userId: byEmail.id };
              if (byEmail.disabled) return { refused: "disabled", userId: byEmail.id };
              await q.query("UPDATE users SET oidc_subject = $2 WHERE id = $1", [byEmail.id, subject]);
              u = byEmail;
            }
          }
          if (!u) {
            if (s.allowedDomains.length && !s.allowedDomains.includes(domain)) {
              return { refused: "domain_not_allowed" };
            }
            const created = await insertUser(q, {
              email,
              displayName: name || email,
              roles: s.defaultRoles,
              oidcSubject: subject,
            });
            await appendAudit(
              q,
              { ...req.auditCtx, actorLabel: "sso" },
              {
                action: "user.created",
                targetType: "user",
                targetId: created.id,
                details: { via: "sso", roles: created.roles },
              },
            );
            u = await findUserBySubject(q, subject);
          }
          if (!u) return { refused: "not_found" };
          if (u.disabled) return { refused: "disabled", userId: u.id };
          await auth.signedIn(q, req.auditCtx, u, "sso");
          return { user: u };
        },
      );
      if (!("user" in outcome)) {
        await db.tx((q) =>
          appendAudit(
            q,
            { ...req.auditCtx, actorLabel: email },
            {
              action: "auth.sign_in",
              targetType: outcome.userId ? "user" : null,
              targetId: outcome.userId ?? null,
              outcome: "failure",
              details: { method: "sso", reason: outcome.refused },
            },
          ),
        );
        return signInFailed(reply, "Your account is not allowed to sign in here");
      }
      const { user } = outcome;
      await startSession(deps, req, reply, user.id, "full");
      return reply.redirect(login.return_to);
    },
  );
}
