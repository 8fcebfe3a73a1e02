import { FilterParser } from "ldapts";
import { z } from "zod";
import { isLoopbackHost, tlsSchema, urlSchema } from "../kit.js";
import { isDn, isWithin } from "./dn.js";

/** An attribute name or OID; never a filter fragment. */
const attributeName = z
  .string()
  .trim()
  .regex(/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/, "must be an LDAP attribute name");

const dn = z.string().trim().refine(isDn, "must be a distinguished name such as ou=people,dc=example,dc=com");

function parsesAsFilter(s: string): boolean {
  // Literal parentheses are always syntax in a filter (values escape them as \28 \29), so
  // they must balance and close exactly at the end; the parser alone is more lenient.
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")" && --depth === 0 && i !== s.length - 1) return false;
    if (depth < 0) return false;
  }
  if (depth !== 0 || !s.startsWith("(")) return false;
  try {
    FilterParser.parseString(s);
    return true;
  } catch {
    return false;
  }
}

export const ldapAttributeMapSchema = z
  .object({
    /** The naming attribute of new entries: uid (OpenLDAP) or cn (Active Directory). */
    rdn: attributeName.default("uid"),
    /** The login name: uid (OpenLDAP) or sAMAccountName (Active Directory). */
    username: attributeName.default("uid"),
    email: attributeName.default("mail"),
    /** The display name; new entries also get it as cn. */
    displayName: attributeName.default("cn"),
    employeeNumber: attributeName.default("employeeNumber"),
    givenName: attributeName.default("givenName"),
    familyName: attributeName.default("sn"),
  })
  .prefault({});

export const ldapConfigSchema = z
  .object({
    /** ldaps://host:636, or ldap://host:389 with startTls. */
    url: urlSchema({ schemes: ["ldap", "ldaps"], path: false }),
    /** Upgrade an ldap:// connection with StartTLS before binding. */
    startTls: z.boolean().default(false),
    /**
     * Allow ldap:// without StartTLS to a host other than this machine. The bind password
     * then crosses the network in clear text: only for an isolated lab.
     */
    allowPlaintext: z.boolean().default(false),
    tls: tlsSchema,
    bindDn: dn,
    /** Where accounts and groups are searched (subtree). */
    baseDn: dn,
    /** Where new accounts are created. */
    usersOu: dn,
    /** Where the groups offered as entitlements live. */
    groupsOu: dn,
    /** Where disabled accounts are moved (disableMode move_ou). */
    disabledOu: dn.optional(),
    userObjectClasses: z
      .array(attributeName)
      .min(1)
      .default(["top", "person", "organizationalPerson", "inetOrgPerson"]),
    /** Which entries count as accounts; default (objectClass=<last of userObjectClasses>). */
    userFilter: z
      .string()
      .trim()
      .refine(parsesAsFilter, "must be an LDAP filter such as (objectClass=person)")
      .optional(),
    groupObjectClass: attributeName.default("groupOfNames"),
    /** member (groupOfNames, AD group) or uniqueMember (groupOfUniqueNames). */
    membershipAttribute: z.enum(["member", "uniqueMember"]).default("member"),
    /** The stable id of an entry: entryUUID (OpenLDAP, RFC 4530) or objectGUID (Active Directory). */
    idAttribute: z.enum(["entryUUID", "objectGUID"]).default("entryUUID"),
    attributes: ldapAttributeMapSchema,
    /**
     * How an account is disabled: ppolicy (OpenLDAP administrative lock,
     * pwdAccountLockedTime), ad_uac (Active Directory userAccountControl bit 2), or move_ou
     * (move the entry to disabledOu).
     */
    disableMode: z.enum(["ppolicy", "ad_uac", "move_ou"]).default("ppolicy"),
    /** Per-operation and connect timeout. */
    timeoutMs: z.number().int().min(100).max(300_000).default(15_000),
  })
  .superRefine((c, ctx) => {
    let url: URL;
    try {
      url = new URL(c.url);
    } catch {
      return; // reported by the url field itself
    }
    if (url.protocol === "ldaps:" && c.startTls) {
      ctx.addIssue({
        code: "custom",
        path: ["startTls"],
        message: "StartTLS is for ldap:// URLs, not ldaps://",
      });
    }
    if (url.protocol === "ldap:" && !c.startTls && !c.allowPlaintext && !isLoopbackHost(url.hostname)) {
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: "ldap:// to another machine sends the password in clear: use ldaps:// or set startTls",
      });
    }
    const under = (key: "usersOu" | "groupsOu" | "disabledOu") => {
      const value = c[key];
      if (value && isDn(c.baseDn) && isDn(value) && !isWithin(value, c.baseDn)) {
        ctx.addIssue({ code: "custom", path: [key], message: "must lie under baseDn" });
      }
    };
    under("usersOu");
    under("groupsOu");
    under("disabledOu");
    if (c.disableMode === "move_ou") {
      if (!c.disabledOu) {
        ctx.addIssue({ code: "custom", path: ["disabledOu"], message: "is needed for disableMode move_ou" });
      } else if (isWithin(c.disabledOu, c.usersOu) || isWithin(c.usersOu, c.disabledOu)) {
        ctx.addIssue({ code: "custom", path: ["disabledOu"], message: "must not overlap usersOu" });
      }
    }
  });

export type LdapConfig = z.output<typeof ldapConfigSchema>;
export type LdapConfigInput = z.input<typeof ldapConfigSchema>;
export type LdapAttributeMap = LdapConfig["attributes"];
