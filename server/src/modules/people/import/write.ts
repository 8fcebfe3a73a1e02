import type { AuditContext } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import type { Jobs } from "../../../platform/jobs/index.js";
import type { EventInput, PersonInput, PersonPatch } from "../schemas.js";
import type { PeopleService } from "../service.js";
import { bulkCreate } from "./bulk.js";
import { bulkPatch } from "./bulk-patch.js";
import type { Decision, PlannedEvent } from "./decide.js";
import { failure, replayable } from "./failure.js";
import type { Current } from "./lookups.js";
import type { Row } from "./rows.js";

/** What a batch writes, decided by applyBatch (apply.ts). */
export interface BatchWrites {
  /** New people the bulk writer takes, with the ids chosen for them. */
  fast: { row: Row; id: string; decision: Decision; input: PersonInput }[];
  /** Attribute changes without lifecycle events, whose manager (if any) exists before them. */
  patches: { row: Row; decision: Decision; cur: Current }[];
  /** Everything else, through the service, in file order. */
  ops: Op[];
}

export type Op =
  | { kind: "create"; row: Row; decision: Decision }
  | { kind: "update"; row: Row; decision: Decision; cur: Current };

interface WriteDeps {
  people: PeopleService;
  events: Events;
  jobs: Jobs;
}

/**
 * Writes a batch: creates and plain attribute changes with a few statements for all rows
 * (bulk.ts, bulk-patch.ts), then the rest through the service. When the database refuses a
 * bulk write (it changed since the check), that part is undone and its rows go through the
 * service one by one, which finds the line and field at fault. Returns the ids of the people
 * created, by employee number.
 */
export async function writeBatch(
  q: Queryable,
  deps: WriteDeps,
  ctx: AuditContext,
  w: BatchWrites,
  knownId: (employeeNumber: string) => string | null,
): Promise<Map<string, string>> {
  const created = new Map<string, string>();
  const idOf = (n: string) => knownId(n) ?? created.get(n) ?? null;
  const bulkCreated =
    w.fast.length > 0 &&
    (await whole(q, () =>
      bulkCreate(
        q,
        deps,
        ctx,
        w.fast.map((f) => ({ id: f.id, input: f.input })),
        "csv",
      ),
    ));
  if (bulkCreated) for (const f of w.fast) created.set(f.row.employeeNumber, f.id);
  // Replayed, a create names its manager by employee number again: the ids chosen for the bulk are gone.
  else
    await runOps(
      q,
      deps,
      ctx,
      idOf,
      created,
      w.fast.map((f): Op => ({ kind: "create", row: f.row, decision: f.decision })),
    );

  const patches = w.patches.map((p) => ({ ...p, patch: toPatch(p.decision, idOf) }));
  const bulkPatched =
    patches.length > 0 &&
    (await whole(q, () =>
      bulkPatch(
        q,
        deps,
        ctx,
        patches.map((p) => ({ cur: p.cur, patch: p.patch })),
        "csv",
      ),
    ));
  if (!bulkPatched)
    await runOps(
      q,
      deps,
      ctx,
      idOf,
      created,
      w.patches.map((p) => ({ kind: "update", ...p })),
    );
  await runOps(q, deps, ctx, idOf, created, w.ops);
  return created;
}

/** Runs a bulk write as one: undone entirely if the database refuses it (false). */
async function whole(q: Queryable, fn: () => Promise<void>): Promise<boolean> {
  await q.query("SAVEPOINT import_bulk");
  try {
    await fn();
  } catch (e) {
    await q.query("ROLLBACK TO SAVEPOINT import_bulk");
    if (!replayable(e)) throw e;
    return false;
  }
  await q.query("RELEASE SAVEPOINT import_bulk");
  return true;
}

async function runOps(
  q: Queryable,
  deps: WriteDeps,
  ctx: AuditContext,
  idOf: (n: string) => string | null,
  created: Map<string, string>,
  ops: Op[],
): Promise<void> {
  for (const op of ops) {
    try {
      if (op.kind === "create") {
        const mgr = op.decision.create?.managerNumber;
        const p = await deps.people.create(
          q,
          ctx,
          toInput(op.row, op.decision, mgr ? idOf(mgr) : null),
          "csv",
        );
        created.set(op.row.employeeNumber, p.id);
        for (const e of op.decision.events) await deps.people.record(q, ctx, p.id, eventInput(e), "csv");
      } else {
        const { decision, cur } = op;
        const patch = toPatch(decision, idOf);
        const runEvents = async () => {
          for (const e of decision.events) await deps.people.record(q, ctx, cur.id, eventInput(e), "csv");
        };
        if (decision.eventsFirst) await runEvents();
        if (Object.keys(patch).length) await deps.people.patch(q, ctx, cur.id, patch, "csv");
        if (!decision.eventsFirst) await runEvents();
      }
    } catch (e) {
      throw failure(op.row, e);
    }
  }
}

function eventInput(e: PlannedEvent): EventInput {
  switch (e.type) {
    case "resignation":
      return { type: "resignation", lastWorkingDay: e.lastWorkingDay };
    case "termination":
      return {
        type: "termination",
        terminationType: e.terminationType,
        effectiveAt: e.effectiveAt.toISOString(),
      };
    case "rehire":
      return { type: "rehire", changes: { startDate: e.startDate } };
    default:
      return { type: e.type };
  }
}

export function toInput(row: Row, d: Decision, managerId: string | null): PersonInput {
  const c = d.create as NonNullable<Decision["create"]>;
  return {
    employeeNumber: row.employeeNumber,
    legalName: c.legalName,
    preferredName: c.preferredName,
    workEmail: c.workEmail,
    departmentId: c.departmentId,
    jobRoleId: c.jobRoleId,
    managerId,
    locationId: c.locationId,
    employmentType: c.employmentType,
    status: c.status,
    startDate: c.startDate,
    endDate: c.endDate,
  };
}

function toPatch(d: Decision, idOf: (n: string) => string | null): PersonPatch {
  const { managerNumber, ...rest } = d.patch;
  const patch: PersonPatch = { ...rest };
  if (managerNumber !== undefined) patch.managerId = managerNumber === null ? null : idOf(managerNumber);
  return patch;
}
