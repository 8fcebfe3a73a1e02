/** What the custom system answers, checked before it is believed. */
import { z } from "zod";
import { type Account, ConnectorError, type Entitlement } from "../kit.js";

const text = z.string().trim().min(1).max(1000);

export const wireAccountSchema = z.object({
  id: text,
  username: text,
  email: z.string().max(1000).nullish(),
  displayName: z.string().max(1000).nullish(),
  employeeNumber: z.string().max(1000).nullish(),
  enabled: z.boolean(),
  entitlements: z.array(text).max(10_000).default([]),
  lastLoginAt: z.iso.datetime({ offset: true }).nullish(),
});

export const accountsPageSchema = z.object({
  accounts: z.array(wireAccountSchema),
  /** The cursor of the next page; absent or null on the last one. */
  next: z.string().min(1).max(2000).nullish(),
});

export const entitlementsSchema = z.object({
  entitlements: z.array(
    z.object({
      id: text,
      name: text,
      kind: z.enum(["group", "role", "licence"]).default("group"),
      description: z.string().max(2000).nullish(),
    }),
  ),
});

export const operationResultSchema = z.object({ account: wireAccountSchema.nullish() });

export type WireAccount = z.output<typeof wireAccountSchema>;

/** `value` as `schema` says, or a ConnectorError naming where the answer went wrong. */
export function read<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "body";
  throw new ConnectorError(
    "remote",
    `${what}: the system answered an unexpected shape at ${where}: ${issue?.message}`,
  );
}

export function toAccount(w: WireAccount): Account {
  const a: Account = {
    externalId: w.id,
    username: w.username,
    enabled: w.enabled,
    entitlements: [...new Set(w.entitlements)].sort(),
  };
  if (w.email) a.email = w.email;
  if (w.displayName) a.displayName = w.displayName;
  if (w.employeeNumber) a.employeeNumber = w.employeeNumber;
  if (w.lastLoginAt !== undefined)
    a.lastLoginAt = w.lastLoginAt === null ? null : new Date(w.lastLoginAt).toISOString();
  return a;
}

export function toEntitlements(body: z.output<typeof entitlementsSchema>): Entitlement[] {
  return body.entitlements.map((e) => ({
    externalId: e.id,
    name: e.name,
    kind: e.kind,
    ...(e.description ? { description: e.description } : {}),
  }));
}
