import os from "node:os";
import { type ServerChild, startServerChild } from "./lib/child.js";
import { median, medianRun, perRequest, round } from "./lib/figures.js";
import { drive, type LoadFigures } from "./lib/load.js";
import type { ProfileSummary } from "./lib/profile.js";
import type { WindowStats } from "./lib/serve.js";
import type { SqlStats } from "./lib/sql-counter.js";
import { expectOk, signIn } from "./lib/tandem-client.js";

/**
 * Benchmark "http-auth-get": an authenticated GET of a small resource on Tandem (embedded
 * database on disk, jobs on) against a bare Fastify hello-world, both over real HTTP on
 * 127.0.0.1 with the same load. Target: Tandem at 50 % or more of the bare figure.
 */

export interface Settings {
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** Alternating bare/Tandem rounds; the median round is reported. */
  rounds: number;
  /** "auto": profile Tandem only when it misses the target; "1" always; "0" never. */
  profile: "auto" | "1" | "0";
  tandemLogLevel: string;
  /** Run Tandem on this PostgreSQL instead of the embedded database. */
  databaseUrl?: string;
}

const TARGET = 0.5;
const SESSION_PATH = "/api/v1/auth/session";

type Run = LoadFigures & {
  loadAvg1mBefore: number;
  /** Requests the server received in the window (a few more than completed ones). */
  requestsSeenByServer: number;
  /** CPU time of the server process per request: holds up on a busy machine, unlike requests/s. */
  serverCpuMsPerRequest: number;
  /** CPU the server process used over the window's wall time (100 = one core fully busy). */
  serverCpuPercent: number;
};

interface Round {
  bare: Run;
  cookie: Run;
  cookieSql: SqlStats;
  token: Run;
  tokenSql: SqlStats;
  healthz: Run;
}

const say = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** Warm-up (discarded), then the measured run with the same connections, and the server's own view of it. */
async function measure(
  label: string,
  server: ServerChild,
  url: string,
  s: Settings,
  headers?: Record<string, string>,
): Promise<Run> {
  if (s.warmupSec > 0) {
    say(`${label}: warm-up ${s.warmupSec} s`);
    await drive(url, { connections: s.connections, durationSec: s.warmupSec, headers });
  }
  const loadAvg1mBefore = round(os.loadavg()[0] ?? 0, 2);
  say(`${label}: measuring ${s.durationSec} s with ${s.connections} connections`);
  await server.call("window-reset");
  const figures = await drive(url, { connections: s.connections, durationSec: s.durationSec, headers });
  const w = await server.call<WindowStats>("window");
  const run: Run = {
    ...figures,
    loadAvg1mBefore,
    requestsSeenByServer: w.requests,
    serverCpuMsPerRequest: round(w.cpuMs / Math.max(w.requests, 1), 4),
    serverCpuPercent: round((100 * w.cpuMs) / Math.max(w.wallMs, 1), 1),
  };
  say(
    `${label}: ${run.requestsPerSec} req/s, p99 ${run.latencyP99Ms} ms, non-2xx ${run.non2xx}, ` +
      `server CPU ${run.serverCpuMsPerRequest} ms/request (${run.serverCpuPercent} % of a core)`,
  );
  return run;
}

/** A measured run on Tandem with its SQL statement counts (Tandem resets them with the window). */
async function measureWithSql(
  label: string,
  tandem: ServerChild,
  url: string,
  s: Settings,
  headers: Record<string, string>,
) {
  const run = await measure(label, tandem, url, s, headers);
  return { run, sql: await tandem.call<SqlStats>("sql") };
}

