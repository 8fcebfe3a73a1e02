import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { buildApp } from "../server/src/app.js";
import { createCampaign, scheduleCampaign } from "../server/src/modules/awareness/phishing/campaigns.js";
import { mergeValues, renderMessage } from "../server/src/modules/awareness/phishing/merge.js";
import { STARTER_TEMPLATES } from "../server/src/modules/awareness/phishing/starter-templates.js";
import { createTemplate } from "../server/src/modules/awareness/phishing/templates.js";
import { loadConfig } from "../server/src/platform/config/index.js";
import { createLogger } from "../server/src/platform/log/index.js";
import { scratchDatabase } from "./lib/pg-scratch.js";
import { intFromEnv, runAsScript } from "./util.js";

/**
 * Benchmark "phishing-send": a campaign of BENCH_PHISHING_RECIPIENTS people (inserted in
 * bulk) sent by Tandem's sender (claim, render, pooled SMTP, record, audit per batch) to an
 * SMTP sink that discards what it receives, beside raw pooled nodemailer sending the same
 * number of already rendered messages to the same sink with the same pool size, in the same
 * run. The sink runs in a child process; Tandem (embedded PGlite, in a temporary directory)
 * and the raw sender run in this one. The ratio is Tandem's rate over the raw rate.
 *
 * A warm-up of 200 raw messages (not counted) comes first.
 *
 *   BENCH_PHISHING_RECIPIENTS  people in the campaign and raw messages (default 10000)
 *   BENCH_PHISHING_BATCH       recipients per claim (default: TANDEM_PHISHING_SEND_BATCH's default)
 *   BENCH_PHISHING_POOL        SMTP connections, for both senders (default: TANDEM_PHISHING_POOL's default)
 *   BENCH_PHISHING_PARALLEL    claim loops at once (default: TANDEM_PHISHING_PARALLEL's default)
 */

export interface PhishingBenchSettings {
  recipients: number;
  batch?: number;
  pool?: number;
  parallel?: number;
}

export function settingsFromEnv(): PhishingBenchSettings {
  const opt = (name: string) => (process.env[name] ? intFromEnv(name, 1, 1) : undefined);
  return {
    recipients: intFromEnv("BENCH_PHISHING_RECIPIENTS", 10_000, 1),
    batch: opt("BENCH_PHISHING_BATCH"),
    pool: opt("BENCH_PHISHING_POOL"),
    parallel: opt("BENCH_PHISHING_PARALLEL"),
  };
}

const say = (msg: string) => process.stderr.write(`[bench phishing-send] ${msg}\n`);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), "..");

/** The sink: accepts every message and throws the data away; reports its port and count. */
function sinkMain(): void {
  let messages = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, cb) {
      stream.on("data", () => undefined);
      stream.on("end", () => {
        messages++;
        cb();
      });
    },
  });
  smtp.on("error", () => undefined);
  smtp.listen(0, "127.0.0.1", () => {
    const port = (smtp.server.address() as { port: number }).port;
    process.send?.({ type: "ready", port });
  });
  process.on("message", (m: { type: string }) => {
    if (m.type === "count") process.send?.({ type: "count", messages });
    if (m.type === "stop") smtp.close(() => process.exit(0));
  });
}

async function startSink(): Promise<{
  port: number;
  count: () => Promise<number>;
  stop: () => Promise<void>;
}> {
  const loader = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
  const child: ChildProcess = fork(SELF, ["--sink"], { execArgv: ["--import", loader], stdio: "inherit" });
  const next = (type: string) =>
    new Promise<Record<string, number>>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off("message", on);
        resolve(m as unknown as Record<string, number>);
      };
      child.on("message", on);
    });
  const ready = await next("ready");
  return {
    port: ready.port as number,
    count: async () => {
      const p = next("count");
      child.send({ type: "count" });
      return (await p).messages as number;
    },
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.send({ type: "stop" });
      await exited;
    },
  };
}

