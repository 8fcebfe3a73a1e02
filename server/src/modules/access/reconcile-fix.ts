/**
 * Deciding a finding: fix it (revoke the access through an engine plan, link the account to
 * the right person, or plan the missing access), or accept it for a while with a reason.
 * Each decision is one transaction with its audit entry; a revocation is a plan with reason
 * `reconcile`, so the circuit breaker and the read-back verification apply to it.
 */

import type { ConnectorCapabilities } from "../../connectors/index.js";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError, badRequest, conflict, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { checkBreaker } from "./breaker.js";
import { type SystemRow, systemRow } from "./catalogue.js";
import { desiredState, personFacts } from "./desired.js";
import { manualSpec, type PlannedStep, usernameFor } from "./plan.js";
import { openStepTask, type PlanDeps, refreshPlanState, scheduleRunner } from "./plans.js";
import type { FindingKind } from "./reconcile-findings.js";
import { type FindingRow, findingRow } from "./reconcile-views.js";
import type { FixInput, StepAction } from "./schemas.js";

/** What each action may fix. */
const FIXES: Record<FixInput["action"], readonly FindingKind[]> = {
  revoke: ["orphan", "leaver_access", "beyond_role", "dormant"],
  link: ["orphan", "ambiguous_match", "possible_rehire"],
  grant: ["missing_birthright"],
};

/** The longest an acceptance may last before someone must look again. */
export const MAX_ACCEPT_DAYS = 366;

export interface FixOutcome {
  planId: string | null;
  /** Systems whose runners to start after commit. */
  systemIds: string[];
  /** link: the person the account now belongs to. */
  linkedPersonId?: string;
}

const stale = (why: string) =>
  new AppError(409, "access.finding_stale", `${why}; run a reconciliation to see the current state`);

async function decidable(q: Queryable, id: string): Promise<FindingRow> {
  const f = await findingRow(q, id, true);
  if (f.state !== "open" && f.state !== "accepted") {
    throw conflict(
      "access.finding_closed",
      `This finding is ${f.state}${f.state === "fixing" ? " (a fix is under way)" : ""}; there is nothing to decide`,
    );
  }
  return f;
}

interface AccountNow {
  id: string;
  external_id: string;
  username: string;
  person_id: string | null;
  enabled: boolean;
  entitlements: string[];
}

async function accountNow(q: Queryable, f: FindingRow): Promise<AccountNow> {
  if (!f.account_ref) throw stale("The finding names no account");
  const r = await q.query<AccountNow>(
    `SELECT a.id, a.external_id, a.username, a.person_id, a.enabled,
       COALESCE((SELECT array_agg(e.entitlement_ref ORDER BY e.entitlement_ref) FROM account_entitlements e
                 WHERE e.account_id = a.id), '{}') AS entitlements
     FROM accounts a WHERE a.system_id = $1 AND a.external_id = $2 FOR UPDATE OF a`,
    [f.system_id, f.account_ref],
  );
  const a = r.rows[0];
  if (!a) throw stale("The account is no longer on the system");
  return a;
}

/** Makes steps on one system: the operation, or the manual task standing in for it (as plan.ts does). */
function stepMaker(sys: SystemRow, caps: ConnectorCapabilities) {
  const steps: PlannedStep[] = [];
  const act = (
    action: StepAction,
    a: { id: string | null; ref: string | null; username: string | null },
    entitlementRef: string | null,
    extra: { spec?: Record<string, unknown>; dependsOn?: string | null; manualBecause?: string } = {},
  ): PlannedStep => {
    const capable =
      action === "revoke_sessions" ? caps.revokeSessions : caps[action as keyof ConnectorCapabilities];
    const base = {
      key: `s${steps.length + 1}`,
      systemId: sys.id,
      accountId: a.id,
      accountRef: a.ref,
      username: a.username,
      entitlementRef,
      dependsOn: extra.dependsOn ?? null,
      delayHours: 0,
    };
    const why = !sys.enabled
      ? "Tandem does not manage this system now"
      : capable === false
        ? `the ${sys.connector_type} connector cannot ${action.replace("_", " ")}`
        : extra.manualBecause;
    const step: PlannedStep = why
      ? {
          ...base,
          action: "manual_task",
          dependsOn: null,
          spec: manualSpec(action, sys, a.username, entitlementRef, `reconciliation: ${why}`),
        }
      : { ...base, action, spec: extra.spec ?? {} };
    steps.push(step);
    return step;
  };
  return { steps, act };
}

