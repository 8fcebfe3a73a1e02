import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { buildApp } from "../app.js";
import { AppError } from "../platform/http/index.js";
import { createLogger } from "../platform/log/index.js";
import { CliError, cliConfig } from "./context.js";

const CLI = { actorLabel: "cli", userAgent: "tandem-cli" };

/** `tandem rewards export`: a review period for performance evaluations, as CSV or JSON (audited). */
export function rewardsCommands(program: Command) {
  const rewards = program
    .command("rewards")
    .description("security points and objectives for performance reviews");
  rewards
    .command("export")
    .description(
      "one row per person: points in the period and each objective met or not, with value and target",
    )
    .requiredOption(
      "--period <period>",
      "review period: a year (2026), a half (2026-H2) or a quarter (2026-Q3)",
    )
    .option("--format <format>", "csv or json", "csv")
    .option("--out <file>", "write to this file instead of standard output")
    .action(async (o: { period: string; format: string; out?: string }) => {
      if (!/^\d{4}(-(H[12]|Q[1-4]))?$/.test(o.period))
        throw new CliError(`--period: "${o.period}" is not a review period (use 2026, 2026-H2 or 2026-Q3)`);
      if (o.format !== "csv" && o.format !== "json")
        throw new CliError(`--format: "${o.format}" is not csv or json`);
      if (o.out && !fs.existsSync(path.dirname(path.resolve(o.out))))
        throw new CliError(`--out: the folder of ${o.out} does not exist`);
      const config = cliConfig();
      const t = await buildApp({ ...config, TANDEM_JOBS: false }, { log: createLogger("warn") });
      try {
        const text = await t.awareness.rewards.exportPeriod(CLI, o.period, o.format, "cli").catch((e) => {
          if (e instanceof AppError) throw new CliError(`--${e.errors?.[0]?.path ?? "period"}: ${e.message}`);
          throw e;
        });
        if (o.out) {
          fs.writeFileSync(o.out, text, { mode: 0o600 });
          console.error(`Wrote the ${o.period} export to ${o.out}.`);
        } else process.stdout.write(text);
      } finally {
        await t.close();
      }
    });
}
