#!/usr/bin/env node
// `npm start`: builds the web UI once if it is missing, then runs `tandem serve`.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const run = (args) => {
  const r = spawnSync(process.execPath, args, { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!fs.existsSync(path.join(root, "web/dist/index.html"))) {
  console.log("Building the web UI (first start only)…");
  run([
    path.join(root, "node_modules/vite/bin/vite.js"),
    "build",
    "--config",
    "web/vite.config.ts",
    "--logLevel",
    "warn",
  ]);
}
run([path.join(root, "bin/tandem.mjs"), "serve", ...process.argv.slice(2)]);
