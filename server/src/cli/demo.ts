import { type Command, InvalidArgumentError } from "commander";
import { buildApp } from "../app.js";
import { type AccessDemoResult, seedAccessDemo } from "../modules/access/index.js";
import { seedAwarenessDemo } from "../modules/awareness/index.js";
import { seedIncidentsDemo } from "../modules/incidents/index.js";
import { type DemoResult, seedPeopleDemo } from "../modules/people/index.js";
import { seedReportsDemo } from "../modules/reports/index.js";
import { ensureFirstAdmin, FIRST_ADMIN_EMAIL } from "../platform/auth/index.js";
import { AppError } from "../platform/http/index.js";
import { createLogger } from "../platform/log/index.js";
import { CliError, cliConfig } from "./context.js";

const CLI = { actorLabel: "cli", userAgent: "tandem-cli" };
const LINK_HOURS = 72;

function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1)
    throw new InvalidArgumentError(`"${value}" is not a whole number between 0 and 4294967295`);
  return n;
}

function summary(r: DemoResult): string {
  const s = r.counts.byStatus;
  const risky = r.ids.people.find((p) => p.lifecycle === "high_risk_leaver");
  return [
    `Seeded ${r.counts.people} people in ${r.counts.departments} departments (${r.counts.jobRoles} job roles, ${r.counts.locations} locations) in ${r.seconds} s:`,
    `  ${s.active ?? 0} active, ${s.pre_hire ?? 0} pre-hire, ${s.notice ?? 0} on notice, ${s.leave ?? 0} on leave, ${s.leaver ?? 0} leavers, ${s.alumni ?? 0} alumni`,
    `  ${r.counts.agreements} agreements, ${r.counts.backgroundChecks} background checks, ${r.counts.scheduledEvents} scheduled events (applied by \`tandem serve\` when due)`,
    ...(risky
      ? [`  High-risk leaver: ${risky.name} (${risky.jobRole}), terminated for cause in 2 days`]
      : []),
  ].join("\n");
}

function table(rows: [string, string, string, string][]): string {
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join("  ")}`).join("\n");
}

/**
 * The access part needs the demo SCIM application, which Tandem itself serves: Tandem
 * listens on its configured address while it runs (no server can be running: the embedded
 * database is this process's).
 */
async function seedAccess(
  t: Awaited<ReturnType<typeof buildApp>>,
  config: ReturnType<typeof cliConfig>,
  r: DemoResult,
): Promise<AccessDemoResult> {
  try {
    await t.app.listen({ host: config.TANDEM_HOST, port: config.TANDEM_PORT });
  } catch (e) {
    throw new CliError(
      `The access demo needs ${config.TANDEM_HOST}:${config.TANDEM_PORT} free for a moment (the demo app is served there): ${(e as Error).message}`,
    );
  }
  const admin = await t.db.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [
    FIRST_ADMIN_EMAIL,
  ]);
  return seedAccessDemo({ app: t.app, db: t.db, access: t.access, publicUrl: config.publicUrl }, r.ids, {
    ctx: CLI,
    adminUserId: admin.rows[0]!.id,
    onProgress: (msg) => console.log(msg),
  });
}

function accessSummary(a: AccessDemoResult): string {
  if (a.alreadySeeded) return "The demo systems are already there; nothing was added.";
  return [
    `Added ${a.systems.length} systems (${a.systems.join(", ")}) and ${a.profiles} access profiles; the server provisions everyone when it starts.`,
    ...(a.leaver
      ? [
          `  Finished leaver: ${a.leaver.name} (${a.leaver.employeeNumber}), revoked everywhere and verified${a.leaver.certificateId ? `; certificate ${a.leaver.certificateId}` : ""}`,
        ]
      : []),
  ].join("\n");
}

/** `tandem demo`: a realistic organisation to explore Tandem with, and sign-in links for each role. */
export function demoCommands(program: Command) {
  program
    .command("demo")
    .description("fill Tandem with a demo organisation (250 people) and print sign-in links for each role")
    .option("--seed <number>", "seed of the generator: the same seed gives the same organisation", parseSeed)
    .action(async (o: { seed?: number }) => {
      const config = cliConfig();
      const level = process.env.TANDEM_LOG_LEVEL ? config.TANDEM_LOG_LEVEL : "warn";
      // The People service needs the job queue (to schedule effective-dated events) but this
      // process works on no jobs: the server does, when it runs.
      const t = await buildApp({ ...config, TANDEM_JOBS: false }, { log: createLogger(level) });
      try {
        const adminLink = await ensureFirstAdmin(t.db, t.auth);
        const r = await seedPeopleDemo(
          {
            db: t.db,
            people: t.people,
            envelope: t.envelope,
            auth: t.auth,
            checksRetentionDays: config.TANDEM_CHECKS_RETENTION_DAYS,
          },
          {
            seed: o.seed,
            ctx: CLI,
            setupLinkHours: LINK_HOURS,
            onProgress: (done, total) =>
              console.log(
                done === 0
                  ? `Seeding the demo organisation (${total} people) through the People service …`
                  : `  ${done}/${total} people`,
              ),
          },
        );
        console.log(
          r.alreadySeeded
            ? `The demo organisation is already seeded (${r.counts.people} people); nothing was added.`
            : summary(r),
        );
        if (!r.alreadySeeded) console.log(accessSummary(await seedAccess(t, config, r)));
        const rep = await seedReportsDemo(t, { ctx: CLI });
        if (!rep.alreadySeeded)
          console.log(
            `Added ${rep.reports} sample reports and ${rep.questions} Ask Security questions; follow-up code of the anonymous one: ${rep.followUpCode}`,
          );
        const inc = await seedIncidentsDemo(t, { ctx: CLI, reportIds: rep.phishingReportIds });
        if (!inc.alreadySeeded)
          console.log(
            `Added incident ${inc.openIncident} (open, regulatory clocks running), ${inc.closedIncident} (closed with its post-mortem) and HR case ${inc.hrCase}`,
          );
        const aw = await seedAwarenessDemo(t, { ctx: CLI });
        if (!aw.alreadySeeded)
          console.log(
            `Added awareness work: ${aw.acknowledged} policy acknowledgements, ${aw.passed} passed quizzes with certificates, ${aw.overdue} overdue items (escalated)\n` +
              `  ${aw.phishingCampaigns} finished phishing simulations with results; ${aw.rewards.entries} points entries, ${aw.rewards.optedIn} people named on leaderboards, ${aw.rewards.objectives} objectives this period`,
          );
        const rows: [string, string, string, string][] = [["role", "name", "email", "setup link"]];
        if (adminLink) rows.push(["admin", "Administrator", FIRST_ADMIN_EMAIL, adminLink]);
        for (const s of r.signIns)
          rows.push([s.role, s.name, s.email, s.setupUrl ?? "(password already set)"]);
        console.log(
          `\nDemo sign-ins (one-time links, valid ${LINK_HOURS} hours; run \`tandem demo\` again for fresh ones):\n${table(rows)}\n` +
            "\nOpen a link while Tandem runs (`tandem serve`, or `npm start`) to explore it in that role.\n",
        );
      } catch (e) {
        if (e instanceof AppError && e.code === "demo.not_empty") throw new CliError(e.message);
        throw e;
      } finally {
        await t.close();
      }
    });
}
