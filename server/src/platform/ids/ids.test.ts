import { decodeTime, isValid } from "ulid";
import { describe, expect, it } from "vitest";
import { ulid } from "./index.js";

describe("ids", () => {
  it("makes valid ULIDs stamped with the current time", () => {
    const before = Date.now();
    const id = ulid();
    expect(isValid(id)).toBe(true);
    expect(decodeTime(id)).toBeGreaterThanOrEqual(before);
    expect(decodeTime(id)).toBeLessThanOrEqual(Date.now());
  });

  it("draws fresh randomness across pool refills: no repeats in many ids, every character used", () => {
    const ids = Array.from({ length: 20_000 }, () => ulid());
    expect(new Set(ids).size).toBe(ids.length);
    // The random part (last 16 characters) covers the Crockford alphabet evenly enough.
    const counts = new Map<string, number>();
    for (const id of ids) for (const ch of id.slice(10)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (ids.length * 16) / 32;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.1);
  });
});
