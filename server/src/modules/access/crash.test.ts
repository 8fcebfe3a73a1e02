import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Attribute, Change, type Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../platform/audit/index.js";
import { createApiToken, insertUser } from "../../platform/auth/index.js";
import { type Db, migrate, openPglite } from "../../platform/db/index.js";
import { groupsOf, ldapSystemInput } from "../../test/access.js";
import type { NodeStatus } from "../../test/fixtures/access-node.js";
import { onPostgres, tempDir, testDatabase } from "../../test/harness.js";
import { startSlapd, type TestSlapd } from "../../test/slapd.js";

/**
 * kill -9 in the middle of a bulk offboarding. A real Tandem server process (jobs on) revokes
 * forty leavers on a real slapd reached over a slow link; it is killed while a batch is under
 * way — changes already made in the directory, not yet recorded — and a new process on the
 * same database finishes the work. Every leaver ends up locked and out of every group, every
 * step is recorded exactly once, and the audit chain verifies.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const NODE = path.join(ROOT, "server/src/test/fixtures/access-node.ts");
// Loading tsx into the node's own process (rather than through tsx's CLI, which runs the
// script in a second process) makes SIGKILL hit the server itself.
const TSX_LOADER = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

const N = 40;
const GROUPS = ["engineering", "finance", "vpn", "wiki", "payroll", "support"];
/** Each leaver is in four groups: a leaver plan disables the account and revokes the four. */
const groupsOfLeaver = (i: number) => [
  "vpn",
  "wiki",
  i % 2 ? "engineering" : "finance",
  i % 2 ? "payroll" : "support",
];
const STEPS_PER_LEAVER = 5;
const TOTAL_STEPS = N * STEPS_PER_LEAVER;
/** Each way, per chunk, between Tandem and the directory: a batch takes seconds, not milliseconds. */
const LINK_DELAY_MS = 30;
const LOCK = "000001010000Z";
const WAIT_MS = 60_000;
/** Lease expiry plus the next minute's sweep, with room to spare. */
const RESUME_MS = 150_000;

interface Leaver {
  id: string;
  email: string;
  dn: string;
}

