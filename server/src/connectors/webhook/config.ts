import { z } from "zod";
import { httpsUrlSchema, tlsSchema } from "../kit.js";

export const webhookConfigSchema = z.object({
  /**
   * The custom system's endpoint root, e.g. https://hr-tools.example.com/tandem. Tandem
   * POSTs operations to {baseUrl}/operations and reads back from {baseUrl}/accounts and
   * {baseUrl}/entitlements. http:// only for this machine.
   */
  baseUrl: httpsUrlSchema(),
  tls: tlsSchema,
  /** Per-request timeout (connect and answer). */
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  retry: z
    .object({
      /** Retries of one request after 429 or 5xx (with the same idempotency key). */
      maxRetries: z.number().int().min(0).max(10).default(3),
      /** The first wait when the system gives no Retry-After; doubles each time. */
      baseDelayMs: z.number().int().min(50).max(60_000).default(1_000),
      /** The longest wait (Retry-After included); a longer one fails at once. */
      maxWaitSeconds: z.number().int().min(0).max(300).default(30),
    })
    .prefault({}),
  /** The system can end an account's sessions (operation revoke_sessions). */
  revokeSessions: z.boolean().default(false),
  /** Accounts per page when listing. */
  pageSize: z.number().int().min(1).max(1000).default(200),
});

export type WebhookConfig = z.output<typeof webhookConfigSchema>;
export type WebhookConfigInput = z.input<typeof webhookConfigSchema>;

/** The shortest signing secret accepted. */
export const MIN_SECRET_LENGTH = 16;
