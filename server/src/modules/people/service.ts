import { DateTime } from "luxon";
import {
  type AuditContext,
  type AuditInput,
  appendAudit,
  appendAuditMany,
} from "../../platform/audit/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { AppError, conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import { syncAccount, syncAccounts } from "./accounts.js";
import {
  authorities,
  type Column,
  type EventRow,
  findEvent,
  findPeople,
  findPerson,
  type PersonRow,
  setSources,
  toEvent,
  toPerson,
  wouldCycle,
  writeHistory,
  writeHistoryRows,
  writePeople,
  writePerson,
} from "./repo.js";
import type { EventInput, Person, PersonEvent, PersonInput, PersonPatch, Source } from "./schemas.js";
import { type EventType, nextStatus, TransitionError } from "./status.js";

export const APPLY_EVENT_JOB = "people.apply_event";
/** Due events applied in one transaction (by the sweep, and by a worker's batch of apply jobs). */
export const APPLY_CHUNK = 100;

/** Domain events gathered while applying a batch, published together at its end. */
type Outbox = { type: string; payload: Record<string, unknown> }[];
/** What applying a batch of events gathers to write at its end: audit entries and domain events. */
interface Batch {
  audit: AuditInput[];
  events: Outbox;
}

export interface PeopleDeps {
  db: Db;
  jobs: Jobs;
  events: Events;
  envelope: Envelope;
}

const reasonAad = (id: string) => `people.high_risk_reason_enc:${id}`;

function uniqueViolation(e: unknown): string | null {
  const err = e as { code?: string; constraint?: string; message?: string };
  if (err.code !== "23505") return null;
  const text = `${err.constraint ?? ""} ${err.message ?? ""}`;
  if (text.includes("employee_number")) return "employeeNumber";
  if (text.includes("work_email")) return "workEmail";
  return "id";
}

/** Maps database constraint errors to problems naming the field. */
export function rethrowConstraint(e: unknown): never {
  const field = uniqueViolation(e);
  if (field === "employeeNumber")
    throw conflict("person.employee_number_in_use", "Another person has this employee number", field);
  if (field === "workEmail")
    throw conflict("person.email_in_use", "Another person has this work email", field);
  const err = e as { code?: string };
  if (err.code === "23503")
    throw unprocessable(
      "person.unknown_reference",
      "A referenced department, job role, manager or location does not exist",
    );
  throw e;
}

/** The moment an event takes effect: exact, or the start of a date in the person's time zone. */
export function effectiveMoment(
  input: Pick<EventInput, "effectiveAt" | "effectiveDate">,
  timeZone: string | null,
): Date {
  if (input.effectiveAt) return new Date(input.effectiveAt);
  if (input.effectiveDate) {
    const dt = DateTime.fromISO(input.effectiveDate, { zone: timeZone || "UTC" }).startOf("day");
    if (!dt.isValid)
      throw unprocessable("person.bad_time_zone", `Cannot place ${input.effectiveDate} in ${timeZone}`);
    return dt.toJSDate();
  }
  return new Date();
}

/** End of a date (= start of the next day) in a time zone. */
export function endOfDay(date: string, timeZone: string | null): Date {
  return DateTime.fromISO(date, { zone: timeZone || "UTC" })
    .plus({ days: 1 })
    .startOf("day")
    .toJSDate();
}

const DOMAIN_EVENT: Record<EventType, string> = {
  hire: "person.hired",
  start: "person.started",
  transfer: "person.moved",
  leave_start: "person.leave_started",
  leave_end: "person.leave_ended",
  resignation: "person.notice_given",
  notice_withdrawn: "person.notice_withdrawn",
  termination: "person.terminated",
  archive: "person.archived",
  rehire: "person.rehired",
};

/** Events whose applying touches more than the person's own record: always applied alone. */
const APPLIED_ALONE: readonly EventType[] = ["notice_withdrawn", "rehire"];

