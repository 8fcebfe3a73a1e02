/**
 * Execution: a runner claims a batch of a system's due steps (a lease, so several runners
 * and nodes share the work safely), applies them through one connector, reads every
 * touched account back once, and records each step's outcome in one transaction with its
 * audit entry. A step already verified is never claimed again; a crash before the record
 * leaves the steps pending, and applying them again is harmless (every operation is
 * idempotent).
 */
import {
  type Account,
  type Connector,
  ConnectorError,
  isConnectorError,
  isManualTaskPending,
} from "../../connectors/index.js";
import { type AuditContext, appendAuditMany } from "../../platform/audit/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import { forgetAccount, saveAccounts } from "./accounts.js";
import type { SystemRow } from "./catalogue.js";
import type { EngineSettings } from "./context.js";
import { refreshPlanStates } from "./plans.js";
import { accountRefOf, applyStep, backoffMs, type RunnableStep, verifyStep } from "./verify.js";

/**
 * How long a claimed step stays with its runner. The runner renews the lease while it works
 * on the batch (keepLeased), so a long batch keeps its steps; a runner that died (its node
 * killed) stops renewing, and its steps are free for another runner this soon after.
 */
export const LEASE_SECONDS = 30;
const RENEW_EVERY_MS = (LEASE_SECONDS * 1000) / 3;

export async function claimSteps(db: Db, systemId: string, limit: number): Promise<RunnableStep[]> {
  return db.tx(async (q) => {
    const claimed = await q.query<{ id: string }>(
      `UPDATE access_plan_steps SET lease_until = now() + make_interval(secs => $3::int)
       WHERE id IN (
         SELECT s.id FROM access_plan_steps s
         JOIN access_plans p ON p.id = s.plan_id
         LEFT JOIN access_plan_steps d ON d.id = s.depends_on
         WHERE s.system_id = $1 AND p.state = 'running'
           AND (s.state IN ('pending', 'applied') OR (s.state = 'manual' AND s.connector_task))
           AND s.due_at <= now() AND s.next_attempt_at <= now()
           AND (s.lease_until IS NULL OR s.lease_until < now())
           AND (s.depends_on IS NULL OR d.state = 'verified')
         ORDER BY p.immediate DESC, p.created_at, s.seq
         LIMIT $2
         FOR UPDATE OF s SKIP LOCKED)
       RETURNING id`,
      [systemId, limit, LEASE_SECONDS],
    );
    if (!claimed.rowCount) return [];
    const r = await q.query<RunnableStep>(
      `SELECT s.id, s.plan_id, s.seq, s.system_id, s.action, s.account_id, s.account_ref, s.entitlement_ref,
         s.spec, s.state, s.attempts, s.depends_on, d.account_ref AS dep_account_ref,
         p.person_id, p.reason, p.hr_event_at
       FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
       LEFT JOIN access_plan_steps d ON d.id = s.depends_on
       WHERE s.id = ANY ($1::text[]) ORDER BY p.created_at, s.seq`,
      [claimed.rows.map((c) => c.id)],
    );
    return r.rows;
  });
}

/**
 * Renews the leases of a claimed batch every few seconds until the returned function is
 * called (before its outcomes are recorded, which clears the leases).
 */
export function keepLeased(db: Db, stepIds: string[], onError: (err: unknown) => void): () => Promise<void> {
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = db
      .query(
        `UPDATE access_plan_steps SET lease_until = now() + make_interval(secs => $2::int)
         WHERE id = ANY ($1::text[]) AND lease_until IS NOT NULL AND state IN ('pending', 'applied', 'manual')`,
        [stepIds, LEASE_SECONDS],
      )
      .then(() => undefined, onError);
  }, RENEW_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await renewing;
  };
}

export interface StepOutcome {
  step: RunnableStep;
  /** manual: the connector opened a task for a person and waits for it. */
  state: "verified" | "applied" | "pending" | "failed" | "manual";
  manualTaskId?: string;
  error: string | null;
  accountRef: string | null;
  applied: boolean;
  /** The account as read back (null: it does not exist); undefined when not read. */
  readBack?: Account | null;
  nextAttemptMs: number;
}

/** Runs `fn` over the items, at most `limit` at a time. */
async function pooled<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Accounts read back per getAccounts call. */
const READ_CHUNK = 100;

/**
 * Applies and verifies a claimed batch. Steps of one account run in order, accounts side by
 * side; where the system can do many at once, the batch's revokes of one entitlement go in
 * one call, its disables in another, and the touched accounts are read back together. Every
 * step is still verified on its own from what the system reports afterwards.
 */
