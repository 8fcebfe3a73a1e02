/**
 * Outbound HTTP for the connectors that speak HTTP (SCIM apps, webhooks): an undici agent
 * that verifies TLS as the settings say, never follows redirects by itself, and turns a
 * failed request into the right ConnectorError.
 */
import { Agent, fetch as undiciFetch } from "undici";
import { ConnectorError, type TlsSettings, tlsOptions, transportError } from "../kit.js";

export interface HttpTransport {
  /** fetch bound to this transport's agent; redirects are returned, not followed. */
  fetch: typeof fetch;
  close(): Promise<void>;
}

/** A connection pool for one connector: TLS verification per `tls`, a connect timeout. */
export function httpTransport(tls: TlsSettings, connectTimeoutMs: number): HttpTransport {
  const agent = new Agent({ connect: { ...tlsOptions(tls), timeout: connectTimeoutMs } });
  const bound = (input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input instanceof Request ? input.url : input, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      redirect: "manual",
      dispatcher: agent,
    });
  return {
    fetch: bound as unknown as typeof fetch,
    close: () => agent.close(),
  };
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

/** A request that got no HTTP answer (socket, TLS, timeout) as a ConnectorError. */
export function requestFailure(err: unknown, what: string): ConnectorError {
  let e: unknown = err;
  for (let depth = 0; e && depth < 6; depth++) {
    if (e instanceof ConnectorError) return e;
    const mapped = transportError(e, what);
    if (mapped) return mapped;
    const { name, code } = e as { name?: unknown; code?: unknown };
    if (name === "TimeoutError" || (typeof code === "string" && TIMEOUT_CODES.has(code))) {
      return new ConnectorError("unreachable", `${what}: no answer within the timeout`, { cause: err });
    }
    if (typeof code === "string" && /^ERR_(SSL|TLS)_/.test(code)) {
      return new ConnectorError("invalid_config", `${what}: the TLS handshake failed (${code})`, {
        cause: err,
      });
    }
    e = (e as { cause?: unknown }).cause;
  }
  const text = err instanceof Error ? err.message : String(err);
  return new ConnectorError("unreachable", `${what}: the request failed (${text})`, { cause: err });
}

/** Retry-After (delta-seconds or an HTTP date) in milliseconds, or undefined. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
