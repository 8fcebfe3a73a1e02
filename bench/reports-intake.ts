import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import nodemailer from "nodemailer";
import { buildApp } from "../server/src/app.js";
import { createApiToken, hashPassword, insertUser } from "../server/src/platform/auth/index.js";
import { loadConfig } from "../server/src/platform/config/index.js";
import { openDatabase } from "../server/src/platform/db/index.js";
import { createLogger } from "../server/src/platform/log/index.js";
import { countingDb } from "./lib/sql-counter.js";
import { intFromEnv, percentile, runAsScript } from "./util.js";

/**
 * Benchmark "reports-intake": how fast reports come in and how fast the triage queue's
 * first page answers when many are stored, on the embedded database in a temporary
 * directory.
 *
 * 1. API: reports posted over HTTP with an API token (reports:submit), a few in flight.
 * 2. SMTP: mails sent with nodemailer to Tandem's listener; "accepted" is the 250 answers
 *    (the raw message is stored by then), "parsed" is until every mail is a report.
 * 3. Queue: reports inserted set-based up to BENCH_REPORTS_QUEUE, then the first page of the
 *    queue (default view, and filtered ones) is read over HTTP several times.
 *
 *   BENCH_REPORTS_API          reports posted by API (default 2000)
 *   BENCH_REPORTS_SMTP         mails sent by SMTP (default 500)
 *   BENCH_REPORTS_QUEUE        reports stored for the queue measurement (default 100000)
 *   BENCH_REPORTS_CONCURRENCY  requests or SMTP connections at once (default 8)
 *   BENCH_REPORTS_SAMPLES      reads of each queue page (default 30)
 *   BENCH_REPORTS_SQL          1: count and time every SQL statement of the API and SMTP steps
 */

export interface ReportsBenchSettings {
  api: number;
  smtp: number;
  queue: number;
  concurrency: number;
  samples: number;
}

