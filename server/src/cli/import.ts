import fs from "node:fs";
import path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { buildApp } from "../app.js";
import { type ImportResult, importPeople, isField, normalizeHeader } from "../modules/people/index.js";
import { createLogger } from "../platform/log/index.js";
import { CliError, cliConfig } from "./context.js";

const CLI = { actorLabel: "cli", userAgent: "tandem-cli" };

/** `--map "Personnel no=employee_number,Mail=work_email"` → { "personnel_no": "employee_number", … } */
export function parseMap(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const out = { ...previous };
  for (const pair of value.split(",")) {
    if (!pair.trim()) continue;
    const at = pair.lastIndexOf("=");
    const header = pair.slice(0, at).trim();
    const field = pair.slice(at + 1).trim();
    if (at < 1 || !header) throw new InvalidArgumentError(`"${pair}" is not header=field`);
    if (!isField(field)) throw new InvalidArgumentError(`"${field}" is not a field of the people CSV`);
    out[normalizeHeader(header)] = field;
  }
  return out;
}

function summary(r: ImportResult, dryRun: boolean): string {
  const c = r.counts;
  const verb = dryRun ? "would" : r.applied ? "did" : "would";
  const lines = [
    `${r.run.fileName ?? "file"}: ${c.rows} rows — ${dryRun ? "dry run, nothing changed" : r.applied ? "applied" : "NOT applied, nothing changed"}`,
    `  creates       ${c.creates}`,
    `  updates       ${c.updates}`,
    `  moves         ${c.moves}`,
    `  terminations  ${c.terminations}`,
    `  unchanged     ${c.unchanged}`,
    `  skipped       ${c.skipped}`,
    `  errors        ${c.errors}`,
  ];
  const org = r.orgCreates;
  const made = [
    ...org.departments.map((d) => `department ${d}`),
    ...org.jobRoles.map((j) => `job role ${j.title}${j.department ? ` (${j.department})` : ""}`),
    ...org.locations.map((l) => `location ${l}`),
  ];
  if (made.length) lines.push(`  it ${verb} create: ${made.join(", ")}`);
  if (r.ignoredColumns.length) lines.push(`  ignored columns: ${r.ignoredColumns.join(", ")}`);
  for (const e of r.errors) lines.push(`line ${e.line}, field ${e.field ?? "-"}: ${e.message}`);
  if (r.errorsTruncated) lines.push(`… and ${c.errors - r.errors.length} more errors`);
  if (!dryRun && !r.applied && r.run.state === "failed" && c.errors === 0)
    lines.push(
      "Applying stopped part-way; rows before that line were applied. Run the same file again to finish.",
    );
  return lines.join("\n");
}

/** `tandem import people FILE.csv`: the CSV import from the command line, same rules as the API. */
export function importCommands(program: Command) {
  const imp = program.command("import").description("import data from files");
  imp
    .command("people")
    .description(
      "import people from a CSV file: checked in full first, a file with any error changes nothing; importing the same file again changes nothing",
    )
    .argument("<file>", "the CSV file (UTF-8)")
    .option("--dry-run", "only show what would change")
    .option("--map <pairs>", 'column mapping, e.g. "Personnel no=employee_number,Mail=work_email"', parseMap)
    .option("--create-missing-org", "create the departments, job roles and locations the file names")
    .option("--json", "print the result as JSON")
    .action(
      async (
        file: string,
        o: { dryRun?: boolean; map?: Record<string, string>; createMissingOrg?: boolean; json?: boolean },
      ) => {
        if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new CliError(`no such file: ${file}`);
        const config = cliConfig();
        const level = process.env.TANDEM_LOG_LEVEL ? config.TANDEM_LOG_LEVEL : "warn";
        const t = await buildApp(
          { ...config, TANDEM_JOBS: false },
          { log: createLogger(level, process.stderr) },
        );
        let r: ImportResult;
        try {
          r = await importPeople(
            { db: t.db, people: t.people, events: t.events, jobs: t.jobs },
            CLI,
            () => fs.createReadStream(file),
            {
              dryRun: !!o.dryRun,
              mapping: o.map as Parameters<typeof importPeople>[3]["mapping"],
              createMissingOrg: !!o.createMissingOrg,
              fileName: path.basename(file),
              maxItems: o.json ? 500 : 0,
              maxErrors: 1000,
              onProgress: (phase, rows) => process.stderr.write(`${phase} ${rows} rows\n`),
            },
          );
        } finally {
          await t.close();
        }
        if (o.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else process.stdout.write(`${summary(r, !!o.dryRun)}\n`);
        if (r.counts.errors > 0 || (!o.dryRun && !r.applied)) process.exitCode = 1;
      },
    );
}
