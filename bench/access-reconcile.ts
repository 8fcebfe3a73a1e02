import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildApp } from "../server/src/app.js";
import { createReconciler, type ReconcileRunView } from "../server/src/modules/access/index.js";
import { loadConfig } from "../server/src/platform/config/index.js";
import { createLogger } from "../server/src/platform/log/index.js";
import { intFromEnv, runAsScript } from "./util.js";

/**
 * Benchmark "access-reconcile": the findings computation of a reconciliation over N people
 * and S systems (N accounts each, so N × S accounts), on the embedded database in a
 * temporary directory. The actual state is written straight into the tables (as a read of
 * every system would leave it), so the figure is the comparison itself, not the systems'
 * speed: one run over every system, then the same run again (every finding already known).
 *
 * The seeded organisation: 20 job roles, each with a profile giving an account and two of
 * the 20 groups on every system; about 2 % pre-hires and 5 % leavers. Per system: 1 % of the
 * people have no account, 1 % of the accounts belong to nobody, a few carry one person's
 * employee number and another's email; 3 % of accounts hold a group beyond the role, 2 %
 * lack one of theirs, half the leavers' accounts are still enabled, and sign-ins are spread
 * within the last 25 days except for 5 % (over 100 days; the dormant threshold is 90).
 *
 *   BENCH_RECONCILE_PEOPLE   people (default 50000)
 *   BENCH_RECONCILE_SYSTEMS  systems (default 10)
 */

export interface ReconcileBenchSettings {
  people: number;
  systems: number;
}

const say = (msg: string) => process.stderr.write(`[bench access-reconcile] ${msg}\n`);

/** A stable number 0–99 from text (spreads the seeded cases without a random generator). */
const bucket = (expr: string) => `(abs(hashtext(${expr})) % 100)`;

async function seed(
  db: { query: (sql: string, params?: unknown[]) => Promise<unknown> },
  s: ReconcileBenchSettings,
) {
  await db.query(
    `INSERT INTO job_roles (id, title) SELECT 'role-' || r, 'Bench role ' || r FROM generate_series(0, 19) r`,
  );
  await db.query(
    `INSERT INTO people (id, employee_number, legal_name, work_email, employment_type, status, job_role_id)
     SELECT 'p' || k, 'E' || lpad(k::text, 7, '0'), 'Bench Person ' || k, 'person.' || k || '@bench.test', 'employee',
       CASE WHEN ${bucket("'s' || k")} < 2 THEN 'pre_hire' WHEN ${bucket("'s' || k")} < 7 THEN 'leaver' ELSE 'active' END,
       'role-' || (k % 20)
     FROM generate_series(1, $1::int) k`,
    [s.people],
  );
  await db.query(
    `INSERT INTO systems (id, name, connector_type, config)
     SELECT 'sys' || i, 'Bench system ' || i, 'manual', '{}' FROM generate_series(1, $1::int) i`,
    [s.systems],
  );
  await db.query(
    `INSERT INTO entitlements (id, system_id, external_id, name, kind)
     SELECT 'ent-' || i || '-' || g, 'sys' || i, 'cn=g' || g || ',ou=groups,o=sys' || i, 'g' || g, 'group'
     FROM generate_series(1, $1::int) i, generate_series(0, 19) g`,
    [s.systems],
  );
  await db.query(
    `INSERT INTO access_profiles (id, name, job_role_id) SELECT 'prof-' || r, 'Bench profile ' || r, 'role-' || r
     FROM generate_series(0, 19) r`,
  );
  await db.query(
    `INSERT INTO profile_entitlements (profile_id, system_id, entitlement_id)
     SELECT 'prof-' || r, 'sys' || i, x.ent FROM generate_series(0, 19) r, generate_series(1, $1::int) i,
       LATERAL (VALUES (NULL::text), ('ent-' || i || '-' || r), ('ent-' || i || '-' || ((r + 1) % 20))) x (ent)`,
    [s.systems],
  );
  for (let i = 1; i <= s.systems; i++) {
    say(`seeding the accounts of system ${i} of ${s.systems}`);
    // Accounts: 99 % of the people, linked; a few unlinked with nobody's identifiers (orphans),
    // and a few carrying one person's employee number and the next person's email (ambiguous).
    await db.query(
      `INSERT INTO accounts (id, system_id, external_id, person_id, username, email, employee_number, enabled,
         last_login_at)
       SELECT 'a' || $1 || '-' || k, 'sys' || $1, 'x' || k, CASE WHEN ${bucket("'u' || k || $1")} < 1 THEN NULL ELSE p.id END,
         'person.' || k,
         CASE WHEN ${bucket("'u' || k || $1")} < 1 THEN 'nobody.' || k || '@elsewhere.test'
              WHEN ${bucket("'m' || k || $1")} < 1 THEN 'person.' || (k + 1) || '@bench.test' ELSE p.work_email END,
         CASE WHEN ${bucket("'u' || k || $1")} < 1 THEN NULL ELSE p.employee_number END,
         CASE WHEN p.status = 'leaver' THEN ${bucket("'e' || k || $1")} < 50 ELSE p.status <> 'pre_hire' END,
         now() - make_interval(days => CASE WHEN ${bucket("'d' || k || $1")} < 5 THEN 100 + ${bucket("'l' || k || $1")}
                                        ELSE ${bucket("'l' || k || $1")} / 4 END)
       FROM people p, LATERAL (SELECT substr(p.id, 2)::int AS k) n
       WHERE ${bucket("'n' || k || $1")} >= 1`,
      [i],
    );
    // The ambiguous ones are unlinked (a person must decide).
    await db.query(
      `UPDATE accounts SET person_id = NULL WHERE system_id = 'sys' || $1::int AND email <> (
         SELECT work_email FROM people WHERE id = accounts.person_id)`,
      [i],
    );
    // Groups: the role's two, minus one for 2 %, plus an extra for 3 %.
    await db.query(
      `INSERT INTO account_entitlements (account_id, entitlement_ref)
       SELECT a.id, 'cn=g' || g || ',ou=groups,o=sys' || $1 FROM accounts a
       JOIN people p ON p.id = a.person_id
       CROSS JOIN LATERAL (SELECT substr(p.job_role_id, 6)::int AS r) role
       CROSS JOIN LATERAL (VALUES (role.r), ((role.r + 1) % 20), ((role.r + 7) % 20)) x (g)
       WHERE a.system_id = 'sys' || $1::int
         AND (x.g <> role.r OR ${bucket("a.id || 'miss'")} >= 2)
         AND (x.g <> (role.r + 7) % 20 OR ${bucket("a.id || 'extra'")} < 3)`,
      [i],
    );
    await db.query(
      `INSERT INTO account_entitlements (account_id, entitlement_ref)
       SELECT a.id, 'cn=g3,ou=groups,o=sys' || $1 FROM accounts a WHERE a.system_id = 'sys' || $1::int
         AND a.person_id IS NULL`,
      [i],
    );
  }
  await db.query("ANALYZE");
}

