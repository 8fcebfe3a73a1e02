import type { Command } from "commander";
import { buildApp } from "../app.js";
import {
  CAMPAIGN_STATUSES,
  type CampaignStatus,
  cancelCampaign,
  getCampaign,
  listCampaigns,
  scheduleCampaign,
} from "../modules/awareness/phishing/campaigns.js";
import { kickSender } from "../modules/awareness/phishing/sender.js";
import { listTemplates } from "../modules/awareness/phishing/templates.js";
import { AppError } from "../platform/http/index.js";
import { createLogger } from "../platform/log/index.js";
import { CliError, cliConfig, withDb } from "./context.js";

const CLI = { actorLabel: "cli", userAgent: "tandem-cli" };

function columns(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** A campaign id the database knows, or a CliError naming the argument. */
function campaignError(e: unknown, id: string): never {
  if (e instanceof AppError && e.code === "awareness.phishing.campaign_not_found")
    throw new CliError(`ID: no phishing campaign "${id}" (see \`tandem phishing campaigns\`)`);
  if (e instanceof AppError)
    throw new CliError(
      `${e.message}${e.errors?.length ? `: ${e.errors.map((x) => `${x.path} ${x.message}`).join("; ")}` : ""}`,
    );
  throw e;
}

/** `tandem phishing …`: phishing simulation templates and campaigns from the command line. */
export function phishingCommands(program: Command) {
  const phishing = program.command("phishing").description("phishing simulation: templates and campaigns");

  phishing
    .command("templates")
    .description("list the phishing templates (archived ones with --all)")
    .option("--all", "include archived templates")
    .action(async (o: { all?: boolean }) => {
      await withDb(async (db) => {
        const r = await listTemplates(db, { includeArchived: !!o.all, limit: 200, offset: 0 });
        if (!r.items.length)
          return console.log("No phishing templates yet (`tandem awareness seed` adds the starter ones).");
        console.log(
          columns([
            ["ID", "NAME", "LURE", "DIFFICULTY", "CAMPAIGNS", "ARCHIVED"],
            ...r.items.map((t) => [
              t.id,
              t.name,
              t.lure,
              t.difficulty,
              String(t.campaigns),
              t.archived ? "yes" : "",
            ]),
          ]),
        );
      });
    });

  phishing
    .command("campaigns")
    .description("list the phishing campaigns, newest window first")
    .option("--status <status>", `only campaigns in this state (${CAMPAIGN_STATUSES.join(", ")})`)
    .action(async (o: { status?: string }) => {
      if (o.status && !CAMPAIGN_STATUSES.includes(o.status as CampaignStatus))
        throw new CliError(`--status must be one of ${CAMPAIGN_STATUSES.join(", ")}; got "${o.status}"`, 2);
      await withDb(async (db) => {
        const r = await listCampaigns(db, {
          status: o.status as CampaignStatus | undefined,
          limit: 500,
          offset: 0,
        });
        if (!r.items.length) return console.log("No phishing campaigns.");
        console.log(
          columns([
            ["ID", "NAME", "STATUS", "WINDOW", "RECIPIENTS", "SENT"],
            ...r.items.map((c) => [
              c.id,
              c.name,
              c.status,
              `${c.windowStart.slice(0, 16)} – ${c.windowEnd.slice(0, 16)}`,
              String(c.counts.recipients),
              String(c.counts.sent),
            ]),
          ]),
        );
      });
    });

  phishing
    .command("status")
    .description("a campaign's state and its recipients by sending state and stage")
    .argument("<ID>", "the campaign's id")
    .action(async (id: string) => {
      await withDb(async (db) => {
        const c = await getCampaign(db, id).catch((e) => campaignError(e, id));
        console.log(`${c.name} (${c.id}): ${c.status}, window ${c.windowStart} – ${c.windowEnd}`);
        console.log(columns(Object.entries(c.counts).map(([k, v]) => [k, String(v)])));
      });
    });

  phishing
    .command("schedule")
    .description("schedule a draft campaign: its audience becomes recipients spread over the window")
    .argument("<ID>", "the campaign's id")
    .action(async (id: string) => {
      const config = cliConfig();
      const t = await buildApp({ ...config, TANDEM_JOBS: false }, { log: createLogger("warn") });
      try {
        const r = await t.db
          .tx(async (q) => {
            const s = await scheduleCampaign(q, CLI, id);
            if (s.firstSendAt) await kickSender(t.jobs, q, s.firstSendAt);
            return s;
          })
          .catch((e) => campaignError(e, id));
        console.log(`Scheduled ${r.scheduled} recipients.`);
        if (r.skipped.length) {
          console.log(`Skipped ${r.skipped.length} without a usable work e-mail:`);
          console.log(columns(r.skipped.map((s) => [s.personId, s.name, s.email || "(none)", s.reason])));
        }
      } finally {
        await t.close();
      }
    });

  phishing
    .command("cancel")
    .description("cancel a campaign: recipients not yet sent to are dropped")
    .argument("<ID>", "the campaign's id")
    .action(async (id: string) => {
      await withDb(async (db) => {
        const dropped = await db.tx((q) => cancelCampaign(q, CLI, id)).catch((e) => campaignError(e, id));
        console.log(`Cancelled; ${dropped} recipients not yet sent to were dropped.`);
      });
    });
}
