import fs from "node:fs";
import path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import {
  appendAudit,
  CheckpointSigner,
  createCheckpoint,
  exportAudit,
  readLatestCheckpoint,
  verifyChain,
} from "../platform/audit/index.js";
import {
  createApiToken,
  createAuthService,
  deleteSessionsOf,
  findUserByEmail,
  insertUser,
  setRoles,
} from "../platform/auth/index.js";
import { allPermissions, isRole, ROLES } from "../platform/authz/index.js";
import { Envelope, Keyring, rotateKeys } from "../platform/crypto/index.js";
import { migrate, openDatabase } from "../platform/db/index.js";
import "../platform/sso/index.js";
import { CliError, cliConfig, withDb } from "./context.js";

const CLI = { actorLabel: "cli", userAgent: "tandem-cli" };

function parseRoles(value: string): string[] {
  const roles = value
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = roles.filter((r) => !isRole(r));
  if (bad.length)
    throw new InvalidArgumentError(`unknown role ${bad.join(", ")} (roles: ${ROLES.join(", ")})`);
  return roles;
}

function parseSince(value: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new InvalidArgumentError(`"${value}" is not a date (use ISO 8601, e.g. 2026-01-31)`);
  return d.toISOString();
}

async function requireUser(db: Parameters<typeof findUserByEmail>[0], email: string) {
  const user = await findUserByEmail(db, email);
  if (!user) throw new CliError(`no user with email ${email}`);
  return user;
}

export function userCommands(program: Command) {
  const user = program.command("user").description("manage users and their roles");
  user
    .command("create")
    .description("create a user and print a one-time setup link")
    .requiredOption("--email <email>", "work email")
    .option("--name <name>", "display name")
    .option("--roles <roles>", `comma-separated roles (${ROLES.join(", ")})`, parseRoles, ["employee"])
    .action(async (o: { email: string; name?: string; roles: string[] }) => {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(o.email))
        throw new CliError(`--email: "${o.email}" is not an email address`);
      await withDb(async (db, config) => {
        const auth = createAuthService({
          db,
          envelope: new Envelope(Keyring.fromEnv(config.dataDir)),
          config,
        });
        const link = await db.tx(async (q) => {
          const u = await insertUser(q, {
            email: o.email.toLowerCase(),
            displayName: o.name ?? o.email,
            roles: o.roles,
          });
          await appendAudit(q, CLI, {
            action: "user.created",
            targetType: "user",
            targetId: u.id,
            details: { roles: u.roles },
          });
          return auth.createSetupLink(q, u.id);
        });
        console.log(
          `Created ${o.email} with roles ${o.roles.join(", ")}.\nOne-time setup link (72 h): ${link}`,
        );
      });
    });
  user
    .command("add-role")
    .description("give a user one or more roles")
    .argument("<email>", "the user's email")
    .argument("<roles>", "comma-separated roles", parseRoles)
    .action(async (email: string, roles: string[]) => {
      await withDb(async (db) => {
        const u = await requireUser(db, email);
        const next = [...new Set([...(u.roles ?? []), ...roles])];
        await db.tx(async (q) => {
          await setRoles(q, u.id, next);
          await appendAudit(q, CLI, {
            action: "user.roles_changed",
            targetType: "user",
            targetId: u.id,
            details: { from: u.roles ?? [], to: next.sort() },
          });
        });
        console.log(`${email} now has roles: ${next.sort().join(", ")}`);
      });
    });
  user
    .command("reset")
    .description("reset a user's password (and optionally MFA); prints a one-time setup link")
    .argument("<email>", "the user's email")
    .option("--mfa", "also remove their MFA enrolment")
    .action(async (email: string, o: { mfa?: boolean }) => {
      await withDb(async (db, config) => {
        const auth = createAuthService({
          db,
          envelope: new Envelope(Keyring.fromEnv(config.dataDir)),
          config,
        });
        const u = await requireUser(db, email);
        const link = await db.tx(async (q) => {
          await q.query(
            "UPDATE users SET password_hash = NULL, failed_attempts = 0, locked_until = NULL WHERE id = $1",
            [u.id],
          );
          if (o.mfa) await auth.disableMfa(q, CLI, u.id, { byAdmin: true });
          await deleteSessionsOf(q, u.id);
          await appendAudit(q, CLI, {
            action: "user.password_reset",
            targetType: "user",
            targetId: u.id,
            details: { mfa: !!o.mfa },
          });
          return auth.createSetupLink(q, u.id);
        });
        console.log(
          `Password${o.mfa ? " and MFA" : ""} reset for ${email}; their sessions ended.\nOne-time setup link (72 h): ${link}`,
        );
      });
    });
}

