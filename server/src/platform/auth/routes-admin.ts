import { z } from "zod";
import { appendAudit } from "../audit/index.js";
import { allPermissions } from "../authz/index.js";
import { AppError, decodeCursor, encodeCursor, notFound, pageQuery } from "../http/index.js";
import { type AuthRouteDeps, requireIdentity } from "./context.js";
import { apiTokenSchema, emailSchema, idParams, roleSchema, scopeSchema, userSchema } from "./schemas.js";
import { deleteSessionsOf } from "./sessions.js";
import { createApiToken, listApiTokens, revokeApiToken, revokeTokensOf } from "./tokens.js";
import { findUserById, insertUser, listUsers, setRoles, toUser } from "./users.js";

export function adminRoutes({ app, db, auth }: AuthRouteDeps) {
  const tags = ["users"];
  const users = { permission: "users:read" } as const;
  const write = { permission: "users:write" } as const;

  app.get(
    "/api/v1/users",
    {
      config: { access: users },
      schema: {
        tags,
        summary: "List users (search by email or name)",
        querystring: pageQuery.extend({ q: z.string().trim().max(100).optional() }).strict(),
        response: { 200: z.object({ items: z.array(userSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const after = decodeCursor(req.query.cursor, z.object({ e: z.string(), i: z.string() }));
      const items = await listUsers(db, {
        search: req.query.q,
        afterEmail: after?.e,
        afterId: after?.i,
        limit: req.query.limit + 1,
      });
      const more = items.length > req.query.limit;
      const page = items.slice(0, req.query.limit);
      const last = page.at(-1);
      return {
        items: page,
        nextCursor: more && last ? encodeCursor({ e: last.email.toLowerCase(), i: last.id }) : null,
      };
    },
  );

  app.post(
    "/api/v1/users",
    {
      config: { access: write },
      schema: {
        tags,
        summary: "Create a user; returns a one-time setup link",
        body: z
          .object({
            email: emailSchema,
            displayName: z.string().trim().min(1).max(200),
            roles: z.array(roleSchema).max(8).default(["employee"]),
          })
          .strict(),
        response: { 201: z.object({ user: userSchema, setupUrl: z.string() }) },
      },
    },
    async (req, reply) => {
      const result = await db.tx(async (q) => {
        const user = await insertUser(q, req.body);
        const setupUrl = await auth.createSetupLink(q, user.id);
        await appendAudit(q, req.auditCtx, {
          action: "user.created",
          targetType: "user",
          targetId: user.id,
          details: { roles: user.roles },
        });
        return { user, setupUrl };
      });
      return reply.status(201).send(result);
    },
  );

  app.get(
    "/api/v1/users/:id",
    {
      config: { access: users },
      schema: { tags, summary: "One user", params: idParams, response: { 200: userSchema } },
    },
    async (req) => {
      const row = await findUserById(db, req.params.id);
      if (!row) throw notFound("user.not_found", "No such user");
      return toUser(row);
    },
  );

  app.patch(
    "/api/v1/users/:id",
    {
      config: { access: write },
      schema: {
        tags,
        summary: "Rename, disable or enable a user (disabling ends their sessions and tokens)",
        params: idParams,
        body: z
          .object({
            displayName: z.string().trim().min(1).max(200).optional(),
            disabled: z.boolean().optional(),
          })
          .strict(),
        response: { 200: userSchema },
      },
    },
    async (req) => {
      const actor = requireIdentity(req);
      return db.tx(async (q) => {
        const row = await findUserById(q, req.params.id, true);
        if (!row) throw notFound("user.not_found", "No such user");
        if (req.body.disabled && row.id === actor.userId) {
          throw new AppError(409, "user.cannot_disable_self", "You cannot disable your own account", [
            { path: "disabled", message: "cannot disable yourself" },
          ]);
        }
        if (req.body.displayName !== undefined) {
          await q.query("UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1", [
            row.id,
            req.body.displayName,
          ]);
        }
        if (req.body.disabled !== undefined && req.body.disabled !== row.disabled) {
          await q.query("UPDATE users SET disabled = $2, updated_at = now() WHERE id = $1", [
            row.id,
            req.body.disabled,
          ]);
          if (req.body.disabled) {
            await deleteSessionsOf(q, row.id);
            await revokeTokensOf(q, row.id);
          }
        }
        await appendAudit(q, req.auditCtx, {
          action: "user.updated",
          targetType: "user",
          targetId: row.id,
          details: { changed: Object.keys(req.body), disabled: req.body.disabled },
        });
        return toUser((await findUserById(q, row.id))!);
      });
    },
  );

  app.put(
    "/api/v1/users/:id/roles",
    {
      config: { access: write },
      schema: {
        tags,
        summary: "Set a user's roles",
        params: idParams,
        body: z.object({ roles: z.array(roleSchema).max(8) }).strict(),
        response: { 200: userSchema },
      },
    },
    async (req) => {
      const actor = requireIdentity(req);
      return db.tx(async (q) => {
        const row = await findUserById(q, req.params.id, true);
        if (!row) throw notFound("user.not_found", "No such user");
        if (row.id === actor.userId && !req.body.roles.includes("admin") && row.roles?.includes("admin")) {
          const admins = await q.query(
            "SELECT 1 FROM user_roles WHERE role = 'admin' AND user_id <> $1 LIMIT 1",
            [row.id],
          );
          if (admins.rowCount === 0) {
            throw new AppError(
              409,
              "user.last_admin",
              "You are the last administrator; keep the admin role",
              [{ path: "roles", message: "the last admin cannot drop admin" }],
            );
          }
        }
        await setRoles(q, row.id, req.body.roles);
        await appendAudit(q, req.auditCtx, {
          action: "user.roles_changed",
          targetType: "user",
          targetId: row.id,
          details: { from: row.roles ?? [], to: [...req.body.roles].sort() },
        });
        return toUser((await findUserById(q, row.id))!);
      });
    },
  );

  app.post(
    "/api/v1/users/:id/reset-password",
    {
      config: { access: write },
      schema: {
        tags,
        summary: "Reset a user's password: clears it, ends their sessions, returns a one-time setup link",
        params: idParams,
        response: { 200: z.object({ setupUrl: z.string() }) },
      },
    },
    async (req) => {
      return db.tx(async (q) => {
        const row = await findUserById(q, req.params.id, true);
        if (!row) throw notFound("user.not_found", "No such user");
        await q.query(
          "UPDATE users SET password_hash = NULL, failed_attempts = 0, locked_until = NULL WHERE id = $1",
          [row.id],
        );
        await deleteSessionsOf(q, row.id);
        const setupUrl = await auth.createSetupLink(q, row.id);
        await appendAudit(q, req.auditCtx, {
          action: "user.password_reset",
          targetType: "user",
          targetId: row.id,
        });
        return { setupUrl };
      });
    },
  );

  app.post(
    "/api/v1/users/:id/reset-mfa",
    {
      config: { access: write },
      schema: { tags, summary: "Remove a user's MFA so they can enrol again", params: idParams },
    },
    async (req, reply) => {
      await db.tx(async (q) => {
        const row = await findUserById(q, req.params.id, true);
        if (!row) throw notFound("user.not_found", "No such user");
        await auth.disableMfa(q, req.auditCtx, row.id, { byAdmin: true });
        await deleteSessionsOf(q, row.id);
      });
      return reply.status(204).send();
    },
  );

  // --- API tokens (each user manages their own) ---
  const tokenTags = ["tokens"];
  const tokens = { permission: "tokens:manage" } as const;

  app.get(
    "/api/v1/tokens/scopes",
    {
      config: { access: tokens },
      schema: {
        tags: tokenTags,
        summary: "Scopes I can give a token (my own permissions)",
        response: { 200: z.object({ scopes: z.array(z.string()) }) },
      },
    },
    async (req) => ({ scopes: allPermissions().filter((p) => requireIdentity(req).permissions.has(p)) }),
  );

  app.get(
    "/api/v1/tokens",
    {
      config: { access: tokens },
      schema: {
        tags: tokenTags,
        summary: "My API tokens",
        response: { 200: z.object({ items: z.array(apiTokenSchema) }) },
      },
    },
    async (req) => ({ items: await listApiTokens(db, requireIdentity(req).userId) }),
  );

  app.post(
    "/api/v1/tokens",
    {
      config: { access: tokens },
      schema: {
        tags: tokenTags,
        summary: "Create a scoped, expiring API token; the secret is shown only in this response",
        body: z
          .object({
            name: z.string().trim().min(1).max(100),
            scopes: z.array(scopeSchema).min(1).max(50),
            expiresInDays: z.number().int().min(1).max(365),
          })
          .strict(),
        response: { 201: z.object({ token: apiTokenSchema, secret: z.string() }) },
      },
    },
    async (req, reply) => {
      const id = requireIdentity(req);
      const notMine = req.body.scopes.filter((s) => !id.permissions.has(s));
      if (notMine.length) {
        throw new AppError(
          403,
          "token.scope_not_held",
          `You cannot grant scopes you do not hold: ${notMine.join(", ")}`,
          [{ path: "scopes", message: `not held: ${notMine.join(", ")}` }],
        );
      }
      const result = await db.tx(async (q) => {
        const created = await createApiToken(q, { userId: id.userId, ...req.body });
        await appendAudit(q, req.auditCtx, {
          action: "token.created",
          targetType: "api_token",
          targetId: created.token.id,
          details: {
            name: created.token.name,
            scopes: created.token.scopes,
            expiresAt: created.token.expiresAt,
          },
        });
        return created;
      });
      return reply.status(201).send(result);
    },
  );

  app.delete(
    "/api/v1/tokens/:id",
    {
      config: { access: tokens },
      schema: { tags: tokenTags, summary: "Revoke one of my tokens", params: idParams },
    },
    async (req, reply) => {
      const id = requireIdentity(req);
      await db.tx(async (q) => {
        if (!(await revokeApiToken(q, id.userId, req.params.id)))
          throw notFound("token.not_found", "No such live token");
        await appendAudit(q, req.auditCtx, {
          action: "token.revoked",
          targetType: "api_token",
          targetId: req.params.id,
        });
      });
      return reply.status(204).send();
    },
  );
}
