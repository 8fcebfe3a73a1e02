import { describe, expect, it } from "vitest";
import { canApply, EVENT_TYPES, nextStatus, STATUSES, TransitionError } from "./status.js";

const legal: [string, string, string][] = [
  ["candidate", "hire", "pre_hire"],
  ["pre_hire", "start", "active"],
  ["active", "leave_start", "leave"],
  ["leave", "leave_end", "active"],
  ["active", "resignation", "notice"],
  ["leave", "resignation", "notice"],
  ["notice", "notice_withdrawn", "active"],
  ["notice", "termination", "leaver"],
  ["active", "termination", "leaver"],
  ["leave", "termination", "leaver"],
  ["pre_hire", "termination", "leaver"],
  ["candidate", "termination", "leaver"],
  ["leaver", "archive", "alumni"],
  ["leaver", "rehire", "pre_hire"],
  ["alumni", "rehire", "pre_hire"],
  ["active", "transfer", "active"],
  ["notice", "transfer", "notice"],
  ["leave", "transfer", "leave"],
  ["pre_hire", "transfer", "pre_hire"],
];

describe("employment status machine", () => {
  it.each(legal)("%s --%s--> %s", (from, event, to) => {
    expect(nextStatus(from as never, event as never)).toBe(to);
  });

  it("refuses every other transition with a clear error", () => {
    const allowed = new Set(legal.map(([f, e]) => `${f}:${e}`));
    let refused = 0;
    for (const from of STATUSES) {
      for (const event of EVENT_TYPES) {
        if (allowed.has(`${from}:${event}`)) continue;
        expect(canApply(from, event)).toBe(false);
        expect(() => nextStatus(from, event)).toThrow(TransitionError);
        refused++;
      }
    }
    expect(refused).toBe(STATUSES.length * EVENT_TYPES.length - legal.length);
    expect(() => nextStatus("alumni", "start")).toThrow(/not possible for someone who is alumni/);
  });
});