export function tokenCommands(program: Command) {
  program
    .command("token")
    .description("API tokens")
    .command("create")
    .description("create a scoped, expiring API token for a user (printed once)")
    .requiredOption("--email <email>", "the token's user")
    .requiredOption("--name <name>", "what the token is for")
    .requiredOption("--scopes <scopes>", `comma-separated permissions (${allPermissions().join(", ")})`)
    .option("--days <days>", "days until it expires (1–365)", "90")
    .action(async (o: { email: string; name: string; scopes: string; days: string }) => {
      const days = Number(o.days);
      if (!Number.isInteger(days) || days < 1 || days > 365)
        throw new CliError("--days: must be a whole number from 1 to 365");
      const scopes = o.scopes
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = scopes.filter((s) => !allPermissions().includes(s));
      if (unknown.length) throw new CliError(`--scopes: unknown scope ${unknown.join(", ")}`);
      await withDb(async (db) => {
        const u = await requireUser(db, o.email);
        const created = await db.tx(async (q) => {
          const t = await createApiToken(q, { userId: u.id, name: o.name, scopes, expiresInDays: days });
          await appendAudit(q, CLI, {
            action: "token.created",
            targetType: "api_token",
            targetId: t.token.id,
            details: { scopes },
          });
          return t;
        });
        console.log(created.secret);
        console.error(
          `Token "${o.name}" for ${o.email}, expires ${created.token.expiresAt}. It is shown only now.`,
        );
      });
    });
}

