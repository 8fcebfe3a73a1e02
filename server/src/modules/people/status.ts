/** Employment status machine: which lifecycle event may move a person from which status. */
export const STATUSES = ["candidate", "pre_hire", "active", "leave", "notice", "leaver", "alumni"] as const;
export type Status = (typeof STATUSES)[number];

export const EVENT_TYPES = [
  "hire",
  "start",
  "transfer",
  "leave_start",
  "leave_end",
  "resignation",
  "notice_withdrawn",
  "termination",
  "archive",
  "rehire",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** from-statuses → the status after the event (null: the status does not change). */
const RULES: Record<EventType, { from: readonly Status[]; to: Status | null }> = {
  hire: { from: ["candidate"], to: "pre_hire" },
  start: { from: ["pre_hire"], to: "active" },
  transfer: { from: ["pre_hire", "active", "leave", "notice"], to: null },
  leave_start: { from: ["active"], to: "leave" },
  leave_end: { from: ["leave"], to: "active" },
  resignation: { from: ["active", "leave"], to: "notice" },
  notice_withdrawn: { from: ["notice"], to: "active" },
  termination: { from: ["candidate", "pre_hire", "active", "leave", "notice"], to: "leaver" },
  archive: { from: ["leaver"], to: "alumni" },
  rehire: { from: ["leaver", "alumni"], to: "pre_hire" },
};

export class TransitionError extends Error {
  constructor(
    public readonly event: EventType,
    public readonly from: Status,
  ) {
    const allowed = RULES[event].from.join(", ");
    super(
      `A ${event.replace("_", " ")} is not possible for someone who is ${from.replace("_", "-")} (allowed from: ${allowed})`,
    );
  }
}

/** The status after `event`, or a TransitionError naming what is allowed. */
export function nextStatus(from: Status, event: EventType): Status {
  const rule = RULES[event];
  if (!rule.from.includes(from)) throw new TransitionError(event, from);
  return rule.to ?? from;
}

export function canApply(from: Status, event: EventType): boolean {
  return RULES[event].from.includes(from);
}

/** Statuses in which a person holds access and a Tandem account (leavers and alumni do not). */
export const WORKING: readonly Status[] = ["pre_hire", "active", "leave", "notice"];
