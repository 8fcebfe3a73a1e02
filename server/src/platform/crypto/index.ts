import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export { DecryptError, Envelope } from "./envelope.js";
export { Keyring, keyId, type MasterKey } from "./keyring.js";
export { type EncryptedColumn, encryptedColumns, registerEncryptedColumn, rotateKeys } from "./rotate.js";

export const sha256 = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

/** A random secret suitable for tokens: 32 bytes, base64url. */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString("base64url");

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