export function auditCommands(program: Command) {
  const audit = program.command("audit").description("the tamper-evident audit log");
  audit
    .command("verify")
    .description("check the hash chain; with --checkpoint, also against a signed checkpoint")
    .option("--checkpoint <file>", "checkpoint file (NDJSON; the last line is used)")
    .option(
      "--public-key <file>",
      "PEM public key to check the checkpoint signature (default: from the signing key)",
    )
    .option("--json", "print the result as JSON")
    .action(async (o: { checkpoint?: string; publicKey?: string; json?: boolean }) => {
      await withDb(async (db, config) => {
        let checkpoint: ReturnType<typeof readLatestCheckpoint> | undefined;
        try {
          checkpoint = o.checkpoint ? readLatestCheckpoint(o.checkpoint) : undefined;
        } catch (e) {
          throw new CliError(`--checkpoint: ${(e as Error).message}`);
        }
        let publicKeyPem: string | undefined;
        if (o.publicKey) {
          try {
            publicKeyPem = fs.readFileSync(o.publicKey, "utf8");
          } catch (e) {
            throw new CliError(`--public-key: ${(e as Error).message}`);
          }
        } else if (checkpoint && fs.existsSync(config.auditSigningKeyFile)) {
          publicKeyPem = CheckpointSigner.load(config.auditSigningKeyFile).publicKeyPem;
        } else if (checkpoint) {
          console.error(
            "warning: no --public-key and no signing key file here: the checkpoint's signature is NOT checked",
          );
        }
        const r = await verifyChain(db, { checkpoint, publicKeyPem });
        if (o.json) console.log(JSON.stringify(r));
        else if (r.ok) {
          console.log(`audit chain OK: ${r.checked} entries, head ${r.headSeq} ${r.headHash.slice(0, 16)}…`);
          if (r.checkpoint) console.log(`checkpoint at entry ${r.checkpoint.seq}: OK`);
        }
        if (!r.ok) {
          const why = r.broken
            ? `first broken link at entry ${r.broken.seq}: ${r.broken.reason}`
            : `checkpoint at entry ${r.checkpoint?.seq}: ${r.checkpoint?.reason}`;
          throw new CliError(`audit chain BROKEN: ${why}`, 2);
        }
      });
    });
  audit
    .command("export")
    .description("write audit entries as NDJSON (to stdout or --out)")
    .option("--since <date>", "only entries at or after this time", parseSince)
    .option("--out <file>", "write to this file instead of stdout")
    .action(async (o: { since?: string; out?: string }) => {
      if (o.out && !fs.existsSync(path.dirname(path.resolve(o.out)))) {
        throw new CliError(`--out: the folder ${path.dirname(o.out)} does not exist`);
      }
      await withDb(async (db) => {
        const out: NodeJS.WritableStream = o.out
          ? fs.createWriteStream(o.out, { mode: 0o600 })
          : process.stdout;
        let n = 0;
        for await (const line of exportAudit(db, o.since)) {
          if (!out.write(line)) await new Promise<void>((r) => out.once("drain", () => r()));
          n++;
        }
        await db.tx((q) =>
          appendAudit(q, CLI, { action: "audit.exported", details: { since: o.since ?? null, entries: n } }),
        );
        if (o.out) await new Promise<void>((r) => out.end(() => r()));
        console.error(`exported ${n} entries${o.out ? ` to ${o.out}` : ""}`);
      });
    });
  audit
    .command("checkpoint")
    .description("sign a checkpoint of the chain head now and export it to the configured places")
    .action(async () => {
      await withDb(async (db, config) => {
        const signer = CheckpointSigner.load(config.auditSigningKeyFile);
        const sinks = {
          file: config.TANDEM_AUDIT_CHECKPOINT_FILE ?? `${config.dataDir}/audit-checkpoints.ndjson`,
          url: config.TANDEM_AUDIT_CHECKPOINT_URL,
          syslog: config.TANDEM_AUDIT_CHECKPOINT_SYSLOG,
        };
        await db.tx((q) =>
          appendAudit(q, CLI, { action: "audit.checkpoint_requested", targetType: "audit" }),
        );
        const { checkpoint, exportedTo } = await createCheckpoint(db, signer, sinks);
        console.log(JSON.stringify(checkpoint));
        console.error(`checkpoint of entry ${checkpoint.seq} written to ${exportedTo.join(", ")}`);
      });
    });
}

export function keyCommands(program: Command) {
  program
    .command("keys")
    .description("encryption keys")
    .command("rotate")
    .description("make a new master key active and re-wrap every data key under it (servers keep running)")
    .action(async () => {
      const config = cliConfig();
      const keyring = Keyring.fromEnv(config.dataDir);
      if (!keyring.fromEnvironment) keyring.rotateFileKey();
      const envelope = new Envelope(keyring);
      const db = await openDatabase(config);
      try {
        await migrate(db);
        const active = keyring.active().id;
        const results = await rotateKeys(db, envelope, active, (p) =>
          process.stderr.write(`\r${p.table}.${p.column}: ${p.rewrapped} re-wrapped`),
        );
        process.stderr.write("\n");
        await db.tx((q) =>
          appendAudit(q, CLI, { action: "keys.rotated", details: { activeKey: active, results } }),
        );
        console.log(
          `active master key ${active}; ${results.reduce((n, r) => n + r.rewrapped, 0)} data keys re-wrapped`,
        );
      } finally {
        await db.close();
      }
    });
}
