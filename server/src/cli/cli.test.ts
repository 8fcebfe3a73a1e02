import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AuditEntry,
  appendAudit,
  type Checkpoint,
  CheckpointSigner,
  verifyCheckpointSignature,
} from "../platform/audit/index.js";
import { Envelope, Keyring, sha256 } from "../platform/crypto/index.js";
import { type Db, openPglite, openPostgres, type Queryable } from "../platform/db/index.js";
import { CliWorld } from "../test/cli.js";
import { onPostgres } from "../test/harness.js";

/**
 * The `tandem` CLI as an operator runs it: each verb is a child process on a data directory
 * of this file's own (embedded database), or on a fresh PostgreSQL database when
 * TANDEM_TEST_DB=postgres. The steps build on each other and run in order.
 */

const SLOW = 240_000;

const world = new CliWorld("main");
const dataDir = world.dataDir;

beforeAll(() => world.setup());
afterAll(() => world.teardown());

const tandem = (args: string[], extra: Record<string, string> = {}) => world.run(args, { env: extra });

/** Starts `tandem serve` on a free port and resolves with its URL once it says it is running. */
function serve(
  dir: string,
  useDatabase: boolean,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = world.spawn(["serve"], {
      env: { TANDEM_PORT: "0", TANDEM_HOST: "127.0.0.1", TANDEM_JOBS: "false" },
      dataDir: dir,
      useDatabase,
    });
    let out = "";
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /Tandem is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]!, output: () => out });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("error", reject);
    child.on("exit", (code) => {
      reject(new Error(`serve exited with ${code} before it was ready:\n${out}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill("SIGTERM");
  return exited;
}

/** Opens the same database the CLI uses (between CLI runs: the embedded one allows one process). */
async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = world.databaseUrl
    ? await openPostgres(world.databaseUrl, { max: 2 })
    : await openPglite(path.join(dataDir, "db"));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function bypassTrigger(db: Db, fn: (q: Queryable) => Promise<void>): Promise<void> {
  await db.tx(async (q) => {
    await q.query("SET LOCAL session_replication_role = replica");
    await fn(q);
  });
}

const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .*:\d+:\d+/);
const EMAIL = "pat.doe@example.test";
const checkpointFile = path.join(dataDir, "audit-checkpoints.ndjson");
let token = "";
let checkpoint: Checkpoint;

describe("tandem CLI", () => {
  it(
    "--help works for every verb",
    async () => {
      const verbs = [
        ["serve"],
        ["migrate"],
        ["user", "create"],
        ["user", "add-role"],
        ["user", "reset"],
        ["token", "create"],
        ["audit", "verify"],
        ["audit", "export"],
        ["audit", "checkpoint"],
        ["keys", "rotate"],
      ];
      for (const verb of verbs) {
        const r = await tandem([...verb, "--help"]);
        expect(r.code, verb.join(" ")).toBe(0);
        expect(r.stdout).toContain(`Usage: tandem ${verb.join(" ")}`);
      }
      expect(fs.existsSync(path.join(dataDir, "db"))).toBe(false);
    },
    SLOW,
  );

  it("stops with exit code 78 and names a bad variable", async () => {
    const r = await tandem(["migrate"], { TANDEM_PORT: "abc" });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/^tandem: Invalid configuration:\n\s+- TANDEM_PORT: /);
    noStackTrace(r.stderr);
  });

  it(
    "migrate applies the migrations, then reports the database up to date",
    async () => {
      const first = await tandem(["migrate"]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^applied: 1_foundation/);
      const again = await tandem(["migrate"]);
      expect(again.code).toBe(0);
      expect(again.stdout.trim()).toBe("database is up to date");
    },
    SLOW,
  );

  it(
    "user create, add-role and reset; an unknown role is refused by name",
    async () => {
      const created = await tandem(["user", "create", "--email", "Pat.Doe@Example.test", "--roles", "hr,it"]);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toContain("Created Pat.Doe@Example.test with roles hr, it.");
      const link = /One-time setup link \(72 h\): (http:\/\/127\.0\.0\.1:3000\/setup\?token=([\w-]+))/.exec(
        created.stdout,
      );
      expect(link).not.toBeNull();
      const firstToken = link![2]!;

      const badCreate = await tandem(["user", "create", "--email", "x@example.test", "--roles", "hr,wizard"]);
      expect(badCreate.code).not.toBe(0);
      expect(badCreate.stderr).toMatch(/unknown role wizard/);

      const added = await tandem(["user", "add-role", EMAIL, "auditor,hr"]);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout.trim()).toBe(`${EMAIL} now has roles: auditor, hr, it`);
      const badAdd = await tandem(["user", "add-role", EMAIL, "sorcerer"]);
      expect(badAdd.code).not.toBe(0);
      expect(badAdd.stderr).toMatch(/unknown role sorcerer/);

      const userId = await withDb(async (db) => {
        const u = await db.query<{ id: string; email: string }>("SELECT id, email FROM users");
        expect(u.rows.map((r) => r.email)).toEqual(["pat.doe@example.test"]);
        const id = u.rows[0]!.id;
        const roles = await db.query<{ role: string }>(
          "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role",
          [id],
        );
        expect(roles.rows.map((r) => r.role)).toEqual(["auditor", "hr", "it"]);
        const setup = await db.query<{ purpose: string; used_at: Date | null }>(
          "SELECT purpose, used_at FROM one_time_tokens WHERE token_hash = $1",
          [sha256(firstToken)],
        );
        expect(setup.rows).toEqual([{ purpose: "setup", used_at: null }]);
        // Something to reset: a password, failed attempts and a live session.
        await db.query("UPDATE users SET password_hash = 'x', failed_attempts = 3 WHERE id = $1", [id]);
        await db.query(
          "INSERT INTO sessions (id_hash, user_id, csrf_token, stage, expires_at) VALUES ('s1', $1, 'c', 'full', now() + interval '1 hour')",
          [id],
        );
        return id;
      });

      const reset = await tandem(["user", "reset", EMAIL]);
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toContain(`Password reset for ${EMAIL}; their sessions ended.`);
      const newToken = /setup\?token=([\w-]+)/.exec(reset.stdout)![1]!;
      expect(newToken).not.toBe(firstToken);

      await withDb(async (db) => {
        const u = await db.query<{ password_hash: string | null; failed_attempts: number }>(
          "SELECT password_hash, failed_attempts FROM users WHERE id = $1",
          [userId],
        );
        expect(u.rows[0]).toEqual({ password_hash: null, failed_attempts: 0 });
        const sessions = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM sessions WHERE user_id = $1",
          [userId],
        );
        expect(sessions.rows[0]!.n).toBe(0);
        const tokens = await db.query<{ token_hash: string; used: boolean }>(
          "SELECT token_hash, used_at IS NOT NULL AS used FROM one_time_tokens WHERE user_id = $1",
          [userId],
        );
        const used = Object.fromEntries(tokens.rows.map((r) => [r.token_hash, r.used]));
        expect(used).toEqual({ [sha256(firstToken)]: true, [sha256(newToken)]: false });
        const audit = await db.query<{ action: string; actor_label: string }>(
          "SELECT action, actor_label FROM audit_log ORDER BY audit_log.seq",
        );
        expect(audit.rows).toEqual([
          { action: "user.created", actor_label: "cli" },
          { action: "user.roles_changed", actor_label: "cli" },
          { action: "user.password_reset", actor_label: "cli" },
        ]);
      });
    },
    SLOW,
  );

  it("token create prints a tdm_ token stored only as its hash", async () => {
    const r = await tandem([
      "token",
      "create",
      "--email",
      EMAIL,
      "--name",
      "ci export",
      "--scopes",
      "audit:read",
      "--days",
      "7",
    ]);
    expect(r.code, r.stderr).toBe(0);
    token = r.stdout.trim();
    expect(token).toMatch(/^tdm_[\w-]{43}$/);
    expect(r.stderr).toMatch(/It is shown only now/);
    await withDb(async (db) => {
      const rows = await db.query<{ name: string; scopes: string[]; days: number; email: string }>(
        `SELECT t.name, t.scopes, round(extract(epoch FROM t.expires_at - now()) / 86400)::int AS days, u.email
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
        [sha256(token)],
      );
      expect(rows.rows).toEqual([{ name: "ci export", scopes: ["audit:read"], days: 7, email: EMAIL }]);
      const clear = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM api_tokens WHERE token_hash = $1",
        [token],
      );
      expect(clear.rows[0]!.n).toBe(0);
    });
  });

  it("keys rotate re-wraps stored secrets under a new master key; the keyring file is 0600", async () => {
    const secret = "JBSWY3DPEHPK3PXP";
    const keyringFile = path.join(dataDir, "keyring.json");
    const before = Keyring.fromEnv(dataDir, {});
    const oldId = before.active().id;
    const userId = await withDb(async (db) => {
      const id = (await db.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [EMAIL])).rows[0]!
        .id;
      const sealed = new Envelope(before).encrypt(secret, `users.mfa_secret_enc:${id}`);
      await db.query("UPDATE users SET mfa_secret_enc = $1 WHERE id = $2", [sealed, id]);
      return id;
    });

    const r = await tandem(["keys", "rotate"]);
    expect(r.code, r.stderr).toBe(0);
    const m = /^active master key (\w+); 1 data keys re-wrapped$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const newId = m![1]!;
    expect(newId).not.toBe(oldId);

    expect(fs.statSync(keyringFile).mode & 0o777).toBe(0o600);
    const file = JSON.parse(fs.readFileSync(keyringFile, "utf8")) as {
      active: string;
      keys: Record<string, { key: string; retiredAt?: string }>;
    };
    expect(file.active).toBe(newId);
    expect(file.keys[oldId]?.retiredAt).toBeDefined();

    await withDb(async (db) => {
      const stored = (
        await db.query<{ v: string }>("SELECT mfa_secret_enc AS v FROM users WHERE id = $1", [userId])
      ).rows[0]!.v;
      // Readable with the new key alone: the old one is no longer needed.
      const newOnly = new Envelope(Keyring.fromEnv(dataDir, { TANDEM_MASTER_KEY: file.keys[newId]!.key }));
      expect(newOnly.keyIdOf(stored)).toBe(newId);
      expect(newOnly.decrypt(stored, `users.mfa_secret_enc:${userId}`)).toBe(secret);
      const audit = await db.query<{ details: { activeKey: string } }>(
        "SELECT details FROM audit_log WHERE action = 'keys.rotated'",
      );
      expect(audit.rows.map((a) => a.details.activeKey)).toEqual([newId]);
    });
  });

  it(
    "audit verify and export: OK chain, NDJSON in seq order, a bad --since refused",
    async () => {
      // Some activity, so the chain is longer than ten entries.
      await withDb(async (db) => {
        for (let i = 0; i < 12; i++)
          await db.tx((q) =>
            appendAudit(q, { actorLabel: "test" }, { action: "test.activity", details: { i } }),
          );
      });
      const ok = await tandem(["audit", "verify"]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^audit chain OK: 17 entries, head 17 [0-9a-f]{16}…/);

      const out = path.join(dataDir, "export.ndjson");
      const exp = await tandem(["audit", "export", "--since", "2000-01-01", "--out", out]);
      expect(exp.code, exp.stderr).toBe(0);
      expect(exp.stderr).toContain(`exported 17 entries to ${out}`);
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
      const lines = fs.readFileSync(out, "utf8").split("\n");
      expect(lines.pop()).toBe("");
      const entries = lines.map((l) => JSON.parse(l) as AuditEntry);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
      expect(entries[0]).toMatchObject({ action: "user.created", prevHash: "genesis" });
      for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);

      const bad = await tandem(["audit", "export", "--since", "notadate"]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/"notadate" is not a date/);
      expect(bad.stdout).toBe("");
    },
    SLOW,
  );

  it(
    "audit checkpoint writes a signed checkpoint that verify accepts; the signing key file is 0600",
    async () => {
      const r = await tandem(["audit", "checkpoint"]);
      expect(r.code, r.stderr).toBe(0);
      checkpoint = JSON.parse(r.stdout) as Checkpoint;
      // The export and the checkpoint request are audited too: 17 + 2.
      expect(checkpoint.seq).toBe(19);
      expect(r.stderr).toContain(`checkpoint of entry 19 written to file:${checkpointFile}`);
      expect(fs.readFileSync(checkpointFile, "utf8").trim().split("\n").at(-1)).toBe(r.stdout.trim());
      const keyFile = path.join(dataDir, "audit-signing.key");
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(verifyCheckpointSignature(checkpoint, CheckpointSigner.load(keyFile).publicKeyPem)).toBe(true);

      const v = await tandem(["audit", "verify", "--checkpoint", checkpointFile]);
      expect(v.code, v.stderr).toBe(0);
      expect(v.stdout).toContain("checkpoint at entry 19: OK");

      const missing = await tandem(["audit", "verify", "--checkpoint", path.join(dataDir, "nope.ndjson")]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^tandem: --checkpoint: .*nope\.ndjson/);
      noStackTrace(missing.stderr);
    },
    SLOW,
  );

  it("a cut-off tail passes the plain chain check but fails against the checkpoint", async () => {
    await withDb((db) =>
      bypassTrigger(db, async (q) => {
        await q.query("DELETE FROM audit_log WHERE seq >= 18");
        const last = await q.query<{ hash: string }>("SELECT hash FROM audit_log WHERE seq = 17");
        await q.query("UPDATE audit_head SET seq = 17, hash = $1 WHERE id = 1", [last.rows[0]!.hash]);
      }),
    );
    const r = await tandem(["audit", "verify", "--checkpoint", checkpointFile, "--json"]);
    expect(r.code).toBe(2);
    const result = JSON.parse(r.stdout) as {
      ok: boolean;
      broken?: unknown;
      headSeq: number;
      checkpoint: unknown;
    };
    expect(result).toMatchObject({ ok: false, headSeq: 17, checkpoint: { seq: 19, ok: false } });
    expect(result.broken).toBeUndefined();
    expect(r.stderr.trim()).toBe(
      "tandem: audit chain BROKEN: checkpoint at entry 19: entry 19 named by the checkpoint is missing (log cut off)",
    );
  });

  it("after tampering that bypasses the trigger, verify names the first broken entry", async () => {
    await withDb((db) =>
      bypassTrigger(db, async (q) => {
        await q.query(`UPDATE audit_log SET details = '{"roles":["admin"]}' WHERE seq = 2`);
        await q.query("UPDATE audit_log SET outcome = 'failure' WHERE seq = 11");
      }),
    );
    const r = await tandem(["audit", "verify"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "tandem: audit chain BROKEN: first broken link at entry 2: content does not match its hash (entry was altered)",
    );
    expect(r.stdout).toBe("");
  });

  it(
    "a running server accepts the CLI's token; a second process on its embedded database is refused",
    async () => {
      const server = await serve(dataDir, true);
      try {
        const get = (auth?: string) =>
          fetch(`${server.url}/api/v1/audit?limit=1`, { headers: auth ? { authorization: auth } : {} });
        const ok = await get(`Bearer ${token}`);
        expect(ok.status).toBe(200);
        const body = (await ok.json()) as { items: AuditEntry[] };
        expect(body.items).toHaveLength(1);
        expect((await get(`Bearer tdm_${"x".repeat(43)}`)).status).toBe(401);
        expect((await get()).status).toBe(401);

        if (!world.databaseUrl) await expectInUse();
      } finally {
        expect(await stop(server.child)).toBe(0);
      }
      if (!world.databaseUrl) expect(fs.existsSync(path.join(dataDir, "db", "tandem.lock"))).toBe(false);
    },
    SLOW,
  );

  if (onPostgres) {
    it(
      "on PostgreSQL too, a second process on an embedded data directory in use is refused",
      async () => {
        const dir = world.tempDir("lock");
        const server = await serve(dir, false);
        try {
          await expectInUse(dir);
        } finally {
          expect(await stop(server.child)).toBe(0);
        }
      },
      SLOW,
    );
  }
});

/** `migrate` on an embedded data directory held by a running server fails clearly. */
async function expectInUse(dir = dataDir) {
  const { code, stderr } = await world.run(["migrate"], { dataDir: dir, useDatabase: false });
  expect(code).toBe(1);
  const m = /^tandem: The embedded database in .* is in use by process (\d+)\. Stop that Tandem first/.exec(
    stderr,
  );
  expect(m, stderr).not.toBeNull();
  // The process named is alive: it is the running server.
  expect(() => process.kill(Number(m![1]), 0)).not.toThrow();
  noStackTrace(stderr);
}
