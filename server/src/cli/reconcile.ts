import { type Command, InvalidArgumentError } from "commander";
import { buildApp, type Tandem } from "../app.js";
import { createReconciler, type FindingView, type Reconciler } from "../modules/access/index.js";
import { findPerson } from "../modules/people/index.js";
import { createLogger } from "../platform/log/index.js";
import { CliError, cliConfig } from "./context.js";

const CLI = { actorLabel: "cli", userAgent: "tandem-cli" };

const KINDS = [
  "orphan",
  "leaver_access",
  "beyond_role",
  "missing_birthright",
  "dormant",
  "ambiguous_match",
  "possible_rehire",
] as const;

function kindOption(value: string): FindingView["kind"] {
  if (!(KINDS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${KINDS.join(", ")}`);
  return value as FindingView["kind"];
}

function limitOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError("must be 1 to 10000");
  return n;
}

/** Builds the app without background workers, runs `fn` with a reconciler, closes. */
async function withReconciler<T>(fn: (r: Reconciler, t: Tandem) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const level = process.env.TANDEM_LOG_LEVEL ? config.TANDEM_LOG_LEVEL : "warn";
  const t = await buildApp({ ...config, TANDEM_JOBS: false }, { log: createLogger(level, process.stderr) });
  try {
    return await fn(createReconciler({ ...t, access: t.access }), t);
  } finally {
    await t.close();
  }
}

async function systemIdsOf(r: Reconciler, names: string[] | undefined): Promise<string[] | undefined> {
  if (!names?.length) return undefined;
  const { found, unknown } = await r.systemsNamed(names);
  if (unknown.length) throw new CliError(`no system named ${unknown.join(", ")}`);
  return found.map((s) => s.id);
}

const pad = (s: string | number | null | undefined, n: number) => String(s ?? "").padEnd(n);

/** `tandem reconcile`, `tandem findings`: reconciliation from the command line. */
export function reconcileCommands(program: Command) {
  program
    .command("reconcile")
    .description(
      "read every enabled system (or the ones named), compare it with HR and the desired state, and record findings",
    )
    .option("--system <name...>", "only these systems (name or id); repeatable")
    .option("--json", "print the run as JSON")
    .action(async (o: { system?: string[]; json?: boolean }) => {
      await withReconciler(async (r) => {
        const systemIds = await systemIdsOf(r, o.system);
        const run = await r.runInline(CLI, { systemIds, trigger: "cli" });
        const open = await r.openByKind(run.systems.map((s) => s.systemId));
        if (o.json) {
          console.log(JSON.stringify({ run, openFindingsByKind: open }, null, 2));
        } else {
          const width = Math.max(8, ...run.systems.map((s) => s.systemName.length));
          const lines = [`reconciliation ${run.id}: ${run.state}`];
          for (const s of run.systems) {
            lines.push(
              s.state === "failed"
                ? `  ${pad(s.systemName, width)}  failed  ${s.error ?? ""}`
                : `  ${pad(s.systemName, width)}  ${pad(s.state, 6)}  ${pad(s.accounts, 6)} accounts  ${s.observed ?? 0} findings (${s.opened ?? 0} new, ${s.resolved ?? 0} resolved, ${s.reopened ?? 0} reopened)`,
            );
          }
          if (!run.systems.length) lines.push("  no enabled systems");
          lines.push("open findings by kind:");
          for (const k of KINDS) if (open[k]) lines.push(`  ${pad(k, 20)}  ${open[k]}`);
          if (!Object.keys(open).length) lines.push("  none");
          console.log(lines.join("\n"));
        }
        const failed = run.systems.filter((s) => s.state === "failed").length;
        if (failed)
          throw new CliError(
            `${failed} system(s) could not be read; their findings were left as they were`,
            2,
          );
      });
    });

  program
    .command("findings")
    .description("list open reconciliation findings")
    .option("--kind <kind>", `only this kind (${KINDS.join(", ")})`, kindOption)
    .option("--system <name>", "only this system (name or id)")
    .option("--limit <n>", "at most this many (default 200)", limitOption, 200)
    .option("--json", "print the findings as JSON")
    .action(async (o: { kind?: FindingView["kind"]; system?: string; limit: number; json?: boolean }) => {
      await withReconciler(async (r, t) => {
        const systemId = (await systemIdsOf(r, o.system ? [o.system] : undefined))?.[0];
        const items: FindingView[] = [];
        let cursor: string | undefined;
        while (items.length < o.limit) {
          const page = await r.findings({
            kind: o.kind,
            systemId,
            state: "open",
            limit: Math.min(200, o.limit - items.length),
            cursor,
          });
          items.push(...page.items);
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        if (o.json) {
          console.log(JSON.stringify(items, null, 2));
          return;
        }
        if (!items.length) {
          console.log("no open findings");
          return;
        }
        const people = new Map<string, string>();
        for (const f of items) {
          if (!f.personId || people.has(f.personId)) continue;
          const p = await findPerson(t.db, f.personId);
          people.set(f.personId, p ? `${p.employee_number} (${p.status})` : f.personId);
        }
        const sys = Math.max(6, ...items.map((f) => f.systemName.length));
        for (const f of items) {
          const who = f.personId ? (people.get(f.personId) ?? f.personId) : "-";
          const what = f.entitlementRef ?? (f.kind === "missing_birthright" ? "account" : "");
          console.log(
            `${pad(f.id, 26)}  ${pad(f.kind, 18)}  ${pad(f.systemName, sys)}  ${pad(f.username ?? "-", 20)}  ${pad(who, 22)}  ${what}`,
          );
        }
      });
    });
}
