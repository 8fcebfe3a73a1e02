import { AppError } from "../../../platform/http/index.js";
import type { Field, LineError } from "./csv.js";
import { ATTRIBUTE } from "./decide.js";
import type { Row } from "./rows.js";

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

/** The line (and field, when the service names one) a write of this row was refused at. */
export function failure(row: Row, e: unknown): ApplyFailure {
  if (e instanceof ApplyFailure) return e;
  const path = e instanceof AppError ? e.errors?.[0]?.path : undefined;
  return new ApplyFailure({
    line: row.line,
    field: (path && FIELD_OF[path]) || null,
    message: (e as Error).message,
    employeeNumber: row.employeeNumber,
  });
}

/** A bulk write that cannot be done as one (something changed since the check). */
export class BulkRefused extends Error {}

/**
 * Whether a refused bulk write is worth replaying row by row, to find the line at fault: the
 * data was refused (a constraint, a trigger, a value, a full disk, a conflict with another
 * writer), not the statement itself (a mistake in it is rethrown, not hidden by the replay).
 */
export function replayable(e: unknown): boolean {
  if (e instanceof BulkRefused || e instanceof AppError) return true;
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && /^(22|23|40|53|54|P0)/.test(code);
}
