import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "../platform/db/index.js";
import { tempDir } from "../test/harness.js";

/** `tandem awareness seed` adds the starter content once; a second run adds nothing. */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TSX = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
const MAIN = path.join(ROOT, "server/src/main.ts");
const dataDir = tempDir("tandem-cli-awareness-");
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function seed(): Promise<string> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("TANDEM_") && k !== "DATABASE_URL" && k !== "NODE_OPTIONS") env[k] = v;
  const r = await promisify(execFile)(process.execPath, [TSX, MAIN, "awareness", "seed"], {
    cwd: ROOT,
    env: { ...env, TANDEM_DATA_DIR: dataDir, TANDEM_LOG_LEVEL: "warn" },
  });
  return r.stdout;
}

describe("tandem awareness seed", () => {
  it("adds the starter policies, modules and rules once", async () => {
    expect(await seed()).toContain(
      "Added 4 policies (published), 6 training modules and 14 assignment rules.",
    );
    expect(await seed()).toContain("already there; nothing was added");
    const db = await openPglite(path.join(dataDir, "db"));
    try {
      const r = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM awareness_modules WHERE status = 'published'",
      );
      expect(r.rows[0]?.n).toBe(6);
    } finally {
      await db.close();
    }
  }, 180_000);
});
