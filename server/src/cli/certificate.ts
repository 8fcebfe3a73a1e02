import fs from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import {
  certificatePdf,
  latestCertificate,
  recordDownload,
  toCertificateView,
} from "../modules/access/index.js";
import { findPersonBy } from "../modules/people/index.js";
import { CliError, withDb } from "./context.js";

const CLI = { actorLabel: "cli", userAgent: "tandem-cli" };

function parseFormat(value: string): "json" | "pdf" {
  if (value === "json" || value === "pdf") return value;
  throw new InvalidArgumentError(`"${value}" is not a format (json or pdf)`);
}

/**
 * `tandem certificate PERSON`: a leaver's latest revocation certificate, as JSON (with its
 * digest, audit entry and whether the two still agree) or as a PDF. The export is audited;
 * a certificate that no longer matches the audit chain is still written, with exit code 2.
 */
export function certificateCommands(program: Command) {
  program
    .command("certificate")
    .description(
      "write a leaver's latest revocation certificate (JSON or PDF), checked against the audit chain",
    )
    .argument("<person>", "employee number or work email")
    .option("--format <format>", "json or pdf", parseFormat, "json" as const)
    .option("--out <file>", "file to write (default: standard output)")
    .action(async (who: string, o: { format: "json" | "pdf"; out?: string }) => {
      if (o.format === "pdf" && !o.out && process.stdout.isTTY)
        throw new CliError("a PDF is not written to a terminal: add --out FILE (or redirect the output)");
      await withDb(async (db) => {
        const person = who.includes("@")
          ? await findPersonBy(db, { workEmail: who })
          : await findPersonBy(db, { employeeNumber: who });
        if (!person) throw new CliError(`no person with employee number or email ${who}`);
        const row = await latestCertificate(db, person.id);
        if (!row)
          throw new CliError(
            `no revocation certificate for ${person.legal_name} (${person.employee_number}): ` +
              "one is issued when their leaver plan is done",
            3,
          );
        const view = await toCertificateView(db, row);
        const out =
          o.format === "pdf"
            ? await certificatePdf(view, { by: "tandem cli", at: new Date() })
            : `${JSON.stringify(view, null, 2)}\n`;
        await db.tx((q) => recordDownload(q, CLI, row, o.format));
        if (o.out) {
          fs.writeFileSync(o.out, out, { mode: 0o600 });
          console.error(`wrote certificate ${view.id} (${o.format}) to ${o.out}`);
        } else process.stdout.write(out);
        if (!view.verified)
          throw new CliError(
            `certificate ${view.id} does not match the audit chain: ${view.verificationError}`,
            2,
          );
      });
    });
}
