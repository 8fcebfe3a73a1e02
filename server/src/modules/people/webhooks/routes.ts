import type { FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { appendAudit } from "../../../platform/audit/index.js";
import { registerPermissions } from "../../../platform/authz/index.js";
import { randomToken } from "../../../platform/crypto/index.js";
import { AppError, badRequest, notFound, unprocessable } from "../../../platform/http/index.js";
import type { PeopleContext } from "../context.js";
import { applyDelivery } from "./apply.js";
import { deliveryEnvelope, parseDelivery } from "./payload.js";
import { loadHrWebhook, saveHrWebhook } from "./settings.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, TOLERANCE_SECONDS, verify } from "./signature.js";

registerPermissions({ "people:webhook_admin": ["admin", "hr"] });

const WEBHOOK_PATH = "/api/v1/people/webhooks/hr";
const settingsSchema = z.object({
  enabled: z.boolean(),
  secretSet: z.boolean(),
  url: z.string(),
  signature: z.string(),
  toleranceSeconds: z.number(),
  updatedAt: z.string().nullable(),
});
const resultSchema = z.object({
  deliveryId: z.string(),
  duplicate: z.boolean(),
  personId: z.string().optional(),
  eventId: z.string().optional(),
});

/** Signed HR webhooks (an event-style HR system as a source) and their settings. */
export function webhookRoutes(ctx: PeopleContext) {
  const { app, db, envelope, people, config } = ctx;

  async function view() {
    const s = await loadHrWebhook(db, envelope);
    return {
      enabled: s.enabled,
      secretSet: s.secret !== null,
      url: `${config.publicUrl}${WEBHOOK_PATH}`,
      signature: `${SIGNATURE_HEADER}: sha256=HMAC-SHA256(secret, "<${TIMESTAMP_HEADER}>.<raw body>") in hex`,
      toleranceSeconds: TOLERANCE_SECONDS,
      updatedAt: s.updatedAt,
    };
  }

  app.get(
    "/api/v1/settings/hr-webhook",
    {
      config: { access: { permission: "people:webhook_admin" } },
      schema: {
        tags: ["settings"],
        summary: "HR webhook settings (the secret is never returned)",
        response: { 200: settingsSchema },
      },
    },
    async () => view(),
  );

  app.put(
    "/api/v1/settings/hr-webhook",
    {
      config: { access: { permission: "people:webhook_admin" } },
      schema: {
        tags: ["settings"],
        summary: "Save HR webhook settings; generateSecret returns a new secret once",
        body: z
          .object({
            enabled: z.boolean(),
            secret: z.string().min(32, "at least 32 characters").max(500).optional(),
            generateSecret: z.boolean().optional(),
          })
          .strict()
          .refine((b) => !(b.secret && b.generateSecret), {
            message: "give a secret or ask for one, not both",
            path: ["generateSecret"],
          }),
        response: { 200: settingsSchema.extend({ secret: z.string().optional() }) },
      },
    },
    async (req) => {
      const { enabled, secret, generateSecret } = req.body;
      const fresh = generateSecret ? randomToken(32) : secret;
      await db.tx(async (q) => {
        const current = await loadHrWebhook(q, envelope);
        if (enabled && !fresh && !current.secret)
          throw unprocessable(
            "webhook.secret_required",
            "Set or generate a secret before enabling the webhook",
            [{ path: "secret", message: "required to enable" }],
          );
        await saveHrWebhook(q, envelope, enabled, fresh);
        await appendAudit(q, req.auditCtx, {
          action: "settings.hr_webhook_changed",
          targetType: "settings",
          targetId: "hr_webhook",
          details: { enabled, secretChanged: !!fresh, generated: !!generateSecret },
        });
      });
      return { ...(await view()), ...(generateSecret ? { secret: fresh } : {}) };
    },
  );

  async function reject(req: FastifyRequest, code: string, message: string): Promise<never> {
    await db.tx((q) =>
      appendAudit(
        q,
        { ...req.auditCtx, actorLabel: "hr webhook" },
        {
          action: "webhook.delivery_rejected",
          targetType: "webhook",
          targetId: "hr",
          outcome: "denied",
          details: { reason: code },
        },
      ),
    );
    throw new AppError(401, code, message);
  }

  // Receipts only need to outlive the signature tolerance and the sender's retries.
  ctx.jobs.define({
    name: "people.webhook_receipts.purge",
    retryLimit: 2,
    handler: async () =>
      void (await db.query("DELETE FROM webhook_receipts WHERE received_at < now() - interval '30 days'")),
  });
  ctx.jobs.schedule("people.webhook_receipts.purge", "41 4 * * *");

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    // The signature covers the exact bytes sent: keep the raw body, parse only after verifying.
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) =>
      done(null, body),
    );

    scope.post(
      WEBHOOK_PATH,
      {
        config: {
          access: "public",
          rateLimit: { max: config.TANDEM_RATE_LIMIT_PER_MINUTE, timeWindow: "1 minute" },
        },
        // The body is checked after the signature (the handler parses the raw bytes); the
        // schema is here for the API document.
        validatorCompiler: () => (value) => ({ value }),
        schema: {
          tags: ["people"],
          summary: "Receive a signed HR event (person.hired, .updated, .transferred, .terminated, .resigned)",
          description: `Authenticated by signature: \`${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">\` and \`${TIMESTAMP_HEADER}: <unix seconds>\` within ${TOLERANCE_SECONDS} s. A delivery id seen before answers \`{ duplicate: true }\` and changes nothing.`,
          headers: z.object({
            [TIMESTAMP_HEADER]: z.string().optional(),
            [SIGNATURE_HEADER]: z.string().optional(),
          }),
          body: deliveryEnvelope,
          response: { 200: resultSchema },
        },
      },
      async (req) => {
        const raw = req.body as unknown as Buffer;
        if (!Buffer.isBuffer(raw))
          throw badRequest("request.malformed", "Send the event as application/json");
        const settings = await loadHrWebhook(db, envelope);
        if (!settings.enabled || !settings.secret)
          throw notFound("webhook.not_configured", "HR webhooks are not enabled in Tandem");
        const header = (h: string) => {
          const v = req.headers[h];
          return typeof v === "string" ? v : undefined;
        };
        const verdict = verify(
          settings.secret,
          { timestamp: header(TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER) },
          raw,
        );
        if (verdict === "bad_signature")
          await reject(req, "webhook.bad_signature", "The signature does not match this delivery");
        if (verdict === "stale")
          await reject(
            req,
            "webhook.stale",
            `The timestamp is more than ${TOLERANCE_SECONDS} s from our clock`,
          );
        let json: unknown;
        try {
          json = JSON.parse(raw.toString("utf8"));
        } catch {
          throw badRequest("request.malformed_json", "The body is not valid JSON");
        }
        const delivery = parseDelivery(json);
        const ctxAudit = { ...req.auditCtx, actorLabel: "hr webhook" };
        return db.tx(async (q) => {
          const receipt = await q.query(
            "INSERT INTO webhook_receipts (delivery_id) VALUES ($1) ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id",
            [`hr:${delivery.id}`],
          );
          if (receipt.rowCount === 0) return { deliveryId: delivery.id, duplicate: true };
          const applied = await applyDelivery(q, ctxAudit, people, delivery);
          await appendAudit(q, ctxAudit, {
            action: "webhook.delivery_applied",
            targetType: "person",
            targetId: applied.personId,
            details: {
              deliveryId: delivery.id,
              type: delivery.type,
              occurredAt: delivery.occurredAt,
              ...applied,
            },
          });
          return { deliveryId: delivery.id, duplicate: false, ...applied };
        });
      },
    );
  });
}
