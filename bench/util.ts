import path from "node:path";
import { pathToFileURL } from "node:url";

/** A whole number from the environment, or the fallback; anything else stops the run naming the variable. */
export function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return n;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/**
 * When the file at `moduleUrl` is the script node was started with (`npx tsx bench/x.ts`),
 * runs the benchmark and prints its JSON; a failure goes to stderr with exit code 1.
 */
export async function runAsScript(moduleUrl: string, bench: () => Promise<unknown>): Promise<void> {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(path.resolve(process.argv[1])).href) return;
  try {
    process.stdout.write(`${JSON.stringify(await bench(), null, 2)}\n`);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  }
}