function summarise(run: ReconcileRunView) {
  const byKind: Record<string, number> = {};
  let opened = 0;
  let resolved = 0;
  for (const s of run.systems) {
    for (const [k, v] of Object.entries(s.byKind)) byKind[k] = (byKind[k] ?? 0) + v;
    opened += s.opened ?? 0;
    resolved += s.resolved ?? 0;
  }
  const total = Object.values(byKind).reduce((a, b) => a + b, 0);
  return {
    findings: total,
    opened,
    resolved,
    byKind,
    failedSystems: run.systems.filter((s) => s.state === "failed").length,
  };
}

export async function reconcileBench(s: ReconcileBenchSettings) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-reconcile-"));
  const config = loadConfig({
    TANDEM_DATA_DIR: path.join(dir, "data"),
    TANDEM_LOG_LEVEL: "warn",
    TANDEM_JOBS: "false",
    TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
    TANDEM_ACCESS_RECONCILE_CRON: "off",
  });
  const t = await buildApp(config, { log: createLogger("warn", process.stderr), env: {} });
  try {
    const seeded = performance.now();
    say(`seeding ${s.people} people and ${s.systems} systems`);
    await seed(t.db, s);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const counts = await t.db.query<{ accounts: number; grants: number }>(
      `SELECT (SELECT count(*)::int FROM accounts) AS accounts, (SELECT count(*)::int FROM account_entitlements) AS grants`,
    );
    const { accounts, grants } = counts.rows[0] ?? { accounts: 0, grants: 0 };
    say(`seeded ${accounts} accounts with ${grants} group memberships in ${seedSeconds.toFixed(1)} s`);
    const reconciler = createReconciler({ ...t, access: t.access });
    const ctx = { actorLabel: "bench", userAgent: "bench" };
    const step = async (label: string) => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const run = await reconciler.runInline(ctx, { trigger: "cli", read: false });
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      say(`${label}: ${seconds.toFixed(1)} s`);
      return {
        seconds: Math.round(seconds * 100) / 100,
        accountsPerSec: Math.round(accounts / seconds),
        cpuSeconds: Math.round((used.user + used.system) / 1e4) / 100,
        state: run.state,
        perSystemSeconds: run.systems.map((x) =>
          x.startedAt && x.finishedAt
            ? Math.round((Date.parse(x.finishedAt) - Date.parse(x.startedAt)) / 10) / 100
            : null,
        ),
        ...summarise(run),
      };
    };
    const first = await step("first run");
    const again = await step("identical re-run");
    return {
      benchmark: "access-reconcile",
      database: "PGlite, file-backed (temporary directory)",
      people: s.people,
      systems: s.systems,
      accounts,
      groupMemberships: grants,
      cpus: os.cpus().length,
      seedSeconds: Math.round(seedSeconds * 10) / 10,
      firstRun: first,
      reRun: again,
      target: { seconds: 60, for: "50000 people × 10 systems" },
      meetsTarget: first.seconds < 60,
    };
  } finally {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function settingsFromEnv(): ReconcileBenchSettings {
  return {
    people: intFromEnv("BENCH_RECONCILE_PEOPLE", 50_000, 10),
    systems: intFromEnv("BENCH_RECONCILE_SYSTEMS", 10, 1),
  };
}

await runAsScript(import.meta.url, () => reconcileBench(settingsFromEnv()));
