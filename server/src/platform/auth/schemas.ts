import { z } from "zod";
import { allPermissions, ROLES } from "../authz/index.js";

export const roleSchema = z.enum(ROLES);
export const emailSchema = z.string().trim().toLowerCase().email().max(254);

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  disabled: z.boolean(),
  mfaEnabled: z.boolean(),
  hasPassword: z.boolean(),
  lastSignInAt: z.string().nullable(),
  createdAt: z.string(),
});

export const sessionInfoSchema = z.object({
  user: z.object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    roles: z.array(z.string()),
    mfaEnabled: z.boolean(),
  }),
  permissions: z.array(z.string()),
  csrfToken: z.string(),
});

export const loginResultSchema = z.object({
  status: z.enum(["ok", "mfa_required"]),
  csrfToken: z.string(),
});

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const scopeSchema = z.string().refine((s) => allPermissions().includes(s), "unknown scope");

export const idParams = z.object({ id: z.string().min(1).max(40) }).strict();
