import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** An IPv4 or IPv6 CIDR range ("10.0.0.0/8", "2001:db8::/32") or a single address. */
function isCidr(v: string): boolean {
  const [addr = "", bits, ...rest] = v.split("/");
  const family = isIP(addr);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** Every environment variable Tandem reads, parsed once at start-up. */
const envSchema = z.object({
  TANDEM_DATA_DIR: z.string().min(1).default("./data"),
  TANDEM_HOST: z.string().min(1).default("127.0.0.1"),
  TANDEM_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  TANDEM_PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  TANDEM_MASTER_KEY: z
    .string()
    .refine(
      (v) => /^[A-Za-z0-9+/=]{43,44}$/.test(v) && Buffer.from(v, "base64").length === 32,
      "must be 32 bytes, base64-encoded",
    )
    .optional(),
  TANDEM_LOG_LEVEL: logLevel.default("info"),
  TANDEM_SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  TANDEM_SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(1440).default(60),
  TANDEM_SECURE_COOKIES: bool.optional(),
  TANDEM_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(104857600).default(1048576),
  TANDEM_LOCKOUT_THRESHOLD: z.coerce.number().int().min(3).max(100).default(5),
  TANDEM_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  TANDEM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  TANDEM_AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  TANDEM_AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  TANDEM_AUDIT_CHECKPOINT_MINUTES: z.coerce.number().int().min(0).max(1440).default(60),
  TANDEM_AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  TANDEM_AUDIT_CHECKPOINT_URL: z.string().url().optional(),
  TANDEM_AUDIT_CHECKPOINT_SYSLOG: z
    .string()
    .regex(/^(udp|tcp):\/\/[^:]+:\d+$/, "must look like udp://host:514 or tcp://host:514")
    .optional(),
  TANDEM_OIDC_ISSUER: z.string().url().optional(),
  TANDEM_OIDC_CLIENT_ID: z.string().min(1).optional(),
  TANDEM_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  TANDEM_OIDC_LABEL: z.string().min(1).max(60).optional(),
  TANDEM_JOBS: bool.default(true),
  TANDEM_CHECKS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  TANDEM_WEB_DIR: z.string().min(1).optional(),
  /** Reports by e-mail: the SMTP listener's port (unset: no listener) and address (loopback by default). */
  TANDEM_REPORT_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  TANDEM_REPORT_SMTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** The report address(es) the listener accepts mail for, comma-separated. */
  TANDEM_REPORT_ADDRESSES: z
    .string()
    .regex(
      /^\s*[^\s@,]+@[^\s@,]+(\s*,\s*[^\s@,]+@[^\s@,]+)*\s*$/,
      "must be e-mail addresses separated by commas",
    )
    .default("report@localhost"),
  /** Largest mail the listener accepts (bytes, whole message). */
  TANDEM_REPORT_MAIL_MAX_BYTES: z.coerce.number().int().min(10_000).max(104_857_600).default(26_214_400),
  /** Attachments per report and the size of each (bytes). */
  TANDEM_REPORT_ATTACHMENT_MAX_COUNT: z.coerce.number().int().min(0).max(50).default(5),
  TANDEM_REPORT_ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(52_428_800).default(10_485_760),
  /** Anonymous reports accepted per minute, all reporters together (a shared token bucket). */
  TANDEM_REPORT_ANON_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Follow-up code look-ups per minute, all together; a wrong code costs several. */
  TANDEM_REPORT_LOOKUP_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  /** Movers keep their old access this many hours before it is removed. */
  TANDEM_ACCESS_MOVER_GRACE_HOURS: z.coerce.number().min(0).max(8760).default(0),
  /** Attempts per access step before it is failed (retryable errors only). */
  TANDEM_ACCESS_RETRY_LIMIT: z.coerce.number().int().min(1).max(50).default(6),
  /** First retry delay of an access step; doubles with each attempt (capped at an hour). */
  TANDEM_ACCESS_RETRY_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  /** The circuit breaker counts removals per system over this many minutes. */
  TANDEM_ACCESS_BREAKER_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  /** When reconciliation runs by itself (cron, UTC); "off" switches the schedule off. */
  TANDEM_ACCESS_RECONCILE_CRON: z
    .string()
    .trim()
    .regex(
      /^(off|([0-9*/,?#LW-]+|[A-Za-z]{3})(\s+([0-9*/,?#LW-]+|[A-Za-z]{3}(-[A-Za-z]{3})?)){4,5})$/,
      'must be a cron expression such as "0 */6 * * *", or "off"',
    )
    .default("0 */6 * * *"),
  /** An enabled account whose last sign-in is older than this many days is reported as dormant. */
  TANDEM_ACCESS_DORMANT_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** A leaver's access should be fully revoked within this many minutes of the HR event (metrics). */
  TANDEM_ACCESS_OFFBOARDING_SLA_MINUTES: z.coerce.number().int().min(1).max(43_200).default(60),
  /** Outgoing mail (notifications): smtp:// or smtps:// URL with credentials; unset = no e-mail. */
  TANDEM_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, "must be an smtp:// or smtps:// URL")
    .optional(),
  /** The From address of mail Tandem sends. */
  TANDEM_MAIL_FROM: z.string().min(3).max(200).default("Tandem <tandem@localhost>"),
  /** Closed HR cases are deleted this many days after they were closed. */
  TANDEM_HR_CASE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(730),
  /** Overdue awareness items: days after the due date to remind the person, tell the manager, tell HR. */
  TANDEM_AWARENESS_REMIND_AFTER_DAYS: z.coerce.number().int().min(0).max(365).default(0),
  TANDEM_AWARENESS_MANAGER_AFTER_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  TANDEM_AWARENESS_HR_AFTER_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  /** When the annual refresher and escalations run (cron, UTC); "off" switches the schedule off. */
  TANDEM_AWARENESS_CRON: z
    .string()
    .trim()
    .regex(
      /^(off|([0-9*/,?#LW-]+|[A-Za-z]{3})(\s+([0-9*/,?#LW-]+|[A-Za-z]{3}(-[A-Za-z]{3})?)){4,5})$/,
      'must be a cron expression such as "0 6 * * *", or "off"',
    )
    .default("0 6 * * *"),
  /** HR case outcomes that assign the follow-up training (comma-separated). */
  TANDEM_AWARENESS_TRAINING_OUTCOMES: z
    .string()
    .trim()
    .regex(/^[a-z_]+(,[a-z_]+)*$/, "must be comma-separated outcomes such as training,more_training")
    .default("training,more_training")
    .transform((s) => s.split(",")),
  /** Phishing simulation mail: smtp:// or smtps:// URL (unset: TANDEM_SMTP_URL is used). */
  TANDEM_PHISHING_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, "must be an smtp:// or smtps:// URL")
    .optional(),
  /** Recipients the phishing sender claims at once, SMTP connections it keeps, claim loops it runs together. */
  TANDEM_PHISHING_SEND_BATCH: z.coerce.number().int().min(1).max(2000).default(200),
  TANDEM_PHISHING_POOL: z.coerce.number().int().min(1).max(50).default(5),
  TANDEM_PHISHING_PARALLEL: z.coerce.number().int().min(1).max(16).default(2),
  /** Attempts per simulated mail on temporary refusals, and the first retry delay (doubles each time). */
  TANDEM_PHISHING_SEND_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  TANDEM_PHISHING_RETRY_SECONDS: z.coerce.number().min(0).max(3600).default(60),
  /** A claimed mail not recorded within this many seconds is marked uncertain (never resent by itself). */
  TANDEM_PHISHING_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /** The organisation's name for the {{company}} merge field. */
  TANDEM_PHISHING_COMPANY: z.string().trim().min(1).max(200).default("our company"),
  /** Load the starter policies and training modules when the server starts (once; "false" to skip). */
  TANDEM_AWARENESS_STARTER: bool.default(true),
  /** Phishing simulation: source ranges of mail scanners and link checkers (CIDR, comma-separated). */
  TANDEM_PHISHING_SCANNER_RANGES: z
    .string()
    .trim()
    .refine(
      (v) => v === "" || v.split(",").every((c) => isCidr(c.trim())),
      "must be CIDR ranges such as 192.0.2.0/24, separated by commas",
    )
    .default("")
    .transform((v) => (v ? v.split(",").map((c) => c.trim()) : [])),
  /** A tracked request sooner than this many seconds after delivery is a machine, not a person. */
  TANDEM_PHISHING_MIN_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  dataDir: string;
  publicUrl: string;
  secureCookies: boolean;
  auditSigningKeyFile: string;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Env> = {}): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = { ...parsed.data, ...overrides };
  const oidcParts = [e.TANDEM_OIDC_ISSUER, e.TANDEM_OIDC_CLIENT_ID].filter(Boolean).length;
  if (oidcParts === 1 || (oidcParts === 0 && e.TANDEM_OIDC_CLIENT_SECRET)) {
    throw new ConfigError([
      `TANDEM_OIDC_ISSUER and TANDEM_OIDC_CLIENT_ID must be set together${e.TANDEM_OIDC_CLIENT_SECRET ? " (TANDEM_OIDC_CLIENT_SECRET needs both)" : ""}`,
    ]);
  }
  const dataDir = path.resolve(e.TANDEM_DATA_DIR);
  const publicUrl = (e.TANDEM_PUBLIC_URL ?? `http://${e.TANDEM_HOST}:${e.TANDEM_PORT}`).replace(/\/$/, "");
  return {
    ...e,
    dataDir,
    publicUrl,
    secureCookies: e.TANDEM_SECURE_COOKIES ?? publicUrl.startsWith("https://"),
    auditSigningKeyFile: path.resolve(
      e.TANDEM_AUDIT_SIGNING_KEY_FILE ?? path.join(dataDir, "audit-signing.key"),
    ),
  };
}
