import type { AuditContext, AuditInput } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { syncAccounts } from "../accounts.js";
import { authorities, COLUMNS, sourcesChange } from "../repo.js";
import type { PersonPatch, Source } from "../schemas.js";
import { appendAuditBatch } from "./audit-batch.js";
import { BulkRefused } from "./failure.js";
import { writeHistories } from "./history.js";
import type { Current } from "./lookups.js";

/**
 * Changing the attributes of many people at once, with the same outcome as one
 * `PeopleService.patch` per person — the record (a new version), provenance of each changed
 * attribute, the applied transfer event when department, job role, manager or location
 * change, the history version, the `person.updated` audit entry, the accounts of the people
 * whose reporting line changed and of their old and new managers, and one `person.moved` or
 * `person.updated` event — written with a few multi-row statements per batch.
 *
 * The caller has locked the rows (`cur` is what they hold) and checked the changes; anything
 * the database still refuses (an email taken meanwhile, a reference gone, a reporting loop made
 * meanwhile) throws, and the caller replays the rows through the service to find the line.
 */

export interface BulkChange {
  cur: Current;
  patch: PersonPatch;
}

/** The attributes a file changes, in the order the columns are written. */
const FIELDS = [
  "legalName",
  "preferredName",
  "workEmail",
  "departmentId",
  "jobRoleId",
  "managerId",
  "locationId",
  "employmentType",
  "startDate",
  "endDate",
] as const;
type FieldKey = (typeof FIELDS)[number];
const MOVES: readonly string[] = ["departmentId", "jobRoleId", "managerId", "locationId"];
const DATES: readonly string[] = ["startDate", "endDate"];

