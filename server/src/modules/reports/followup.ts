import { randomBytes } from "node:crypto";
import { sha256 } from "../../platform/crypto/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import { tooMany } from "../../platform/http/index.js";

/**
 * Follow-up codes for anonymous reporters: 140 random bits in Crockford base32 (no I, L, O,
 * U), in groups of four. Only a hash is stored; the code is shown once.
 */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_CHARS = 28;

export function newFollowUpCode(): string {
  const bytes = randomBytes(CODE_CHARS);
  let out = "";
  for (let i = 0; i < CODE_CHARS; i++) out += ALPHABET[bytes[i]! & 31];
  return out.match(/.{4}/g)!.join("-");
}

/** Reads a code as people type it: any case, any separators, O for 0 and I/L for 1. */
export function normaliseCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
}

export const hashCode = (code: string) => sha256(`report-follow-up:${normaliseCode(code)}`);

export const isWellFormedCode = (code: string) =>
  normaliseCode(code).length === CODE_CHARS && [...normaliseCode(code)].every((c) => ALPHABET.includes(c));

/**
 * Token buckets shared by every node (rows in the database): anonymous traffic carries no
 * identity to limit by, so the limit is global. A bucket holds up to `perMinute` tokens and
 * refills at `perMinute` a minute; a penalty may push it below zero (down to minus the
 * burst), which makes everyone wait longer: guessing codes slows the guesser down.
 */
export interface Bucket {
  name: string;
  perMinute: number;
}

async function level(q: Queryable, b: Bucket): Promise<number> {
  await q.query(
    "INSERT INTO report_rate_buckets (name, tokens) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    [b.name, b.perMinute],
  );
  const row = (
    await q.query<{ tokens: number; elapsed: number }>(
      `SELECT tokens, GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - updated_at))::float8 AS elapsed
       FROM report_rate_buckets WHERE name = $1 FOR UPDATE`,
      [b.name],
    )
  ).rows[0]!;
  return Math.min(b.perMinute, Number(row.tokens) + Number(row.elapsed) * (b.perMinute / 60));
}

async function store(q: Queryable, b: Bucket, tokens: number): Promise<void> {
  await q.query(
    "UPDATE report_rate_buckets SET tokens = $2, updated_at = clock_timestamp() WHERE name = $1",
    [b.name, Math.max(-b.perMinute, tokens)],
  );
}

/** Takes one token or refuses with 429 and Retry-After (the token is spent even if the request then fails). */
export async function take(db: Db, b: Bucket): Promise<void> {
  const wait = await db.tx(async (q) => {
    const now = await level(q, b);
    if (now >= 1) {
      await store(q, b, now - 1);
      return 0;
    }
    await store(q, b, now);
    return (1 - now) / (b.perMinute / 60);
  });
  if (wait > 0)
    throw tooMany(
      "report.rate_limited",
      "Many reports or look-ups are arriving right now; please try again in a little while",
      wait,
    );
}

/** Removes extra tokens (a failed code look-up costs more than a successful one). */
export async function penalise(db: Db, b: Bucket, tokens: number): Promise<void> {
  await db.tx(async (q) => store(q, b, (await level(q, b)) - tokens));
}
