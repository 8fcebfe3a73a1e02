import type { AuditContext, AuditInput } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import { ulid } from "../../../platform/ids/index.js";
import type { Jobs } from "../../../platform/jobs/index.js";
import { syncAccounts } from "../accounts.js";
import { sourcesChange } from "../repo.js";
import type { PersonInput, Source } from "../schemas.js";
import { APPLY_EVENT_JOB, effectiveMoment, rethrowConstraint } from "../service.js";
import { appendAuditBatch } from "./audit-batch.js";
import { createAccounts, planAccounts } from "./bulk-accounts.js";
import { writeHistories } from "./history.js";

/**
 * Creating many people at once, with the same outcome as one `PeopleService.create` per
 * person — the record, provenance of each attribute, the first history version, the applied
 * hire event, the linked Tandem account with its roles, the audit entries, the `person.hired`
 * event and, for a pre-hire, the start scheduled for their start date — written with a few
 * multi-row statements per batch.
 *
 * Not for a pre-hire whose start date has come (the service starts them at once, another
 * lifecycle step): those, and every other case, go through the service.
 */
export function bulkEligible(input: PersonInput, now: Date): boolean {
  if (input.status !== "pre_hire" || !input.startDate) return true;
  // A day's margin keeps clear of time zones: the start is at midnight where the person works.
  return input.startDate > new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
}

export interface BulkPerson {
  id: string;
  input: PersonInput;
}

export async function bulkCreate(
  q: Queryable,
  { events, jobs }: { events: Events; jobs: Jobs },
  ctx: AuditContext,
  people: BulkPerson[],
  source: Source,
): Promise<void> {
  if (!people.length) return;
  const ids = people.map((p) => p.id);
  const audit = new Map<string, AuditInput[]>(
    people.map((p) => [
      p.id,
      [
        {
          action: "person.created",
          targetType: "person",
          targetId: p.id,
          details: { source, status: p.input.status },
        },
      ],
    ]),
  );
  const accounts = await planAccounts(q, people, audit);
  await createAccounts(q, accounts);
  const col = <T>(f: (i: PersonInput) => T) => people.map((p) => f(p.input) ?? null);
  try {
    await q.query("SAVEPOINT people_bulk");
    await q.query(
      `INSERT INTO people (id, employee_number, legal_name, preferred_name, work_email, department_id, job_role_id,
         manager_id, location_id, employment_type, status, start_date, end_date, user_id)
       SELECT id, n, ln, pn, e, d, j, m, l, et, s, sd::date, ed::date, u
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
         AS t(id, n, ln, pn, e, d, j, m, l, et, s, sd, ed, u)`,
      [
        ids,
        col((i) => i.employeeNumber),
        col((i) => i.legalName),
        col((i) => i.preferredName),
        col((i) => i.workEmail),
        col((i) => i.departmentId),
        col((i) => i.jobRoleId),
        col((i) => i.managerId),
        col((i) => i.locationId),
        col((i) => i.employmentType),
        col((i) => i.status),
        col((i) => i.startDate),
        col((i) => i.endDate),
        ids.map((id) => accounts.userOf.get(id) ?? null),
      ],
    );
    await q.query("RELEASE SAVEPOINT people_bulk");
  } catch (e) {
    await q.query("ROLLBACK TO SAVEPOINT people_bulk");
    rethrowConstraint(e);
  }

  // Provenance: every attribute given, set by this source (the people are new: nothing to replace).
  // Each person's attribute names (field names, never a comma) go as one list.
  await q.query(
    `INSERT INTO person_sources (person_id, sources)
     SELECT t.p, ${sourcesChange("$3", "t.a")} FROM unnest($1::text[], $2::text[]) AS t(p, a)`,
    [
      ids,
      people.map((p) =>
        Object.entries(p.input)
          .filter(([, v]) => v != null)
          .map(([k]) => k)
          .join(","),
      ),
      source,
    ],
  );

  // The first history version, before the account was linked (as create writes it).
  await writeHistories(
    q,
    ids.map((id) => ({ id, eventId: null })),
    new Date(),
    true,
  );

  await q.query(
    `INSERT INTO person_events (id, person_id, type, effective_at, state, changes, source, created_by, applied_at)
     SELECT e, p, 'hire', now(), 'applied', c::jsonb, $4, $5, now() FROM unnest($1::text[], $2::text[], $3::text[]) AS t(e, p, c)`,
    [
      people.map(() => ulid()),
      ids,
      people.map((p) => JSON.stringify({ status: p.input.status, startDate: p.input.startDate ?? null })),
      source,
      ctx.actorId ?? null,
    ],
  );

  // A pre-hire starts at the beginning of their start date where they work: a scheduled event.
  const preHires = people.filter((p) => p.input.status === "pre_hire" && p.input.startDate);
  const places = [...new Set(preHires.map((p) => p.input.locationId).filter((l): l is string => !!l))];
  const zone = new Map(
    places.length
      ? (
          await q.query<{ id: string; time_zone: string }>(
            "SELECT id, time_zone FROM locations WHERE id = ANY($1::text[])",
            [places],
          )
        ).rows.map((l) => [l.id, l.time_zone])
      : [],
  );
  const starts = preHires.map((p) => ({
    person: p.id,
    event: ulid(),
    at: effectiveMoment(
      { effectiveDate: p.input.startDate as string },
      (p.input.locationId && zone.get(p.input.locationId)) || null,
    ),
  }));
  if (starts.length) {
    await q.query(
      `INSERT INTO person_events (id, person_id, type, effective_at, state, changes, source, created_by)
       SELECT e, p, 'start', a::timestamptz, 'scheduled', '{}'::jsonb, $4, $5
       FROM unnest($1::text[], $2::text[], $3::text[]) AS t(e, p, a)`,
      [
        starts.map((s) => s.event),
        starts.map((s) => s.person),
        starts.map((s) => s.at.toISOString()),
        source,
        ctx.actorId ?? null,
      ],
    );
    for (const s of starts) {
      (audit.get(s.person) as AuditInput[]).push({
        action: "person.event_scheduled",
        targetType: "person",
        targetId: s.person,
        details: { eventId: s.event, type: "start", effectiveAt: s.at.toISOString(), source },
      });
    }
  }

  // Managers from outside this batch may gain the manager role (or an account).
  const inBatch = new Set(ids);
  const managers = [...new Set(people.map((p) => p.input.managerId).filter((m): m is string => !!m))].filter(
    (m) => !inBatch.has(m),
  );
  const managerAudit = await syncAccounts(q, ctx, managers);
  await appendAuditBatch(q, ctx, [...[...audit.values()].flat(), ...managerAudit]);

  // One person.hired event per person, as create publishes it (the values as inserted), enqueued together.
  await events.publishMany(
    q,
    "person.hired",
    people.map((p) => ({
      personId: p.id,
      employeeNumber: p.input.employeeNumber,
      status: p.input.status,
      departmentId: p.input.departmentId ?? null,
      jobRoleId: p.input.jobRoleId ?? null,
      managerId: p.input.managerId ?? null,
      source,
    })),
  );
  await jobs.sendMany(
    q,
    APPLY_EVENT_JOB,
    starts.map((s) => ({ data: { eventId: s.event }, startAfter: s.at, singletonKey: s.event })),
  );
}
