import { type Command, InvalidArgumentError } from "commander";
import {
  createSodRule,
  findEntitlementRef,
  listRequests,
  listSodRules,
  type RequestView,
  type SodRuleView,
} from "../modules/access/index.js";
import { AppError } from "../platform/http/index.js";
import { CliError, withDb } from "./context.js";

const CLI = { actorLabel: "cli", userAgent: "tandem-cli" };

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "-");

function requestLine(r: RequestView): string {
  const what = r.entitlementName ? `${r.systemName} / ${r.entitlementName}` : `${r.systemName} (account)`;
  const waiting =
    r.state === "pending" && r.currentStep
      ? (() => {
          const s = r.steps.find((x) => x.seq === r.currentStep);
          return s
            ? `  waiting for ${s.role === "security" ? "Security" : `${s.role} ${s.approverName ?? ""}`.trim()}`
            : "";
        })()
      : "";
  const until = r.endsAt ? `  until ${day(r.endsAt)}` : "";
  return `  ${r.id}  ${r.state.padEnd(9)}  ${day(r.createdAt)}  ${r.personName}: ${what}${until}${waiting}`;
}

function ruleLine(r: SodRuleView): string {
  const side = (s: SodRuleView["left"]) => `${s.systemName} / ${s.entitlementName}`;
  return `  ${r.id}  ${r.mode.padEnd(9)}  ${r.enabled ? "on " : "off"}  ${r.name}: ${side(r.left)}  ×  ${side(r.right)}`;
}

function parseMode(value: string): "block" | "exception" {
  if (value === "block" || value === "exception") return value;
  throw new InvalidArgumentError('the mode is "block" or "exception"');
}

/**
 * `tandem access-request list [--pending]` and `tandem sod list|add`: access requests and
 * separation-of-duties rules from the command line.
 */
export function requestCommands(program: Command) {
  program
    .command("access-request")
    .description("access requests people made, with their approval state")
    .command("list")
    .description("list access requests, newest first")
    .option("--pending", "only those waiting for a decision")
    .option("--limit <n>", "how many (at most 200)", (v) => Number.parseInt(v, 10), 50)
    .option("--json", "print the requests as JSON")
    .action(async (o: { pending?: boolean; limit: number; json?: boolean }) => {
      if (!Number.isInteger(o.limit) || o.limit < 1 || o.limit > 200)
        throw new CliError("--limit takes a number from 1 to 200");
      await withDb(async (db) => {
        const page = await listRequests(db, null, {
          state: o.pending ? "pending" : undefined,
          limit: o.limit,
        });
        if (o.json) return void process.stdout.write(`${JSON.stringify(page.items, null, 2)}\n`);
        if (!page.items.length)
          return void console.log(o.pending ? "no requests wait for a decision" : "no requests");
        console.log(page.items.map(requestLine).join("\n"));
      });
    });

  const sod = program.command("sod").description("separation-of-duties rules (toxic pairs of entitlements)");
  sod
    .command("list")
    .description("list the rules")
    .option("--json", "print the rules as JSON")
    .action(async (o: { json?: boolean }) => {
      await withDb(async (db) => {
        const rules = await listSodRules(db);
        if (o.json) return void process.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
        console.log(rules.length ? rules.map(ruleLine).join("\n") : "no rules");
      });
    });
  sod
    .command("add")
    .description("add a rule: nobody should hold LEFT and RIGHT together")
    .argument("<left>", "an entitlement id, or SYSTEM:ENTITLEMENT by name")
    .argument("<right>", "an entitlement id, or SYSTEM:ENTITLEMENT by name")
    .requiredOption("--name <name>", "the rule's name")
    .requiredOption("--description <text>", "why the pair is toxic")
    .option("--mode <mode>", "block (refused) or exception (needs a justification)", parseMode, "block")
    .action(
      async (
        left: string,
        right: string,
        o: { name: string; description: string; mode: "block" | "exception" },
      ) => {
        await withDb(async (db) => {
          const ids = await Promise.all(
            [left, right].map(async (ref) => {
              const id = await findEntitlementRef(db, ref);
              if (!id) throw new CliError(`no single entitlement matches ${ref}`);
              return id;
            }),
          );
          const id = await db
            .tx((q) =>
              createSodRule(q, CLI, {
                name: o.name,
                description: o.description,
                mode: o.mode,
                leftEntitlementId: ids[0] as string,
                rightEntitlementId: ids[1] as string,
                enabled: true,
              }),
            )
            .catch((e: unknown) => {
              if (e instanceof AppError) throw new CliError(e.message);
              throw e;
            });
          const rule = (await listSodRules(db)).find((r) => r.id === id);
          console.log(rule ? ruleLine(rule) : id);
        });
      },
    );
}
