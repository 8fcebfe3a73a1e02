import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app.js";
import { hashPassword, insertUser } from "../platform/auth/index.js";
import { loadConfig } from "../platform/config/index.js";
import { type Db, openDatabase } from "../platform/db/index.js";
import { createLogger } from "../platform/log/index.js";
import { CliWorld } from "../test/cli.js";
import { TEST_PASSWORD, TestClient } from "../test/harness.js";

/**
 * `tandem certificate PERSON` as an operator runs it: a separate process on the same data
 * directory (or database), which writes the certificate and exits non-zero when there is none.
 */

/** The verb wired into a `tandem` program with the CLI's error handling, as the entry point does. */
const ENTRY = `
import { Command, CommanderError } from "commander";
import { certificateCommands } from "./server/src/cli/certificate.ts";
import { CliError } from "./server/src/cli/context.ts";
const program = new Command("tandem").exitOverride();
certificateCommands(program);
program.parseAsync(process.argv.slice(1), { from: "user" }).catch((err) => {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof CliError) {
    console.error("tandem: " + err.message);
    process.exit(err.exitCode);
  }
  console.error(err);
  process.exit(1);
});
`;

const world = new CliWorld("certificate", { TANDEM_AUDIT_CHECKPOINT_MINUTES: "0" });
const out = world.tempDir("out");
const leaver = { employeeNumber: "CERT-1", workEmail: "lea.ver@corp.test", legalName: "Lea Ver" };
const stayer = { employeeNumber: "CERT-2", workEmail: "stay.er@corp.test", legalName: "Stay Er" };
const env = () => world.env();
const tandem = (args: string[]) =>
  world.run(args, { entry: ["--import", "tsx", "--input-type=module", "-e", ENTRY, "--"] });

/** Opens the same database the CLI uses (only while no CLI process runs: PGlite is single-process). */
async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig(env()));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  await world.setup();
  // A leaver whose departure (revoke now, then each leaver task attested) is done, and a stayer.
  const t = await buildApp(loadConfig({ ...env(), TANDEM_JOBS: "false" }), { log: createLogger("silent") });
  try {
    await insertUser(t.db, {
      email: "ops@corp.test",
      displayName: "ops",
      roles: ["admin", "hr", "security"],
      passwordHash: await hashPassword(TEST_PASSWORD),
    });
    const c = new TestClient(t);
    expect((await c.login("ops@corp.test", TEST_PASSWORD)).statusCode).toBe(200);
    const p = await c.post("/api/v1/people", { ...leaver, status: "active" });
    expect(p.statusCode, p.body).toBe(201);
    expect((await c.post("/api/v1/people", { ...stayer, status: "active" })).statusCode).toBe(201);
    const id = p.json<{ id: string }>().id;
    const now = await c.post(`/api/v1/access/people/${id}/revoke-now`, { reason: "left" });
    expect(now.statusCode, now.body).toBe(202);
    const tasks = (await c.get(`/api/v1/access/tasks?state=open&personId=${id}`)).json<{
      items: { id: string }[];
    }>().items;
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks)
      expect((await c.post(`/api/v1/access/tasks/${task.id}/attest`, { note: "done" })).statusCode).toBe(200);
    expect((await c.get(`/api/v1/access/people/${id}/certificate`)).statusCode).toBe(200);
  } finally {
    await t.close();
  }
}, 240_000);

afterAll(async () => {
  await world.teardown();
});

describe("tandem certificate", () => {
  it("writes the latest certificate as JSON or PDF, audited; fails clearly when there is none", async () => {
    const json = await tandem(["certificate", leaver.employeeNumber]);
    expect(json.code, json.stderr).toBe(0);
    const view = JSON.parse(json.stdout) as {
      id: string;
      verified: boolean;
      digest: string;
      auditEntry: { id: string; seq: number };
      certificate: { person: { employeeNumber: string; name: string }; systems: { items: unknown[] }[] };
    };
    expect(view.verified).toBe(true);
    expect(view.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(view.certificate.person).toMatchObject({ employeeNumber: "CERT-1", name: "Lea Ver" });
    expect(view.certificate.systems[0]?.items.length).toBeGreaterThan(0);

    const file = path.join(out, "lea.pdf");
    const pdf = await tandem(["certificate", leaver.workEmail, "--format", "pdf", "--out", file]);
    expect(pdf.code, pdf.stderr).toBe(0);
    expect(pdf.stderr).toContain(`wrote certificate ${view.id} (pdf)`);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(bytes.toString("latin1")).toContain("(Revocation certificate: Lea Ver \\(CERT-1\\))");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const none = await tandem(["certificate", stayer.employeeNumber]);
    expect(none.code).toBe(3);
    expect(none.stdout).toBe("");
    expect(none.stderr).toMatch(/tandem: no revocation certificate for Stay Er \(CERT-2\)/);
    const nobody = await tandem(["certificate", "NOBODY-9"]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/no person with employee number or email NOBODY-9/);
    const bad = await tandem(["certificate", leaver.employeeNumber, "--format", "docx"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not a format \(json or pdf\)/);

    const downloads = await withDatabase((db) =>
      db.query<{ actor_label: string; details: { format: string; certificateId: string } }>(
        "SELECT actor_label, details FROM audit_log WHERE action = 'access.certificate_downloaded' AND actor_label = 'cli' ORDER BY seq",
      ),
    );
    expect(downloads.rows.map((r) => [r.actor_label, r.details.format, r.details.certificateId])).toEqual([
      ["cli", "json", view.id],
      ["cli", "pdf", view.id],
    ]);
  }, 180_000);

  it("writes a certificate that no longer matches the audit chain, but says so and exits 2", async () => {
    await withDatabase((db) =>
      db.tx(async (q) => {
        await q.query("SET LOCAL session_replication_role = replica");
        await q.query("UPDATE access_certificates SET body = replace(body, 'Lea Ver', 'Someone Else')");
      }),
    );
    const run = await tandem(["certificate", leaver.employeeNumber]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: false });
    expect(run.stderr).toMatch(/does not match the audit chain: .*document altered/);
  }, 120_000);
});
