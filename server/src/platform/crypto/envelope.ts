import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Keyring } from "./keyring.js";

/**
 * Envelope encryption: each record gets its own AES-256-GCM data key; the data key is
 * wrapped (AES-256-GCM) under the active master key. Serialised as
 * `v1.<kid>.<wrapped dek>.<iv>.<ciphertext>.<tag>` (base64url parts).
 * The associated data binds a ciphertext to its place (e.g. "users.mfa_secret:<id>").
 */
const b64 = (b: Buffer) => b.toString("base64url");
const unb64 = (s: string) => Buffer.from(s, "base64url");

function seal(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; ct: Buffer; tag: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

function open(key: Buffer, iv: Buffer, ct: Buffer, tag: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}

export class DecryptError extends Error {}

export class Envelope {
  constructor(private readonly keyring: Keyring) {}

  encrypt(plaintext: string, aad: string): string {
    const master = this.keyring.active();
    const dek = randomBytes(32);
    const wrapped = seal(master.key, dek, `dek:${aad}`);
    const data = seal(dek, Buffer.from(plaintext, "utf8"), aad);
    const wrappedDek = Buffer.concat([wrapped.iv, wrapped.tag, wrapped.ct]);
    return ["v1", master.id, b64(wrappedDek), b64(data.iv), b64(data.ct), b64(data.tag)].join(".");
  }

  decrypt(sealed: string, aad: string): string {
    const parts = sealed.split(".");
    if (parts.length !== 6 || parts[0] !== "v1") throw new DecryptError("Unrecognised ciphertext format");
    const [, kid, wdek, iv, ct, tag] = parts as [string, string, string, string, string, string];
    const master = this.keyring.get(kid);
    if (!master) throw new DecryptError(`Master key ${kid} is not in the keyring`);
    try {
      const w = unb64(wdek);
      const dek = open(master, w.subarray(0, 12), w.subarray(28), w.subarray(12, 28), `dek:${aad}`);
      return open(dek, unb64(iv), unb64(ct), unb64(tag), aad).toString("utf8");
    } catch {
      throw new DecryptError("Ciphertext failed authentication (wrong key or tampered data)");
    }
  }

  /** Re-wraps the data key under the active master key; the data itself is not re-encrypted. */
  rewrap(sealed: string, aad: string): string {
    const parts = sealed.split(".");
    const [, kid, wdek, iv, ct, tag] = parts as [string, string, string, string, string, string];
    const active = this.keyring.active();
    if (kid === active.id) return sealed;
    const master = this.keyring.get(kid);
    if (!master) throw new DecryptError(`Master key ${kid} is not in the keyring`);
    const w = unb64(wdek);
    const dek = open(master, w.subarray(0, 12), w.subarray(28), w.subarray(12, 28), `dek:${aad}`);
    const wrapped = seal(active.key, dek, `dek:${aad}`);
    return ["v1", active.id, b64(Buffer.concat([wrapped.iv, wrapped.tag, wrapped.ct])), iv, ct, tag].join(
      ".",
    );
  }

  keyIdOf(sealed: string): string {
    return sealed.split(".")[1] ?? "";
  }
}