/** What applying the event writes to the person's record. */
function eventValues(ev: EventRow, row: PersonRow, status: string): Partial<Record<Column, unknown>> {
  const c = ev.changes as Record<string, string | null>;
  const values: Partial<Record<Column, unknown>> = {};
  if (status !== row.status) values.status = status;
  for (const k of ["departmentId", "jobRoleId", "managerId", "locationId"] as const)
    if (k in c) values[k] = c[k];
  if (ev.type === "termination") {
    values.terminationType = c.terminationType;
    values.endDate = DateTime.fromJSDate(new Date(ev.effective_at), { zone: row.location_tz || "UTC" })
      .minus({ minutes: 1 })
      .toISODate();
  }
  if (ev.type === "resignation") values.endDate = c.lastWorkingDay;
  if (ev.type === "notice_withdrawn") values.endDate = null;
  if (ev.type === "rehire") {
    values.startDate = c.startDate;
    values.endDate = null;
    values.terminationType = null;
    values.highRisk = false;
    values.highRiskReasonEnc = null;
  }
  return values;
}

/** The moment the history keeps for an applied event (never later than now). */
const validFromOf = (ev: EventRow) => new Date(Math.min(new Date(ev.effective_at).getTime(), Date.now()));

/** The audit entry of an applied event. */
const appliedEntry = (ev: EventRow, from: string, to: string): AuditInput => ({
  action: `person.${ev.type}`,
  targetType: "person",
  targetId: ev.person_id,
  details: { eventId: ev.id, from, to },
});

/** What the domain event of an applied event says beside the person. */
function eventExtra(ev: EventRow, after: PersonRow): Record<string, unknown> {
  const c = ev.changes as Record<string, string | null>;
  return {
    eventId: ev.id,
    eventType: ev.type,
    effectiveAt: new Date(ev.effective_at).toISOString(),
    ...(ev.type === "termination"
      ? {
          terminationType: c.terminationType,
          highRisk: after.high_risk,
          source: ev.source,
          // Recorded to take effect at once (not scheduled ahead, not from a file import):
          // the access engine never holds such a termination back.
          immediate:
            ev.source !== "csv" &&
            new Date(ev.effective_at).getTime() - new Date(ev.created_at).getTime() <= 60_000,
        }
      : {}),
    ...(ev.type === "transfer" ? { changed: Object.keys(c) } : {}),
  };
}

/** A person's domain event payload: who they are now, and what happened. */
const personPayload = (row: PersonRow, extra: Record<string, unknown>) => ({
  personId: row.id,
  employeeNumber: row.employee_number,
  status: row.status,
  departmentId: row.department_id,
  jobRoleId: row.job_role_id,
  managerId: row.manager_id,
  ...extra,
});

