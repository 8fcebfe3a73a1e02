/**
 * Signed HTTP calls to the custom system: HMAC signature and timestamp on every request,
 * one idempotency key per operation (kept across its retries), a timeout per attempt,
 * bounded retries of 429 and 5xx, and redirects followed only on the same origin.
 */
import { randomUUID } from "node:crypto";
import { type HttpTransport, httpTransport, requestFailure, retryAfterMs } from "../http/index.js";
import { ConnectorError } from "../kit.js";
import type { WebhookConfig } from "./config.js";
import { IDEMPOTENCY_HEADER, signingHeaders } from "./signing.js";

const MAX_REDIRECTS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CallResult {
  status: number;
  body: unknown;
}

async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => "");
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The system's own words about a failure: { error } or problem+json { detail, title }. */
function messageOf(body: unknown): string {
  if (typeof body === "string") return body.slice(0, 300);
  if (body && typeof body === "object") {
    const b = body as { error?: unknown; detail?: unknown; title?: unknown; message?: unknown };
    for (const v of [b.error, b.detail, b.message, b.title])
      if (typeof v === "string") return v.slice(0, 300);
  }
  return "";
}

export function statusError(status: number, body: unknown, what: string, wait?: number): ConnectorError {
  const said = messageOf(body);
  const detail = `${what}: the system answered ${status}${said ? ` (${said})` : ""}`;
  const timing = wait === undefined ? {} : { retryAfterMs: wait };
  if (status === 401) return new ConnectorError("auth", `${what}: the system refused Tandem's signature`);
  if (status === 403) return new ConnectorError("auth", detail);
  if (status === 404) return new ConnectorError("not_found", detail);
  if (status === 409) return new ConnectorError("conflict", detail);
  if (status === 429) return new ConnectorError("rate_limited", detail, timing);
  if (status === 503) return new ConnectorError("unreachable", detail, timing);
  if (status >= 500) return new ConnectorError("remote", detail, { retryable: true, ...timing });
  return new ConnectorError("remote", detail);
}

export class WebhookClient {
  private readonly http: HttpTransport;
  private readonly base: string;

  constructor(
    private readonly cfg: WebhookConfig,
    private readonly secret: string,
  ) {
    this.http = httpTransport(cfg.tls, cfg.timeoutMs);
    this.base = cfg.baseUrl.replace(/\/+$/, "");
  }

  /**
   * One call, retried on 429/5xx as the settings allow. Non-2xx answers other than those
   * listed in `accept` throw a ConnectorError.
   */
  async call(
    what: string,
    method: "GET" | "POST",
    path: string,
    o: { query?: Record<string, string | undefined>; body?: unknown; accept?: number[] } = {},
  ): Promise<CallResult> {
    let url = new URL(`${this.base}${path}`);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const origin = url.origin;
    const text = o.body === undefined ? "" : JSON.stringify(o.body);
    const idempotencyKey = method === "POST" ? randomUUID() : undefined;
    const { maxRetries, baseDelayMs, maxWaitSeconds } = this.cfg.retry;
    let redirects = 0;
    for (let attempt = 0; ; ) {
      const headers: Record<string, string> = {
        accept: "application/json",
        "user-agent": "Tandem",
        ...signingHeaders(this.secret, method, url.pathname + url.search, text),
      };
      if (text) headers["content-type"] = "application/json";
      if (idempotencyKey) headers[IDEMPOTENCY_HEADER] = idempotencyKey;
      let res: Response;
      try {
        res = await this.http.fetch(url, {
          method,
          headers,
          ...(text ? { body: text } : {}),
          signal: AbortSignal.timeout(this.cfg.timeoutMs),
        });
      } catch (err) {
        throw requestFailure(err, what);
      }
      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        await res.body?.cancel();
        url = this.redirectTarget(res, url, origin, method, ++redirects, what);
        continue;
      }
      const body = await bodyOf(res);
      if (res.ok || o.accept?.includes(res.status)) return { status: res.status, body };
      const retryable = res.status === 429 || res.status >= 500;
      const wait = retryAfterMs(res.headers.get("retry-after"));
      const delay = wait ?? baseDelayMs * 2 ** attempt;
      if (!retryable || attempt >= maxRetries || delay > maxWaitSeconds * 1000) {
        throw statusError(res.status, body, what, wait);
      }
      attempt++;
      await sleep(delay);
    }
  }

  /** Where a redirect leads, when it may be followed: same origin, method kept. */
  private redirectTarget(
    res: Response,
    from: URL,
    origin: string,
    method: string,
    count: number,
    what: string,
  ): URL {
    const location = res.headers.get("location");
    if (!location)
      throw new ConnectorError("remote", `${what}: a redirect (${res.status}) without a Location`);
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      throw new ConnectorError("remote", `${what}: a redirect to an invalid Location`);
    }
    if (next.origin !== origin) {
      throw new ConnectorError(
        "invalid_config",
        `${what}: refused a redirect to another host (${next.origin}); set baseUrl to the system's own address`,
      );
    }
    // 301/302/303 would turn a POST into a GET: only 307/308 keep an operation intact.
    if (method !== "GET" && res.status !== 307 && res.status !== 308) {
      throw new ConnectorError("remote", `${what}: the system redirected an operation with ${res.status}`);
    }
    if (count > MAX_REDIRECTS) throw new ConnectorError("remote", `${what}: too many redirects`);
    return next;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
