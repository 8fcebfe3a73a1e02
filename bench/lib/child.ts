import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A server under test in a child process of its own, so the load generator (this process)
 * and the server do not share an event loop. Parent and child talk over the IPC channel:
 * the child announces `ready` with its port, then answers named calls (stats, profile, stop).
 */

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface ReadyMessage {
  type: "ready";
  port: number;
  info: Record<string, unknown>;
}
interface ReplyMessage {
  type: "reply";
  id: number;
  ok: boolean;
  data?: unknown;
  error?: string;
}
type ChildMessage = ReadyMessage | ReplyMessage;

export interface ServerChild {
  pid: number;
  port: number;
  info: Record<string, unknown>;
  call<T = unknown>(name: string): Promise<T>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra environment for the child (merged over a small allow-list of the parent's). */
  env?: Record<string, string>;
  /** Where the child's stdout goes: forwarded to our stderr, or discarded (verbose logs). */
  stdout?: "stderr" | "discard";
  startTimeoutMs?: number;
}

/** Starts bench/servers/<script> with tsx (as `tandem serve` does) and waits until it listens. */
export async function startServerChild(script: string, opts: StartOptions = {}): Promise<ServerChild> {
  const env: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "TMPDIR", "LANG", "NODE_OPTIONS"]) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  const child: ChildProcess = fork(path.join(BENCH_DIR, "servers", script), [], {
    execArgv: ["--import", "tsx"],
    env: { ...env, ...opts.env },
    stdio: ["ignore", opts.stdout === "discard" ? "ignore" : "pipe", "pipe", "ipc"],
  });
  child.stdout?.on("data", (b: Buffer) => process.stderr.write(b));
  child.stderr?.on("data", (b: Buffer) => process.stderr.write(b));

  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then((code) => {
    for (const p of pending.values()) p.reject(new Error(`${script} exited with code ${code}`));
    pending.clear();
  });

  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start within ${opts.startTimeoutMs ?? 120_000} ms`)),
      opts.startTimeoutMs ?? 120_000,
    );
    child.on("message", (m: ChildMessage) => {
      if (m.type === "ready") {
        clearTimeout(timer);
        resolve(m);
      } else if (m.type === "reply") {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.ok) p?.resolve(m.data);
        else p?.reject(new Error(m.error ?? `${script}: call failed`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before it was ready`));
    });
  }).catch((e: unknown) => {
    if (child.exitCode === null) child.kill("SIGKILL");
    throw e;
  });

  const call = <T>(name: string) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ type: "call", id, name });
    });

  return {
    pid: child.pid ?? 0,
    port: ready.port,
    info: ready.info,
    call,
    async stop() {
      if (child.exitCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      try {
        await call("stop");
      } catch {
        /* the child exits while answering; the exit is what we wait for */
      }
      await exited;
      clearTimeout(timer);
    },
  };
}
