import type { Queryable } from "./types.js";

/**
 * Work to do once a transaction has committed (waking a job worker for the job just
 * enqueued, say). Each transaction handle gets its list when the transaction opens; the
 * list runs after COMMIT and is dropped on ROLLBACK.
 */
const pending = new WeakMap<Queryable, Array<() => void>>();

/** Runs fn after q's transaction commits; for a handle outside a transaction, soon. */
export function afterCommit(q: Queryable, fn: () => void): void {
  const list = pending.get(q);
  if (list) list.push(fn);
  else setImmediate(fn);
}

/** For Db implementations: marks a handle as an open transaction. */
export function openCommitScope(q: Queryable): void {
  pending.set(q, []);
}

/** For Db implementations: the transaction committed; runs what waited for it. */
export function committed(q: Queryable | undefined): void {
  if (!q) return;
  const list = pending.get(q);
  pending.delete(q);
  for (const fn of list ?? []) {
    try {
      fn();
    } catch {
      // A hook must never turn a committed transaction into an error.
    }
  }
}
