import { parse as parseScimFilter } from "scim2-parse-filter";
import { z } from "zod";
import { httpsUrlSchema, tlsSchema } from "../kit.js";

function isScimFilter(value: string): boolean {
  try {
    parseScimFilter(value);
    return true;
  } catch {
    return false;
  }
}

export const scimAppConfigSchema = z
  .object({
    /** The app's SCIM 2.0 base URL, e.g. https://app.example.com/scim/v2 (http:// only for this machine). */
    baseUrl: httpsUrlSchema(),
    tls: tlsSchema,
    /**
     * How an existing account is recognised as the person's before one is created: by
     * userName, by email (emails.value) or by the enterprise extension's employeeNumber.
     */
    matchAttribute: z.enum(["userName", "email", "employeeNumber"]).default("userName"),
    /** Send and read the employee number in the enterprise extension (RFC 7643 §4.3). */
    enterpriseExtension: z.boolean().default(true),
    groups: z
      .object({
        /** A SCIM filter choosing the groups Tandem manages, e.g. displayName sw "app-". Default: all. */
        filter: z
          .string()
          .trim()
          .min(1)
          .refine(isScimFilter, 'must be a SCIM filter such as displayName sw "app-"')
          .optional(),
        /**
         * How an account's groups are read: `user` from the User's groups attribute, or
         * `members` by filtering Groups on members (for apps that leave User.groups empty).
         */
        membership: z.enum(["user", "members"]).default("user"),
      })
      .prefault({}),
    /** Accounts per page when listing. */
    pageSize: z.number().int().min(1).max(1000).default(100),
    /** Per-request timeout. */
    timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
    /** How 429 Too Many Requests (and 503) answers are waited out before giving up. */
    rateLimit: z
      .object({
        /** Retries of one request after 429/503. */
        maxRetries: z.number().int().min(0).max(10).default(3),
        /** The longest Retry-After waited; a longer one fails at once as rate_limited. */
        maxWaitSeconds: z.number().int().min(0).max(300).default(30),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.matchAttribute === "employeeNumber" && !c.enterpriseExtension) {
      ctx.addIssue({
        code: "custom",
        path: ["matchAttribute"],
        message: "employeeNumber needs enterpriseExtension: true",
      });
    }
  });

export type ScimAppConfig = z.output<typeof scimAppConfigSchema>;
export type ScimAppConfigInput = z.input<typeof scimAppConfigSchema>;
