import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../app.js";
import { verifyChain } from "../../../platform/audit/index.js";
import { loadConfig } from "../../../platform/config/index.js";
import { type Db, openPglite } from "../../../platform/db/index.js";
import { createLogger } from "../../../platform/log/index.js";
import { onPostgres, tempDir, testDatabase } from "../../../test/harness.js";
import { createCampaign, scheduleCampaign } from "./campaigns.js";
import { kickSender } from "./sender.js";
import { createTemplate } from "./templates.js";

/**
 * kill -9 in the middle of a campaign. A real Tandem server process (jobs on) sends a
 * campaign to an SMTP sink that takes its time over each message; it is killed with SIGKILL
 * while batches are in flight, and a new process on the same database carries on. Every
 * recipient gets at most one message; every recipient not marked uncertain (handed over by
 * the dead process, never recorded) gets exactly one; the audit chain verifies.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../..");
const NODE = path.join(ROOT, "server/src/test/fixtures/access-node.ts");
const TSX_LOADER = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

const N = 40;
/** The sink holds each message this long before accepting it. */
const SINK_DELAY_MS = 150;
const WAIT_MS = 60_000;
/** The next node's minute sweep picks the campaign up again; room to spare. */
const RESUME_MS = 180_000;

class Node {
  readonly child: ChildProcess;
  stderr = "";
  port: number | undefined;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<void>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ["--import", TSX_LOADER, NODE], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    readline.createInterface({ input: this.child.stdout! }).on("line", (line) => {
      try {
        const e = JSON.parse(line) as { event?: string; port?: number };
        if (e.event === "listening") this.port = e.port;
      } catch {
        this.stderr += `${line}\n`;
      }
    });
    this.child.stderr!.on("data", (c: Buffer) => {
      this.stderr += c.toString();
    });
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve();
      }),
    );
  }

  async until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = WAIT_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (this.exit)
        throw new Error(
          `node exited (${JSON.stringify(this.exit)}) before ${what}: ${this.stderr.slice(-3000)}`,
        );
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${this.stderr.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

let smtp: SMTPServer;
let smtpPort: number;
/** Messages the sink accepted, by recipient, with the node that was alive at that moment. */
const received: { to: string; at: number }[] = [];
let dataDir: string;
let pgDb: Db | undefined;
let schema: string | undefined;
let dropSchema: () => Promise<void> = async () => {};
const nodes: Node[] = [];
let campaignId = "";

async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  if (pgDb) return fn(pgDb);
  const db = await openPglite(path.join(dataDir, "db"));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function nodeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("TANDEM_") && k !== "DATABASE_URL" && k !== "NODE_OPTIONS") env[k] = v;
  return {
    ...env,
    TANDEM_DATA_DIR: dataDir,
    TANDEM_HOST: "127.0.0.1",
    TANDEM_PORT: "0",
    TANDEM_LOG_LEVEL: "warn",
    TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
    TANDEM_ACCESS_RECONCILE_CRON: "off",
    TANDEM_AWARENESS_CRON: "off",
    TANDEM_PHISHING_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    TANDEM_PHISHING_SEND_BATCH: "5",
    TANDEM_PHISHING_POOL: "2",
    TANDEM_PHISHING_PARALLEL: "2",
    TANDEM_PHISHING_LEASE_SECONDS: "5",
    ...(onPostgres
      ? { ACCESS_NODE_DATABASE_URL: process.env.TEST_DATABASE_URL, ACCESS_NODE_DB_SCHEMA: schema }
      : {}),
  };
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, cb) {
      stream.on("data", () => undefined);
      stream.on("end", () => {
        setTimeout(() => {
          for (const r of session.envelope.rcptTo) received.push({ to: r.address, at: Date.now() });
          cb();
        }, SINK_DELAY_MS);
      });
    },
  });
  // A sending node killed mid-conversation resets its connections: expected here.
  smtp.on("error", () => undefined);
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
  smtpPort = (smtp.server.address() as AddressInfo).port;

  dataDir = tempDir("tandem-phishing-crash-");
  if (onPostgres) {
    const t = await testDatabase();
    pgDb = t.db;
    schema = t.schema;
    dropSchema = t.drop;
  }
  // The organisation, a template and a scheduled campaign, written by a server with jobs off.
  const config = loadConfig({
    TANDEM_DATA_DIR: dataDir,
    TANDEM_JOBS: "false",
    TANDEM_LOG_LEVEL: "silent",
    TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
  });
  const t = await buildApp(config, {
    log: createLogger("silent"),
    ...(pgDb ? { db: pgDb, jobsSchema: `${schema}_boss` } : {}),
  });
  try {
    await t.db.query(
      `INSERT INTO people (id, employee_number, legal_name, work_email, employment_type, status)
       SELECT 'crash-' || i, 'C' || i, 'Crash Person ' || i, 'crash' || i || '@corp.test', 'employee', 'active'
       FROM generate_series(1, $1::int) AS i`,
      [N],
    );
    const ctx = { actorLabel: "crash test" };
    campaignId = await t.db.tx(async (q) => {
      const templateId = await createTemplate(q, ctx, {
        name: "Crash lure",
        lure: "login",
        difficulty: "medium",
        fromName: "IT",
        fromAddress: "it@lure.test",
        subject: "Hello {{first_name}}",
        bodyHtml: '<a href="{{link}}">Sign in</a>',
        bodyText: "Sign in: {{link}}",
        landingKind: "login",
        landingTitle: "",
        lessonMd: "Practice.",
      });
      const id = await createCampaign(q, ctx, {
        name: "Crash campaign",
        templateId,
        audience: { everyone: true, departmentIds: [], jobRoleIds: [], employmentTypes: [] },
        windowStart: new Date().toISOString(),
        windowEnd: new Date(Date.now() + 1000).toISOString(),
        followUpModuleId: null,
        trackDays: 30,
      });
      const s = await scheduleCampaign(q, ctx, id);
      expect(s.scheduled).toBe(N);
      await kickSender(t.jobs, q, s.firstSendAt as Date);
      return id;
    });
  } finally {
    await t.close();
  }
}, 120_000);