export async function executeBatch(
  connector: Connector,
  steps: RunnableStep[],
  settings: EngineSettings,
): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  let down: ConnectorError | null = null;
  const retryOrFail = (s: RunnableStep, state: "pending" | "applied", err: unknown, applied: boolean) => {
    const attempts = s.attempts + 1;
    const e = isConnectorError(err) ? err : null;
    const message = e ? e.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
    const retryable = e ? e.retryable : false;
    const last = attempts >= settings.retryLimit;
    outcomes.push({
      step: s,
      state: retryable && !last ? state : "failed",
      error: retryable && last ? `${message} (gave up after ${attempts} attempts)` : message,
      accountRef: accountRefOf(s),
      applied,
      nextAttemptMs: backoffMs(attempts, settings.retrySeconds, e?.retryAfterMs),
    });
  };
  const openState = (s: RunnableStep) => (s.state === "manual" ? "pending" : s.state);

  const bulk = await applyInBulk(connector, steps);
  if (bulk.down) down = bulk.down;

  const groups = new Map<string, RunnableStep[]>();
  for (const s of steps) {
    const key = accountRefOf(s) ?? `step:${s.id}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const done: { step: RunnableStep; ref: string }[] = [];
  await pooled([...groups.values()], settings.concurrency, async (group) => {
    for (const s of group) {
      // Applied by a batch call before the system stopped answering: the read-back decides.
      if (bulk.applied.has(s.id)) {
        done.push({ step: s, ref: accountRefOf(s) as string });
        continue;
      }
      if (down) {
        retryOrFail(
          s,
          openState(s),
          new ConnectorError("unreachable", `not attempted: ${down.message}`),
          false,
        );
        continue;
      }
      const failed = bulk.failed.get(s.id);
      if (failed) {
        retryOrFail(s, openState(s), failed, false);
        continue;
      }
      try {
        done.push({ step: s, ref: await applyStep(connector, s) });
      } catch (err) {
        if (isManualTaskPending(err)) {
          // A person has to do it: not a failure, and no attempt used up while they work.
          outcomes.push({
            step: s,
            state: "manual",
            manualTaskId: err.taskId,
            error: err.message,
            accountRef: accountRefOf(s),
            applied: false,
            nextAttemptMs: err.retryAfterMs ?? 15 * 60_000,
          });
          continue;
        }
        if (isConnectorError(err) && err.kind === "unreachable") down = err;
        retryOrFail(s, openState(s), err, false);
      }
    }
  });

  // One read-back per account verifies every step applied to it.
  const byRef = new Map<string, RunnableStep[]>();
  for (const d of done) byRef.set(d.ref, [...(byRef.get(d.ref) ?? []), d.step]);
  const verify = (ref: string, account: Account | null) => {
    for (const step of byRef.get(ref) ?? []) {
      const v = verifyStep(step, account);
      if (v.ok) {
        outcomes.push({
          step,
          state: "verified",
          error: null,
          accountRef: ref,
          applied: true,
          readBack: account,
          nextAttemptMs: 0,
        });
      } else {
        retryOrFail(
          step,
          "applied",
          new ConnectorError("remote", `applied, but the read-back shows otherwise: ${v.detail}`, {
            retryable: true,
          }),
          true,
        );
        const o = outcomes[outcomes.length - 1] as StepOutcome;
        o.accountRef = ref;
        o.readBack = account;
      }
    }
  };
  const readFailed = (refs: readonly string[], err: unknown) => {
    if (isConnectorError(err) && err.kind === "unreachable") down = err;
    const why = isConnectorError(err) ? err.message : String(err);
    for (const ref of refs)
      for (const step of byRef.get(ref) ?? [])
        retryOrFail(
          step,
          "applied",
          new ConnectorError(
            isConnectorError(err) ? err.kind : "remote",
            `applied; read-back failed: ${why}`,
            {
              retryable: true,
            },
          ),
          true,
        );
  };
  const refs = [...byRef.keys()];
  const readMany = connector.getAccounts?.bind(connector);
  if (readMany && refs.length > 1) {
    const chunks: string[][] = [];
    for (let i = 0; i < refs.length; i += READ_CHUNK) chunks.push(refs.slice(i, i + READ_CHUNK));
    await pooled(chunks, 2, async (chunk) => {
      let found: Map<string, Account | null>;
      try {
        found = await readMany(chunk);
      } catch (err) {
        return readFailed(chunk, err);
      }
      for (const ref of chunk) {
        const account = found.get(ref);
        if (account === undefined)
          readFailed([ref], new ConnectorError("remote", "the system did not answer for it"));
        else verify(ref, account);
      }
    });
  } else {
    await pooled(refs, settings.concurrency, async (ref) => {
      let account: Account | null;
      try {
        account = await connector.getAccount(ref);
      } catch (err) {
        return readFailed([ref], err);
      }
      verify(ref, account);
    });
  }
  return outcomes;
}

/**
 * The batch's disables in one call where the connector has disableMany, then its revokes of
 * one entitlement in one call each where it has revokeMany: disabling first cuts a leaver's
 * sign-in even when a system then fails on the (often slower) group changes, and what a call
 * applied before the system stopped answering is still read back and verified. Steps a call
 * could not take stay for the single form, one by one; an account the system does not know
 * is as good as revoked or disabled (the read-back decides). A call the system rate-limits
 * as a whole leaves its steps to be tried again when the system says, rather than asking it
 * once per step now.
 */
async function applyInBulk(
  connector: Connector,
  steps: RunnableStep[],
): Promise<{ applied: Set<string>; failed: Map<string, ConnectorError>; down: ConnectorError | null }> {
  const applied = new Set<string>();
  const failed = new Map<string, ConnectorError>();
  const calls: { steps: RunnableStep[]; run: (ids: string[]) => Promise<Map<string, ConnectorError>> }[] = [];
  const bulkable = (s: RunnableStep, action: RunnableStep["action"]) =>
    s.action === action && s.state !== "manual" && accountRefOf(s) !== null;

  const disableMany = connector.disableMany?.bind(connector);
  if (disableMany) {
    // An account the batch also creates or enables keeps its steps in order, one by one.
    const enabling = new Set(
      steps.filter((s) => s.action === "create" || s.action === "enable").map((s) => accountRefOf(s)),
    );
    const disables = steps.filter((s) => bulkable(s, "disable") && !enabling.has(accountRefOf(s)));
    calls.push({ steps: disables, run: (ids) => disableMany(ids) });
  }
  const revokeMany = connector.revokeMany?.bind(connector);
  if (revokeMany) {
    const byEntitlement = new Map<string, RunnableStep[]>();
    for (const s of steps) {
      if (!bulkable(s, "revoke") || !s.entitlement_ref) continue;
      byEntitlement.set(s.entitlement_ref, [...(byEntitlement.get(s.entitlement_ref) ?? []), s]);
    }
    for (const [entitlement, group] of byEntitlement)
      calls.push({ steps: group, run: (ids) => revokeMany(entitlement, ids) });
  }

  for (const call of calls) {
    if (call.steps.length < 2) continue;
    try {
      const refused = await call.run(call.steps.map((s) => accountRefOf(s) as string));
      for (const s of call.steps) {
        const e = refused.get(accountRefOf(s) as string);
        if (e && e.kind !== "not_found") failed.set(s.id, e);
        else applied.add(s.id);
      }
    } catch (err) {
      if (isConnectorError(err) && err.kind === "unreachable") return { applied, failed, down: err };
      if (isConnectorError(err) && err.kind === "rate_limited") {
        for (const s of call.steps) failed.set(s.id, err);
      }
      // Anything else: the single form, step by step, says which one and why.
    }
  }
  return { applied, failed, down: null };
}

/**
 * Records the outcomes in one transaction: step states, accounts as read back, audit
 * entries. A batch costs a handful of statements, not a few per step: the steps change with
 * one statement, the accounts are saved together, the audit entries go into the chain
 * together, and the plans touched are brought up to date together.
 */
export async function recordOutcomes(
  db: Db,
  ctx: AuditContext,
  system: SystemRow,
  outcomes: StepOutcome[],
): Promise<{ planIds: string[] }> {
  return db.tx(async (q) => {
    for (const o of outcomes.filter((x) => x.state === "manual")) {
      const s = o.step;
      await q.query(
        // A task closed already (attested while the batch ran) is read back on the next pass.
        `UPDATE access_plan_steps SET state = 'manual', connector_task = true, manual_task_id = $2, error = $3,
           lease_until = NULL,
           next_attempt_at = CASE WHEN EXISTS (SELECT 1 FROM access_tasks t WHERE t.id = $2 AND t.state <> 'open')
             THEN now() ELSE now() + make_interval(secs => $4::double precision) END
         WHERE id = $1`,
        [s.id, o.manualTaskId, o.error, o.nextAttemptMs / 1000],
      );
      await q.query("UPDATE access_tasks SET person_id = COALESCE(person_id, $2) WHERE id = $1", [
        o.manualTaskId,
        s.person_id,
      ]);
    }
    const rest = outcomes.filter((x) => x.state !== "manual");
    const updated = rest.length
      ? await q.query<{ id: string }>(
          `UPDATE access_plan_steps s SET state = o.state, error = o.error, attempts = s.attempts + 1,
             lease_until = NULL, account_ref = COALESCE(o.account_ref, s.account_ref),
             applied_at = CASE WHEN o.applied THEN COALESCE(s.applied_at, now()) ELSE s.applied_at END,
             verified_at = CASE WHEN o.state = 'verified' THEN now() ELSE NULL END,
             next_attempt_at = now() + make_interval(secs => o.wait)
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::double precision[])
             AS o(id, state, error, account_ref, applied, wait)
           WHERE s.id = o.id AND s.state IN ('pending', 'applied', 'manual')
           RETURNING s.id`,
          [
            rest.map((o) => o.step.id),
            rest.map((o) => o.state),
            rest.map((o) => o.error),
            rest.map((o) => o.accountRef),
            rest.map((o) => o.applied),
            rest.map((o) => o.nextAttemptMs / 1000),
          ],
        )
      : { rows: [] };
    // A step no longer open was recorded by another runner (this runner's lease had lapsed),
    // or cancelled meanwhile. Its record stands; the audit entry goes with a change, never twice.
    const changed = new Set(updated.rows.map((r) => r.id));
    const mine = rest.filter((o) => changed.has(o.step.id));

    const saved = new Map<string, { account: Account; personId: string | null }>();
    const gone = new Set<string>();
    for (const o of mine) {
      if (o.readBack === undefined || !o.accountRef || saved.has(o.accountRef) || gone.has(o.accountRef))
        continue;
      if (o.readBack) saved.set(o.accountRef, { account: o.readBack, personId: o.step.person_id });
      else gone.add(o.accountRef);
    }
    await saveAccounts(q, system.id, [...saved.values()]);
    for (const ref of gone) await forgetAccount(q, system.id, ref);

    await appendAuditMany(
      q,
      ctx,
      mine
        .filter((o) => o.state === "verified" || o.state === "failed")
        .map((o) => ({
          action: o.state === "verified" ? "access.step_verified" : "access.step_failed",
          targetType: "person",
          targetId: o.step.person_id,
          outcome: o.state === "verified" ? ("success" as const) : ("failure" as const),
          details: {
            planId: o.step.plan_id,
            stepId: o.step.id,
            systemId: system.id,
            system: system.name,
            action: o.step.action,
            account: o.accountRef,
            entitlement: o.step.entitlement_ref,
            attempts: o.step.attempts + 1,
            ...(o.error ? { error: o.error } : {}),
          },
        })),
    );
    const failed = mine.filter((o) => o.state === "failed").map((o) => o.step);
    if (failed.length) await failDependents(q, failed);
    const planIds = [...new Set(outcomes.map((o) => o.step.plan_id))];
    await refreshPlanStates(q, ctx, planIds);
    return { planIds };
  });
}

/** Steps waiting on a failed one cannot run; they fail with it (and are retried with it). */
async function failDependents(q: Queryable, failed: readonly RunnableStep[]): Promise<void> {
  await q.query(
    `UPDATE access_plan_steps s SET state = 'failed', error = 'not attempted: step ' || f.seq || ' failed'
     FROM unnest($1::text[], $2::int[]) AS f(id, seq)
     WHERE s.depends_on = f.id AND s.state = 'pending'`,
    [failed.map((s) => s.id), failed.map((s) => s.seq)],
  );
}

/**
 * The earliest moment a step of the system becomes runnable, if later than now. A step
 * leased to another runner becomes runnable when its lease runs out (if that runner died).
 */
export async function nextWake(db: Db, systemId: string): Promise<Date | null> {
  const r = await db.query<{ at: Date | string | null }>(
    // Steps waiting on another step are woken by that step's outcome, not by the clock.
    `SELECT min(GREATEST(s.due_at, s.next_attempt_at, s.lease_until)) AS at
     FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
     LEFT JOIN access_plan_steps d ON d.id = s.depends_on
     WHERE s.system_id = $1 AND p.state = 'running'
       AND (s.state IN ('pending', 'applied') OR (s.state = 'manual' AND s.connector_task))
       AND (s.depends_on IS NULL OR d.state = 'verified')`,
    [systemId],
  );
  const at = r.rows[0]?.at;
  return at ? new Date(at) : null;
}
