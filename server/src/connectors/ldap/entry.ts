/**
 * Between directory entries and the kit's accounts: which attributes to read, how an
 * entry reads as an Account, and which attributes a new account's entry gets.
 */
import type { Entry } from "ldapts";
import type { Account, AccountPatch, AccountSpec } from "../kit.js";
import {
  filetimeToIso,
  generalizedTimeToIso,
  guidFromBytes,
  PPOLICY_ADMIN_LOCK,
  UAC_ACCOUNTDISABLE,
  UAC_NORMAL_ACCOUNT,
  uacEnabled,
} from "./attributes.js";
import type { LdapConfig } from "./config.js";
import { isWithin } from "./dn.js";

const lc = (s: string) => s.toLowerCase();

/** Every value of `name` in `entry` (attribute names compare case-insensitively). */
export function values(entry: Entry, name: string): string[] {
  const key = Object.keys(entry).find((k) => lc(k) === lc(name));
  const v = key === undefined || key === "dn" ? undefined : entry[key];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => (Buffer.isBuffer(x) ? x.toString("utf8") : x));
}

export const first = (entry: Entry, name: string): string | undefined => values(entry, name)[0];

function rawBuffer(entry: Entry, name: string): Buffer | undefined {
  const key = Object.keys(entry).find((k) => lc(k) === lc(name));
  const v = key === undefined ? undefined : entry[key];
  const one = Array.isArray(v) ? v[0] : v;
  return Buffer.isBuffer(one) ? one : undefined;
}

function unique(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const k = lc(n);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The attributes read for an account. */
export function accountAttributes(cfg: LdapConfig): string[] {
  const a = cfg.attributes;
  const names = [
    a.username,
    a.email,
    a.displayName,
    a.employeeNumber,
    a.givenName,
    a.familyName,
    "cn",
    "objectClass",
    cfg.idAttribute,
    "authTimestamp",
    "pwdLastSuccess",
  ];
  if (cfg.disableMode === "ppolicy") names.push("pwdAccountLockedTime");
  if (cfg.disableMode === "ad_uac" || cfg.idAttribute === "objectGUID") {
    names.push("userAccountControl", "lastLogonTimestamp");
  }
  return unique(names);
}

/** The entry's stable id, or undefined when the directory did not return one. */
export function idOf(cfg: LdapConfig, entry: Entry): string | undefined {
  if (cfg.idAttribute === "objectGUID") {
    const b = rawBuffer(entry, "objectGUID");
    return b && b.length === 16 ? guidFromBytes(b) : undefined;
  }
  return first(entry, "entryUUID")?.toLowerCase();
}

export function enabledOf(cfg: LdapConfig, entry: Entry): boolean {
  switch (cfg.disableMode) {
    case "ppolicy":
      return first(entry, "pwdAccountLockedTime") !== PPOLICY_ADMIN_LOCK;
    case "ad_uac":
      return uacEnabled(first(entry, "userAccountControl"));
    case "move_ou":
      return !(cfg.disabledOu && isWithin(entry.dn, cfg.disabledOu));
  }
}

function lastLoginOf(cfg: LdapConfig, entry: Entry): string | null | undefined {
  if (cfg.disableMode === "ad_uac" || cfg.idAttribute === "objectGUID") {
    const ad = filetimeToIso(first(entry, "lastLogonTimestamp"));
    if (ad !== undefined) return ad;
  }
  return generalizedTimeToIso(first(entry, "pwdLastSuccess") ?? first(entry, "authTimestamp"));
}

/** An entry as the kit's Account; `groups` are the DNs of the groups that list it. */
export function toAccount(cfg: LdapConfig, entry: Entry, groups: string[]): Account {
  const a = cfg.attributes;
  const id = idOf(cfg, entry);
  if (!id) throw new Error(`the directory returned no ${cfg.idAttribute} for an account`);
  const account: Account = {
    externalId: id,
    username: first(entry, a.username) ?? "",
    enabled: enabledOf(cfg, entry),
    entitlements: groups,
    raw: {
      dn: entry.dn,
      objectClass: values(entry, "objectClass"),
      ...(first(entry, a.givenName) !== undefined ? { givenName: first(entry, a.givenName) } : {}),
      ...(first(entry, a.familyName) !== undefined ? { familyName: first(entry, a.familyName) } : {}),
      ...(first(entry, "pwdAccountLockedTime")
        ? { pwdAccountLockedTime: first(entry, "pwdAccountLockedTime") }
        : {}),
      ...(first(entry, "userAccountControl")
        ? { userAccountControl: first(entry, "userAccountControl") }
        : {}),
    },
  };
  const email = first(entry, a.email);
  const displayName = first(entry, a.displayName);
  const employeeNumber = first(entry, a.employeeNumber);
  const lastLoginAt = lastLoginOf(cfg, entry);
  if (email !== undefined) account.email = email;
  if (displayName !== undefined) account.displayName = displayName;
  if (employeeNumber !== undefined) account.employeeNumber = employeeNumber;
  if (lastLoginAt !== undefined) account.lastLoginAt = lastLoginAt;
  return account;
}

/** A family name for entries that need one (sn is required by `person`). */
function familyNameFor(spec: Pick<AccountSpec, "familyName" | "displayName" | "username">): string {
  if (spec.familyName?.trim()) return spec.familyName.trim();
  const words = spec.displayName.trim().split(/\s+/).filter(Boolean);
  return words[words.length - 1] ?? spec.username;
}

/** attribute name → values for the fields of `patch` that are given (empty string: remove). */
export function fieldAttributes(cfg: LdapConfig, patch: AccountPatch): Map<string, string[]> {
  const a = cfg.attributes;
  const out = new Map<string, string[]>();
  const set = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    const key = [...out.keys()].find((k) => lc(k) === lc(name)) ?? name;
    const v = value.trim();
    out.set(key, v ? [v] : []);
  };
  set(a.username, patch.username);
  set(a.email, patch.email);
  set(a.displayName, patch.displayName);
  set(a.employeeNumber, patch.employeeNumber);
  set(a.givenName, patch.givenName);
  set(a.familyName, patch.familyName);
  return out;
}

/** The attributes of a new account's entry. */
export function newEntryAttributes(cfg: LdapConfig, spec: AccountSpec): Record<string, string[]> {
  const fields = fieldAttributes(cfg, spec);
  const attrs: Record<string, string[]> = { objectClass: [...cfg.userObjectClasses] };
  for (const [name, vals] of fields) if (vals.length) attrs[name] = vals;
  const has = (name: string) => Object.keys(attrs).some((k) => lc(k) === lc(name));
  if (!has("cn")) attrs.cn = [spec.displayName.trim() || spec.username];
  if (!has(cfg.attributes.familyName)) attrs[cfg.attributes.familyName] = [familyNameFor(spec)];
  if (cfg.disableMode === "ad_uac") {
    attrs.userAccountControl = [String(UAC_NORMAL_ACCOUNT | (spec.enabled ? 0 : UAC_ACCOUNTDISABLE))];
  }
  return attrs;
}

/** The value the new entry's RDN takes, from the spec field mapped to the RDN attribute. */
export function rdnValue(cfg: LdapConfig, spec: AccountSpec): string | undefined {
  const attrs = newEntryAttributes(cfg, spec);
  const key = Object.keys(attrs).find((k) => lc(k) === lc(cfg.attributes.rdn));
  return key ? attrs[key]?.[0] : undefined;
}
