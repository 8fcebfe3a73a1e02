import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { saveDepartment, saveJobRole, saveLocation } from "../org.js";
import { type ApplyDeps, ApplyFailure, applyFile } from "./apply.js";
import type { CsvInput, Field, LineError } from "./csv.js";
import { type ImportEnv, loadEnv, loadOrg } from "./lookups.js";
import { emptyOrgPlan, type OrgPlan } from "./rows.js";
import { type Counts, emptyCounts, type Plan, type PlanItem, scan } from "./scan.js";

export interface ImportOptions {
  dryRun: boolean;
  /** CSV header → field, for files whose headers differ from the field names. */
  mapping?: Record<string, Field>;
  /** Create departments, job roles and locations the file names but Tandem lacks (else: an error). */
  createMissingOrg?: boolean;
  fileName?: string | null;
  /** Row-level items returned (counts are always complete). Default 500. */
  maxItems?: number;
  /** Errors returned and stored with the run (counts.errors is always complete). Default 1000. */
  maxErrors?: number;
  includeUnchanged?: boolean;
  onProgress?: (phase: string, rows: number) => void;
}

export interface ImportRun {
  id: string;
  source: string;
  fileName: string | null;
  dryRun: boolean;
  state: "running" | "done" | "failed";
  counts: Partial<Counts>;
  errors: LineError[];
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface ImportResult {
  run: ImportRun;
  /** Whether the file was written (an apply without errors that finished). */
  applied: boolean;
  counts: Counts;
  items: PlanItem[];
  itemsTruncated: boolean;
  errors: LineError[];
  errorsTruncated: boolean;
  ignoredColumns: string[];
  orgCreates: {
    departments: string[];
    jobRoles: { title: string; department: string | null }[];
    locations: string[];
  };
}

interface RunRow {
  id: string;
  source: string;
  file_name: string | null;
  dry_run: boolean;
  state: ImportRun["state"];
  counts: Partial<Counts>;
  errors: LineError[];
  created_by: string | null;
  created_at: Date | string;
  finished_at: Date | string | null;
}

const toRun = (r: RunRow): ImportRun => ({
  id: r.id,
  source: r.source,
  fileName: r.file_name,
  dryRun: r.dry_run,
  state: r.state,
  counts: r.counts,
  errors: r.errors,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at).toISOString(),
  finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
});

async function finishRun(
  q: Queryable,
  id: string,
  state: "done" | "failed",
  counts: Counts,
  errors: LineError[],
): Promise<ImportRun> {
  const r = await q.query<RunRow>(
    `UPDATE import_runs SET state = $2, counts = $3, errors = $4, finished_at = now() WHERE id = $1 RETURNING *`,
    [id, state, JSON.stringify(counts), JSON.stringify(errors)],
  );
  return toRun(r.rows[0] as RunRow);
}

/** Runs newest first (ids are ULIDs, so they sort by time), after the cursor id if given. */
export async function listRuns(q: Queryable, limit: number, beforeId?: string) {
  const r = await q.query<RunRow>(
    `SELECT * FROM import_runs WHERE source = 'csv' AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $1`,
    [limit + 1, beforeId ?? null],
  );
  return { runs: r.rows.slice(0, limit).map(toRun), more: r.rows.length > limit };
}

/** Creates the departments, locations and job roles a checked file needs, then reloads the names. */
async function createOrg(q: Queryable, ctx: AuditContext, org: OrgPlan, env: ImportEnv) {
  for (const name of org.departments.values()) await saveDepartment(q, ctx, { name });
  for (const name of org.locations.values()) await saveLocation(q, ctx, { name, timeZone: "UTC" });
  await loadOrg(q, env);
  for (const role of org.jobRoles.values()) {
    const departmentId = role.department ? env.departments.get(role.department.toLowerCase()) : null;
    await saveJobRole(q, ctx, { title: role.title, departmentId: departmentId ?? null });
  }
  await loadOrg(q, env);
}

/**
 * A CSV import of people. The file is always checked in full first (the dry run); an apply
 * goes on only when that check finds no error at all — a file with any error changes nothing —
 * and then writes in batches. Applying is idempotent: the same file again changes nothing,
 * and a run cut short (a crash) is completed by running the same file again.
 */
export async function importPeople(
  deps: ApplyDeps,
  ctx: AuditContext,
  input: CsvInput,
  opts: ImportOptions,
): Promise<ImportResult> {
  const { db } = deps;
  const id = ulid();
  await db.query(
    "INSERT INTO import_runs (id, source, file_name, dry_run, state, created_by) VALUES ($1, 'csv', $2, $3, 'running', $4)",
    [id, opts.fileName ?? null, opts.dryRun, ctx.actorId ?? null],
  );
  const now = new Date();
  const mapping = opts.mapping ?? {};
  const env = await loadEnv(db);
  const org = emptyOrgPlan();
  let plan: Plan;
  try {
    plan = await scan(
      db,
      env,
      input,
      {
        mapping,
        createMissingOrg: !!opts.createMissingOrg,
        maxItems: opts.maxItems ?? 500,
        maxErrors: opts.maxErrors ?? 1000,
        includeUnchanged: !!opts.includeUnchanged,
        now,
        onProgress: opts.onProgress,
      },
      org,
    );
  } catch (e) {
    await finishRun(db, id, "failed", emptyCounts(), [
      { line: 0, field: null, message: (e as Error).message },
    ]);
    throw e;
  }
  const result = (run: ImportRun, applied: boolean, counts: Counts): ImportResult => ({
    run,
    applied,
    counts,
    items: plan.items,
    itemsTruncated: plan.itemsTruncated,
    errors: run.state === "failed" && !plan.errors.length ? run.errors : plan.errors,
    errorsTruncated: plan.errorsTruncated,
    ignoredColumns: plan.ignoredColumns,
    orgCreates: {
      departments: [...org.departments.values()],
      jobRoles: [...org.jobRoles.values()],
      locations: [...org.locations.values()],
    },
  });
  if (opts.dryRun || plan.counts.errors > 0) {
    const state = !opts.dryRun && plan.counts.errors > 0 ? "failed" : "done";
    return result(await finishRun(db, id, state, plan.counts, plan.errors), false, plan.counts);
  }
  try {
    if (org.departments.size || org.jobRoles.size || org.locations.size)
      await db.tx((q) => createOrg(q, ctx, org, env));
    const done = await applyFile(deps, ctx, env, input, mapping, now, plan.todo, opts.onProgress);
    const counts: Counts = {
      ...done,
      rows: plan.counts.rows,
      unchanged: plan.counts.unchanged + done.unchanged,
      skipped: plan.counts.skipped + done.skipped,
      errors: 0,
    };
    const run = await db.tx(async (q) => {
      await appendAudit(q, ctx, {
        action: "people.import_applied",
        targetType: "import_run",
        targetId: id,
        details: { source: "csv", fileName: opts.fileName ?? null, counts },
      });
      return finishRun(q, id, "done", counts, []);
    });
    return result(run, true, counts);
  } catch (e) {
    if (!(e instanceof ApplyFailure)) {
      await finishRun(db, id, "failed", plan.counts, [
        { line: 0, field: null, message: (e as Error).message },
      ]);
      throw e;
    }
    return result(await finishRun(db, id, "failed", plan.counts, [e.error]), false, plan.counts);
  }
}
