/**
 * The connector kit: the one interface every connector (LDAP, SCIM, manual, webhook…)
 * implements, its typed errors, and the config helpers they share.
 *
 * A connector speaks to one target system for the access engine: it reads accounts back
 * (the actual state), and carries out plan steps (create, update, disable, delete, grant,
 * revoke). Every method either does what it says or throws a ConnectorError; a read that
 * failed never looks like an empty system.
 */
import { z } from "zod";

// ---------------------------------------------------------------------------------------
// Errors

export type ConnectorErrorKind =
  /** The system could not be reached (refused, reset, timed out, DNS). Retry later. */
  | "unreachable"
  /** The credentials were refused or lack the rights for the operation. */
  | "auth"
  /** The account, entitlement or base the operation names does not exist. */
  | "not_found"
  /** The operation collides with something that exists (a name taken by someone else). */
  | "conflict"
  /** The system asked us to slow down (retryAfterMs says how long, when it said so). */
  | "rate_limited"
  /** The connector's settings are wrong (bad URL, untrusted certificate, bad DN…). */
  | "invalid_config"
  /** The connector does not support this operation (see meta.capabilities). */
  | "unsupported"
  /** The system refused the operation for another reason; the message says why. */
  | "remote";

const RETRYABLE_BY_DEFAULT: ReadonlySet<ConnectorErrorKind> = new Set(["unreachable", "rate_limited"]);

export interface ConnectorErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  cause?: unknown;
}

/** The only error a connector method throws. `retryable` tells the job runner whether to try again. */
export class ConnectorError extends Error {
  readonly kind: ConnectorErrorKind;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(kind: ConnectorErrorKind, message: string, options: ConnectorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ConnectorError";
    this.kind = kind;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(kind);
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export const isConnectorError = (e: unknown): e is ConnectorError => e instanceof ConnectorError;

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

const TLS_TRUST_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * A transport failure (socket or TLS) as a ConnectorError, or null when `err` is not one.
 * Connectors call this first, then map their protocol's own errors.
 */
export function transportError(err: unknown, what: string): ConnectorError | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && TLS_TRUST_CODES.has(code)) {
    return new ConnectorError(
      "invalid_config",
      `${what}: the server's TLS certificate is not trusted (${code})`,
      {
        cause: err,
      },
    );
  }
  if (typeof code === "string" && NETWORK_CODES.has(code)) {
    return new ConnectorError("unreachable", `${what}: cannot reach the server (${code})`, { cause: err });
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// The connector interface

export interface ConnectorCapabilities {
  create: boolean;
  update: boolean;
  disable: boolean;
  delete: boolean;
  grant: boolean;
  revoke: boolean;
  revokeSessions: boolean;
  listEntitlements: boolean;
}

export interface ConnectorMeta {
  /** Stable machine name, e.g. "ldap". */
  type: string;
  /** What people read, e.g. "LDAP / Active Directory". */
  label: string;
  capabilities: ConnectorCapabilities;
}

/** An account as the system reports it (read back, never what we believe we wrote). */
export interface Account {
  /** The system's stable id for the account (survives renames and moves). */
  externalId: string;
  username: string;
  email?: string;
  displayName?: string;
  employeeNumber?: string;
  enabled: boolean;
  /** externalIds of the entitlements the account holds. */
  entitlements: string[];
  /** ISO 8601 UTC, when the system records it; null when it records it and there was none. */
  lastLoginAt?: string | null;
  /** Extra attributes for display and diagnosis; never secrets. */
  raw?: Record<string, unknown>;
}

export interface Entitlement {
  externalId: string;
  name: string;
  kind: "group" | "role" | "licence";
  description?: string;
}

/** What the engine wants an account to look like. */
export interface AccountSpec {
  username: string;
  email: string;
  displayName: string;
  employeeNumber: string;
  givenName?: string;
  familyName?: string;
  enabled: boolean;
}

export type AccountPatch = Partial<AccountSpec>;

export interface AccountMatch {
  username?: string;
  email?: string;
  employeeNumber?: string;
}

export interface TestConnectionResult {
  ok: boolean;
  /** What was checked, or why it failed; safe to show to an administrator. */
  detail: string;
  /** When not ok: the kind of failure. */
  kind?: ConnectorErrorKind;
}

export interface Connector {
  readonly meta: ConnectorMeta;
  /** Never throws: reports whether the settings and credentials work. */
  testConnection(): Promise<TestConnectionResult>;
  /**
   * Every account, page by page. Throws a ConnectorError when any page cannot be read: an
   * iteration that ends without an error has seen every account.
   */
  listAccounts(opts?: { pageSize?: number }): AsyncIterable<Account>;
  /** The account, read from the system now; null when it does not exist. */
  getAccount(externalId: string): Promise<Account | null>;
  /** The one account matching the first given field that matches (employeeNumber, username, email). */
  findAccount(match: AccountMatch): Promise<Account | null>;
  /** Creates the account; when it already exists, links to it (returns it unchanged, no twin). */
  createAccount(spec: AccountSpec): Promise<Account>;
  updateAccount(externalId: string, patch: AccountPatch): Promise<Account>;
  disableAccount(externalId: string): Promise<void>;
  enableAccount(externalId: string): Promise<void>;
  deleteAccount(externalId: string): Promise<void>;
  /** Idempotent: granting what is held succeeds. */
  grant(externalId: string, entitlementId: string): Promise<void>;
  /** Idempotent: revoking what is not held succeeds. */
  revoke(externalId: string, entitlementId: string): Promise<void>;
  /** Ends the account's sessions, where the system has them (capabilities.revokeSessions). */
  revokeSessions?(externalId: string): Promise<void>;
  /**
   * Optional batch forms, for systems that can do many at once; the engine uses them for
   * bulk work and falls back to the single forms when they are missing or throw (except
   * rate_limited: those steps wait as the system asked).
   * getAccounts: each id → the account as read now, or null when it does not exist (never
   * null because a read failed: a failed read throws).
   */
  getAccounts?(externalIds: readonly string[]): Promise<Map<string, Account | null>>;
  /**
   * revokeMany: removes the entitlement from every listed account, idempotently. Returns the
   * accounts it could not handle with the reason (an unknown account is "not_found"); an id
   * not in the result was revoked or did not hold it. Throws when the call as a whole failed.
   */
  revokeMany?(entitlementId: string, externalIds: readonly string[]): Promise<Map<string, ConnectorError>>;
  /**
   * disableMany: disables every listed account, idempotently (one already disabled is done).
   * Returns the accounts it could not disable with the reason (an unknown account is
   * "not_found"); an id not in the result was disabled. Throws when the call as a whole
   * failed (the system unreachable or rate limiting, the credentials refused).
   */
  disableMany?(externalIds: readonly string[]): Promise<Map<string, ConnectorError>>;
  listEntitlements(): Promise<Entitlement[]>;
  /** Releases connections; the connector is not used afterwards. */
  close(): Promise<void>;
}

export interface ConnectorFactory<C = unknown> {
  type: string;
  label: string;
  /** Validates and fills defaults; what `create` receives. */
  configSchema: z.ZodType<C>;
  /** Names of the secrets the connector needs (stored encrypted, write-only in the API). */
  secretFields: readonly string[];
  create(config: C, secrets: Record<string, string>): Connector;
}

/**
 * Builds a connector from stored settings: validates the config with the factory's schema
 * and checks every secret is present. Throws ConnectorError "invalid_config" naming the field.
 */
export function instantiate<C>(
  factory: ConnectorFactory<C>,
  config: unknown,
  secrets: Record<string, string | undefined>,
): Connector {
  const parsed = factory.configSchema.safeParse(config);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? first.path.join(".") : "config";
    throw new ConnectorError("invalid_config", `${factory.label}: ${where}: ${first?.message ?? "invalid"}`);
  }
  const present: Record<string, string> = {};
  for (const name of factory.secretFields) {
    const value = secrets[name];
    if (!value) throw new ConnectorError("invalid_config", `${factory.label}: secret ${name} is not set`);
    present[name] = value;
  }
  return factory.create(parsed.data, present);
}

// ---------------------------------------------------------------------------------------
// Config helpers

/** True for names that can only mean this machine: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export interface UrlRules {
  /** Schemes allowed for any host, without the colon: ["https"], ["ldap", "ldaps"]. */
  schemes: readonly string[];
  /** Schemes allowed only for loopback hosts (plain http for a local test peer). */
  loopbackOnly?: readonly string[];
  /** Allow a path (and query) after the host; default true. */
  path?: boolean;
}

