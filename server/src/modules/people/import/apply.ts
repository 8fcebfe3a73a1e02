import type { AuditContext } from "../../../platform/audit/index.js";
import type { Db, Queryable } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import { AppError } from "../../../platform/http/index.js";
import type { Jobs } from "../../../platform/jobs/index.js";
import type { EventInput, PersonInput, PersonPatch } from "../schemas.js";
import type { PeopleService } from "../service.js";
import { bulkCreate, bulkEligible } from "./bulk.js";
import { type CsvInput, type Field, type LineError, readCsv } from "./csv.js";
import { ATTRIBUTE, type Decision, decide, type PlannedEvent } from "./decide.js";
import { newId } from "./ids.js";
import { type Current, type ImportEnv, loadCurrent } from "./lookups.js";
import { checkRow, emptyOrgPlan, type Row, resolveOrg } from "./rows.js";
import { BATCH, type Counts, countAction, emptyCounts, namesOf } from "./scan.js";

export interface ApplyDeps {
  db: Db;
  people: PeopleService;
  events: Events;
  jobs: Jobs;
}

/** Applying stopped at a line (the database changed since the check, or a write was refused). */
export class ApplyFailure extends Error {
  constructor(public readonly error: LineError) {
    super(`line ${error.line}: ${error.message}`);
  }
}

const FIELD_OF = Object.fromEntries(Object.entries(ATTRIBUTE).map(([f, a]) => [a, f])) as Record<
  string,
  Field
>;

