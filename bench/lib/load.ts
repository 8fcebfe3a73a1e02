import { createRequire } from "node:module";

/** autocannon ships no TypeScript types; this is the part of its API the benchmarks use. */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { average: number; p50: number; p99: number; max: number };
  throughput: { average: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  "2xx": number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
  headers?: Record<string, string>;
}
type Autocannon = (
  opts: AutocannonOptions,
  cb: (err: Error | null, res: AutocannonResult) => void,
) => unknown;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export interface LoadFigures {
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyAvgMs: number;
  latencyMaxMs: number;
  totalRequests: number;
  ok2xx: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  throughputBytesPerSec: number;
}

export interface LoadOptions {
  connections: number;
  durationSec: number;
  headers?: Record<string, string>;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Drives `url` with `connections` keep-alive connections for `durationSec` seconds. */
export function drive(url: string, opts: LoadOptions): Promise<LoadFigures> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: opts.connections,
        duration: opts.durationSec,
        pipelining: 1,
        headers: opts.headers,
      },
      (err, r) => {
        if (err) return reject(err);
        const statusCodes: Record<string, number> = {};
        for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count;
        resolve({
          requestsPerSec: round(r.requests.average, 1),
          latencyP50Ms: round(r.latency.p50),
          latencyP99Ms: round(r.latency.p99),
          latencyAvgMs: round(r.latency.average),
          latencyMaxMs: round(r.latency.max),
          totalRequests: r.requests.total,
          ok2xx: r["2xx"],
          errors: r.errors,
          timeouts: r.timeouts,
          non2xx: r.non2xx,
          statusCodes,
          throughputBytesPerSec: Math.round(r.throughput.average),
        });
      },
    );
  });
}