afterAll(async () => {
  for (const n of nodes) if (!n.exit) n.child.kill("SIGKILL");
  await Promise.all(nodes.map((n) => n.exited));
  await new Promise<void>((r) => smtp.close(r));
  await dropSchema();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const statusCounts = (db: Db) =>
  db
    .query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM phishing_recipients WHERE campaign_id = $1 GROUP BY status",
      [campaignId],
    )
    .then((r) => Object.fromEntries(r.rows.map((x) => [x.status, x.n])) as Record<string, number>);

describe("a server killed with SIGKILL in the middle of a campaign", () => {
  it("is carried on by a restarted server: nobody gets a message twice, everyone not uncertain gets one", {
    timeout: 400_000,
  }, async () => {
    const first = new Node(nodeEnv());
    nodes.push(first);
    await first.until("the first node listening", () => first.port);
    await first.until("some messages accepted by the sink", () => {
      if (received.length >= N) throw new Error("the campaign finished before the kill could land");
      return received.length >= 10 ? true : undefined;
    });
    first.child.kill("SIGKILL");
    await first.exited;
    expect(first.exit).toEqual({ code: null, signal: "SIGKILL" });
    const atKill = received.length;

    const crash = await withDatabase(statusCounts);
    // Recorded as sent before the kill, in flight (claimed, maybe handed over), still waiting.
    expect(crash.sent ?? 0).toBeGreaterThan(0);
    expect(crash.sending ?? 0).toBeGreaterThan(0);
    expect(crash.pending ?? 0).toBeGreaterThan(0);
    expect((crash.sent ?? 0) + (crash.sending ?? 0) + (crash.pending ?? 0)).toBe(N);

    // The second node sweeps when it starts; by then the dead node's leases (5 s, taken
    // before the kill) have run out, however fast the machine starts it.
    await new Promise((r) => setTimeout(r, 6000));
    const second = new Node(nodeEnv());
    nodes.push(second);
    await second.until("the second node listening", () => second.port);
    await second.until(
      "the waiting recipients sent by the second node",
      () => (received.length - atKill >= (crash.pending ?? 0) ? true : undefined),
      RESUME_MS,
    );
    await new Promise((r) => setTimeout(r, 1500));
    second.child.kill("SIGTERM");
    await second.exited;
    expect(second.exit).toEqual({ code: 0, signal: null });

    await withDatabase(async (db) => {
      const rows = await db.query<{ email: string; status: string; attempts: number }>(
        "SELECT email, status, attempts FROM phishing_recipients WHERE campaign_id = $1",
        [campaignId],
      );
      const got = new Map<string, number>();
      for (const m of received) got.set(m.to, (got.get(m.to) ?? 0) + 1);
      const uncertain = rows.rows.filter((r) => r.status === "uncertain");
      expect(uncertain.length).toBe(crash.sending);
      for (const r of rows.rows) {
        expect(["sent", "uncertain"], r.email).toContain(r.status);
        const n = got.get(r.email) ?? 0;
        if (r.status === "sent")
          expect({ email: r.email, messages: n }).toEqual({ email: r.email, messages: 1 });
        else expect(n, r.email).toBeLessThanOrEqual(1);
        expect(r.attempts, r.email).toBe(1);
      }
      expect([...got.values()].every((n) => n === 1)).toBe(true);
      const c = await db.query<{ status: string }>("SELECT status FROM phishing_campaigns WHERE id = $1", [
        campaignId,
      ]);
      expect(c.rows[0]?.status).toBe("finished");
      const audit = await db.query<{ action: string; n: number }>(
        `SELECT action, count(*)::int AS n FROM audit_log WHERE target_id = $1 GROUP BY action`,
        [campaignId],
      );
      const actions = Object.fromEntries(audit.rows.map((a) => [a.action, a.n]));
      expect(actions).toMatchObject({
        "awareness.phishing_campaign_sending": 1,
        "awareness.phishing_messages_uncertain": 1,
        "awareness.phishing_campaign_finished": 1,
      });
      const chain = await verifyChain(db);
      expect(chain.ok).toBe(true);
    });
  });
});
