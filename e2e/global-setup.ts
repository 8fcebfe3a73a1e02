import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const web = path.join(root, "web");
const builtIndex = path.join(web, "dist/index.html");

/** Newest modification time of the web app's sources (src/, public/, index.html, vite config). */
function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!fs.existsSync(p)) return;
    const stat = fs.statSync(p);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const p of ["src", "public", "index.html", "vite.config.ts"]) visit(path.join(web, p));
  return newest;
}

/**
 * Vitest global setup: the journeys drive the built web app that the server serves, so
 * build it (vite build) when web/dist is missing. When the build is only older than the
 * sources, rebuild it; should that fail (sources half-edited), say so and use the old build.
 */
export default function setup(): void {
  const exists = fs.existsSync(builtIndex);
  if (exists && fs.statSync(builtIndex).mtimeMs >= newestSource()) return;
  console.log(`e2e: ${exists ? "rebuilding the web app, older than its sources" : "building the web app"}…`);
  const vite = path.join(root, "node_modules/vite/bin/vite.js");
  const r = spawnSync(
    process.execPath,
    [vite, "build", "--config", "web/vite.config.ts", "--logLevel", "warn"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  if (r.status === 0 && fs.existsSync(builtIndex)) return;
  if (exists && fs.existsSync(builtIndex)) {
    console.warn("e2e: WARNING: the web app did not build; the journeys run against the previous build.");
    return;
  }
  throw new Error("e2e: the web app did not build; run `npx vite build --config web/vite.config.ts`");
}
