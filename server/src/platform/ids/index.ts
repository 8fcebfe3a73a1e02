import { randomFillSync } from "node:crypto";
import { ulid as encodeUlid } from "ulid";

/**
 * Identifiers: ULIDs (sortable by creation time, 80 random bits). The ulid package asks the
 * operating system for randomness once per character (16 calls per id) and looks up its
 * source again on every call, which shows when a batch makes thousands of ids (a day's
 * leavers, an import); here the same cryptographic randomness comes from a pool filled
 * 4 KiB at a time.
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

/** A new ULID. */
export const ulid = (): string => encodeUlid(undefined, pooledRandom);
