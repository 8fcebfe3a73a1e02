import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import dgram from "node:dgram";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { sha256 } from "../crypto/index.js";
import type { Db } from "../db/index.js";
import { canonical } from "./chain.js";

/** A signed statement "the audit chain had this head at this time". */
export interface Checkpoint {
  seq: number;
  hash: string;
  signedAt: string;
  keyId: string;
  signature: string;
}

const message = (c: Omit<Checkpoint, "signature">) =>
  Buffer.from(canonical({ seq: c.seq, hash: c.hash, signedAt: c.signedAt, keyId: c.keyId }));

/** The Ed25519 signing key lives in a file outside the database (0600). */
export class CheckpointSigner {
  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicKeyPem: string,
    readonly keyId: string,
  ) {}

  static load(file: string): CheckpointSigner {
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync("ed25519");
      fs.writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), {
        mode: 0o600,
        flag: "wx",
      });
    }
    const privateKey = createPrivateKey(fs.readFileSync(file));
    const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
    return new CheckpointSigner(privateKey, publicKeyPem, sha256(publicKeyPem).slice(0, 16));
  }

  sign(seq: number, hash: string, signedAt = new Date()): Checkpoint {
    const body = { seq, hash, signedAt: signedAt.toISOString(), keyId: this.keyId };
    return { ...body, signature: sign(null, message(body), this.privateKey).toString("base64") };
  }
}

export function verifyCheckpointSignature(c: Checkpoint, publicKeyPem: string): boolean {
  try {
    return verify(null, message(c), createPublicKey(publicKeyPem), Buffer.from(c.signature, "base64"));
  } catch {
    return false;
  }
}

/** Reads the last checkpoint from an NDJSON checkpoint file (or a file holding one JSON object). */
export function readLatestCheckpoint(file: string): Checkpoint {
  const lines = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.at(-1);
  if (!last) throw new Error(`${file} holds no checkpoint`);
  const c = JSON.parse(last) as Partial<Checkpoint>;
  if (typeof c.seq !== "number" || typeof c.hash !== "string" || typeof c.signature !== "string") {
    throw new Error(`${file}: last line is not a checkpoint (needs seq, hash, signature)`);
  }
  return c as Checkpoint;
}

export interface CheckpointSinks {
  file?: string;
  url?: string;
  syslog?: string;
}

async function sendSyslog(target: string, line: string): Promise<void> {
  const m = /^(udp|tcp):\/\/([^:]+):(\d+)$/.exec(target);
  if (!m) throw new Error(`bad syslog target ${target}`);
  const [, proto, host, port] = m as unknown as [string, string, string, string];
  // RFC 5424: facility 13 (log audit), severity 5 (notice) → PRI 109.
  const msg = `<109>1 ${new Date().toISOString()} - tandem - audit-checkpoint - ${line}`;
  if (proto === "udp") {
    const sock = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) =>
      sock.send(msg, Number(port), host, (err) => {
        sock.close();
        if (err) reject(err);
        else resolve();
      }),
    );
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(Number(port), host, () =>
      s.end(`${Buffer.byteLength(msg)} ${msg}`, () => resolve()),
    );
    s.on("error", reject);
  });
}

/** Writes the checkpoint to every configured place the database cannot change. */
export async function exportCheckpoint(c: Checkpoint, sinks: CheckpointSinks): Promise<string[]> {
  const line = JSON.stringify(c);
  const done: string[] = [];
  if (sinks.file) {
    fs.mkdirSync(path.dirname(sinks.file), { recursive: true });
    fs.appendFileSync(sinks.file, `${line}\n`, { mode: 0o600 });
    done.push(`file:${sinks.file}`);
  }
  if (sinks.url) {
    const res = await fetch(sinks.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: line,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`checkpoint POST to ${new URL(sinks.url).origin} answered ${res.status}`);
    done.push(`http:${new URL(sinks.url).origin}`);
  }
  if (sinks.syslog) {
    await sendSyslog(sinks.syslog, line);
    done.push(`syslog:${sinks.syslog}`);
  }
  return done;
}

/** Signs the current head, records it in the database (for listing) and exports it. */
export async function createCheckpoint(db: Db, signer: CheckpointSigner, sinks: CheckpointSinks) {
  const head = await db.query<{ seq: string; hash: string }>(
    "SELECT seq::text AS seq, hash FROM audit_head WHERE id = 1",
  );
  const h = head.rows[0] ?? { seq: "0", hash: "genesis" };
  const checkpoint = signer.sign(Number(h.seq), h.hash);
  const exportedTo = await exportCheckpoint(checkpoint, sinks);
  await db.query(
    "INSERT INTO audit_checkpoints (seq, hash, signed_at, key_id, signature) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
    [checkpoint.seq, checkpoint.hash, checkpoint.signedAt, checkpoint.keyId, checkpoint.signature],
  );
  return { checkpoint, exportedTo };
}
