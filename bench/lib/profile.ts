import { Session } from "node:inspector/promises";

/**
 * A sampling CPU profile of this process between start() and stop(), summarised as self
 * time per area (embedded database, Fastify, zod, Tandem's own folders…) and per function.
 * Profiling slows the server down, so it runs in a pass of its own, never in a measured one.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  sampledMs: number;
  /** Self time per area; native code (no script URL) is charged to the script that called it. */
  byArea: { area: string; percent: number }[];
  topFunctions: { fn: string; area: string; percent: number }[];
}

/** Which part of the stack a frame belongs to, from its script URL. */
export function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName.startsWith("(")) return functionName; // (idle), (garbage collector), (program)
    return "node built-ins (native)";
  }
  if (url.startsWith("wasm://")) return "@electric-sql/pglite (WASM)";
  if (url.startsWith("node:")) return "node built-ins";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const src = url.indexOf("server/src/");
  if (src >= 0) {
    const parts = url.slice(src).split("/");
    return parts.slice(0, Math.min(parts.length - 1, 4)).join("/");
  }
  const bench = url.indexOf("bench/");
  if (bench >= 0) return "bench harness";
  return url;
}

export class CpuProfiler {
  private session?: Session;

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post("Profiler.enable");
    await this.session.post("Profiler.setSamplingInterval", { interval: 200 });
    await this.session.post("Profiler.start");
  }

  async stop(): Promise<ProfileSummary> {
    const s = this.session;
    if (!s) throw new Error("profiler not started");
    const { profile } = (await s.post("Profiler.stop")) as { profile: CpuProfile };
    await s.post("Profiler.disable");
    s.disconnect();
    this.session = undefined;
    return summarise(profile);
  }
}

function summarise(p: CpuProfile): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const where = (f: ProfileNode["callFrame"]) => {
    const file = f.url ? (f.url.split("/").pop() ?? f.url) : "";
    return `${f.functionName || "(anonymous)"}${file ? ` ${file}:${f.lineNumber + 1}` : ""}`;
  };
  /** The nearest caller with a script URL: native frames are charged to it. */
  const caller = (id: number): ProfileNode["callFrame"] | undefined => {
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const g = byId.get(up)?.callFrame;
      if (g?.url) return g;
    }
    return undefined;
  };
  /** Samples inside the inspector's own calls (starting and stopping this profile) are left out. */
  const ownCall = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (byId.get(at)?.callFrame.url === "node:inspector") return true;
    }
    return false;
  };
  const selfUs = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    if (ownCall(id)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    total += dt;
  });
  const areas = new Map<string, number>();
  const fns = new Map<string, { area: string; us: number }>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)?.callFrame;
    if (!f) continue;
    const native = !f.url && !f.functionName.startsWith("(");
    const by = native ? caller(id) : undefined;
    const area = by ? `${areaOf(by.url, by.functionName)} (native calls)` : areaOf(f.url, f.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const key = by ? `${where(f)} ← ${where(by)}` : where(f);
    const prev = fns.get(key);
    fns.set(key, { area, us: (prev?.us ?? 0) + us });
  }
  const pct = (us: number) => Math.round((1000 * us) / Math.max(total, 1)) / 10;
  return {
    sampledMs: Math.round(total / 1000),
    byArea: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 16)
      .map(([area, us]) => ({ area, percent: pct(us) })),
    topFunctions: [...fns]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, 15)
      .map(([fn, v]) => ({ fn, area: v.area, percent: pct(v.us) })),
  };
}
