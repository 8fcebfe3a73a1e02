import type { Command } from "commander";
import { buildApp } from "../app.js";
import type { PlanView } from "../modules/access/index.js";
import { findPersonBy } from "../modules/people/index.js";
import { createLogger } from "../platform/log/index.js";
import { CliError, cliConfig } from "./context.js";

const CLI = { actorLabel: "cli", userAgent: "tandem-cli" };

const WORDS: Record<string, string> = {
  create: "create account",
  enable: "enable account",
  disable: "disable account",
  delete: "delete account",
  grant: "grant",
  revoke: "revoke",
  revoke_sessions: "end sessions",
  manual_task: "task for a person",
};

function describe(plan: Pick<PlanView, "steps" | "notes">): string[] {
  const lines: string[] = [];
  const width = Math.max(8, ...plan.steps.map((s) => (s.systemName ?? "").length));
  for (const s of plan.steps) {
    const what =
      s.action === "manual_task"
        ? (s.title ?? "")
        : (s.entitlementName ?? s.entitlementRef ?? s.username ?? "");
    const state = s.state === "pending" ? "" : `  [${s.state}${s.error ? `: ${s.error}` : ""}]`;
    lines.push(
      `  ${(s.systemName ?? "devices").padEnd(width)}  ${(WORDS[s.action] ?? s.action).padEnd(17)}  ${what}${state}`,
    );
  }
  if (!plan.steps.length) lines.push("  nothing to change");
  for (const n of plan.notes) lines.push(`  note: ${n}`);
  return lines;
}

/** `tandem offboard PERSON`: a leaver's plan, previewed (--dry-run) or carried out now. */
export function accessCommands(program: Command) {
  program
    .command("offboard")
    .description(
      "revoke all of a person's access now on every system (like Security's revoke-now), or only show what that would do",
    )
    .argument("<person>", "employee number or work email")
    .option("--dry-run", "only show the plan; change nothing")
    .option("--reason <text>", "why (recorded in the audit log)")
    .option("--json", "print the plan as JSON")
    .action(async (who: string, o: { dryRun?: boolean; reason?: string; json?: boolean }) => {
      const config = cliConfig();
      const level = process.env.TANDEM_LOG_LEVEL ? config.TANDEM_LOG_LEVEL : "warn";
      const t = await buildApp(
        { ...config, TANDEM_JOBS: false },
        { log: createLogger(level, process.stderr) },
      );
      try {
        const row = who.includes("@")
          ? await findPersonBy(t.db, { workEmail: who })
          : await findPersonBy(t.db, { employeeNumber: who });
        if (!row) throw new CliError(`no person with employee number or email ${who}`);
        const name = `${row.preferred_name || row.legal_name} (${row.employee_number}, ${row.status})`;
        if (o.dryRun) {
          const plan = await t.access.preview(row.id, { leaver: true });
          if (o.json) console.log(JSON.stringify(plan, null, 2));
          else console.log([`${name}: leaver plan — dry run, nothing changed`, ...describe(plan)].join("\n"));
          return;
        }
        const made = await t.access.revokeNow(CLI, row.id, o.reason ?? null);
        const plan = await t.access.getPlan(made.planId);
        await t.access.runners.drain(
          new Set(plan.steps.map((s) => s.systemId).filter((s): s is string => !!s)),
        );
        const after = await t.access.getPlan(made.planId);
        if (o.json) console.log(JSON.stringify(after, null, 2));
        else
          console.log(
            [`${name}: access revoked now (plan ${after.id}, ${after.state})`, ...describe(after)].join("\n"),
          );
        const failed = after.steps.filter((s) => s.state === "failed").length;
        if (failed) throw new CliError(`${failed} step(s) failed; see the leaver page or retry them`, 2);
      } finally {
        await t.close();
      }
    });
}
