import type { Queryable } from "../../../platform/db/index.js";
import { type CsvHeader, type CsvInput, type Field, type LineError, readCsv } from "./csv.js";
import { type Action, type Change, decide } from "./decide.js";
import { type Current, type ImportEnv, loadCurrent } from "./lookups.js";
import { checkRow, type OrgPlan, type Resolved, type Row, resolveOrg } from "./rows.js";

export const BATCH = 500;

export interface Counts {
  rows: number;
  creates: number;
  updates: number;
  moves: number;
  terminations: number;
  unchanged: number;
  skipped: number;
  errors: number;
}
export const emptyCounts = (): Counts => ({
  rows: 0,
  creates: 0,
  updates: 0,
  moves: 0,
  terminations: 0,
  unchanged: 0,
  skipped: 0,
  errors: 0,
});
const COUNTER: Record<Action, keyof Counts> = {
  create: "creates",
  update: "updates",
  move: "moves",
  terminate: "terminations",
  unchanged: "unchanged",
  skip: "skipped",
};
export const countAction = (c: Counts, a: Action) => void c[COUNTER[a]]++;

export interface PlanItem {
  line: number;
  employeeNumber: string;
  action: Action;
  changes: Partial<Record<Field | "status", Change>>;
  events: string[];
  note?: string;
}

export interface Plan {
  counts: Counts;
  /** The first `maxItems` row-level items (unchanged rows only when asked for). */
  items: PlanItem[];
  itemsTruncated: boolean;
  errors: LineError[];
  errorsTruncated: boolean;
  ignoredColumns: string[];
  org: OrgPlan;
  /** Employee numbers of the rows that change something: all an apply has to look at again. */
  todo: Set<string>;
}

export interface ScanOptions {
  mapping: Record<string, Field>;
  createMissingOrg: boolean;
  maxItems: number;
  maxErrors: number;
  includeUnchanged: boolean;
  now: Date;
  onProgress?: (phase: string, rows: number) => void;
}

/** Names shown in the plan for a row's department, job role and location. */
export function namesOf(row: Row, cur: Current | undefined) {
  return {
    department: row.department !== undefined ? row.department : (cur?.departmentName ?? null),
    jobRole: row.jobRole !== undefined ? row.jobRole : (cur?.jobRoleTitle ?? null),
    location: row.location !== undefined ? row.location : (cur?.locationName ?? null),
  };
}

