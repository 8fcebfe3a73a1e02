import { z } from "zod";
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from "./discovery.js";
import { invalidSyntax, invalidValue } from "./errors.js";

/**
 * Reading a SCIM User into the fields of an HR record. Attribute names are
 * case-insensitive (RFC 7643 §2.1). Several SCIM attributes feed one HR field
 * (userName and emails[work] → work email; nickName and displayName → preferred name;
 * name.formatted and given/family name → legal name): when a baseline (the resource as it
 * was) is given, an attribute the request changed wins over one it left as it was.
 */

export interface UserFields {
  userName?: string;
  workEmail?: string;
  externalId?: string;
  formatted?: string;
  givenName?: string;
  familyName?: string;
  displayName?: string;
  nickName?: string;
  active?: boolean;
  employeeNumber?: string;
  department?: string;
  managerId?: string;
}

export interface DesiredUser {
  workEmail: string;
  externalId: string | null;
  legalName: string;
  givenName: string | null;
  familyName: string | null;
  preferredName: string | null;
  /** undefined: leave the employment status as it is. */
  active: boolean | undefined;
  employeeNumber: string;
  department: string | null;
  managerId: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function get(o: Obj | undefined, key: string): unknown {
  if (!o) return undefined;
  const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : o[k];
}

function str(o: Obj | undefined, key: string, label: string, max = 200): string | undefined {
  const v = get(o, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidValue(`${label} must be a string`);
  const t = v.trim();
  if (t.length > max) throw invalidValue(`${label} is longer than ${max} characters`);
  return t === "" ? undefined : t;
}

const email = z.string().trim().toLowerCase().email().max(254);

/** Entra ID sends booleans as "True"/"False" strings; both spellings are accepted. */
function bool(v: unknown, label: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  throw invalidValue(`${label} must be true or false`);
}

/** The fields a SCIM User resource carries (absent attributes stay undefined). */
export function readUser(body: unknown): UserFields {
  if (!isObj(body)) throw invalidSyntax("The body must be a JSON object (a SCIM User)");
  const schemas = get(body, "schemas");
  if (schemas !== undefined) {
    if (
      !Array.isArray(schemas) ||
      !schemas.some((s) => String(s).toLowerCase() === USER_SCHEMA.toLowerCase())
    )
      throw invalidValue(`schemas must include ${USER_SCHEMA}`);
  }
  const name = get(body, "name");
  if (name !== undefined && name !== null && !isObj(name)) throw invalidValue("name must be an object");
  const ext = get(body, ENTERPRISE_SCHEMA);
  if (ext !== undefined && ext !== null && !isObj(ext))
    throw invalidValue(`${ENTERPRISE_SCHEMA} must be an object`);
  const emails = get(body, "emails");
  if (emails !== undefined && emails !== null && !Array.isArray(emails))
    throw invalidValue("emails must be an array");
  const list = (emails ?? []) as unknown[];
  const work =
    list.find((e) => isObj(e) && String(get(e, "type") ?? "").toLowerCase() === "work") ??
    list.find((e) => isObj(e) && get(e, "primary") === true) ??
    list[0];
  const manager = get(ext as Obj | undefined, "manager");
  let managerId: string | undefined;
  if (typeof manager === "string") managerId = manager.trim() || undefined;
  else if (isObj(manager)) managerId = str(manager, "value", "manager.value", 40);
  else if (manager !== undefined && manager !== null)
    throw invalidValue("manager must be an object with value");
  return {
    userName: str(body, "userName", "userName", 254),
    workEmail: isObj(work) ? str(work, "value", "emails.value", 254) : undefined,
    externalId: str(body, "externalId", "externalId", 200),
    formatted: str(name as Obj | undefined, "formatted", "name.formatted"),
    givenName: str(name as Obj | undefined, "givenName", "name.givenName"),
    familyName: str(name as Obj | undefined, "familyName", "name.familyName"),
    displayName: str(body, "displayName", "displayName"),
    nickName: str(body, "nickName", "nickName"),
    active: bool(get(body, "active"), "active"),
    employeeNumber: str(ext as Obj | undefined, "employeeNumber", "employeeNumber", 40),
    department: str(ext as Obj | undefined, "department", "department", 120),
    managerId,
  };
}

/** Resolves the fields into the HR record they describe; `before` is the resource before a PUT or PATCH. */
export function desiredUser(next: UserFields, before?: UserFields): DesiredUser {
  const changed = (k: keyof UserFields) => !before || before[k] !== next[k];
  const pick = (...keys: (keyof UserFields)[]) => {
    for (const k of keys) if (changed(k) && next[k] !== undefined) return next[k] as string;
    for (const k of keys) if (next[k] !== undefined) return next[k] as string;
    return undefined;
  };

  const address = pick("userName", "workEmail");
  if (!address) throw invalidValue("userName (the work email address) is required");
  const parsed = email.safeParse(address);
  if (!parsed.success) throw invalidValue(`userName must be an email address: ${address}`);

  const joined = [next.givenName, next.familyName].filter(Boolean).join(" ") || undefined;
  const partsChanged = changed("givenName") || changed("familyName");
  const legalName =
    (changed("formatted") && next.formatted) ||
    (partsChanged && joined) ||
    next.formatted ||
    joined ||
    next.displayName;
  if (!legalName) throw invalidValue("name (formatted, or givenName and familyName) is required");
  const preferred = pick("nickName", "displayName") ?? null;

  if (!next.employeeNumber)
    throw invalidValue(`${ENTERPRISE_SCHEMA}:employeeNumber is required (the HR employee number)`);

  return {
    workEmail: parsed.data,
    externalId: next.externalId ?? null,
    legalName,
    givenName: legalName === joined ? (next.givenName ?? null) : null,
    familyName: legalName === joined ? (next.familyName ?? null) : null,
    preferredName: preferred === legalName ? null : preferred,
    active: next.active,
    employeeNumber: next.employeeNumber,
    department: next.department ?? null,
    managerId: next.managerId ?? null,
  };
}
