import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HR webhook signatures: HMAC-SHA256 with the shared secret over `${timestamp}.${rawBody}`,
 * sent as `x-tandem-signature: sha256=<hex>` with `x-tandem-timestamp: <unix seconds>`.
 * Several `sha256=` values separated by commas are accepted (while a secret is rotated).
 */

export const TIMESTAMP_HEADER = "x-tandem-timestamp";
export const SIGNATURE_HEADER = "x-tandem-signature";
/** How far the timestamp may be from our clock, either way. */
export const TOLERANCE_SECONDS = 300;

export function sign(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");
}

/** The header value a sender puts on a delivery. */
export function signatureHeader(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `sha256=${sign(secret, timestamp, rawBody)}`;
}

export type Verdict = "ok" | "bad_signature" | "stale";

export function verify(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  rawBody: Buffer,
  nowMs = Date.now(),
): Verdict {
  const ts = headers.timestamp?.trim() ?? "";
  if (!/^\d{1,12}$/.test(ts) || !headers.signature) return "bad_signature";
  const expected = Buffer.from(sign(secret, ts, rawBody), "hex");
  const offered = headers.signature
    .split(",")
    .map((s) => /^\s*sha256=([0-9a-f]{64})\s*$/i.exec(s)?.[1])
    .filter((s): s is string => !!s)
    .map((s) => Buffer.from(s, "hex"));
  // Compare against every offered value, each in constant time.
  let match = false;
  for (const o of offered) if (o.length === expected.length && timingSafeEqual(o, expected)) match = true;
  if (!match) return "bad_signature";
  if (Math.abs(nowMs / 1000 - Number(ts)) > TOLERANCE_SECONDS) return "stale";
  return "ok";
}