/** Reads the file in batches and decides every row against the database, changing nothing. */
export async function scan(
  q: Queryable,
  env: ImportEnv,
  input: CsvInput,
  opts: ScanOptions,
  org: OrgPlan,
): Promise<Plan> {
  const plan: Plan = {
    counts: emptyCounts(),
    items: [],
    itemsTruncated: false,
    errors: [],
    errorsTruncated: false,
    ignoredColumns: [],
    org,
    todo: new Set(),
  };
  const addError = (e: LineError) => {
    plan.counts.errors++;
    if (plan.errors.length < opts.maxErrors) plan.errors.push(e);
    else plan.errorsTruncated = true;
  };
  const lineOf = new Map<string, number>();
  const emailLine = new Map<string, number>();
  /** Final manager (employee number) of each row that sets one. */
  const fileManager = new Map<string, string | null>();
  const willExist = new Set<string>();
  const skippedNew = new Set<string>();
  const forward: { line: number; employeeNumber: string; manager: string }[] = [];
  /** Action of each row that names a manager: a row found wrong at the end no longer counts as one. */
  const actionOf = new Map<string, Action>();
  let header: CsvHeader | undefined;
  let batch: Row[] = [];

  const flush = async () => {
    const current = await loadCurrent(
      q,
      env,
      batch.map((r) => r.employeeNumber),
      batch.filter((r) => r.status === "leaver").map((r) => r.employeeNumber),
    );
    for (const row of batch) {
      const cur = current.get(row.employeeNumber);
      const { resolved, errors: orgErrors } = resolveOrg(row, cur, env, org, opts.createMissingOrg);
      const names = namesOf(row, cur);
      const { decision, errors } = orgErrors.length
        ? { decision: undefined, errors: orgErrors }
        : decide(row, cur, resolved as Resolved, names, env, opts.now);
      if (!decision) {
        for (const e of errors) addError(e);
        continue;
      }
      countAction(plan.counts, decision.action);
      if (decision.action !== "unchanged" && decision.action !== "skip") plan.todo.add(row.employeeNumber);
      if (decision.action === "create") willExist.add(row.employeeNumber);
      if (decision.action === "skip" && !cur) skippedNew.add(row.employeeNumber);
      if (row.manager !== undefined && decision.action !== "skip") {
        fileManager.set(row.employeeNumber, row.manager);
        actionOf.set(row.employeeNumber, decision.action);
        if (row.manager && !env.idOf.has(row.manager) && !willExist.has(row.manager))
          forward.push({ line: row.line, employeeNumber: row.employeeNumber, manager: row.manager });
      }
      if (decision.action !== "unchanged" || opts.includeUnchanged) {
        if (plan.items.length < opts.maxItems)
          plan.items.push({
            line: row.line,
            employeeNumber: row.employeeNumber,
            action: decision.action,
            changes: decision.changes,
            events: decision.events.map((e) => e.type),
            ...(decision.note ? { note: decision.note } : {}),
          });
        else plan.itemsTruncated = true;
      }
    }
    batch = [];
  };

  for await (const ev of readCsv(input, opts.mapping)) {
    if (ev.kind === "header") {
      header = ev.header;
      plan.ignoredColumns = header.ignored;
      continue;
    }
    if (ev.kind === "error") {
      addError(ev.error);
      if (!ev.fatal) plan.counts.rows++;
      continue;
    }
    plan.counts.rows++;
    if (plan.counts.rows % 10_000 === 0) opts.onProgress?.("checked", plan.counts.rows);
    const { row, errors } = checkRow(ev.line, ev.values);
    if (!row) {
      for (const e of errors) addError(e);
      continue;
    }
    const first = lineOf.get(row.employeeNumber);
    if (first !== undefined) {
      addError({
        line: row.line,
        field: "employee_number",
        message: `Employee number ${row.employeeNumber} is also on line ${first}`,
        employeeNumber: row.employeeNumber,
      });
      continue;
    }
    lineOf.set(row.employeeNumber, row.line);
    if (row.workEmail) {
      const other = emailLine.get(row.workEmail);
      const owner = env.emailOwner.get(row.workEmail);
      if (other !== undefined || (owner && owner !== row.employeeNumber)) {
        addError({
          line: row.line,
          field: "work_email",
          message:
            other !== undefined
              ? `${row.workEmail} is also on line ${other}`
              : `${row.workEmail} belongs to employee ${owner} in Tandem`,
          employeeNumber: row.employeeNumber,
        });
        continue;
      }
      emailLine.set(row.workEmail, row.line);
    }
    batch.push(row);
    if (batch.length >= BATCH) await flush();
  }
  await flush();

  const late: LineError[] = [];
  for (const f of forward) {
    if (willExist.has(f.manager)) continue;
    late.push({
      line: f.line,
      field: "manager_employee_number",
      message: skippedNew.has(f.manager)
        ? `Manager ${f.manager} is a leaver who is not in Tandem`
        : `No person with employee number ${f.manager} in Tandem or in the file`,
      employeeNumber: f.employeeNumber,
    });
  }
  late.push(...managerCycles(fileManager, env, lineOf));
  const wrong = new Set<string>();
  for (const e of late.sort((a, b) => a.line - b.line)) {
    addError(e);
    const n = e.employeeNumber as string;
    const action = actionOf.get(n);
    if (wrong.has(n) || !action) continue;
    wrong.add(n);
    plan.counts[COUNTER[action]]--;
  }
  if (wrong.size) plan.items = plan.items.filter((i) => !wrong.has(i.employeeNumber));
  return plan;
}

/** Reporting lines that would loop once the file is applied, reported on each line in the loop. */
function managerCycles(
  fileManager: Map<string, string | null>,
  env: ImportEnv,
  lineOf: Map<string, number>,
): LineError[] {
  const managerOf = (n: string): string | null => {
    if (fileManager.has(n)) return fileManager.get(n) ?? null;
    const id = env.idOf.get(n);
    const m = id ? env.managerOf.get(id) : null;
    return m ? (env.numberOf.get(m) ?? null) : null;
  };
  const errors: LineError[] = [];
  const state = new Map<string, 1 | 2>();
  for (const start of fileManager.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    let x: string | null = start;
    while (x && !state.has(x)) {
      state.set(x, 1);
      path.push(x);
      x = managerOf(x);
    }
    if (x && state.get(x) === 1) {
      const loop = path.slice(path.indexOf(x));
      const text = [...loop, x].join(" → ");
      for (const n of loop) {
        const line = lineOf.get(n);
        if (line !== undefined)
          errors.push({
            line,
            field: "manager_employee_number",
            message: `Reporting cycle: ${text}`,
            employeeNumber: n,
          });
      }
    }
    for (const n of path) state.set(n, 2);
  }
  return errors;
}
