import type { Server } from "node:http";
import { performance } from "node:perf_hooks";

/**
 * The child-process side of bench/lib/child.ts: announce the listening port, answer named
 * calls from the parent, and shut down cleanly on `stop` (or when the parent goes away).
 * Every server also answers `window-reset` / `window`: the HTTP requests it received and
 * the CPU time this process used since the reset (a `window-reset` handler of the server's
 * own runs first, to reset its own counters). CPU per request is the figure that
 * holds up on a busy machine, where requests/s also measures the neighbours.
 */

export type Handlers = Record<string, () => unknown | Promise<unknown>>;

export interface WindowStats {
  requests: number;
  cpuMs: number;
  wallMs: number;
}

interface CallMessage {
  type: "call";
  id: number;
  name: string;
}

export function announce(
  server: Server,
  port: number,
  info: Record<string, unknown>,
  handlers: Handlers,
  stop: () => Promise<void>,
) {
  if (!process.send) throw new Error("bench servers run as child processes of bench/run.ts");
  let requests = 0;
  let cpu0 = process.cpuUsage();
  let wall0 = performance.now();
  server.on("request", () => {
    requests++;
  });
  const builtIn: Handlers = {
    "window-reset": () => {
      handlers["window-reset"]?.();
      requests = 0;
      cpu0 = process.cpuUsage();
      wall0 = performance.now();
    },
    window: (): WindowStats => {
      const cpu = process.cpuUsage(cpu0);
      return {
        requests,
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        wallMs: Math.round(performance.now() - wall0),
      };
    },
  };

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await stop();
    } finally {
      process.exit(0);
    }
  };
  process.on("message", async (m: CallMessage) => {
    if (m?.type !== "call") return;
    if (m.name === "stop") {
      process.send?.({ type: "reply", id: m.id, ok: true });
      await shutdown();
      return;
    }
    const h = builtIn[m.name] ?? handlers[m.name];
    try {
      if (!h) throw new Error(`unknown call ${m.name}`);
      process.send?.({ type: "reply", id: m.id, ok: true, data: await h() });
    } catch (e) {
      process.send?.({ type: "reply", id: m.id, ok: false, error: (e as Error).message });
    }
  });
  process.on("disconnect", () => void shutdown());
  process.send({ type: "ready", port, info });
}
