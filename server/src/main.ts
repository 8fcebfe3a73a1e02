#!/usr/bin/env node
import fs from "node:fs";
import path from "node:path";
import { Command, CommanderError } from "commander";
import { buildApp } from "./app.js";
import { accessCommands } from "./cli/access.js";
import { awarenessCommands } from "./cli/awareness.js";
import { certificateCommands } from "./cli/certificate.js";
import { auditCommands, keyCommands, tokenCommands, userCommands } from "./cli/commands.js";
import { CliError, cliConfig } from "./cli/context.js";
import { demoCommands } from "./cli/demo.js";
import { importCommands } from "./cli/import.js";
import { phishingCommands } from "./cli/phishing.js";
import { reconcileCommands } from "./cli/reconcile.js";
import { requestCommands } from "./cli/requests.js";
import { reviewCommands } from "./cli/reviews.js";
import { rewardsCommands } from "./cli/rewards.js";
import { ensureFirstAdmin, FIRST_ADMIN_EMAIL } from "./platform/auth/index.js";
import { DataDirLockedError, MigrationError, migrate, openDatabase } from "./platform/db/index.js";

const program = new Command()
  .name("tandem")
  .description("Tandem: HR and IT/Security run the people side of security together")
  .showHelpAfterError()
  .exitOverride();

program
  .command("serve")
  .description("run the web UI, the API and the background workers in one process")
  .action(async () => {
    const config = cliConfig();
    const t = await buildApp(config);
    const setupLink = await ensureFirstAdmin(t.db, t.auth);
    // The starter policies and training, on first start (idempotent; TANDEM_AWARENESS_STARTER=false skips it).
    if (config.TANDEM_AWARENESS_STARTER) await t.awareness.seedStarter();
    await t.app.listen({ host: config.TANDEM_HOST, port: config.TANDEM_PORT });
    const address = t.app.server.address();
    const port = typeof address === "object" && address ? address.port : config.TANDEM_PORT;
    const url = config.TANDEM_PUBLIC_URL ?? `http://${config.TANDEM_HOST}:${port}`;
    const lines = [
      "",
      `  Tandem is running at ${url}`,
      `  Database: ${t.db.kind === "pglite" ? `embedded (${path.join(config.dataDir, "db")})` : "PostgreSQL (DATABASE_URL)"}`,
      `  API docs: ${url}/api/docs`,
    ];
    if (!t.webServed)
      lines.push("  The web UI is not built yet: run `npm run build` (npm start does it for you).");
    if (setupLink) {
      lines.push(
        "",
        `  First sign-in: open this one-time link to set the password of ${FIRST_ADMIN_EMAIL}`,
        `  (valid 24 hours, usable once; restart Tandem for a new one until a password is set):`,
        `    ${setupLink.replace(config.publicUrl, url)}`,
      );
    }
    console.log(`${lines.join("\n")}\n`);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      t.log.info({ signal }, "shutting down: finishing in-flight requests and jobs");
      const force = setTimeout(() => process.exit(1), 30_000);
      force.unref();
      await t.close();
      process.exit(0);
    };
    process.on("SIGTERM", () => void stop("SIGTERM"));
    process.on("SIGINT", () => void stop("SIGINT"));
  });

program
  .command("migrate")
  .description("apply pending database migrations and exit")
  .action(async () => {
    // Not withDb: that migrates before the action runs, and this verb reports what it applied.
    const db = await openDatabase(cliConfig());
    try {
      const applied = await migrate(db);
      console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
    } finally {
      await db.close();
    }
  });

program
  .command("openapi")
  .description("write the OpenAPI 3.1 document")
  .option("--out <file>", "file to write (default: stdout)")
  .action(async (o: { out?: string }) => {
    const config = cliConfig();
    const { openPglite } = await import("./platform/db/index.js");
    const db = await openPglite();
    const t = await buildApp(
      {
        ...config,
        TANDEM_JOBS: false,
        dataDir: fs.mkdtempSync(path.join(config.dataDir, "..", ".openapi-")),
      },
      { db },
    );
    const doc = `${JSON.stringify(t.app.swagger(), null, 2)}\n`;
    await t.close();
    await db.close();
    fs.rmSync(t.config.dataDir, { recursive: true, force: true });
    if (o.out) fs.writeFileSync(o.out, doc);
    else process.stdout.write(doc);
  });

userCommands(program);
tokenCommands(program);
auditCommands(program);
keyCommands(program);
demoCommands(program);
importCommands(program);
accessCommands(program);
certificateCommands(program);
requestCommands(program);
reconcileCommands(program);
reviewCommands(program);
awarenessCommands(program);
phishingCommands(program);
rewardsCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof CliError) {
    console.error(`tandem: ${err.message}`);
    process.exit(err.exitCode);
  }
  if (err instanceof DataDirLockedError || err instanceof MigrationError) {
    console.error(`tandem: ${err.message}`);
    process.exit(1);
  }
  const e = err as { code?: string; message?: string };
  if (e.code === "ECONNREFUSED" || e.code === "EADDRINUSE") {
    console.error(`tandem: ${e.message}`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
