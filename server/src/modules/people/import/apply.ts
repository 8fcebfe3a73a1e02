import type { AuditContext } from "../../../platform/audit/index.js";
import type { Db, Queryable } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import { ulid } from "../../../platform/ids/index.js";
import type { Jobs } from "../../../platform/jobs/index.js";
import type { PeopleService } from "../service.js";
import { bulkEligible } from "./bulk.js";
import { type CsvInput, type Field, type LineError, readCsv } from "./csv.js";
import { decide } from "./decide.js";
import { ApplyFailure } from "./failure.js";
import { type Current, type ImportEnv, loadCurrent } from "./lookups.js";
import { checkRow, emptyOrgPlan, type Row, resolveOrg } from "./rows.js";
import { type Counts, countAction, emptyCounts, namesOf } from "./scan.js";
import { type BatchWrites, toInput, writeBatch } from "./write.js";

export { ApplyFailure } from "./failure.js";

export interface ApplyDeps {
  db: Db;
  people: PeopleService;
  events: Events;
  jobs: Jobs;
}

/**
 * Rows written per transaction (larger than the check's batches of 500: the same rows take fewer
 * statements and commits, and a batch holds only its rows).
 */
export const APPLY_BATCH = 2000;

/** Planner statistics are refreshed when people have grown this many times since they were taken. */
const STATS_GROWTH = 8;
/** …and not for fewer people than this (any plan is quick on small tables). */
const STATS_MIN = 2000;

/**
 * Keeps the planner statistics of the tables an import fills up to date as they grow. The
 * embedded database has no autovacuum to do it (and a server's may lag behind a fast import);
 * without statistics, look-ups of a few rows can be planned as scans of every person or user,
 * which makes each batch slower than the last and leaves the tables so for later queries.
 */
async function plannerStats(db: Db) {
  const r = await db.query<{ n: number }>(
    "SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'people'::regclass",
  );
  let analyzedAt = Math.max(0, Number(r.rows[0]?.n ?? 0));
  return {
    async refresh(people: number, growth: number) {
      if (people < STATS_MIN || people < growth * analyzedAt) return;
      analyzedAt = people;
      await db.query("ANALYZE people, users, user_roles");
    },
  };
}

/**
 * Applies a checked file: reads it again and takes the rows the check found changing (`todo`)
 * in batches of APPLY_BATCH, each batch in one transaction, deciding each row afresh against the
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
  const stats = await plannerStats(deps.db);
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
      await stats.refresh(env.idOf.size, STATS_GROWTH);
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
      if (batch.length >= APPLY_BATCH) await flush();
    }
    await flush();
    if (!deferred.size) {
      await stats.refresh(env.idOf.size, 2);
      return counts;
    }
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
    true,
  );
  const fastIds = new Map<string, string>();
  const slowCreates = new Set<string>();
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
  const w: BatchWrites = { fast: [], patches: [], ops: [] };
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
        const id = ulid();
        fastIds.set(row.employeeNumber, id);
        input.managerId = manager ? (env.idOf.get(manager) ?? fastIds.get(manager) ?? null) : null;
        w.fast.push({ row, id, decision, input });
      } else {
        slowCreates.add(row.employeeNumber);
        w.ops.push({ kind: "create", row, decision });
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
      // Plain attribute changes go in bulk, unless their new manager is created by the service below.
      if (!decision.events.length && !(manager && slowCreates.has(manager)))
        w.patches.push({ row, decision, cur: cur as Current });
      else w.ops.push({ kind: "update", row, decision, cur: cur as Current });
    }
    countAction(tally, decision.action);
  }

  const created = await writeBatch(q, deps, ctx, w, (n) => env.idOf.get(n) ?? null);
  for (const k of Object.keys(tally) as (keyof Counts)[]) counts[k] += tally[k];
  return { created, managers, deferred: rows.filter((r) => deferred.has(r.employeeNumber)).length };
}
