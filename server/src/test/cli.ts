import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { onPostgres, tempDir } from "./harness.js";

/** The repository root, and what runs `tandem` from source. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const TSX = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
export const MAIN = path.join(ROOT, "server/src/main.ts");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables added to (or replacing) the child's environment. */
  env?: Record<string, string>;
  /** Another data directory than the world's own. */
  dataDir?: string;
  /** false: the child gets no DATABASE_URL (it uses its data directory's embedded database). */
  useDatabase?: boolean;
  /** Node arguments before the verb's (default: tsx and the CLI's entry point). */
  entry?: string[];
}

/**
 * Where CLI tests run `tandem` as an operator would: a child process on a data directory of
 * the test file's own (embedded database), or on a fresh PostgreSQL database of its own when
 * TANDEM_TEST_DB=postgres. Nothing Tandem-specific leaks in from the test runner's environment.
 */
export class CliWorld {
  readonly dataDir: string;
  databaseUrl: string | undefined;
  private pgDatabase: string | undefined;
  private readonly children = new Set<ChildProcess>();
  private readonly dirs: string[] = [];

  constructor(
    private readonly name: string,
    /** Variables every child gets (before RunOptions.env). */
    private readonly defaults: Record<string, string> = {},
  ) {
    this.dataDir = this.tempDir();
  }

  /** A temporary directory removed with the world. */
  tempDir(suffix = ""): string {
    const d = tempDir(`tandem-cli-${this.name}${suffix ? `-${suffix}` : ""}-`);
    this.dirs.push(d);
    return d;
  }

  /** Creates the PostgreSQL database (on PostgreSQL runs). */
  async setup(): Promise<void> {
    if (!onPostgres) return;
    const base = process.env.TEST_DATABASE_URL;
    if (!base) throw new Error("TANDEM_TEST_DB=postgres needs TEST_DATABASE_URL");
    // A database of its own: the server's job queue gets its own schema in it, and one DROP cleans up.
    this.pgDatabase = `tandem_cli_${this.name.replace(/\W/g, "_")}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${this.pgDatabase}"`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${this.pgDatabase}`;
    this.databaseUrl = url.toString();
  }

  /** Kills children still running, drops the database, removes the directories. */
  async teardown(): Promise<void> {
    for (const c of this.children) c.kill("SIGKILL");
    if (this.pgDatabase) {
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${this.pgDatabase}" WITH (FORCE)`);
      await admin.end();
    }
    for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true });
  }

  /** A child's environment. */
  env(opts: Omit<RunOptions, "entry"> = {}): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (k.startsWith("TANDEM_") || k === "DATABASE_URL" || k === "NODE_OPTIONS" || v === undefined)
        continue;
      out[k] = v;
    }
    return {
      ...out,
      TANDEM_DATA_DIR: opts.dataDir ?? this.dataDir,
      TANDEM_LOG_LEVEL: "warn",
      ...(opts.useDatabase !== false && this.databaseUrl ? { DATABASE_URL: this.databaseUrl } : {}),
      ...this.defaults,
      ...opts.env,
    };
  }

  /** Starts `tandem ARGS` (for a server, say); it is killed at teardown if still running. */
  spawn(args: string[], opts: RunOptions = {}): ChildProcess {
    const child = spawn(process.execPath, [...(opts.entry ?? [TSX, MAIN]), ...args], {
      cwd: ROOT,
      env: this.env(opts),
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.children.add(child);
    child.on("close", () => this.children.delete(child));
    return child;
  }

  /** Runs `tandem ARGS` to its end. */
  run(args: string[], opts: RunOptions = {}): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = this.spawn(args, opts);
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr?.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }
}