export async function bulkPatch(
  q: Queryable,
  { events }: { events: Events },
  ctx: AuditContext,
  changes: BulkChange[],
  source: Source,
): Promise<void> {
  // What patch counts as changed: the attributes given whose value differs from the record's.
  const work = changes
    .map(({ cur, patch }) => {
      const changed = (Object.keys(patch) as (keyof PersonPatch)[]).filter(
        (k) => patch[k] !== undefined && patch[k] !== cur[k as FieldKey],
      ) as FieldKey[];
      return { cur, patch, changed };
    })
    .filter((c) => c.changed.length);
  if (!work.length) return;
  if (work.some((c) => c.changed.some((k) => !FIELDS.includes(k))))
    throw new BulkRefused("an attribute the file does not set");

  // An attribute another source has come to own since the check: the service names it.
  const owners = await authorities(q);
  if (work.some((c) => c.changed.some((k) => owners.has(k) && owners.get(k) !== source)))
    throw new BulkRefused("an attribute owned by another source");

  const ids = work.map((c) => c.cur.id);
  const col = (k: FieldKey) => work.map((c) => (c.changed.includes(k) ? (c.patch[k] ?? null) : null));
  const flag = (k: FieldKey) => work.map((c) => c.changed.includes(k));
  const sets = FIELDS.map((k, i) => {
    const column = COLUMNS[k];
    const value = `t.v${i}${DATES.includes(k) ? "::date" : ""}`;
    return `${column} = CASE WHEN t.f${i} THEN ${value} ELSE p.${column} END`;
  });
  const params: unknown[] = [ids];
  const cols: string[] = ["id"];
  const casts: string[] = ["$1::text[]"];
  FIELDS.forEach((k, i) => {
    params.push(col(k), flag(k));
    cols.push(`v${i}`, `f${i}`);
    casts.push(`$${params.length - 1}::text[]`, `$${params.length}::boolean[]`);
  });
  const updated = await q.query(
    `UPDATE people p SET ${sets.join(", ")}, version = p.version + 1, updated_at = now()
     FROM unnest(${casts.join(", ")}) AS t(${cols.join(", ")}) WHERE p.id = t.id`,
    params,
  );
  if (updated.rowCount !== ids.length) throw new BulkRefused("a person is gone");

  // A reporting line changed meanwhile so that a new manager now reports to the person.
  const reporting = work.filter((c) => c.changed.includes("managerId") && c.patch.managerId);
  if (reporting.length) {
    const loop = await q.query(
      `WITH RECURSIVE chain(start, id, depth) AS (
         SELECT x.id, x.m, 1 FROM unnest($1::text[], $2::text[]) AS x(id, m)
         UNION ALL
         SELECT c.start, m.manager_id, c.depth + 1 FROM chain c
         CROSS JOIN LATERAL (SELECT manager_id FROM people WHERE id = c.id LIMIT 1) m
         WHERE c.id <> c.start AND c.depth < 1000
       ) SELECT 1 FROM chain WHERE id = start LIMIT 1`,
      [reporting.map((c) => c.cur.id), reporting.map((c) => c.patch.managerId)],
    );
    if (loop.rowCount) throw new BulkRefused("a reporting loop");
  }

  // Provenance of the changed attributes, merged into each person's map.
  await q.query(
    `INSERT INTO person_sources AS s (person_id, sources)
     SELECT t.p, ${sourcesChange("$3", "t.a")} FROM unnest($1::text[], $2::text[]) AS t(p, a)
     ON CONFLICT (person_id) DO UPDATE SET sources = person_sources_merge(s.sources, EXCLUDED.sources)`,
    [ids, work.map((c) => c.changed.join(",")), source],
  );

  // Department, job role, manager or location: a transfer, applied now.
  const transfers = new Map<string, string>();
  const moved = work
    .map((c) => ({ ...c, moves: c.changed.filter((k) => MOVES.includes(k)) }))
    .filter((c) => c.moves.length);
  if (moved.length) {
    for (const c of moved) transfers.set(c.cur.id, ulid());
    await q.query(
      `INSERT INTO person_events (id, person_id, type, effective_at, state, changes, source, created_by, applied_at)
       SELECT e, p, 'transfer', now(), 'applied', c::jsonb, $4, $5, now()
       FROM unnest($1::text[], $2::text[], $3::text[]) AS t(e, p, c)`,
      [
        moved.map((c) => transfers.get(c.cur.id)),
        moved.map((c) => c.cur.id),
        moved.map((c) =>
          JSON.stringify(
            Object.fromEntries(c.moves.map((k) => [k, { from: c.cur[k] ?? null, to: c.patch[k] ?? null }])),
          ),
        ),
        source,
        ctx.actorId ?? null,
      ],
    );
  }

  await writeHistories(
    q,
    work.map((c) => ({ id: c.cur.id, eventId: transfers.get(c.cur.id) ?? null })),
    new Date(),
    false,
  );
  const audit: AuditInput[] = work.map((c) => ({
    action: "person.updated",
    targetType: "person",
    targetId: c.cur.id,
    details: { source, changed: c.changed },
  }));

  // A new reporting line: the person's account, and those of their old and new managers.
  const accounts = new Set<string>();
  for (const c of work) {
    if (!c.changed.includes("managerId")) continue;
    for (const id of [c.cur.id, c.cur.managerId, c.patch.managerId]) if (id) accounts.add(id);
  }
  audit.push(...(await syncAccounts(q, ctx, [...accounts])));
  await appendAuditBatch(q, ctx, audit);

  const payload = (c: (typeof work)[number]) => ({
    personId: c.cur.id,
    employeeNumber: c.cur.employeeNumber,
    status: c.cur.status,
    departmentId: c.changed.includes("departmentId") ? (c.patch.departmentId ?? null) : c.cur.departmentId,
    jobRoleId: c.changed.includes("jobRoleId") ? (c.patch.jobRoleId ?? null) : c.cur.jobRoleId,
    managerId: c.changed.includes("managerId") ? (c.patch.managerId ?? null) : c.cur.managerId,
  });
  await events.publishMany(
    q,
    "person.moved",
    moved.map((c) => ({ ...payload(c), changed: c.moves, source })),
  );
  await events.publishMany(
    q,
    "person.updated",
    work.filter((c) => !transfers.has(c.cur.id)).map((c) => ({ ...payload(c), changed: c.changed, source })),
  );
}
