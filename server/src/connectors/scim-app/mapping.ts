import type { Account, AccountPatch, AccountSpec } from "../kit.js";
import {
  SCIM_ENTERPRISE_USER,
  SCIM_USER,
  type ScimInput,
  type ScimPatchOp,
  type ScimUser,
  scimString,
} from "../scim/index.js";
import type { ScimAppConfig } from "./config.js";

type Enterprise = { employeeNumber?: string };

const enterpriseOf = (u: ScimUser): Enterprise | undefined => {
  const ext = u[SCIM_ENTERPRISE_USER];
  return ext && typeof ext === "object" ? (ext as Enterprise) : undefined;
};

/** The primary email, else a work one, else the first. */
export function primaryEmail(u: ScimUser): string | undefined {
  const emails = Array.isArray(u.emails) ? u.emails : [];
  return (emails.find((e) => e.primary) ?? emails.find((e) => e.type === "work") ?? emails[0])?.value;
}

function displayNameOf(u: ScimUser): string | undefined {
  if (u.displayName) return u.displayName;
  if (u.name?.formatted) return u.name.formatted;
  const parts = [u.name?.givenName, u.name?.familyName].filter(Boolean);
  return parts.length ? parts.join(" ") : undefined;
}

/** A SCIM User as read back, with the entitlements found for it. */
export function toAccount(cfg: ScimAppConfig, u: ScimUser, entitlements: string[]): Account {
  const account: Account = {
    externalId: u.id,
    username: u.userName,
    // RFC 7643: an absent `active` says nothing; apps that omit it do not disable that way.
    enabled: u.active !== false,
    entitlements: [...new Set(entitlements)].sort(),
  };
  const email = primaryEmail(u);
  if (email) account.email = email;
  const displayName = displayNameOf(u);
  if (displayName) account.displayName = displayName;
  const employeeNumber = cfg.enterpriseExtension ? enterpriseOf(u)?.employeeNumber : undefined;
  if (employeeNumber) account.employeeNumber = employeeNumber;
  if (u.meta?.lastModified) account.raw = { lastModified: u.meta.lastModified };
  return account;
}

/** The groups the User resource itself reports (RFC 7643 §4.1.2 `groups`). */
export function userGroups(u: ScimUser): string[] {
  const groups = u.groups;
  if (!Array.isArray(groups)) return [];
  return groups
    .map((g) => (g as { value?: unknown }).value)
    .filter((v): v is string => typeof v === "string");
}

const workEmail = (value: string) => [{ value, type: "work", primary: true }];

/** The User resource a create sends. */
export function newUser(cfg: ScimAppConfig, spec: AccountSpec): ScimInput<ScimUser> {
  const name: ScimUser["name"] = { formatted: spec.displayName };
  if (spec.givenName) name.givenName = spec.givenName;
  if (spec.familyName) name.familyName = spec.familyName;
  const user: ScimInput<ScimUser> = {
    schemas: cfg.enterpriseExtension ? [SCIM_USER, SCIM_ENTERPRISE_USER] : [SCIM_USER],
    userName: spec.username,
    name,
    displayName: spec.displayName,
    emails: workEmail(spec.email),
    active: spec.enabled,
  };
  if (cfg.enterpriseExtension && spec.employeeNumber) {
    user[SCIM_ENTERPRISE_USER] = { employeeNumber: spec.employeeNumber };
  }
  return user;
}

/** PATCH operations (RFC 7644 §3.5.2) that make a User match `patch`. */
export function patchOps(cfg: ScimAppConfig, patch: AccountPatch): ScimPatchOp[] {
  const ops: ScimPatchOp[] = [];
  const replace = (path: string, value: unknown) => ops.push({ op: "replace", path, value });
  if (patch.username !== undefined) replace("userName", patch.username);
  if (patch.displayName !== undefined) {
    replace("displayName", patch.displayName);
    replace("name.formatted", patch.displayName);
  }
  if (patch.givenName !== undefined) replace("name.givenName", patch.givenName);
  if (patch.familyName !== undefined) replace("name.familyName", patch.familyName);
  if (patch.email !== undefined) replace("emails", workEmail(patch.email));
  if (patch.employeeNumber !== undefined && cfg.enterpriseExtension) {
    replace(`${SCIM_ENTERPRISE_USER}:employeeNumber`, patch.employeeNumber);
  }
  if (patch.enabled !== undefined) replace("active", patch.enabled);
  return ops;
}

/** The filter finding a User by one identifying field. */
export function userFilter(field: "userName" | "email" | "employeeNumber", value: string): string {
  switch (field) {
    case "userName":
      return `userName eq ${scimString(value)}`;
    case "email":
      return `emails.value eq ${scimString(value)}`;
    case "employeeNumber":
      return `${SCIM_ENTERPRISE_USER}:employeeNumber eq ${scimString(value)}`;
  }
}

/** The value of `field` on `spec` (or an account). */
export function fieldOf(
  field: "userName" | "email" | "employeeNumber",
  a: { username?: string; email?: string; employeeNumber?: string },
): string | undefined {
  const v = field === "userName" ? a.username : field === "email" ? a.email : a.employeeNumber;
  return v?.trim() || undefined;
}
