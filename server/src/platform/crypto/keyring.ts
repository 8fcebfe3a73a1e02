import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface MasterKey {
  id: string;
  key: Buffer;
}

interface KeyringFile {
  active: string;
  keys: Record<string, { key: string; createdAt: string; retiredAt?: string }>;
}

export function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 12);
}

/**
 * Master keys. With TANDEM_MASTER_KEY the active key comes from the environment (older keys
 * stay readable from TANDEM_MASTER_KEYS_RETIRED, comma-separated). Otherwise a keyring file
 * (mode 0600) in the data directory holds the active key and the retired ones.
 */
export class Keyring {
  private keys = new Map<string, Buffer>();
  private activeId = "";

  constructor(
    private readonly file: string | null,
    private readonly envKey?: string,
    private readonly envRetired?: string,
  ) {
    this.load();
  }

  static fromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): Keyring {
    const envKey = env.TANDEM_MASTER_KEY || undefined;
    return new Keyring(
      envKey ? null : path.join(dataDir, "keyring.json"),
      envKey,
      env.TANDEM_MASTER_KEYS_RETIRED,
    );
  }

  get fromEnvironment(): boolean {
    return this.file === null;
  }

  load(): void {
    this.keys.clear();
    if (this.envKey) {
      const key = Buffer.from(this.envKey, "base64");
      if (key.length !== 32) throw new Error("TANDEM_MASTER_KEY: must be 32 bytes, base64-encoded");
      this.activeId = keyId(key);
      this.keys.set(this.activeId, key);
      for (const old of (this.envRetired ?? "").split(",").filter(Boolean)) {
        const k = Buffer.from(old.trim(), "base64");
        if (k.length !== 32) throw new Error("TANDEM_MASTER_KEYS_RETIRED: each key must be 32 bytes, base64");
        this.keys.set(keyId(k), k);
      }
      return;
    }
    const file = this.file as string;
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const key = randomBytes(32);
      const id = keyId(key);
      const content: KeyringFile = {
        active: id,
        keys: { [id]: { key: key.toString("base64"), createdAt: new Date().toISOString() } },
      };
      fs.writeFileSync(file, JSON.stringify(content, null, 2), { mode: 0o600, flag: "wx" });
    }
    const content = JSON.parse(fs.readFileSync(file, "utf8")) as KeyringFile;
    for (const [id, entry] of Object.entries(content.keys))
      this.keys.set(id, Buffer.from(entry.key, "base64"));
    this.activeId = content.active;
    if (!this.keys.has(this.activeId))
      throw new Error(`Keyring ${file} names an active key it does not hold`);
  }

  active(): MasterKey {
    return { id: this.activeId, key: this.keys.get(this.activeId) as Buffer };
  }

  get(id: string): Buffer | undefined {
    let key = this.keys.get(id);
    if (!key && this.file) {
      // Another process may have rotated the keyring since we loaded it.
      this.load();
      key = this.keys.get(id);
    }
    return key;
  }

  /** Adds a new active key to the keyring file; old keys stay for reading until re-wrapped. */
  rotateFileKey(): MasterKey {
    if (!this.file) {
      throw new Error(
        "The master key comes from TANDEM_MASTER_KEY: set the new key there and the old one in TANDEM_MASTER_KEYS_RETIRED, then run `tandem keys rotate`",
      );
    }
    const content = JSON.parse(fs.readFileSync(this.file, "utf8")) as KeyringFile;
    const key = randomBytes(32);
    const id = keyId(key);
    const now = new Date().toISOString();
    const previous = content.keys[content.active];
    if (previous) previous.retiredAt = now;
    content.keys[id] = { key: key.toString("base64"), createdAt: now };
    content.active = id;
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(content, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    this.load();
    return { id, key };
  }
}