function failure(row: Row, e: unknown): ApplyFailure {
  if (e instanceof ApplyFailure) return e;
  const path = e instanceof AppError ? e.errors?.[0]?.path : undefined;
  return new ApplyFailure({
    line: row.line,
    field: (path && FIELD_OF[path]) || null,
    message: (e as Error).message,
    employeeNumber: row.employeeNumber,
  });
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

type Op =
  | { kind: "create"; row: Row; decision: Decision }
  | { kind: "update"; row: Row; decision: Decision; cur: Current };

/**
 * Applies a checked file: reads it again and takes the rows the check found changing (`todo`)
 * in batches of 500, each batch in one transaction, deciding each row afresh against the
 * database (so a run cut short is finished by running it again, and nothing is done twice).
 * A row whose manager is created later in the file, or whose manager change would loop while
 * other rows are not applied yet, waits for the next pass over the file. Returns the counts of
 * the rows it looked at.
 */
export async function applyFile(
  deps: ApplyDeps,
  ctx: AuditContext,
  env: ImportEnv,
  input: CsvInput,
  mapping: Record<string, Field>,
  now: Date,
  todo: Set<string>,
  onProgress?: (phase: string, rows: number) => void,
): Promise<Counts> {
  const counts = emptyCounts();
  if (!todo.size) return counts;
  let pending = todo;
  let done = 0;
  for (;;) {
    const deferred = new Set<string>();
    let batch: Row[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const rows = batch;
      batch = [];
      const result = await deps.db.tx((q) => applyBatch(q, deps, ctx, env, rows, now, counts, deferred));
      for (const [n, id] of result.created) {
        env.idOf.set(n, id);
        env.numberOf.set(id, n);
      }
      for (const [n, m] of result.managers) {
        const id = env.idOf.get(n) as string;
        env.managerOf.set(id, m === null ? null : (env.idOf.get(m) ?? null));
      }
      const before = done;
      done += rows.length - result.deferred;
      if (onProgress && Math.floor(done / 10_000) > Math.floor(before / 10_000)) onProgress("applied", done);
    };
    for await (const ev of readCsv(input, mapping)) {
      if (ev.kind !== "row") {
        if (ev.kind === "error") throw new ApplyFailure(ev.error);
        continue;
      }
      if (!pending.has(ev.values.employee_number ?? "")) continue;
      const { row, errors } = checkRow(ev.line, ev.values);
      if (!row) throw new ApplyFailure(errors[0] as LineError);
      batch.push(row);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    if (!deferred.size) return counts;
    if (deferred.size >= pending.size)
      throw new Error(`${deferred.size} rows wait for each other's managers and cannot be ordered`);
    pending = deferred;
  }
}

async function applyBatch(
  q: Queryable,
  deps: ApplyDeps,
  ctx: AuditContext,
  env: ImportEnv,
  rows: Row[],
  now: Date,
  counts: Counts,
  deferred: Set<string>,
) {
  const current = await loadCurrent(
    q,
    env,
    rows.map((r) => r.employeeNumber),
    rows.filter((r) => r.status === "leaver").map((r) => r.employeeNumber),
  );
  const fastIds = new Map<string, string>();
  const slowCreates = new Set<string>();
  const created = new Map<string, string>();
  /** Manager (employee number) of people whose reporting line this batch sets. */
  const managers = new Map<string, string | null>();
  const managerNumberOf = (n: string): string | null => {
    if (managers.has(n)) return managers.get(n) ?? null;
    const id = env.idOf.get(n);
    const m = id ? env.managerOf.get(id) : null;
    return m ? (env.numberOf.get(m) ?? null) : null;
  };
  const wouldLoop = (person: string, manager: string) => {
    let x: string | null = manager;
    for (let depth = 0; x && depth < 10_000; depth++) {
      if (x === person) return true;
      x = managerNumberOf(x);
    }
    return false;
  };
  const fast: { row: Row; id: string; input: PersonInput }[] = [];
  const ops: Op[] = [];
  const tally: Counts = emptyCounts();
  for (const row of rows) {
    const cur = current.get(row.employeeNumber);
    const { resolved, errors: orgErrors } = resolveOrg(row, cur, env, emptyOrgPlan(), false);
    const { decision, errors } = orgErrors.length
      ? { decision: undefined, errors: orgErrors }
      : decide(row, cur, resolved, namesOf(row, cur), env, now);
    if (!decision) throw new ApplyFailure(errors[0] as LineError);
    if (decision.action === "unchanged" || decision.action === "skip") {
      countAction(tally, decision.action);
      continue;
    }
    const manager = decision.create ? decision.create.managerNumber : decision.patch.managerNumber;
    if (decision.create) {
      const input = toInput(row, decision, null);
      let isFast = bulkEligible(input, now) && !decision.events.length;
      if (manager && !env.idOf.has(manager) && !fastIds.has(manager)) {
        if (slowCreates.has(manager)) isFast = false;
        else {
          deferred.add(row.employeeNumber);
          continue;
        }
      }
      if (isFast) {
        const id = newId();
        fastIds.set(row.employeeNumber, id);
        input.managerId = manager ? (env.idOf.get(manager) ?? fastIds.get(manager) ?? null) : null;
        fast.push({ row, id, input });
      } else {
        slowCreates.add(row.employeeNumber);
        ops.push({ kind: "create", row, decision });
      }
      managers.set(row.employeeNumber, manager ?? null);
    } else {
      if (manager) {
        const known = env.idOf.has(manager) || fastIds.has(manager) || slowCreates.has(manager);
        if (!known || wouldLoop(row.employeeNumber, manager)) {
          deferred.add(row.employeeNumber);
          continue;
        }
      }
      if (manager !== undefined) managers.set(row.employeeNumber, manager);
      ops.push({ kind: "update", row, decision, cur: cur as Current });
    }
    countAction(tally, decision.action);
  }

  const idOf = (n: string) => env.idOf.get(n) ?? fastIds.get(n) ?? created.get(n) ?? null;
  try {
    await bulkCreate(
      q,
      deps,
      ctx,
      fast.map((f) => ({ id: f.id, input: f.input })),
      "csv",
    );
  } catch (e) {
    throw failure(fast[0]?.row as Row, e);
  }
  for (const [n, id] of fastIds) created.set(n, id);
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
  for (const k of Object.keys(tally) as (keyof Counts)[]) counts[k] += tally[k];
  return { created, managers, deferred: rows.filter((r) => deferred.has(r.employeeNumber)).length };
}

function toInput(row: Row, d: Decision, managerId: string | null): PersonInput {
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