/** Why `value` breaks `rules`, or null when it is a good URL. */
export function checkUrl(value: string, rules: UrlRules): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  const scheme = url.protocol.replace(/:$/, "");
  const loopbackOnly = rules.loopbackOnly ?? [];
  if (!rules.schemes.includes(scheme)) {
    if (!loopbackOnly.includes(scheme)) {
      return `must start with ${[...rules.schemes, ...loopbackOnly].map((s) => `${s}://`).join(" or ")}`;
    }
    if (!isLoopbackHost(url.hostname)) return `${scheme}:// is allowed only for this machine (localhost)`;
  }
  if (!url.hostname) return "has no host";
  if (url.username || url.password) return "must not carry credentials (use the secret fields)";
  if (url.hash) return "must not have a #fragment";
  if (rules.path === false && ((url.pathname && url.pathname !== "/") || url.search)) {
    return "must be scheme://host:port only";
  }
  return null;
}

/** A zod string that must be a URL obeying `rules`. */
export function urlSchema(rules: UrlRules) {
  return z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const problem = checkUrl(value, rules);
      if (problem) ctx.addIssue({ code: "custom", message: `URL ${problem}` });
    });
}

/** An https URL; plain http only to loopback (a local test peer). */
export const httpsUrlSchema = () => urlSchema({ schemes: ["https"], loopbackOnly: ["http"] });

/** TLS settings: verification is on unless switched off on purpose. */
export const tlsSchema = z
  .object({
    /** Verify the server certificate and host name. Switch off only for a lab. */
    verify: z.boolean().default(true),
    /** Extra trusted CA certificates (PEM), for a private CA. */
    ca: z.string().optional(),
    /** The name to check the certificate against, when it differs from the URL's host. */
    serverName: z.string().optional(),
  })
  .prefault({});

export type TlsSettings = z.output<typeof tlsSchema>;

/** Node's TLS options for `settings`. */
export function tlsOptions(settings: TlsSettings): {
  rejectUnauthorized: boolean;
  ca?: string;
  servername?: string;
} {
  return {
    rejectUnauthorized: settings.verify,
    ...(settings.ca ? { ca: settings.ca } : {}),
    ...(settings.serverName ? { servername: settings.serverName } : {}),
  };
}
