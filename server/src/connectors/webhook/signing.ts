import { createHmac } from "node:crypto";

export const SIGNATURE_HEADER = "x-tandem-signature";
export const TIMESTAMP_HEADER = "x-tandem-timestamp";
export const IDEMPOTENCY_HEADER = "idempotency-key";

/**
 * What is signed: `${timestamp}.${body}`. A GET has no body; its signed text is
 * `${timestamp}.GET ${path and query}`, so a signed read cannot be replayed on another URL.
 */
export function signedText(timestamp: string, method: string, target: string, body: string): string {
  return `${timestamp}.${method === "GET" ? `GET ${target}` : body}`;
}

/** The x-tandem-signature value: sha256=<hex HMAC-SHA256 of the signed text>. */
export function signature(secret: string, text: string): string {
  return `sha256=${createHmac("sha256", secret).update(text, "utf8").digest("hex")}`;
}

/** Headers that sign one request made now. */
export function signingHeaders(
  secret: string,
  method: string,
  target: string,
  body: string,
  now = Date.now(),
): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signature(secret, signedText(timestamp, method, target, body)),
  };
}