const say = (msg: string) => process.stderr.write(`[bench reports-intake] ${msg}\n`);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function inParallel(n: number, concurrency: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** Stores reports straight into the table, spread over categories, statuses and groups. */
async function seedQueue(db: { query: (sql: string, params?: unknown[]) => Promise<unknown> }, n: number) {
  await db.query(
    `INSERT INTO reports (id, reference, category, channel, title, description, status, severity, verdict,
       suspect_sender, url_host, subject_key, created_at)
     SELECT '01BENCH' || lpad(k::text, 19, '0'), 'B-' || k,
       (ARRAY['phishing_email','suspicious_payment','suspicious_behaviour','lost_device','own_mistake','near_miss','question','other'])[1 + k % 8],
       'web', 'Bench report ' || k || ' about invoice ' || (k % 977), 'Seeded for the queue benchmark.',
       (ARRAY['new','acknowledged','in_review','closed','closed','closed','merged','waiting_for_reporter'])[1 + (k / 7) % 8],
       (ARRAY[NULL,'low','medium','high','critical'])[1 + k % 5], (ARRAY[NULL,'benign','malicious'])[1 + k % 3],
       'sender' || (k % 5000) || '@bench.test', 'host' || (k % 3000) || '.test', 'subject ' || (k % 8000),
       now() - make_interval(secs => $1::int - k)
     FROM generate_series(1, $1::int) k`,
    [n],
  );
  await db.query("ANALYZE reports");
}

export async function reportsBench(s: ReportsBenchSettings) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-reports-"));
  const config = loadConfig({
    TANDEM_DATA_DIR: path.join(dir, "data"),
    TANDEM_LOG_LEVEL: "warn",
    TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
    TANDEM_ACCESS_RECONCILE_CRON: "off",
    TANDEM_RATE_LIMIT_PER_MINUTE: "10000000",
    TANDEM_REPORT_SMTP_PORT: "0",
    TANDEM_REPORT_ADDRESSES: "report@bench.test",
  });
  // BENCH_REPORTS_SQL=1: count and time every statement of the API and SMTP steps.
  const counter = process.env.BENCH_REPORTS_SQL === "1" ? countingDb(await openDatabase(config)) : null;
  const t = await buildApp(config, {
    log: createLogger("warn", process.stderr),
    env: {},
    ...(counter ? { db: counter.db } : {}),
  });
  try {
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const user = await insertUser(t.db, {
      email: "bench.security@bench.test",
      displayName: "Bench",
      roles: ["security"],
      passwordHash: await hashPassword("bench password long enough"),
    });
    const { secret } = await createApiToken(t.db, {
      userId: user.id,
      name: "bench",
      scopes: ["reports:submit", "reports:triage_read"],
      expiresInDays: 1,
    });
    const headers = { authorization: `Bearer ${secret}`, "content-type": "application/json" };

    say(`posting ${s.api} reports by API`);
    let apiStart = performance.now();
    let failed = 0;
    await inParallel(s.api, s.concurrency, async (i) => {
      const r = await fetch(`${base}/api/v1/reports`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          title: `Suspicious mail ${i}`,
          description: `Link https://bench-${i % 50}.test/login in the text`,
          details: {
            category: "phishing_email",
            sender: `x${i % 40}@phish.test`,
            subject: `Invoice ${i % 30}`,
          },
        }),
      });
      if (r.status !== 201) failed++;
      await r.arrayBuffer();
    });
    const apiSeconds = (performance.now() - apiStart) / 1000;

    const smtpAt = t.reports.smtpAddress();
    if (!smtpAt) throw new Error("the SMTP listener did not start");
    say(`sending ${s.smtp} mails by SMTP`);
    const transport = nodemailer.createTransport({
      host: smtpAt.host,
      port: smtpAt.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: s.concurrency,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    apiStart = performance.now();
    await inParallel(s.smtp, s.concurrency * 2, async (i) => {
      await transport.sendMail({
        from: `reporter${i % 20}@bench.test`,
        to: "report@bench.test",
        subject: `Fwd: Your account will be closed ${i % 25}`,
        text: `See below.\n\n---------- Forwarded message ---------\nFrom: Support <help@phish-${i % 10}.test>\nSubject: Your account will be closed\n\nClick https://phish-${i % 10}.test/keep now`,
      });
    });
    const acceptedSeconds = (performance.now() - apiStart) / 1000;
    transport.close();
    for (;;) {
      const r = await t.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM report_mail WHERE state = 'received'",
      );
      if ((r.rows[0]?.n ?? 0) === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const parsedSeconds = (performance.now() - apiStart) / 1000;

    const sql = counter?.stats("ms", 12);
    say(`storing ${s.queue} reports for the queue`);
    const seedStart = performance.now();
    await seedQueue(t.db, s.queue);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const views: Record<string, string> = {
      open: "/api/v1/reports",
      all: "/api/v1/reports?status=all",
      category: "/api/v1/reports?category=lost_device",
      critical: "/api/v1/reports?severity=critical&status=all",
      search: "/api/v1/reports?q=invoice&status=all",
      group: "/api/v1/reports?sender=sender42@bench.test&status=all",
    };
    const queue: Record<string, { p50Ms: number; p95Ms: number; items: number }> = {};
    for (const [name, url] of Object.entries(views)) {
      const times: number[] = [];
      let items = 0;
      for (let i = 0; i < s.samples + 2; i++) {
        const started = performance.now();
        const r = await fetch(`${base}${url}`, { headers: { authorization: headers.authorization } });
        const body = (await r.json()) as { items?: unknown[] };
        if (i >= 2) times.push(performance.now() - started);
        items = body.items?.length ?? 0;
      }
      times.sort((a, b) => a - b);
      queue[name] = { p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)), items };
      say(`queue ${name}: p50 ${queue[name].p50Ms} ms`);
    }
    return {
      benchmark: "reports-intake",
      ...(sql ? { sql } : {}),
      database: "PGlite, file-backed (temporary directory)",
      cpus: os.cpus().length,
      api: {
        reports: s.api,
        failed,
        seconds: round(apiSeconds, 2),
        reportsPerSec: round(s.api / apiSeconds),
      },
      smtp: {
        mails: s.smtp,
        acceptedSeconds: round(acceptedSeconds, 2),
        acceptedPerSec: round(s.smtp / acceptedSeconds),
        parsedSeconds: round(parsedSeconds, 2),
        reportsPerSec: round(s.smtp / parsedSeconds),
      },
      queue: { storedReports: s.queue, seedSeconds: round(seedSeconds), firstPage: queue },
    };
  } finally {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function settingsFromEnv(): ReportsBenchSettings {
  return {
    api: intFromEnv("BENCH_REPORTS_API", 2000, 1),
    smtp: intFromEnv("BENCH_REPORTS_SMTP", 500, 1),
    queue: intFromEnv("BENCH_REPORTS_QUEUE", 100_000, 1),
    concurrency: intFromEnv("BENCH_REPORTS_CONCURRENCY", 8, 1),
    samples: intFromEnv("BENCH_REPORTS_SAMPLES", 30, 1),
  };
}

await runAsScript(import.meta.url, () => reportsBench(settingsFromEnv()));
