#!/usr/bin/env node
// `npm test`: the whole suite. Server tests on embedded PGlite, again on PostgreSQL when
// TEST_DATABASE_URL is set, then the browser journeys. Ends with one "N passed, N failed" line.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const vitest = path.join(root, "node_modules/vitest/vitest.mjs");
const outDir = path.join(root, ".tmp");
fs.mkdirSync(outDir, { recursive: true });
const extra = process.argv.slice(2);

const runs = [{ name: "server on PGlite", args: [], env: { TANDEM_TEST_DB: "pglite" } }];
if (process.env.TEST_DATABASE_URL) {
  runs.push({ name: "server on PostgreSQL", args: [], env: { TANDEM_TEST_DB: "postgres" } });
} else {
  console.log("TEST_DATABASE_URL is not set: the PostgreSQL run is left out (set it to run it too).");
}
if (!process.env.TANDEM_TEST_NO_E2E) {
  runs.push({ name: "browser journeys", args: ["--config", "e2e/vitest.config.ts"], env: {} });
}

let passed = 0;
let failed = 0;
let ok = true;
for (const run of runs) {
  const report = path.join(outDir, `vitest-${run.name.replace(/\W+/g, "-")}.json`);
  fs.rmSync(report, { force: true });
  console.log(`\n=== ${run.name} ===`);
  const r = spawnSync(
    process.execPath,
    [
      vitest,
      "run",
      ...run.args,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...extra,
    ],
    { stdio: "inherit", cwd: root, env: { ...process.env, ...run.env } },
  );
  if (fs.existsSync(report)) {
    const j = JSON.parse(fs.readFileSync(report, "utf8"));
    passed += j.numPassedTests ?? 0;
    const suites = j.numFailedTestSuites ?? 0;
    failed += (j.numFailedTests ?? 0) || suites;
  }
  if (r.status !== 0) {
    ok = false;
    if (!fs.existsSync(report)) failed += 1;
  }
}
if (!ok && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
