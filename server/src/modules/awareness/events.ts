/**
 * Lifecycle events drive assignments: joiners get the onboarding pack (the enabled joiner
 * rules), people on notice get the notice rules' training, leavers' open assignments are closed, and an HR case closed with a training
 * outcome assigns the follow-up modules. Every handler is idempotent: assignments are
 * unique per (person, item, cycle), so a second delivery adds nothing.
 */
import type { Db } from "../../platform/db/index.js";
import type { DomainEvent, Events } from "../../platform/events/index.js";
import { findPerson, WORKING } from "../people/index.js";
import { applyRules, closeOpen } from "./assign.js";
import { SYSTEM } from "./context.js";

interface PersonPayload {
  personId: string;
}

interface HrCaseClosed {
  caseId: string;
  personId: string | null;
  outcome: string;
}

export const HR_CASE_CLOSED = "incidents.hr_case_closed";

export function subscribeAwarenessEvents(events: Events, db: Db, trainingOutcomes: readonly string[]) {
  const joiner = async (e: DomainEvent<PersonPayload>) => {
    await db.tx(async (q) => {
      const p = await findPerson(q, e.payload.personId);
      if (!p || !WORKING.includes(p.status)) return;
      const start = p.start_date ? new Date(`${String(p.start_date).slice(0, 10)}T00:00:00Z`) : new Date();
      const dueFrom = start.getTime() > Date.now() ? start : new Date();
      await applyRules(q, SYSTEM, "joiner", {
        personIds: [p.id],
        occasion: "onboarding",
        reason: "onboarding pack for joiners",
        dueFrom,
      });
    });
  };
  events.subscribe<PersonPayload>("person.hired", "awareness.joiner", joiner);
  events.subscribe<PersonPayload>("person.started", "awareness.starter", joiner);
  events.subscribe<PersonPayload>("person.rehired", "awareness.rehire", joiner);

  // Notice given: the "leaving securely" training (the enabled notice rules).
  events.subscribe<PersonPayload>("person.notice_given", "awareness.notice", async (e) => {
    await db.tx(async (q) => {
      await applyRules(q, SYSTEM, "notice", {
        personIds: [e.payload.personId],
        occasion: `notice:${String((e.payload as { eventId?: string }).eventId ?? e.occurredAt.slice(0, 10))}`,
        reason: "leaving the company securely",
      });
    });
  });

  // A day's leavers arrive together: their assignments close in one transaction.
  const closeForLeavers = (batch: DomainEvent<PersonPayload>[]) =>
    db.tx(async (q) => {
      for (const e of batch) await closeOpen(q, SYSTEM, { personId: e.payload.personId }, "leaver");
    });
  events.subscribe<PersonPayload>("person.terminated", "awareness.leaver", (e) => closeForLeavers([e]), {
    batchSize: 100,
    many: closeForLeavers,
  });

  events.subscribe<HrCaseClosed>(HR_CASE_CLOSED, "awareness.hr_case", async (e) => {
    const { personId, caseId, outcome } = e.payload;
    if (!personId || !trainingOutcomes.includes(outcome)) return;
    await db.tx(async (q) => {
      const p = await findPerson(q, personId);
      if (!p || !WORKING.includes(p.status)) return;
      await applyRules(q, SYSTEM, "hr_case", {
        personIds: [personId],
        occasion: `hr_case:${caseId}`,
        reason: "follow-up training after an HR case",
      });
    });
  });
}