export function createPeopleService({ db, jobs, events, envelope }: PeopleDeps) {
  async function checkRefs(
    q: Queryable,
    personId: string | null,
    v: {
      departmentId?: string | null;
      jobRoleId?: string | null;
      managerId?: string | null;
      locationId?: string | null;
    },
  ) {
    const checks: [string | null | undefined, string, string][] = [
      [v.departmentId, "departments", "departmentId"],
      [v.jobRoleId, "job_roles", "jobRoleId"],
      [v.managerId, "people", "managerId"],
      [v.locationId, "locations", "locationId"],
    ];
    for (const [value, table, field] of checks) {
      if (!value) continue;
      const r = await q.query(`SELECT 1 FROM ${table} WHERE id = $1`, [value]);
      if (r.rowCount === 0) {
        throw unprocessable(
          `person.unknown_${field.replace(/Id$/, "").replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`,
          `No such ${field.replace(/Id$/, "")}: ${value}`,
          [{ path: field, message: "does not exist" }],
        );
      }
    }
    if (personId && v.managerId && (await wouldCycle(q, personId, v.managerId))) {
      throw unprocessable(
        "person.manager_cycle",
        "This manager would report (directly or not) to the person: a cycle",
        [{ path: "managerId", message: "creates a reporting cycle" }],
      );
    }
  }

  /** Refuses changes to attributes another source is the authority for. */
  async function checkAuthority(q: Queryable, fields: string[], source: Source) {
    const owners = await authorities(q);
    const owned = fields.filter((f) => owners.has(f) && owners.get(f) !== source);
    if (owned.length) {
      throw new AppError(
        409,
        "person.attribute_owned",
        `${owned.map((f) => `${f} is owned by ${owners.get(f)}`).join("; ")}`,
        owned.map((f) => ({ path: f, message: `owned by ${owners.get(f)}` })),
      );
    }
  }

  /**
   * Publishes a person's domain event; with an outbox it is gathered there instead, to be
   * published together with the others of a batch (applyMany).
   */
  async function publish(
    q: Queryable,
    type: string,
    row: PersonRow,
    extra: Record<string, unknown> = {},
    outbox?: Outbox,
  ) {
    const payload = personPayload(row, extra);
    if (outbox) outbox.push({ type, payload });
    else await events.publish(q, type, payload);
  }

  async function create(
    q: Queryable,
    ctx: AuditContext,
    input: PersonInput,
    source: Source,
  ): Promise<Person> {
    await checkRefs(q, null, input);
    const id = ulid();
    try {
      await q.query("SAVEPOINT person_insert");
      await q.query(
        `INSERT INTO people (id, employee_number, legal_name, preferred_name, work_email, department_id, job_role_id,
           manager_id, location_id, employment_type, status, start_date, end_date)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
        [
          id,
          input.employeeNumber,
          input.legalName,
          input.preferredName ?? null,
          input.workEmail,
          input.departmentId ?? null,
          input.jobRoleId ?? null,
          input.managerId ?? null,
          input.locationId ?? null,
          input.employmentType,
          input.status,
          input.startDate ?? null,
          input.endDate ?? null,
        ],
      );
      await q.query("RELEASE SAVEPOINT person_insert");
    } catch (e) {
      await q.query("ROLLBACK TO SAVEPOINT person_insert");
      rethrowConstraint(e);
    }
    const fields = Object.keys(input).filter((k) => input[k as keyof PersonInput] != null);
    await setSources(q, id, fields, source);
    await writeHistory(q, id, new Date(), null);
    const eventId = ulid();
    await q.query(
      `INSERT INTO person_events (id, person_id, type, effective_at, state, changes, source, created_by, applied_at)
       VALUES ($1, $2, 'hire', now(), 'applied', $3, $4, $5, now())`,
      [
        eventId,
        id,
        JSON.stringify({ status: input.status, startDate: input.startDate ?? null }),
        source,
        ctx.actorId ?? null,
      ],
    );
    await appendAudit(q, ctx, {
      action: "person.created",
      targetType: "person",
      targetId: id,
      details: { source, status: input.status },
    });
    await syncAccount(q, ctx, id);
    if (input.managerId) await syncAccount(q, ctx, input.managerId);
    const row = (await findPerson(q, id)) as PersonRow;
    await publish(q, "person.hired", row, { source });
    // A pre-hire with a start date starts at the beginning of that day, by the scheduler.
    if (input.status === "pre_hire" && input.startDate) {
      await record(q, ctx, id, { type: "start", effectiveDate: input.startDate }, source);
    }
    return toPerson((await findPerson(q, id)) as PersonRow);
  }

  /** Direct edits. Changes to department, role, manager or location are recorded as a transfer now. */
  async function patch(
    q: Queryable,
    ctx: AuditContext,
    id: string,
    p: PersonPatch,
    source: Source,
    expectedVersion?: number,
  ): Promise<Person> {
    const row = await findPerson(q, id, true);
    if (!row) throw notFound("person.not_found", "No such person");
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw new AppError(
        412,
        "person.version_mismatch",
        "The record changed since you read it; reload and try again",
      );
    }
    const current = toPerson(row) as unknown as Record<string, unknown>;
    const changed = (Object.keys(p) as (keyof PersonPatch)[]).filter(
      (k) => p[k] !== undefined && p[k] !== current[k],
    );
    if (!changed.length) return toPerson(row);
    await checkAuthority(q, changed, source);
    await checkRefs(q, id, p);
    const start = (p.startDate !== undefined ? p.startDate : current.startDate) as string | null;
    const end = (p.endDate !== undefined ? p.endDate : current.endDate) as string | null;
    if (start && end && end < start) {
      throw unprocessable("person.end_before_start", "endDate must not be before startDate", [
        { path: "endDate", message: "before startDate" },
      ]);
    }
    const values: Partial<Record<Column, unknown>> = {};
    for (const k of changed) values[k as Column] = p[k];
    try {
      await q.query("SAVEPOINT person_update");
      await writePerson(q, id, values);
      await q.query("RELEASE SAVEPOINT person_update");
    } catch (e) {
      await q.query("ROLLBACK TO SAVEPOINT person_update");
      rethrowConstraint(e);
    }
    await setSources(q, id, changed, source);
    const moves = changed.filter((k) => ["departmentId", "jobRoleId", "managerId", "locationId"].includes(k));
    let eventId: string | null = null;
    if (moves.length) {
      eventId = ulid();
      const diff = Object.fromEntries(moves.map((k) => [k, { from: current[k] ?? null, to: p[k] ?? null }]));
      await q.query(
        `INSERT INTO person_events (id, person_id, type, effective_at, state, changes, source, created_by, applied_at)
         VALUES ($1, $2, 'transfer', now(), 'applied', $3, $4, $5, now())`,
        [eventId, id, JSON.stringify(diff), source, ctx.actorId ?? null],
      );
    }
    await writeHistory(q, id, new Date(), eventId);
    await appendAudit(q, ctx, {
      action: "person.updated",
      targetType: "person",
      targetId: id,
      details: { source, changed },
    });
    const after = (await findPerson(q, id)) as PersonRow;
    if (changed.includes("managerId")) {
      await syncAccount(q, ctx, id);
      for (const m of [row.manager_id, after.manager_id]) if (m) await syncAccount(q, ctx, m);
    }
    if (moves.length) await publish(q, "person.moved", after, { changed: moves, source });
    else await publish(q, "person.updated", after, { changed, source });
    return toPerson(after);
  }

  /** Records a lifecycle event; applies it now if it is due, otherwise schedules it. */
  async function record(
    q: Queryable,
    ctx: AuditContext,
    personId: string,
    input: EventInput,
    source: Source,
  ): Promise<PersonEvent> {
    const row = await findPerson(q, personId, true);
    if (!row) throw notFound("person.not_found", "No such person");
    if (input.changes) await checkRefs(q, personId, input.changes);
    let effectiveAt = effectiveMoment(input, row.location_tz);
    const changes: Record<string, unknown> = { ...(input.changes ?? {}) };
    if (input.type === "termination") changes.terminationType = input.terminationType;
    if (input.type === "resignation") changes.lastWorkingDay = input.lastWorkingDay;
    if (input.type === "termination" && !input.effectiveAt && !input.effectiveDate) effectiveAt = new Date();
    const id = ulid();
    const due = effectiveAt.getTime() <= Date.now();
    // Validate against the status the person will have when it applies (now, for due events).
    if (due) {
      try {
        nextStatus(row.status, input.type);
      } catch (e) {
        if (e instanceof TransitionError)
          throw new AppError(409, "person.illegal_transition", e.message, [
            { path: "type", message: e.message },
          ]);
        throw e;
      }
    }
    await q.query(
      `INSERT INTO person_events (id, person_id, type, effective_at, state, changes, source, reason, created_by)
       VALUES ($1,$2,$3,$4,'scheduled',$5,$6,$7,$8)`,
      [
        id,
        personId,
        input.type,
        effectiveAt.toISOString(),
        JSON.stringify(changes),
        source,
        input.reason ?? null,
        ctx.actorId ?? null,
      ],
    );
    if (input.highRisk !== undefined)
      await setHighRisk(q, ctx, personId, input.highRisk, input.highRiskReason ?? null);
    await appendAudit(q, ctx, {
      action: due ? "person.event_recorded" : "person.event_scheduled",
      targetType: "person",
      targetId: personId,
      details: { eventId: id, type: input.type, effectiveAt: effectiveAt.toISOString(), source },
    });
    if (due) await apply(q, ctx, id);
    else await jobs.send(q, APPLY_EVENT_JOB, { eventId: id }, { startAfter: effectiveAt, singletonKey: id });
    if (input.type === "resignation" && input.lastWorkingDay) {
      await record(
        q,
        ctx,
        personId,
        {
          type: "termination",
          terminationType: "voluntary",
          effectiveAt: endOfDay(input.lastWorkingDay, row.location_tz).toISOString(),
          reason: "end of notice period",
        },
        source,
      );
    }
    return toEvent((await findEvent(q, id))!);
  }

  /** Applies one event (idempotent: a second call on an applied event does nothing). */
  async function apply(q: Queryable, ctx: AuditContext, eventId: string): Promise<PersonEvent | null> {
    await applyOne(q, ctx, eventId);
    const ev = await findEvent(q, eventId);
    return ev ? toEvent(ev) : null;
  }

  /**
   * Applies one event if it is still scheduled (false when it is not). With a batch, the
   * audit entry of the change and the domain event it causes are gathered there, to be
   * written and published together with the others of the batch (applyMany).
   */
  async function applyOne(q: Queryable, ctx: AuditContext, eventId: string, batch?: Batch): Promise<boolean> {
    const ev = await findEvent(q, eventId, true);
    if (ev?.state !== "scheduled") return false;
    const row = (await findPerson(q, ev.person_id, true)) as PersonRow;
    let status: string;
    try {
      status = nextStatus(row.status, ev.type);
    } catch (e) {
      const message = (e as Error).message;
      await q.query("UPDATE person_events SET state = 'failed', error = $2 WHERE id = $1", [
        eventId,
        message,
      ]);
      await appendAudit(q, ctx, {
        action: "person.event_failed",
        targetType: "person",
        targetId: row.id,
        outcome: "failure",
        details: { eventId, type: ev.type, error: message },
      });
      return true;
    }
    const values = eventValues(ev, row, status);
    if (ev.type === "notice_withdrawn") {
      await q.query(
        "UPDATE person_events SET state = 'cancelled', error = 'notice withdrawn' WHERE person_id = $1 AND type = 'termination' AND state = 'scheduled'",
        [row.id],
      );
    }
    await writePerson(q, row.id, values);
    await q.query("UPDATE person_events SET state = 'applied', applied_at = now() WHERE id = $1", [eventId]);
    // The record as changed (what the history keeps is what the event reports).
    const after = await writeHistory(q, row.id, validFromOf(ev), eventId);
    const entry = appliedEntry(ev, row.status, status);
    if (batch) batch.audit.push(entry);
    else await appendAudit(q, ctx, entry);
    await syncAccount(q, ctx, row.id);
    for (const m of new Set([row.manager_id, after.manager_id])) if (m) await syncAccount(q, ctx, m);
    // A rehire records its start right after: its own event goes out first, as it always has.
    const out = ev.type === "rehire" ? undefined : batch?.events;
    await publish(q, DOMAIN_EVENT[ev.type], after, eventExtra(ev, after), out);
    const c = ev.changes as Record<string, string | null>;
    if (ev.type === "rehire" && c.startDate) {
      await record(q, ctx, row.id, { type: "start", effectiveDate: c.startDate }, ev.source as Source);
    }
    return true;
  }

  async function cancel(q: Queryable, ctx: AuditContext, eventId: string): Promise<PersonEvent> {
    const ev = await findEvent(q, eventId, true);
    if (!ev) throw notFound("person_event.not_found", "No such event");
    if (ev.state !== "scheduled")
      throw new AppError(409, "person_event.not_scheduled", `The event is ${ev.state}, not scheduled`);
    await q.query("UPDATE person_events SET state = 'cancelled' WHERE id = $1", [eventId]);
    await appendAudit(q, ctx, {
      action: "person.event_cancelled",
      targetType: "person",
      targetId: ev.person_id,
      details: { eventId, type: ev.type },
    });
    return toEvent((await findEvent(q, eventId))!);
  }

  async function setHighRisk(
    q: Queryable,
    ctx: AuditContext,
    personId: string,
    flag: boolean,
    reason: string | null,
  ) {
    await q.query(
      "UPDATE people SET high_risk = $2, high_risk_reason_enc = $3, version = version + 1, updated_at = now() WHERE id = $1",
      [personId, flag, flag && reason ? envelope.encrypt(reason, reasonAad(personId)) : null],
    );
    await appendAudit(q, ctx, {
      action: flag ? "person.high_risk_flagged" : "person.high_risk_cleared",
      targetType: "person",
      targetId: personId,
    });
    if (flag) {
      const row = (await findPerson(q, personId)) as PersonRow;
      await publish(q, "person.high_risk_flagged", row);
    }
  }

  /**
   * Applies plain events of different people together, with the outcome `applyOne` has for
   * each (record, event state, history version, audit entry, accounts of the person and of
   * their old and new managers, domain event) in a few statements for the whole list. An
   * event the person's status does not allow is left to `applyOne` (returned), which records
   * why it failed.
   */
  async function applyTogether(q: Queryable, ctx: AuditContext, evs: EventRow[], batch: Batch) {
    const left: string[] = [];
    if (!evs.length) return left;
    const before = await findPeople(
      q,
      evs.map((e) => e.person_id),
      true,
    );
    const work: { ev: EventRow; row: PersonRow; status: string }[] = [];
    for (const ev of evs) {
      const row = before.get(ev.person_id) as PersonRow;
      try {
        work.push({ ev, row, status: nextStatus(row.status, ev.type) });
      } catch {
        left.push(ev.id);
      }
    }
    if (!work.length) return left;
    await writePeople(
      q,
      work.map((w) => ({ id: w.row.id, values: eventValues(w.ev, w.row, w.status) })),
    );
    await q.query(
      "UPDATE person_events SET state = 'applied', applied_at = now() WHERE id = ANY ($1::text[])",
      [work.map((w) => w.ev.id)],
    );
    const after = await findPeople(
      q,
      work.map((w) => w.row.id),
    );
    const now = (w: (typeof work)[number]) => after.get(w.row.id) as PersonRow;
    await writeHistoryRows(
      q,
      work.map((w) => ({ row: now(w), validFrom: validFromOf(w.ev), eventId: w.ev.id })),
    );
    for (const w of work) batch.audit.push(appliedEntry(w.ev, w.row.status, w.status));
    const accounts = new Set<string>();
    for (const w of work)
      for (const id of [w.row.id, w.row.manager_id, now(w).manager_id]) if (id) accounts.add(id);
    batch.audit.push(...(await syncAccounts(q, ctx, [...accounts])));
    for (const w of work)
      batch.events.push({
        type: DOMAIN_EVENT[w.ev.type],
        payload: personPayload(now(w), eventExtra(w.ev, now(w))),
      });
    return left;
  }

  /**
   * Applies many events in one transaction, in the order they take effect, and publishes
   * what they cause together: a day's terminations falling due at once cost a queued job
   * per subscriber for up to EVENTS_PER_JOB people instead of one per person. Each event is
   * applied exactly as `apply` would (its own history, audit entry, account sync and payload).
   * Returns how many of them were still scheduled.
   */
  async function applyMany(q: Queryable, ctx: AuditContext, eventIds: readonly string[]): Promise<number> {
    const scheduled = await q.query<EventRow>(
      `SELECT * FROM person_events WHERE id = ANY ($1::text[]) AND state = 'scheduled'
       ORDER BY effective_at, created_at, id FOR UPDATE`,
      [[...new Set(eventIds)]],
    );
    const perPerson = new Map<string, number>();
    for (const e of scheduled.rows) perPerson.set(e.person_id, (perPerson.get(e.person_id) ?? 0) + 1);
    // One plain event for a person: applied with the others in a few statements. Several for
    // one person (each must see the one before) and the events that touch more than the
    // record: one at a time, in the order they take effect.
    const plain = scheduled.rows.filter(
      (e) => perPerson.get(e.person_id) === 1 && !APPLIED_ALONE.includes(e.type),
    );
    const batch: Batch = { audit: [], events: [] };
    const alone = new Set([
      ...(await applyTogether(q, ctx, plain, batch)),
      ...scheduled.rows.filter((e) => !plain.includes(e)).map((e) => e.id),
    ]);
    for (const e of scheduled.rows) if (alone.has(e.id)) await applyOne(q, ctx, e.id, batch);
    await appendAuditMany(q, ctx, batch.audit);
    const byType = new Map<string, Record<string, unknown>[]>();
    for (const e of batch.events) byType.set(e.type, [...(byType.get(e.type) ?? []), e.payload]);
    for (const [type, payloads] of byType) await events.publishMany(q, type, payloads);
    return scheduled.rows.length;
  }

  /**
   * Applies a chunk of events together; when that fails as a whole, one by one, each in its
   * own transaction, so only the event at fault fails (and is retried) and the rest are applied.
   */
  async function applyChunk(ctx: AuditContext, eventIds: readonly string[]): Promise<unknown> {
    try {
      await db.tx((q) => applyMany(q, ctx, eventIds));
      return null;
    } catch {
      let failure: unknown = null;
      for (const id of eventIds) {
        try {
          await db.tx((q) => apply(q, ctx, id));
        } catch (err) {
          failure ??= err;
        }
      }
      return failure;
    }
  }

  /**
   * Applies every scheduled event that is due (the safety net behind the per-event jobs),
   * APPLY_CHUNK at a time. An event that cannot be applied stays scheduled for the next
   * sweep and the sweep reports the first such error once the others are applied.
   */
  async function applyDue(ctx: AuditContext, limit = 500): Promise<number> {
    const due = await db.query<{ id: string }>(
      "SELECT id FROM person_events WHERE state = 'scheduled' AND effective_at <= now() ORDER BY effective_at LIMIT $1",
      [limit],
    );
    const ids = due.rows.map((e) => e.id);
    let failure: unknown = null;
    for (let i = 0; i < ids.length; i += APPLY_CHUNK)
      failure ??= await applyChunk(ctx, ids.slice(i, i + APPLY_CHUNK));
    if (failure) throw failure;
    return ids.length;
  }

  /** The confidential view adds the high-risk flag and its reason (decrypted, read audited by the route). */
  function view(row: PersonRow, confidential: boolean): Person {
    const p = toPerson(row);
    if (!confidential) return p;
    return {
      ...p,
      highRisk: row.high_risk,
      highRiskReason: row.high_risk_reason_enc
        ? envelope.decrypt(row.high_risk_reason_enc, reasonAad(row.id))
        : null,
    };
  }

  return { create, patch, record, apply, applyMany, cancel, applyDue, setHighRisk, view };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
export { reasonAad };