/** A TCP relay holding every chunk for `ms` each way: a directory at the far end of a slow link. */
async function startSlowLink(
  targetUrl: string,
  ms: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const relay = (from: net.Socket, to: net.Socket) => {
    from.on("data", (chunk) =>
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, ms),
    );
    from.on("error", () => undefined);
    from.on("close", () => {
      sockets.delete(from);
      setTimeout(() => to.destroy(), ms + 1);
    });
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ldap://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A Tandem server child process and what it has reported so far. */
class TandemNode {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[] = [];
  status: NodeStatus | undefined;
  port: number | undefined;
  stderr = "";
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<void>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ["--import", TSX_LOADER, NODE], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    readline.createInterface({ input: this.child.stdout! }).on("line", (line) => {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        this.stderr += `${line}\n`;
        return;
      }
      if (e.event === "status") this.status = e as unknown as NodeStatus;
      else this.events.push(e);
      if (e.event === "listening") this.port = e.port as number;
    });
    this.child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
  }

  describe(): string {
    return `node ${this.child.pid} reported ${JSON.stringify(this.events)}, last status ${JSON.stringify(this.status)}; stderr:\n${this.stderr.slice(-3000)}`;
  }

  /** Polls `fn` until it returns a value; an error thrown by `fn` ends the wait at once. */
  async until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = WAIT_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (this.exit)
        throw new Error(`node exited (${JSON.stringify(this.exit)}) before ${what}; ${this.describe()}`);
      if (Date.now() > deadline)
        throw new Error(`timed out after ${ms} ms waiting for ${what}; ${this.describe()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await this.until("its exit", () => (this.exit ? true : undefined));
    return this.exit!;
  }

  killHard(): void {
    if (!this.exit) this.child.kill("SIGKILL");
  }

  /** SIGTERM: the way an operator stops `tandem serve`. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exit) this.child.kill("SIGTERM");
    return this.waitForExit();
  }
}

/** The node's API with a bearer token. */
function api(node: TandemNode, token: string) {
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${node.port}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { statusCode: res.status, body: text, json: <T>() => JSON.parse(text) as T };
  };
  return {
    get: (url: string) => call("GET", url),
    post: (url: string, body?: unknown) => call("POST", url, body ?? {}),
  };
}

const stepCount = (s: NodeStatus | undefined, state: string) =>
  Object.entries(s?.steps ?? {})
    .filter(([k]) => k.endsWith(`:${state}`))
    .reduce((sum, [, n]) => sum + n, 0);
const planCount = (s: NodeStatus | undefined, reason: string) =>
  Object.entries(s?.plans ?? {})
    .filter(([k]) => k.startsWith(`${reason}:`))
    .reduce((sum, [, n]) => sum + n, 0);

let slapd: TestSlapd;
let admin: Client;
let link: Awaited<ReturnType<typeof startSlowLink>>;
let dataDir: string;
let nodeEnv: NodeJS.ProcessEnv;
let tokens: { hr: string; security: string };
/** PostgreSQL: the test's own connection. PGlite: none while a node owns the data directory. */
let pgDb: Db | undefined;
let dropSchema: () => Promise<void> = async () => {};
const nodes: TandemNode[] = [];
const leavers: Leaver[] = [];

/**
 * Runs `fn` on the nodes' database. On PGlite the data directory is opened here, which only
 * works while no node holds it (after a kill -9 this takes over the dead node's lock).
 */
async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  if (pgDb) return fn(pgDb);
  const db = await openPglite(path.join(dataDir, "db"));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function startNode(): TandemNode {
  const node = new TandemNode(nodeEnv);
  nodes.push(node);
  return node;
}

/** Entries of the directory's people carrying the administrative lock (read directly, not over the slow link). */
async function lockedInDirectory(): Promise<number> {
  const { searchEntries } = await admin.search(slapd.peopleOu, {
    scope: "one",
    filter: `(pwdAccountLockedTime=${LOCK})`,
    attributes: ["1.1"],
  });
  return searchEntries.length;
}

beforeAll(async () => {
  slapd = await startSlapd({ groups: GROUPS });
  admin = await slapd.admin();
  for (let i = 0; i < N; i++) {
    const uid = `leaver${String(i).padStart(2, "0")}`;
    const dn = `uid=${uid},${slapd.peopleOu}`;
    await admin.add(dn, {
      objectClass: ["top", "person", "organizationalPerson", "inetOrgPerson"],
      uid,
      cn: `Leaver ${i}`,
      sn: `Leaver${i}`,
      mail: `${uid}@corp.test`,
      employeeNumber: `L${1000 + i}`,
      userPassword: `pw-${uid}-not-used`,
    });
    leavers.push({ id: "", email: `${uid}@corp.test`, dn });
  }
  for (const cn of GROUPS) {
    const members = leavers.filter((_l, i) => groupsOfLeaver(i).includes(cn)).map((l) => l.dn);
    await admin.modify(slapd.groups[cn] as string, [
      new Change({ operation: "add", modification: new Attribute({ type: "member", values: members }) }),
    ]);
  }
  link = await startSlowLink(slapd.url, LINK_DELAY_MS);

  dataDir = tempDir("tandem-access-crash-");
  nodeEnv = {
    ...process.env,
    TANDEM_DATA_DIR: dataDir,
    TANDEM_HOST: "127.0.0.1",
    TANDEM_PORT: "0",
    TANDEM_LOG_LEVEL: "warn",
    TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
    TANDEM_RATE_LIMIT_PER_MINUTE: "100000",
  };
  delete nodeEnv.DATABASE_URL;
  if (onPostgres) {
    const t = await testDatabase();
    pgDb = t.db;
    dropSchema = t.drop;
    nodeEnv.ACCESS_NODE_DATABASE_URL = process.env.TEST_DATABASE_URL;
    nodeEnv.ACCESS_NODE_DB_SCHEMA = t.schema;
  }
  // Two people who run the offboarding through the API, each with a token of their own.
  tokens = await withDatabase(async (db) => {
    await migrate(db);
    const hr = await insertUser(db, { email: "hr@crash.test", displayName: "HR", roles: ["hr"] });
    const sec = await insertUser(db, {
      email: "security@crash.test",
      displayName: "Security",
      roles: ["security"],
    });
    const token = async (userId: string, scopes: string[]) =>
      (await db.tx((q) => createApiToken(q, { userId, name: "crash test", scopes, expiresInDays: 1 })))
        .secret;
    return {
      hr: await token(hr.id, ["people:read", "people:write", "people:events"]),
      security: await token(sec.id, ["access:read", "access:admin"]),
    };
  });
});

afterAll(async () => {
  for (const n of nodes) n.killHard();
  await Promise.all(nodes.map((n) => n.exited));
  await admin?.unbind();
  await link?.close();
  await slapd?.stop();
  await dropSchema();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("a server killed with SIGKILL in the middle of a bulk offboarding", () => {
  it("is finished by a restarted server: every leaver fully revoked, each step recorded once, the audit chain intact", {
    timeout: 300_000,
  }, async () => {
    // --- a running server, a directory with forty people in it, and the people in Tandem ---
    const first = startNode();
    await first.until("the first node listening", () => first.port);
    const hr = api(first, tokens.hr);
    const sec = api(first, tokens.security);

    const input = ldapSystemInput(slapd, { name: "Corporate directory", breakerThreshold: 1 });
    input.config.url = link.url;
    const created = await sec.post("/api/v1/access/systems", input);
    expect(created.statusCode, created.body).toBe(201);
    const systemId = created.json<{ id: string }>().id;

    for (const [i, l] of leavers.entries()) {
      const res = await hr.post("/api/v1/people", {
        employeeNumber: `L${1000 + i}`,
        legalName: `Leaver ${i}`,
        workEmail: l.email,
        status: "active",
      });
      expect(res.statusCode, res.body).toBe(201);
      l.id = res.json<{ id: string }>().id;
    }
    // The hires' own events are handled before anyone leaves.
    await first.until("the hiring events handled", () =>
      first.status && first.status.openEvents === 0 && planCount(first.status, "leaver") === 0
        ? true
        : undefined,
    );
    const sync = await sec.post(`/api/v1/access/systems/${systemId}/sync`);
    expect(sync.statusCode, sync.body).toBe(200);
    expect(sync.json()).toMatchObject({ accounts: N, linked: N });

    // --- the bulk: everyone leaves ---
    for (const l of leavers) {
      const res = await hr.post(`/api/v1/people/${l.id}/events`, {
        type: "termination",
        terminationType: "involuntary",
      });
      expect(res.statusCode, res.body).toBe(201);
    }

    // Kill once every plan exists, some steps are recorded, and a batch under way has
    // changed the directory beyond what is recorded (applied, not yet verified).
    await first.until("a batch under way after some steps were recorded", async () => {
      const s = first.status;
      if (stepCount(s, "verified") >= TOTAL_STEPS)
        throw new Error(`the bulk finished before the kill could land: ${JSON.stringify(s)}`);
      if (!s || planCount(s, "leaver") < N || stepCount(s, "verified") === 0) return undefined;
      const locked = await lockedInDirectory();
      return locked > (s.steps["disable:verified"] ?? 0) + 2 ? true : undefined;
    });
    first.killHard();
    expect(await first.waitForExit()).toEqual({ code: null, signal: "SIGKILL" });

    // --- what the dead node left behind ---
    const crash = await withDatabase(async (db) => {
      const r = await db.query<{
        verified: number;
        disables: number;
        leased: number;
        plans: number;
        at: Date;
      }>(
        `SELECT count(*) FILTER (WHERE s.state = 'verified')::int AS verified,
           count(*) FILTER (WHERE s.state = 'verified' AND s.action = 'disable')::int AS disables,
           count(*) FILTER (WHERE s.state IN ('pending', 'applied') AND s.lease_until > now())::int AS leased,
           count(DISTINCT p.id)::int AS plans, now() AS at
         FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
         WHERE p.reason = 'leaver' AND s.system_id IS NOT NULL`,
      );
      return r.rows[0]!;
    });
    const lockedAtCrash = await lockedInDirectory();
    expect(crash.plans).toBe(N);
    expect(crash.verified).toBeGreaterThan(0);
    expect(crash.verified).toBeLessThan(TOTAL_STEPS);
    // The batch the dead node held: leased to it, partly applied in the directory, unrecorded.
    expect(crash.leased).toBeGreaterThan(0);
    expect(lockedAtCrash).toBeGreaterThan(crash.disables);

    // --- a new node on the same database finishes the work ---
    const second = startNode();
    await second.until("the second node listening", () => second.port);
    await second.until(
      "every disable and revoke of the leaver plans verified",
      () => {
        const s = second.status;
        if (stepCount(s, "failed") > 0) throw new Error(`a step failed: ${JSON.stringify(s)}`);
        return stepCount(s, "verified") === TOTAL_STEPS ? s : undefined;
      },
      RESUME_MS,
    );
    expect(await second.stop()).toEqual({ code: 0, signal: null });

    // --- the directory: every leaver locked and in no group ---
    for (const l of leavers) {
      const { searchEntries } = await admin.search(slapd.baseDn, {
        scope: "sub",
        filter: `(mail=${l.email})`,
        attributes: ["pwdAccountLockedTime"],
      });
      expect(searchEntries, l.email).toHaveLength(1);
      expect(String(searchEntries[0]?.pwdAccountLockedTime), l.email).toBe(LOCK);
      expect(await groupsOf(admin, slapd, searchEntries[0]!.dn), l.email).toEqual([]);
    }

    await withDatabase(async (db) => {
      // One leaver plan per leaver: the termination's cause made one plan, not two.
      const plans = await db.query<{ id: string; person_id: string; source_key: string | null }>(
        "SELECT id, person_id, source_key FROM access_plans WHERE reason = 'leaver' ORDER BY person_id",
      );
      expect(plans.rows.map((p) => p.person_id).sort()).toEqual(leavers.map((l) => l.id).sort());
      expect(plans.rows.every((p) => p.source_key?.startsWith("person.terminated:"))).toBe(true);
      expect(new Set(plans.rows.map((p) => p.source_key)).size).toBe(N);

      // Each step recorded exactly once: verified, one attempt recorded, one audit entry.
      const steps = await db.query<{
        id: string;
        plan_id: string;
        person_id: string;
        action: string;
        state: string;
        attempts: number;
        verified_at: Date | null;
        before_crash: boolean;
      }>(
        `SELECT s.id, s.plan_id, p.person_id, s.action, s.state, s.attempts, s.verified_at,
           s.verified_at <= $1 AS before_crash
         FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
         WHERE p.reason = 'leaver' AND s.system_id IS NOT NULL`,
        [crash.at],
      );
      expect(steps.rows).toHaveLength(TOTAL_STEPS);
      for (const s of steps.rows) {
        expect({ id: s.id, state: s.state, attempts: s.attempts, verified: s.verified_at !== null }).toEqual({
          id: s.id,
          state: "verified",
          attempts: 1,
          verified: true,
        });
      }
      // What was recorded before the crash kept its record; the rest was recorded after it.
      expect(steps.rows.filter((s) => s.before_crash)).toHaveLength(crash.verified);
      for (const l of leavers) {
        const mine = steps.rows.filter((s) => s.person_id === l.id).map((s) => s.action);
        expect(mine.sort(), l.email).toEqual(["disable", "revoke", "revoke", "revoke", "revoke"]);
      }

      const audit = await db.query<{ step_id: string | null; action: string; n: number }>(
        `SELECT details->>'stepId' AS step_id, action, count(*)::int AS n FROM audit_log
         WHERE action LIKE 'access.step%' GROUP BY 1, 2`,
      );
      const verifiedEntries = audit.rows.filter((a) => a.action === "access.step_verified");
      expect(audit.rows.filter((a) => a.action !== "access.step_verified")).toEqual([]);
      expect(verifiedEntries.filter((a) => a.n !== 1)).toEqual([]);
      expect(verifiedEntries.map((a) => a.step_id).sort()).toEqual(steps.rows.map((s) => s.id).sort());

      const planned = await db.query<{ plan_id: string; n: number }>(
        `SELECT details->>'planId' AS plan_id, count(*)::int AS n FROM audit_log
         WHERE action = 'access.plan_created' AND details->>'reason' = 'leaver' GROUP BY 1`,
      );
      expect(planned.rows.map((p) => [p.plan_id, p.n]).sort()).toEqual(
        plans.rows.map((p) => [p.id, 1]).sort(),
      );

      // The actual state as last read back: no account enabled, no group held.
      const accounts = await db.query<{ enabled: number; held: number }>(
        `SELECT count(*) FILTER (WHERE a.enabled)::int AS enabled,
           (SELECT count(*)::int FROM account_entitlements e JOIN accounts b ON b.id = e.account_id
            WHERE b.system_id = $1) AS held
         FROM accounts a WHERE a.system_id = $1`,
        [systemId],
      );
      expect(accounts.rows[0]).toEqual({ enabled: 0, held: 0 });

      const chain = await verifyChain(db);
      expect(chain.broken).toBeUndefined();
      expect(chain.ok).toBe(true);
      expect(chain.checked).toBeGreaterThan(TOTAL_STEPS);
    });
  });
});
