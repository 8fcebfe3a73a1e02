import fs from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import { buildApp, type Tandem } from "../app.js";
import { type CampaignView, createReviewService, type ReviewService } from "../modules/access/index.js";
import { createLogger } from "../platform/log/index.js";
import { CliError, cliConfig } from "./context.js";

const CLI = { actorLabel: "cli", userAgent: "tandem-cli" };
/** The CLI reads as an access reader would: every campaign. */
const READER = { userId: "", personId: null, reader: true };

/** Runs a verb against the app (no job worker), with the review service. */
async function withReviews<T>(fn: (reviews: ReviewService, t: Tandem) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const level = process.env.TANDEM_LOG_LEVEL ? config.TANDEM_LOG_LEVEL : "warn";
  const t = await buildApp({ ...config, TANDEM_JOBS: false }, { log: createLogger(level, process.stderr) });
  try {
    const reviews = createReviewService({ db: t.db, jobs: t.jobs, access: t.access, config: t.config });
    return await fn(reviews, t);
  } catch (err) {
    const e = err as { status?: number; code?: string; message?: string };
    if (typeof e.status === "number" && e.code) throw new CliError(`${e.message} (${e.code})`);
    throw err;
  } finally {
    await t.close();
  }
}

function line(c: CampaignView): string {
  const p = c.progress;
  return [
    c.id,
    c.state.padEnd(6),
    c.scope.padEnd(12),
    `due ${c.dueAt.slice(0, 10)}`,
    `${p.decided}/${p.total} decided`.padEnd(16),
    p.overdue ? `${p.overdue} overdue ` : "",
    c.name,
  ]
    .filter(Boolean)
    .join("  ");
}

const format = (v: string): "csv" | "pdf" => {
  if (v !== "csv" && v !== "pdf") throw new InvalidArgumentError("csv or pdf");
  return v;
};

/** `tandem review list|start|close|export`: access review campaigns from the command line. */
export function reviewCommands(program: Command) {
  const review = program.command("review").description("access review campaigns (certification)");

  review
    .command("list")
    .description("list campaigns with their progress, newest first")
    .option("--state <state>", "only draft, active or closed campaigns")
    .option("--json", "print JSON")
    .action(async (o: { state?: string; json?: boolean }) => {
      if (o.state && !["draft", "active", "closed"].includes(o.state))
        throw new CliError("--state must be draft, active or closed", 64);
      await withReviews(async (reviews) => {
        const list = await reviews.list(READER, {
          state: o.state as CampaignView["state"] | undefined,
          limit: 200,
        });
        if (o.json) console.log(JSON.stringify(list, null, 2));
        else console.log(list.length ? list.map(line).join("\n") : "no access reviews yet");
      });
    });

  review
    .command("start")
    .description("start a campaign: the grants in scope become review items for their reviewers")
    .argument("<id>", "campaign id")
    .action(async (id: string) => {
      await withReviews(async (reviews) => {
        const made = await reviews.start(CLI, id);
        console.log(
          `${id}: started — ${made.items} items for ${made.people} people${made.flagged ? `, ${made.flagged} sent to the campaign owner (no reviewer)` : ""}`,
        );
      });
    });

  review
    .command("close")
    .description("close a campaign now: items nobody decided become not reviewed")
    .argument("<id>", "campaign id")
    .action(async (id: string) => {
      await withReviews(async (reviews) => {
        const p = await reviews.close(CLI, id, "manual");
        console.log(
          `${id}: closed — ${p.kept} kept, ${p.revoked} revoked, ${p.notReviewed} not reviewed (of ${p.total})`,
        );
      });
    });

  review
    .command("export")
    .description("write a campaign's evidence (every item, reviewer, decision, time, comment); audited")
    .argument("<id>", "campaign id")
    .option("--format <format>", "csv or pdf", format, "csv" as const)
    .option("--out <file>", "write to this file (a CSV goes to standard output without it)")
    .action(async (id: string, o: { format: "csv" | "pdf"; out?: string }) => {
      if (o.format === "pdf" && !o.out) throw new CliError("a PDF needs --out FILE", 64);
      await withReviews(async (reviews) => {
        const out = await reviews.exportAs(CLI, id, o.format, "cli");
        if (!o.out) {
          process.stdout.write(out.body);
          return;
        }
        fs.writeFileSync(o.out, out.body, { mode: 0o600 });
        console.error(`${id}: ${o.format.toUpperCase()} written to ${o.out}`);
      });
    });
}
