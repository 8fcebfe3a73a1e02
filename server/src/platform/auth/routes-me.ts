import { z } from "zod";
import { type AuthRouteDeps, requireIdentity } from "./context.js";

const tags = ["profile"];

export function meRoutes({ app, db, auth }: AuthRouteDeps) {
  app.post(
    "/api/v1/me/password",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Change my password",
        body: z
          .object({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(1).max(1024) })
          .strict(),
      },
    },
    async (req, reply) => {
      const id = requireIdentity(req);
      await db.tx((q) =>
        auth.changePassword(q, req.auditCtx, id.userId, req.body.currentPassword, req.body.newPassword),
      );
      return reply.status(204).send();
    },
  );

  app.post(
    "/api/v1/me/mfa/enrol",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Start TOTP enrolment: a secret and its QR code",
        response: { 200: z.object({ secret: z.string(), otpauthUrl: z.string(), qrDataUrl: z.string() }) },
      },
    },
    async (req) => {
      const id = requireIdentity(req);
      return db.tx((q) => auth.beginMfaEnrolment(q, req.auditCtx, id.userId));
    },
  );

  app.post(
    "/api/v1/me/mfa/confirm",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Confirm enrolment with a code; returns recovery codes once",
        body: z
          .object({
            code: z
              .string()
              .trim()
              .regex(/^\d{6}$/, "must be 6 digits"),
          })
          .strict(),
        response: { 200: z.object({ recoveryCodes: z.array(z.string()) }) },
      },
    },
    async (req) => {
      const id = requireIdentity(req);
      const recoveryCodes = await db.tx((q) => auth.confirmMfa(q, req.auditCtx, id.userId, req.body.code));
      return { recoveryCodes };
    },
  );

  app.post(
    "/api/v1/me/mfa/disable",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Turn my MFA off (needs a current code)",
        body: z
          .object({
            code: z
              .string()
              .trim()
              .regex(/^\d{6}$/, "must be 6 digits"),
          })
          .strict(),
      },
    },
    async (req, reply) => {
      const id = requireIdentity(req);
      await db.tx((q) => auth.disableMfa(q, req.auditCtx, id.userId, { code: req.body.code }));
      return reply.status(204).send();
    },
  );
}