export async function phishingSendBench(s: PhishingBenchSettings) {
  const sink = await startSink();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-phishing-"));
  const env: Record<string, string> = {
    TANDEM_DATA_DIR: path.join(dir, "data"),
    TANDEM_LOG_LEVEL: "warn",
    TANDEM_JOBS: "false",
    TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
    TANDEM_ACCESS_RECONCILE_CRON: "off",
    TANDEM_PHISHING_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
  };
  // BENCH_PHISHING_DATABASE_URL: a PostgreSQL server instead of the embedded database (a
  // database of the bench's own is created on it and dropped afterwards).
  const database = await scratchDatabase("BENCH_PHISHING_DATABASE_URL", "phishing");
  if (database.url) env.DATABASE_URL = database.url;
  if (s.batch) env.TANDEM_PHISHING_SEND_BATCH = String(s.batch);
  if (s.pool) env.TANDEM_PHISHING_POOL = String(s.pool);
  if (s.parallel) env.TANDEM_PHISHING_PARALLEL = String(s.parallel);
  const config = loadConfig(env);
  const t = await buildApp(config, { log: createLogger("warn", process.stderr), env: {} });
  const sender = t.awareness.phishing.sender;
  const n = s.recipients;
  try {
    say(`inserting ${n} people`);
    await t.db.query("INSERT INTO departments (id, name) VALUES ('bench-d', 'Finance')");
    await t.db.query(
      `INSERT INTO people (id, employee_number, legal_name, work_email, department_id, employment_type, status)
       SELECT 'bench-' || i, 'B' || i, 'Bench Person ' || i, 'bench' || i || '@corp.test', 'bench-d', 'employee', 'active'
       FROM generate_series(1, $1::int) AS i`,
      [n],
    );
    const starter = STARTER_TEMPLATES[0]!.input;
    const ctx = { actorLabel: "bench" };
    const scheduled = await t.db.tx(async (q) => {
      const templateId = await createTemplate(q, ctx, starter);
      const id = await createCampaign(q, ctx, {
        name: "Bench campaign",
        templateId,
        audience: { everyone: true, departmentIds: [], jobRoleIds: [], employmentTypes: [] },
        windowStart: new Date().toISOString(),
        windowEnd: new Date(Date.now() + 1000).toISOString(),
        followUpModuleId: null,
        trackDays: 30,
      });
      return { id, ...(await scheduleCampaign(q, ctx, id)) };
    });
    if (scheduled.scheduled !== n) throw new Error(`scheduled ${scheduled.scheduled} of ${n}`);
    await new Promise((r) => setTimeout(r, 1100));

    // Raw: the same number of messages, rendered beforehand, through one pooled transport.
    const raw = nodemailer.createTransport({
      host: "127.0.0.1",
      port: sink.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: sender.settings.pool,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    const messages = Array.from({ length: n }, (_, i) => {
      const token = randomBytes(18).toString("base64url");
      const person = {
        legalName: `Bench Person ${i + 1}`,
        preferredName: null,
        email: `bench${i + 1}@corp.test`,
        department: "Finance",
        jobTitle: null,
        managerName: null,
      };
      const base = config.publicUrl;
      const m = renderMessage(
        starter,
        mergeValues(person, "our company", `${base}/t/c/${token}`),
        `${base}/t/o/${token}.gif`,
      );
      return { token, to: person.email, ...m };
    });
    const rawSend = (list: typeof messages) =>
      Promise.all(
        list.map((m) =>
          raw.sendMail({
            from: { name: starter.fromName, address: starter.fromAddress },
            to: m.to,
            subject: m.subject,
            html: m.html,
            text: m.text,
            headers: { "X-Tandem-Simulation": m.token },
          }),
        ),
      );
    // A discarded warm-up first, so neither side is measured with cold code or connections.
    say("warming up");
    await rawSend(messages.slice(0, Math.min(200, n)));
    say(`raw nodemailer: ${n} messages`);
    const before = await sink.count();
    let started = performance.now();
    await rawSend(messages);
    const rawSeconds = (performance.now() - started) / 1000;
    raw.close();
    const rawReceived = (await sink.count()) - before;

    say(`Tandem's sender: ${n} recipients`);
    started = performance.now();
    const result = await sender.run(3_600_000);
    const tandemSeconds = (performance.now() - started) / 1000;
    const tandemReceived = (await sink.count()) - before - rawReceived;
    const counts = await t.db.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM phishing_recipients GROUP BY status",
    );
    const batches = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'awareness.phishing_batch_sent'",
    );
    const tandemMsgsPerSec = round(result.sent / tandemSeconds);
    const rawMsgsPerSec = round(n / rawSeconds);
    return {
      benchmark: "phishing-send",
      database: database.label,
      cpus: os.cpus().length,
      recipients: n,
      settings: {
        batch: sender.settings.batch,
        pool: sender.settings.pool,
        parallel: sender.settings.parallel,
      },
      tandem: {
        seconds: round(tandemSeconds, 2),
        sent: result.sent,
        failed: result.failed,
        received: tandemReceived,
        statuses: Object.fromEntries(counts.rows.map((r) => [r.status, r.n])),
        auditBatchEntries: batches.rows[0]?.n ?? 0,
      },
      raw: { seconds: round(rawSeconds, 2), received: rawReceived },
      tandemMsgsPerSec,
      rawMsgsPerSec,
      ratio: round(tandemMsgsPerSec / rawMsgsPerSec, 2),
    };
  } finally {
    await t.close();
    await database.drop();
    await sink.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--sink")) sinkMain();
else await runAsScript(import.meta.url, () => phishingSendBench(settingsFromEnv()));
