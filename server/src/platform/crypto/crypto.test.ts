import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir, testDatabase } from "../../test/harness.js";
import { type Db, migrate } from "../db/index.js";
import {
  DecryptError,
  Envelope,
  encryptedColumns,
  Keyring,
  keyId,
  randomToken,
  registerEncryptedColumn,
  rotateKeys,
  safeEqual,
  sha256,
} from "./index.js";

const dir = tempDir("tandem-crypto-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(dir, `k${++n}`);
const newKey = () => randomBytes(32).toString("base64");

/** Replaces one base64url part of a sealed value with a flipped-bit copy. */
function flip(sealed: string, part: number): string {
  const parts = sealed.split(".");
  const bytes = Buffer.from(parts[part]!, "base64url");
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

describe("envelope encryption", () => {
  const keyring = Keyring.fromEnv(freshDir(), {});
  const env = new Envelope(keyring);

  it("round-trips text, including empty and non-ASCII, under a fresh data key each time", () => {
    for (const text of ["JBSWY3DPEHPK3PXP", "", "naïve – 東京 – 🔐", "x".repeat(100_000)]) {
      const sealed = env.encrypt(text, "users.mfa_secret_enc:u1");
      expect(sealed.split(".")).toHaveLength(6);
      expect(sealed.startsWith(`v1.${keyring.active().id}.`)).toBe(true);
      if (text.length > 3) expect(sealed).not.toContain(Buffer.from(text).toString("base64url"));
      expect(env.decrypt(sealed, "users.mfa_secret_enc:u1")).toBe(text);
    }
    const a = env.encrypt("same", "aad");
    const b = env.encrypt("same", "aad");
    expect(a).not.toBe(b);
    // Different wrapped data keys and different IVs, not just a different IV.
    expect(a.split(".")[2]).not.toBe(b.split(".")[2]);
    expect(env.keyIdOf(a)).toBe(keyring.active().id);
  });

  it("refuses any tampered part with a DecryptError", () => {
    const sealed = env.encrypt("top secret", "cases.notes:c1");
    for (const part of [2, 3, 4, 5]) {
      expect(() => env.decrypt(flip(sealed, part), "cases.notes:c1")).toThrow(DecryptError);
    }
    expect(() => env.decrypt(sealed.replace(/^v1\./, "v2."), "cases.notes:c1")).toThrow(
      /Unrecognised ciphertext format/,
    );
    expect(() => env.decrypt(sealed.split(".").slice(0, 5).join("."), "cases.notes:c1")).toThrow(
      DecryptError,
    );
    const parts = sealed.split(".");
    parts[1] = "000000000000";
    expect(() => env.decrypt(parts.join("."), "cases.notes:c1")).toThrow(/not in the keyring/);
    expect(env.decrypt(sealed, "cases.notes:c1")).toBe("top secret");
  });

  it("binds the ciphertext to its place: another aad fails", () => {
    const sealed = env.encrypt("secret of u1", "users.mfa_secret_enc:u1");
    expect(() => env.decrypt(sealed, "users.mfa_secret_enc:u2")).toThrow(DecryptError);
    expect(() => env.decrypt(sealed, "")).toThrow(/failed authentication/);
  });

  it("fails under a keyring that never held the key", () => {
    const sealed = env.encrypt("x", "a");
    const other = new Envelope(Keyring.fromEnv(freshDir(), {}));
    expect(() => other.decrypt(sealed, "a")).toThrow(DecryptError);
  });
});

describe("keyring file", () => {
  it("is created 0600 in a 0700 directory and loads back the same key", () => {
    const d = freshDir();
    const a = Keyring.fromEnv(d, {});
    expect(a.fromEnvironment).toBe(false);
    const file = path.join(d, "keyring.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(d).mode & 0o777).toBe(0o700);
    const b = Keyring.fromEnv(d, {});
    expect(b.active().id).toBe(a.active().id);
    expect(b.active().key.equals(a.active().key)).toBe(true);
    expect(a.active().id).toBe(keyId(a.active().key));
  });

  it("rotation makes a new key active, keeps retired keys readable, and stays 0600", () => {
    const d = freshDir();
    const keyring = Keyring.fromEnv(d, {});
    const env = new Envelope(keyring);
    const old = keyring.active().id;
    const before = env.encrypt("before rotation", "t:1");

    const next = keyring.rotateFileKey();
    expect(next.id).not.toBe(old);
    expect(keyring.active().id).toBe(next.id);
    const file = path.join(d, "keyring.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
    const content = JSON.parse(fs.readFileSync(file, "utf8")) as {
      active: string;
      keys: Record<string, { retiredAt?: string }>;
    };
    expect(content.active).toBe(next.id);
    expect(content.keys[old]?.retiredAt).toMatch(/^\d{4}-/);
    expect(content.keys[next.id]?.retiredAt).toBeUndefined();

    expect(env.decrypt(before, "t:1")).toBe("before rotation");
    const after = env.encrypt("after rotation", "t:2");
    expect(env.keyIdOf(after)).toBe(next.id);

    const rewrapped = env.rewrap(before, "t:1");
    expect(env.keyIdOf(rewrapped)).toBe(next.id);
    // Only the data key is re-wrapped: IV, ciphertext and tag are untouched.
    expect(rewrapped.split(".").slice(3)).toEqual(before.split(".").slice(3));
    expect(env.decrypt(rewrapped, "t:1")).toBe("before rotation");
    expect(env.rewrap(rewrapped, "t:1")).toBe(rewrapped);
    expect(() => env.rewrap(before, "t:other")).toThrow();
  });

  it("a second process's keyring picks up a rotation it did not do", () => {
    const d = freshDir();
    const mine = new Envelope(Keyring.fromEnv(d, {}));
    const otherKeyring = Keyring.fromEnv(d, {});
    otherKeyring.rotateFileKey();
    const sealed = new Envelope(otherKeyring).encrypt("written after rotation", "x:1");
    expect(mine.decrypt(sealed, "x:1")).toBe("written after rotation");
  });

  it("refuses a keyring file naming an active key it does not hold", () => {
    const d = freshDir();
    Keyring.fromEnv(d, {});
    const file = path.join(d, "keyring.json");
    const content = JSON.parse(fs.readFileSync(file, "utf8")) as { active: string };
    content.active = "missing";
    fs.writeFileSync(file, JSON.stringify(content));
    expect(() => Keyring.fromEnv(d, {})).toThrow(/names an active key it does not hold/);
  });
});

describe("TANDEM_MASTER_KEY mode", () => {
  it("uses the key from the environment and writes no keyring file", () => {
    const d = freshDir();
    const key = newKey();
    const keyring = Keyring.fromEnv(d, { TANDEM_MASTER_KEY: key });
    expect(keyring.fromEnvironment).toBe(true);
    expect(keyring.active().id).toBe(keyId(Buffer.from(key, "base64")));
    expect(fs.existsSync(path.join(d, "keyring.json"))).toBe(false);
    const env = new Envelope(keyring);
    const sealed = env.encrypt("from env", "a");
    // Another process with the same variable reads it.
    expect(new Envelope(Keyring.fromEnv(freshDir(), { TANDEM_MASTER_KEY: key })).decrypt(sealed, "a")).toBe(
      "from env",
    );
    expect(() => keyring.rotateFileKey()).toThrow(/TANDEM_MASTER_KEYS_RETIRED/);
  });

  it("rotation: the new key in TANDEM_MASTER_KEY, the old ones in TANDEM_MASTER_KEYS_RETIRED", () => {
    const k1 = newKey();
    const k2 = newKey();
    const k3 = newKey();
    const sealed = new Envelope(Keyring.fromEnv(freshDir(), { TANDEM_MASTER_KEY: k1 })).encrypt("v", "a");

    const rotated = new Envelope(
      Keyring.fromEnv(freshDir(), { TANDEM_MASTER_KEY: k3, TANDEM_MASTER_KEYS_RETIRED: `${k2}, ${k1}` }),
    );
    expect(rotated.decrypt(sealed, "a")).toBe("v");
    const rewrapped = rotated.rewrap(sealed, "a");
    expect(rotated.keyIdOf(rewrapped)).toBe(keyId(Buffer.from(k3, "base64")));

    const withoutRetired = new Envelope(Keyring.fromEnv(freshDir(), { TANDEM_MASTER_KEY: k3 }));
    expect(() => withoutRetired.decrypt(sealed, "a")).toThrow(/not in the keyring/);
    expect(withoutRetired.decrypt(rewrapped, "a")).toBe("v");
  });

  it("refuses keys that are not 32 bytes", () => {
    expect(() =>
      Keyring.fromEnv(freshDir(), { TANDEM_MASTER_KEY: randomBytes(16).toString("base64") }),
    ).toThrow(/TANDEM_MASTER_KEY/);
    expect(() =>
      Keyring.fromEnv(freshDir(), { TANDEM_MASTER_KEY: newKey(), TANDEM_MASTER_KEYS_RETIRED: "c2hvcnQ=" }),
    ).toThrow(/TANDEM_MASTER_KEYS_RETIRED/);
  });
});

describe("rotateKeys over the database", () => {
  let db: Db;
  let drop: () => Promise<void>;
  const aad = (id: string) => `crypto_test_secrets.value:${id}`;

  beforeAll(async () => {
    ({ db, drop } = await testDatabase());
    // The platform's own encrypted columns (users.mfa_secret_enc, …) are registered too.
    await migrate(db);
    await db.query("CREATE TABLE crypto_test_secrets (id text PRIMARY KEY, value text)");
    registerEncryptedColumn({ table: "crypto_test_secrets", idColumn: "id", column: "value", aad });
  });
  afterAll(() => drop());

  it("re-wraps every value in batches; each still decrypts and retired keys stay readable", async () => {
    // Registering twice is a no-op.
    registerEncryptedColumn({ table: "crypto_test_secrets", idColumn: "id", column: "value", aad });
    expect(encryptedColumns.filter((c) => c.table === "crypto_test_secrets")).toHaveLength(1);

    const d = freshDir();
    const keyring = Keyring.fromEnv(d, {});
    const env = new Envelope(keyring);
    const oldId = keyring.active().id;
    for (let i = 0; i < 7; i++) {
      await db.query("INSERT INTO crypto_test_secrets (id, value) VALUES ($1, $2)", [
        `r${i}`,
        env.encrypt(`secret ${i}`, aad(`r${i}`)),
      ]);
    }
    await db.query("INSERT INTO crypto_test_secrets (id, value) VALUES ('empty', NULL)");

    const newId = keyring.rotateFileKey().id;
    // A server that loaded the keyring before the rotation still reads everything.
    const progress: number[] = [];
    const results = await rotateKeys(db, env, newId, (p) => progress.push(p.rewrapped), 3);
    const mine = (r: { table: string }) => r.table === "crypto_test_secrets";
    expect(results.filter(mine)).toEqual([{ table: "crypto_test_secrets", column: "value", rewrapped: 7 }]);
    expect(results.filter((r) => !mine(r)).every((r) => r.rewrapped === 0)).toBe(true);
    expect(progress.filter((p) => p > 0)).toEqual([3, 6, 7]);

    const rows = await db.query<{ id: string; value: string | null }>(
      "SELECT id, value FROM crypto_test_secrets ORDER BY id",
    );
    for (const r of rows.rows) {
      if (r.id === "empty") {
        expect(r.value).toBeNull();
        continue;
      }
      expect(env.keyIdOf(r.value!)).toBe(newId);
      expect(env.decrypt(r.value!, aad(r.id))).toBe(`secret ${r.id.slice(1)}`);
    }
    expect(oldId).not.toBe(newId);

    // Idempotent: nothing is left under an old key.
    expect((await rotateKeys(db, env, newId)).every((r) => r.rewrapped === 0)).toBe(true);
  });
});

describe("helpers", () => {
  it("sha256, randomToken and safeEqual", () => {
    expect(sha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const t = randomToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(t);
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "abcd")).toBe(false);
  });
});
