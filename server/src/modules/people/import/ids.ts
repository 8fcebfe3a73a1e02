import { randomFillSync } from "node:crypto";
import { ulid } from "ulid";

/**
 * ULIDs for bulk work. `ulid()` asks the operating system for randomness once per character
 * (16 calls per id), which dominates when a batch needs thousands of ids; this draws the same
 * cryptographic randomness from a pool filled 4 KiB at a time.
 */
const pool = Buffer.alloc(4096);
let next = pool.length;

function pooledRandom(): number {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return (pool[next++] as number) / 256;
}

export const newId = (): string => ulid(undefined, pooledRandom);