/** The steps that take away what the finding is about, on the account as last read. */
function revocationSteps(
  f: FindingRow,
  a: AccountNow,
  sys: SystemRow,
  caps: ConnectorCapabilities,
): PlannedStep[] {
  const { steps, act } = stepMaker(sys, caps);
  const ref = { id: a.id, ref: a.external_id, username: a.username };
  if (f.kind === "orphan" || f.kind === "leaver_access") {
    if (a.enabled) act("disable", ref, null);
    if (sys.enabled && caps.revokeSessions && (a.enabled || a.entitlements.length))
      act("revoke_sessions", ref, null);
    for (const e of a.entitlements) act("revoke", ref, e);
  } else if (f.entitlement_ref) {
    const held = a.entitlements.find((e) => e.toLowerCase() === f.entitlement_ref?.toLowerCase());
    if (held) act("revoke", ref, held);
  } else if (a.enabled) {
    act("disable", ref, null);
  }
  return steps;
}

function nameParts(legalName: string): { givenName?: string; familyName?: string } {
  const words = legalName.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return words[0] ? { familyName: words[0] } : {};
  return { givenName: words.slice(0, -1).join(" "), familyName: words[words.length - 1] as string };
}

/**
 * The steps that give a person the missing access the finding names: the account (created
 * with what the desired state gives on the system, or enabled) or the entitlement.
 */
async function grantSteps(
  q: Queryable,
  f: FindingRow,
  sys: SystemRow,
  caps: ConnectorCapabilities,
): Promise<PlannedStep[]> {
  const person = await personFacts(q, f.person_id as string);
  const desired = await desiredState(q, person);
  const wanted = desired.systems.get(f.system_id);
  if (desired.empty || !wanted) throw stale("The person's desired state no longer gives this access");
  const accounts = await q.query<{ id: string; external_id: string; username: string; enabled: boolean }>(
    `SELECT id, external_id, username, enabled FROM accounts WHERE system_id = $1 AND person_id = $2
     ORDER BY enabled DESC, id`,
    [f.system_id, person.id],
  );
  const primary = accounts.rows[0];
  const { steps, act } = stepMaker(sys, caps);
  if (!primary) {
    const username = usernameFor(sys.username_rule, person);
    const create = act("create", { id: null, ref: null, username }, null, {
      spec: {
        username,
        email: person.workEmail,
        displayName: person.displayName,
        employeeNumber: person.employeeNumber,
        ...nameParts(person.legalName),
        enabled: wanted.enabled,
      },
    });
    for (const ref of wanted.entitlements.values()) {
      act(
        "grant",
        { id: null, ref: null, username },
        ref,
        create.action === "create"
          ? { dependsOn: create.key }
          : { manualBecause: "the account is created by hand" },
      );
    }
    return steps;
  }
  const ref = { id: primary.id, ref: primary.external_id, username: primary.username };
  if (f.entitlement_ref) {
    const e = wanted.entitlements.get(f.entitlement_ref.toLowerCase());
    if (!e) throw stale("The person's desired state no longer gives this entitlement");
    act("grant", ref, e);
  } else if (wanted.enabled && !primary.enabled) {
    act("enable", ref, null);
  }
  return steps;
}

