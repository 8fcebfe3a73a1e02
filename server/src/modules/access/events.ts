/**
 * HR events drive the engine: each lifecycle event of the People module becomes a plan
 * (joiner, mover, leaver) computed from the person's record as it is now. Every handler is
 * idempotent: the plan carries its cause, and a second delivery finds it.
 */
import type { AuditContext } from "../../platform/audit/index.js";
import type { Db } from "../../platform/db/index.js";
import type { DomainEvent, Events } from "../../platform/events/index.js";
import { AppError } from "../../platform/http/index.js";
import { raiseAlert } from "./alerts.js";
import type { EngineSettings } from "./context.js";
import type { PlanReason } from "./schemas.js";
import type { AccessService } from "./service.js";

const HR: AuditContext = { actorLabel: "hr event" };
/**
 * HR events of one kind taken at once when many are waiting (a file import, a day's
 * terminations): their plans are made together, set-based (createPlans), in one transaction.
 */
const BULK_EVENTS = 100;

interface PersonPayload {
  personId: string;
  employeeNumber?: string;
  status?: string;
  eventId?: string;
  effectiveAt?: string;
  terminationType?: string | null;
  highRisk?: boolean;
  /** Termination recorded to take effect at once (not scheduled, not from an import). */
  immediate?: boolean;
  changed?: string[];
}

/** The cause of a plan: the HR event's id, or the person and moment for events without one. */
const causeOf = (e: DomainEvent<PersonPayload>) =>
  `${e.type}:${e.payload.eventId ?? `${e.payload.personId}@${e.occurredAt}`}`;

const hrMoment = (e: DomainEvent<PersonPayload>) => new Date(e.payload.effectiveAt ?? e.occurredAt);

/** The person is gone (removed from HR records since the event): there is nothing to plan. */
const isPersonGone = (err: unknown) => err instanceof AppError && err.code === "person.not_found";

export function subscribeAccessEvents(
  events: Events,
  deps: { db: Db; access: AccessService; settings: EngineSettings },
) {
  const { db, access, settings } = deps;

  type PlanExtra = { removalDelayHours?: number; leaverTasks?: boolean; immediate?: boolean };
  const requestFor = (e: DomainEvent<PersonPayload>, reason: PlanReason, extra: PlanExtra) => ({
    personId: e.payload.personId,
    reason,
    createdBy: "hr event",
    sourceKey: causeOf(e),
    sourceEventId: e.payload.eventId ?? null,
    hrEventAt: hrMoment(e),
    ...extra,
  });

  const planFor = async (e: DomainEvent<PersonPayload>, reason: PlanReason, extra: PlanExtra = {}) => {
    await access.plan(HR, requestFor(e, reason, extra)).catch((err) => {
      if (!isPersonGone(err)) throw err;
    });
  };

  /** Events delivered together (a bulk of terminations falling due at once): one transaction. */
  const planMany = async (
    events: DomainEvent<PersonPayload>[],
    reason: PlanReason,
    extra: (e: DomainEvent<PersonPayload>) => PlanExtra = () => ({}),
  ) => {
    await access.planMany(
      HR,
      events.map((e) => requestFor(e, reason, extra(e))),
    );
  };

  const alertHighRisk = async (e: DomainEvent<PersonPayload>, kind: string, title: string) => {
    await db.tx((q) =>
      raiseAlert(q, HR, {
        kind,
        personId: e.payload.personId,
        audience: ["security", "legal"],
        title: `${title} (employee number ${e.payload.employeeNumber ?? "unknown"})`,
        detail:
          kind === "high_risk_leaver_terminated"
            ? "The termination took effect: access is being revoked now. Check the leaver page and the evidence-preservation task."
            : "HR flagged this person as a high-risk leaver. Security can revoke all access at once (revoke now); Legal decides on evidence preservation.",
        sourceKey: `${kind}:${causeOf(e)}`,
      }),
    );
  };

  // A single termination recorded to take effect now, and a high-risk leaver, are never
  // held by the circuit breaker; scheduled ones and file imports are counted as batches.
  const leaverExtra = (e: DomainEvent<PersonPayload>): PlanExtra => ({
    leaverTasks: true,
    immediate: e.payload.highRisk === true || e.payload.immediate === true,
  });
  events.subscribe<PersonPayload>(
    "person.terminated",
    "access.leaver",
    async (e) => {
      if (e.payload.highRisk)
        await alertHighRisk(e, "high_risk_leaver_terminated", "High-risk leaver terminated");
      await planFor(e, "leaver", leaverExtra(e));
    },
    {
      batchSize: BULK_EVENTS,
      many: async (batch) => {
        for (const e of batch)
          if (e.payload.highRisk)
            await alertHighRisk(e, "high_risk_leaver_terminated", "High-risk leaver terminated");
        await planMany(batch, "leaver", leaverExtra);
      },
    },
  );
  events.subscribe<PersonPayload>("person.hired", "access.joiner", (e) => planFor(e, "joiner"), {
    batchSize: BULK_EVENTS,
    many: (batch) => planMany(batch, "joiner"),
  });
  events.subscribe<PersonPayload>("person.started", "access.starter", (e) => planFor(e, "joiner"), {
    batchSize: BULK_EVENTS,
    many: (batch) => planMany(batch, "joiner"),
  });
  const moverExtra = () => ({ removalDelayHours: settings.moverGraceHours });
  events.subscribe<PersonPayload>("person.moved", "access.mover", (e) => planFor(e, "mover", moverExtra()), {
    batchSize: BULK_EVENTS,
    many: (batch) => planMany(batch, "mover", moverExtra),
  });
  events.subscribe<PersonPayload>("person.updated", "access.updated", async (e) => {
    if (e.payload.changed?.includes("employmentType"))
      await planFor(e, "mover", { removalDelayHours: settings.moverGraceHours });
  });
  events.subscribe<PersonPayload>("person.rehired", "access.rehire", async (e) => {
    // A rehire starts afresh: an earlier "revoke now" no longer stands.
    await db.query("DELETE FROM access_lockouts WHERE person_id = $1", [e.payload.personId]);
    await planFor(e, "joiner");
  });
  events.subscribe<PersonPayload>("person.high_risk_flagged", "access.high_risk", (e) =>
    alertHighRisk(e, "high_risk_leaver_flagged", "High-risk leaver flagged"),
  );
}