export async function httpAuthGet(s: Settings) {
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAvg1mAtStart: round(os.loadavg()[0] ?? 0, 2),
  };

  say("starting bare Fastify and Tandem, each in a child process of its own");
  const bare = await startServerChild("bare-fastify.ts");
  let tandem: ServerChild | undefined;
  try {
    tandem = await startServerChild("tandem.ts", {
      env: {
        BENCH_TANDEM_LOG_LEVEL: s.tandemLogLevel,
        ...(s.databaseUrl ? { BENCH_DATABASE_URL: s.databaseUrl } : {}),
      },
      stdout: ["fatal", "error", "warn", "silent"].includes(s.tandemLogLevel) ? "stderr" : "discard",
    });
    const bareUrl = `http://127.0.0.1:${bare.port}/hello`;
    const base = `http://127.0.0.1:${tandem.port}`;
    const sessionUrl = `${base}${SESSION_PATH}`;
    const info = tandem.info as { email: string; password: string; apiToken: string; database: string };
    const cookieHeaders = { cookie: await signIn(base, info.email, info.password) };
    const bearerHeaders = { authorization: `Bearer ${info.apiToken}` };
    await expectOk(bareUrl, {}, "world");
    await expectOk(sessionUrl, cookieHeaders, info.email);
    await expectOk(sessionUrl, bearerHeaders, info.email);
    await expectOk(`${base}/healthz`, {}, "ok");

    const rounds: Round[] = [];
    for (let i = 1; i <= s.rounds; i++) {
      const tag = s.rounds > 1 ? ` (round ${i}/${s.rounds})` : "";
      const bareRun = await measure(`bare Fastify${tag}`, bare, bareUrl, s);
      const cookie = await measureWithSql(
        `Tandem, session cookie${tag}`,
        tandem,
        sessionUrl,
        s,
        cookieHeaders,
      );
      const token = await measureWithSql(`Tandem, API token${tag}`, tandem, sessionUrl, s, bearerHeaders);
      const healthz = await measure(`Tandem, /healthz (no auth, no SQL)${tag}`, tandem, `${base}/healthz`, s);
      rounds.push({
        bare: bareRun,
        cookie: cookie.run,
        cookieSql: cookie.sql,
        token: token.run,
        tokenSql: token.sql,
        healthz,
      });
    }

    /** Median over rounds of Tandem/bare, by requests/s and by server CPU per request. */
    const ratios = (pick: (r: Round) => Run) => ({
      ratioToBare: round(
        median(rounds.map((r) => pick(r).requestsPerSec / Math.max(r.bare.requestsPerSec, 1))),
      ),
      ratioByServerCpu: round(
        median(
          rounds.map((r) => r.bare.serverCpuMsPerRequest / Math.max(pick(r).serverCpuMsPerRequest, 1e-6)),
        ),
      ),
    });
    const cookieRatios = ratios((r) => r.cookie);
    const meetsTarget = cookieRatios.ratioToBare >= TARGET;
    const cookieRun = medianRun(rounds.map((r) => r.cookie));
    const tokenRun = medianRun(rounds.map((r) => r.token));
    const cookieSql = rounds.find((r) => r.cookie === cookieRun)?.cookieSql as SqlStats;
    const tokenSql = rounds.find((r) => r.token === tokenRun)?.tokenSql as SqlStats;

    let profile: (ProfileSummary & { requestsPerSecWhileProfiling: number }) | undefined;
    if (s.profile === "1" || (s.profile === "auto" && !meetsTarget)) {
      const secs = Math.min(s.durationSec, 5);
      say(`profiling Tandem (session cookie) for ${secs} s; these figures are not the measured ones`);
      await tandem.call("profile-start");
      const p = await drive(sessionUrl, {
        connections: s.connections,
        durationSec: secs,
        headers: cookieHeaders,
      });
      const summary = await tandem.call<ProfileSummary>("profile-stop");
      profile = { ...summary, requestsPerSecWhileProfiling: p.requestsPerSec };
    }

    return {
      benchmark: "http-auth-get",
      workload: workload(s, info.database),
      method: METHOD,
      machine,
      tandem: cookieRun,
      bareFastify: medianRun(rounds.map((r) => r.bare)),
      ratio: cookieRatios.ratioToBare,
      target: TARGET,
      meetsTarget,
      ratioByServerCpu: cookieRatios.ratioByServerCpu,
      otherScenarios: {
        tandemApiToken: { ...tokenRun, ...ratios((r) => r.token) },
        tandemHealthzNoAuth: { ...medianRun(rounds.map((r) => r.healthz)), ...ratios((r) => r.healthz) },
      },
      roundsRequestsPerSec:
        s.rounds > 1
          ? rounds.map((r) => ({
              bare: r.bare.requestsPerSec,
              tandem: r.cookie.requestsPerSec,
              apiToken: r.token.requestsPerSec,
              healthz: r.healthz.requestsPerSec,
            }))
          : undefined,
      perRequest: {
        sessionCookie: perRequest(cookieSql, cookieRun),
        apiToken: perRequest(tokenSql, tokenRun),
      },
      profile,
    };
  } finally {
    await tandem?.stop();
    await bare.stop();
  }
}

function workload(s: Settings, database: string) {
  return {
    request: `GET ${SESSION_PATH}: the caller's user, roles, permissions and CSRF token (a few hundred bytes of JSON)`,
    auth: "session cookie from a real sign-in over HTTP (GET /api/v1/auth/csrf, then POST /api/v1/auth/login)",
    baseline: 'bare Fastify (same version, no plugins, logger off): GET /hello answering {"hello":"world"}',
    connections: s.connections,
    durationSec: s.durationSec,
    warmupSec: s.warmupSec,
    rounds: s.rounds,
    pipelining: 1,
    tandem: {
      database,
      jobs: "on (pg-boss workers, schedules and maintenance running, as in production)",
      logLevel: s.tandemLogLevel,
      requestLogs:
        s.tandemLogLevel === "warn"
          ? "off: Fastify logs each request at info, below the warn level used here (production default is info)"
          : `level ${s.tandemLogLevel}; log lines go to /dev/null`,
      rateLimit:
        "TANDEM_RATE_LIMIT_PER_MINUTE=1000000000: the limiter still runs on every request but never answers 429",
      plugins: "as in production: helmet, cookie, rate limit, swagger, metrics, request ids, auth hook",
      sqlCounter: "the database handle is wrapped to count statements (two map look-ups per statement)",
    },
  };
}

const METHOD =
  "Each server runs in a child process of its own (node --import tsx, as `tandem serve` does); the load " +
  "generator (autocannon) runs in the parent, so it never shares an event loop with a server. On a 2-core " +
  "machine that leaves one core to the server under load and one to the load generator. Both servers are " +
  "started first and loaded one at a time (the idle one waits; idle Tandem's job workers poll a few times " +
  "per 10 s). Every measured run follows a discarded warm-up with the same connections. With several rounds, " +
  "bare and Tandem alternate, ratios are medians of per-round ratios and the run with the median requests/s " +
  "is shown. requestsPerSec is autocannon's mean of per-second samples. ratioByServerCpu = bare server's CPU " +
  "ms per request / Tandem's: the throughput ratio to expect when each server has a quiet core of its own, " +
  "and the steadier figure when other work shares the machine (see loadAvg1m*).";