/** Stores a reconciliation plan made of `steps`, asks the breaker, enqueues the runner. */
async function storePlan(
  q: Queryable,
  ctx: AuditContext,
  deps: PlanDeps,
  f: FindingRow,
  personId: string | null,
  steps: PlannedStep[],
): Promise<FixOutcome> {
  if (personId) await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`access.person:${personId}`]);
  const planId = ulid();
  await q.query(
    `INSERT INTO access_plans (id, person_id, reason, state, immediate, created_by, notes)
     VALUES ($1, $2, 'reconcile', 'running', false, $3, $4)`,
    [
      planId,
      personId,
      ctx.actorLabel ?? ctx.actorId ?? null,
      JSON.stringify([`reconciliation: ${f.kind.replace("_", " ")} on ${f.system_name} (finding ${f.id})`]),
    ],
  );
  const idOf = new Map(steps.map((s) => [s.key, ulid()]));
  let seq = 0;
  for (const s of steps) {
    const taskId = await openStepTask(q, ctx, personId, s);
    await q.query(
      `INSERT INTO access_plan_steps (id, plan_id, seq, system_id, action, account_id, account_ref, entitlement_ref,
         depends_on, spec, state, manual_task_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
      [
        idOf.get(s.key),
        planId,
        ++seq,
        s.systemId,
        s.action,
        s.accountId,
        s.accountRef,
        s.entitlementRef,
        s.dependsOn ? (idOf.get(s.dependsOn) ?? null) : null,
        JSON.stringify({ ...s.spec, ...(s.username ? { username: s.username } : {}) }),
        taskId ? "manual" : "pending",
        taskId,
      ],
    );
  }
  const verdict = await checkBreaker(
    q,
    { id: planId, personId, immediate: false },
    steps,
    deps.settings.breakerWindowMinutes,
  );
  if (verdict.heldSystemIds.length) {
    await q.query(
      "UPDATE access_plans SET state = 'held', held_system_ids = $2, held_reason = $3 WHERE id = $1",
      [planId, verdict.heldSystemIds, verdict.reasons.join("\n")],
    );
  }
  await appendAudit(q, ctx, {
    action: "access.plan_created",
    targetType: personId ? "person" : "system",
    targetId: personId ?? f.system_id,
    details: {
      planId,
      reason: "reconcile",
      findingId: f.id,
      steps: steps.length,
      immediate: false,
      held: verdict.heldSystemIds,
    },
  });
  if (verdict.heldSystemIds.length) {
    await appendAudit(q, ctx, {
      action: "access.plan_held",
      targetType: personId ? "person" : "system",
      targetId: personId ?? f.system_id,
      outcome: "failure",
      details: { planId, systems: verdict.heldSystemIds, reasons: verdict.reasons },
    });
  }
  const state = await refreshPlanState(q, ctx, planId);
  const runNow = state === "running" && steps.some((s) => s.action !== "manual_task");
  if (runNow) await scheduleRunner(q, deps.jobs, f.system_id);
  return { planId, systemIds: runNow ? [f.system_id] : [] };
}

async function revoke(q: Queryable, ctx: AuditContext, deps: PlanDeps, f: FindingRow): Promise<FixOutcome> {
  const a = await accountNow(q, f);
  const sys = await systemRow(q, f.system_id);
  if (!sys) throw stale("The system is gone");
  const steps = revocationSteps(f, a, sys, deps.capabilities(sys));
  if (!steps.length) throw stale("Nothing is left to revoke on the account as last read");
  return storePlan(q, ctx, deps, f, a.person_id, steps);
}

async function grant(q: Queryable, ctx: AuditContext, deps: PlanDeps, f: FindingRow): Promise<FixOutcome> {
  if (!f.person_id) throw stale("The finding names no person");
  const sys = await systemRow(q, f.system_id);
  if (!sys) throw stale("The system is gone");
  const steps = await grantSteps(q, f, sys, deps.capabilities(sys));
  if (!steps.length) throw stale("The access is there on the account as last read");
  return storePlan(q, ctx, deps, f, f.person_id, steps);
}

/** The person a link decision names: explicit, or the one the rehire choice points at. */
async function linkTarget(q: Queryable, f: FindingRow, input: FixInput): Promise<string> {
  if (input.choice && f.kind !== "possible_rehire") {
    throw badRequest("access.choice_not_applicable", "A choice is only for a possible rehire", [
      { path: "body.choice", message: "only for a possible rehire" },
    ]);
  }
  let personId = input.personId;
  if (!personId && input.choice) {
    const candidates = (
      (f.details.candidates as { personId: string; former: boolean }[] | undefined) ?? []
    ).filter((c) => c.former === (input.choice === "fresh"));
    const former = typeof f.details.formerPersonId === "string" ? f.details.formerPersonId : null;
    const ids = new Set(candidates.map((c) => c.personId));
    if (input.choice === "fresh" && former) ids.add(former);
    if (ids.size !== 1) {
      throw unprocessable(
        "access.person_required",
        `Several people fit "${input.choice}"; name the person the account belongs to`,
        [{ path: "body.personId", message: "name the person" }],
      );
    }
    personId = [...ids][0] as string;
  }
  if (!personId) {
    throw badRequest("access.person_required", "Linking needs the person the account belongs to", [
      { path: "body.personId", message: "required for link" },
    ]);
  }
  const p = await q.query<{ status: string }>("SELECT status FROM people WHERE id = $1", [personId]);
  if (!p.rows[0]) {
    throw unprocessable("access.unknown_person", "No such person", [
      { path: "body.personId", message: "no such person" },
    ]);
  }
  return personId;
}

async function link(q: Queryable, ctx: AuditContext, f: FindingRow, input: FixInput): Promise<FixOutcome> {
  const personId = await linkTarget(q, f, input);
  const a = await accountNow(q, f);
  if (a.person_id && f.kind !== "possible_rehire") throw stale("The account has been linked meanwhile");
  await q.query("UPDATE accounts SET person_id = $2 WHERE id = $1", [a.id, personId]);
  await q.query(
    `INSERT INTO access_link_decisions (system_id, external_id, person_id, choice, finding_id, decided_by)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (system_id, external_id) DO UPDATE SET person_id = $3, choice = $4, finding_id = $5,
       decided_by = $6, decided_at = now()`,
    [f.system_id, a.external_id, personId, input.choice ?? null, f.id, ctx.actorLabel ?? ctx.actorId ?? null],
  );
  await appendAudit(q, ctx, {
    action: "access.account_linked",
    targetType: "account",
    targetId: a.id,
    details: {
      personId,
      previousPersonId: a.person_id,
      systemId: f.system_id,
      findingId: f.id,
      rule: "a person's decision",
      choice: input.choice ?? null,
    },
  });
  return { planId: null, systemIds: [], linkedPersonId: personId };
}

/** Carries out a fix; the finding is `fixing` until a run no longer sees it (a link settles it at once). */
export async function fixFinding(
  q: Queryable,
  ctx: AuditContext,
  deps: PlanDeps,
  id: string,
  input: FixInput,
): Promise<FixOutcome> {
  const f = await decidable(q, id);
  if (!FIXES[input.action].includes(f.kind)) {
    throw unprocessable(
      "access.fix_not_applicable",
      `${input.action} does not fix a ${f.kind.replace("_", " ")} finding (it fixes: ${FIXES[input.action].join(", ")})`,
      [{ path: "body.action", message: `not applicable to ${f.kind}` }],
    );
  }
  if (input.action !== "link" && (input.personId || input.choice)) {
    throw badRequest("access.person_not_applicable", "Only a link names a person", [
      { path: input.personId ? "body.personId" : "body.choice", message: "only for link" },
    ]);
  }
  const out =
    input.action === "revoke"
      ? await revoke(q, ctx, deps, f)
      : input.action === "grant"
        ? await grant(q, ctx, deps, f)
        : await link(q, ctx, f, input);
  const linked = input.action === "link";
  await q.query(
    `UPDATE access_findings SET state = $2, fix_action = $3, fix_plan_id = $4, fixed_by = $5, fixed_at = now(),
       resolved_at = CASE WHEN $2 = 'resolved' THEN now() END, resolution = CASE WHEN $2 = 'resolved' THEN 'linked' END
     WHERE id = $1`,
    [id, linked ? "resolved" : "fixing", input.action, out.planId, ctx.actorLabel ?? ctx.actorId ?? null],
  );
  await appendAudit(q, ctx, {
    action: "access.finding_fixed",
    targetType: "access_finding",
    targetId: id,
    details: {
      kind: f.kind,
      action: input.action,
      systemId: f.system_id,
      accountRef: f.account_ref,
      personId: f.person_id,
      linkedTo: out.linkedPersonId ?? null,
      choice: input.choice ?? null,
      planId: out.planId,
    },
  });
  return out;
}

/** Accepts a finding as an exception until `expiresAt`; the first run after that reopens it. */
export async function acceptFinding(
  q: Queryable,
  ctx: AuditContext,
  id: string,
  input: { justification: string; expiresAt: string },
): Promise<void> {
  const until = new Date(input.expiresAt);
  if (until.getTime() <= Date.now()) {
    throw badRequest("access.expiry_in_past", "An acceptance must end in the future", [
      { path: "body.expiresAt", message: "must be in the future" },
    ]);
  }
  if (until.getTime() > Date.now() + MAX_ACCEPT_DAYS * 86_400_000) {
    throw badRequest("access.expiry_too_far", `An acceptance lasts at most ${MAX_ACCEPT_DAYS} days`, [
      { path: "body.expiresAt", message: `at most ${MAX_ACCEPT_DAYS} days ahead` },
    ]);
  }
  const f = await decidable(q, id);
  await q.query(
    `UPDATE access_findings SET state = 'accepted', accepted_by = $2, accepted_at = now(), accepted_until = $3,
       justification = $4 WHERE id = $1`,
    [id, ctx.actorLabel ?? ctx.actorId ?? null, until.toISOString(), input.justification],
  );
  await appendAudit(q, ctx, {
    action: "access.finding_accepted",
    targetType: "access_finding",
    targetId: id,
    details: {
      kind: f.kind,
      systemId: f.system_id,
      accountRef: f.account_ref,
      personId: f.person_id,
      expiresAt: until.toISOString(),
      justification: input.justification,
      previousState: f.state,
    },
  });
}
