/**
 * Access requests: a person asks for an entitlement (or an account) on a system; the
 * system's chain of approvers (manager, owner, or both) decides one step at a time, and a
 * step whose approver is missing goes to Security. The final approval makes the grant part
 * of the person's desired state and plans it through the engine in the same transaction.
 * Time-bound grants end by themselves: the sweep marks them expired and plans the removal.
 */

import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { type AppError, conflict, forbidden, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { findPerson, findPersonBy, WORKING } from "../people/index.js";
import { accountsOfPerson } from "./accounts.js";
import { desiredState, type PersonFacts, personFacts } from "./desired.js";
import { createPlan, type PlanDeps } from "./plans.js";
import type { ApprovalChain, RequestInput, RequestState } from "./schemas.js";
import { type SodHit, sodConflicts, sodRefusal } from "./sod.js";

export const REQUEST_SWEEP_JOB = "access.requests_sweep";
const ENGINE: AuditContext = { actorLabel: "access engine" };
/** Who can decide a step in person: at work now (not on leave, not gone) and able to sign in. */
const APPROVER_STATUSES = new Set(["active", "notice"]);

/** The signed-in caller as the request rules see them. */
export interface Caller {
  userId: string;
  personId: string | null;
  permissions: ReadonlySet<string>;
}

export async function callerOf(
  q: Queryable,
  identity: { userId: string; permissions: ReadonlySet<string> },
): Promise<Caller> {
  const person = await findPersonBy(q, { userId: identity.userId });
  return { userId: identity.userId, personId: person?.id ?? null, permissions: identity.permissions };
}

const isSecurity = (c: Caller) => c.permissions.has("access:admin");

export interface RequestRow {
  id: string;
  person_id: string;
  requested_by: string | null;
  system_id: string;
  entitlement_id: string | null;
  reason: string;
  ends_at: Date | string | null;
  sod_rules: { id: string; name: string; description: string; mode: "block" | "exception" }[];
  sod_justification: string | null;
  approval_chain: ApprovalChain;
  state: RequestState;
  account_from_request: boolean;
  decided_at: Date | string | null;
  granted_at: Date | string | null;
  grant_plan_id: string | null;
  ended_at: Date | string | null;
  end_reason: string | null;
  ended_by: string | null;
  end_planned_at: Date | string | null;
  end_plan_id: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface StepRow {
  id: string;
  seq: number;
  role: "manager" | "owner" | "security";
  approver_person_id: string | null;
  state: string;
  decided_by: string | null;
}

/** Whether the caller may see the request at all (otherwise it does not exist for them). */
export function canSee(c: Caller, r: { person_id: string }, steps: StepRow[]): boolean {
  if (c.permissions.has("access:read") || (c.personId && r.person_id === c.personId)) return true;
  return steps.some(
    (s) => (c.personId && s.approver_person_id === c.personId) || (s.role === "security" && isSecurity(c)),
  );
}

async function lockRequest(q: Queryable, c: Caller | null, id: string) {
  const r = (await q.query<RequestRow>("SELECT * FROM access_requests WHERE id = $1 FOR UPDATE", [id]))
    .rows[0];
  const steps = r
    ? (
        await q.query<StepRow>(
          "SELECT id, seq, role, approver_person_id, state, decided_by FROM access_request_steps WHERE request_id = $1 ORDER BY seq",
          [id],
        )
      ).rows
    : [];
  if (!r || (c && !canSee(c, r, steps))) throw notFound("access.request_not_found", "No such access request");
  return { r, steps };
}

// --- what the person holds ---------------------------------------------------------------------

/** Entitlement ids the person holds, will hold, or has asked for (pending or granted requests). */
async function heldEntitlements(q: Queryable, person: PersonFacts, except: string | null) {
  const desired = await desiredState(q, person);
  const accounts = await accountsOfPerson(q, person);
  const systems: string[] = [];
  const refs: string[] = [];
  const add = (systemId: string, ref: string) => {
    systems.push(systemId);
    refs.push(ref);
  };
  for (const d of desired.systems.values()) for (const ref of d.entitlements.values()) add(d.systemId, ref);
  for (const a of accounts) for (const ref of a.entitlements ?? []) add(a.system_id, ref);
  /** Held now or given by the desired state. */
  const holds = new Set<string>();
  if (refs.length) {
    const r = await q.query<{ id: string }>(
      `SELECT DISTINCT e.id FROM entitlements e
       JOIN unnest($1::text[], $2::text[]) AS x(system_id, ref)
         ON e.system_id = x.system_id AND lower(e.external_id) = lower(x.ref)`,
      [systems, refs],
    );
    for (const row of r.rows) holds.add(row.id);
  }
  const all = new Set(holds);
  const asked = await q.query<{ entitlement_id: string }>(
    `SELECT entitlement_id FROM access_requests
     WHERE person_id = $1 AND entitlement_id IS NOT NULL AND id <> $2
       AND (state = 'pending' OR (state = 'approved' AND (ends_at IS NULL OR ends_at > now())))`,
    [person.id, except ?? ""],
  );
  for (const row of asked.rows) all.add(row.entitlement_id);
  const hasAccount = (systemId: string) =>
    desired.systems.has(systemId) || accounts.some((a) => a.system_id === systemId && a.enabled);
  return { all, holds, hasAccount, empty: desired.empty };
}

// --- asking ------------------------------------------------------------------------------------

interface StepSpec {
  role: "manager" | "owner" | "security";
  wantedRole: "manager" | "owner";
  approverPersonId: string | null;
  routedReason: string | null;
}

/** The system's chain for this person; a missing approver becomes a step for Security. */
async function chainFor(
  q: Queryable,
  person: { id: string; managerId: string | null },
  system: { owner_person_id: string | null; approval_chain: ApprovalChain },
): Promise<StepSpec[]> {
  const wanted: ("manager" | "owner")[] =
    system.approval_chain === "manager"
      ? ["manager"]
      : system.approval_chain === "owner"
        ? ["owner"]
        : ["manager", "owner"];
  const steps: StepSpec[] = [];
  for (const role of wanted) {
    const candidate = role === "manager" ? person.managerId : system.owner_person_id;
    let why: string | null = null;
    if (!candidate) why = role === "manager" ? "the person has no manager" : "the system has no owner";
    else if (candidate === person.id) why = `the requester is the system's ${role}`;
    else {
      const row = await findPerson(q, candidate);
      if (!row || !APPROVER_STATUSES.has(row.status)) why = `the ${role} is not at work`;
      else if (!row.user_id) why = `the ${role} has no Tandem sign-in`;
    }
    const step: StepSpec = why
      ? {
          role: "security",
          wantedRole: role,
          approverPersonId: null,
          routedReason: `${why}: routed to Security`,
        }
      : { role, wantedRole: role, approverPersonId: candidate, routedReason: null };
    const prev = steps[steps.length - 1];
    // The same decider twice in a row decides once.
    if (prev && prev.role === step.role && prev.approverPersonId === step.approverPersonId) {
      if (step.routedReason) prev.routedReason = `${prev.routedReason}; ${step.routedReason}`;
      continue;
    }
    steps.push(step);
  }
  return steps;
}

/** Records and announces that a step waits for its approver (the approver's to-do list shows it). */
async function announce(q: Queryable, ctx: AuditContext, events: Events, requestId: string, seq: number) {
  const s = (
    await q.query<{ role: string; approver_person_id: string | null; routed_reason: string | null }>(
      "SELECT role, approver_person_id, routed_reason FROM access_request_steps WHERE request_id = $1 AND seq = $2",
      [requestId, seq],
    )
  ).rows[0];
  if (!s) return;
  await appendAudit(q, ctx, {
    action: "access.request_approval_requested",
    targetType: s.approver_person_id ? "person" : "role",
    targetId: s.approver_person_id ?? "security",
    details: { requestId, seq, role: s.role, routedReason: s.routed_reason },
  });
  await events.publish(q, "access.request_awaiting_approval", {
    requestId,
    seq,
    role: s.role,
    approverPersonId: s.approver_person_id,
  });
}

const field = (input: RequestInput) => (input.entitlementId ? "entitlementId" : "systemId");

export async function createRequest(
  q: Queryable,
  ctx: AuditContext,
  events: Events,
  caller: Caller,
  input: RequestInput,
): Promise<string> {
  if (!caller.personId)
    throw forbidden("access.no_person_record", "Only people with an HR record can ask for access");
  const personRow = await findPerson(q, caller.personId);
  if (!personRow || !(WORKING as readonly string[]).includes(personRow.status))
    throw forbidden("access.not_at_work", "Only people who work here can ask for access");
  await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`access.requests:${caller.personId}`]);
  const system = (
    await q.query<{
      id: string;
      name: string;
      enabled: boolean;
      requestable: boolean;
      owner_person_id: string | null;
      approval_chain: ApprovalChain;
    }>("SELECT id, name, enabled, requestable, owner_person_id, approval_chain FROM systems WHERE id = $1", [
      input.systemId,
    ])
  ).rows[0];
  if (!system)
    throw unprocessable("access.unknown_system", "No such system", [
      { path: "systemId", message: "does not exist" },
    ]);
  if (!system.enabled || !system.requestable)
    throw unprocessable("access.not_requestable", `${system.name} does not take access requests`, [
      { path: "systemId", message: "does not take requests" },
    ]);
  if (input.entitlementId) {
    const e = (
      await q.query<{ system_id: string; requestable: boolean; present: boolean; name: string }>(
        "SELECT system_id, requestable, present, name FROM entitlements WHERE id = $1",
        [input.entitlementId],
      )
    ).rows[0];
    if (!e || e.system_id !== system.id)
      throw unprocessable("access.unknown_entitlement", `No such entitlement on ${system.name}`, [
        { path: "entitlementId", message: "is not an entitlement of this system" },
      ]);
    if (!e.requestable || !e.present)
      throw unprocessable("access.not_requestable", `${e.name} cannot be requested`, [
        { path: "entitlementId", message: "cannot be requested" },
      ]);
  }
  if (input.endsAt && Date.parse(input.endsAt) <= Date.now())
    throw unprocessable("access.ends_in_past", "The end date must be in the future", [
      { path: "endsAt", message: "is not in the future" },
    ]);
  const open = await q.query(
    `SELECT 1 FROM access_requests WHERE person_id = $1 AND system_id = $2
       AND COALESCE(entitlement_id, '') = COALESCE($3, '')
       AND (state = 'pending' OR (state = 'approved' AND (ends_at IS NULL OR ends_at > now())))`,
    [caller.personId, system.id, input.entitlementId],
  );
  if (open.rowCount)
    throw conflict("access.request_exists", "An open request asks for this already", field(input));

  const person = await personFacts(q, caller.personId);
  const held = await heldEntitlements(q, person, null);
  if (held.empty) throw forbidden("access.not_at_work", "Your access is revoked: requests are closed to you");
  const already = input.entitlementId ? held.holds.has(input.entitlementId) : held.hasAccount(system.id);
  if (already)
    throw unprocessable("access.already_held", "You hold this access already", [
      { path: field(input), message: "is held already" },
    ]);
  let crossed: SodHit[] = [];
  if (input.entitlementId) {
    const hits = await sodConflicts(q, [input.entitlementId], held.all);
    const blocked = hits.filter((h) => h.rule.mode === "block");
    if (blocked.length) throw sodRefusal(blocked, "entitlementId");
    crossed = hits;
    if (crossed.length && !input.sodJustification)
      throw unprocessable(
        "access.sod_justification_required",
        `This access crosses separation-of-duties rule ${crossed.map((h) => `"${h.rule.name}"`).join(", ")}: give a justification`,
        [
          {
            path: "sodJustification",
            message: `required by ${crossed.map((h) => `"${h.rule.name}" (${h.wanted} with ${h.other})`).join(", ")}`,
          },
        ],
      );
  }

  const steps = await chainFor(q, { id: person.id, managerId: personRow.manager_id }, system);
  const id = ulid();
  await q.query(
    `INSERT INTO access_requests (id, person_id, requested_by, system_id, entitlement_id, reason, ends_at,
       sod_rules, sod_justification, approval_chain)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
    [
      id,
      person.id,
      caller.userId,
      system.id,
      input.entitlementId,
      input.reason,
      input.endsAt ?? null,
      JSON.stringify(crossed.map((h) => h.rule)),
      crossed.length ? (input.sodJustification ?? null) : null,
      system.approval_chain,
    ],
  );
  for (const [i, s] of steps.entries()) {
    await q.query(
      `INSERT INTO access_request_steps (id, request_id, seq, role, wanted_role, approver_person_id, routed_reason, state)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [
        ulid(),
        id,
        i + 1,
        s.role,
        s.wantedRole,
        s.approverPersonId,
        s.routedReason,
        i === 0 ? "pending" : "waiting",
      ],
    );
  }
  await appendAudit(q, ctx, {
    action: "access.request_created",
    targetType: "person",
    targetId: person.id,
    details: {
      requestId: id,
      systemId: system.id,
      entitlementId: input.entitlementId,
      endsAt: input.endsAt ?? null,
      chain: steps.map((s) => s.role),
      sodRules: crossed.map((h) => h.rule.name),
    },
  });
  await announce(q, ctx, events, id, 1);
  return id;
}

/** Refused attempts are evidence too: recorded on their own, since the request itself is not. */
export async function auditRefusal(
  db: Db,
  ctx: AuditContext,
  caller: Caller,
  err: AppError,
  input: RequestInput,
) {
  await db.tx((q) =>
    appendAudit(q, ctx, {
      action: "access.request_refused",
      targetType: "person",
      targetId: caller.personId,
      outcome: "denied",
      details: {
        code: err.code,
        systemId: input.systemId,
        entitlementId: input.entitlementId,
        detail: err.message,
      },
    }),
  );
}

// --- deciding ----------------------------------------------------------------------------------

export interface Decision {
  action: "approve" | "reject";
  comment: string | null;
}

/** One step's decision; the final approval grants and plans. Returns systems to run now. */
export async function decideRequest(
  q: Queryable,
  ctx: AuditContext,
  deps: { planDeps: PlanDeps; events: Events },
  caller: Caller,
  id: string,
  d: Decision,
): Promise<string[]> {
  const { r, steps } = await lockRequest(q, caller, id);
  if (caller.personId && r.person_id === caller.personId)
    throw forbidden("access.self_approval", "Nobody decides their own access request");
  if (r.state !== "pending") throw conflict("access.request_decided", `The request is ${r.state} already`);
  const step = steps.find((s) => s.state === "pending");
  if (!step) throw conflict("access.request_decided", "The request has no step waiting for a decision");
  const mine =
    step.role === "security"
      ? isSecurity(caller)
      : !!caller.personId && step.approver_person_id === caller.personId;
  if (!mine) throw forbidden("access.not_approver", "This step waits for another approver");
  if (steps.some((s) => s.decided_by === caller.userId))
    throw forbidden("access.not_approver", "You decided an earlier step: another approver decides this one");
  await q.query(
    `UPDATE access_request_steps SET state = $2, decided_by = $3, decided_by_label = $4, comment = $5, decided_at = now()
     WHERE id = $1`,
    [
      step.id,
      d.action === "approve" ? "approved" : "rejected",
      caller.userId,
      ctx.actorLabel ?? null,
      d.comment,
    ],
  );
  const touch = (sets = "") =>
    q.query(`UPDATE access_requests SET ${sets}version = version + 1, updated_at = now() WHERE id = $1`, [
      id,
    ]);
  if (d.action === "reject") {
    await q.query(
      "UPDATE access_request_steps SET state = 'cancelled' WHERE request_id = $1 AND state = 'waiting'",
      [id],
    );
    await touch("state = 'rejected', decided_at = now(), ");
    await appendAudit(q, ctx, {
      action: "access.request_rejected",
      targetType: "person",
      targetId: r.person_id,
      details: { requestId: id, seq: step.seq, role: step.role, comment: d.comment },
    });
    return [];
  }
  await appendAudit(q, ctx, {
    action: "access.request_step_approved",
    targetType: "person",
    targetId: r.person_id,
    details: { requestId: id, seq: step.seq, role: step.role, comment: d.comment },
  });
  const next = steps.find((s) => s.state === "waiting");
  if (next) {
    await q.query("UPDATE access_request_steps SET state = 'pending' WHERE id = $1", [next.id]);
    await touch();
    await announce(q, ctx, deps.events, id, next.seq);
    return [];
  }
  return grant(q, ctx, deps.planDeps, r);
}

/** The final approval: block rules are checked again, the grant joins the desired state, a plan follows. */
async function grant(q: Queryable, ctx: AuditContext, planDeps: PlanDeps, r: RequestRow): Promise<string[]> {
  const person = await personFacts(q, r.person_id);
  const held = await heldEntitlements(q, person, r.id);
  if (held.empty || !(WORKING as readonly string[]).includes(person.status))
    throw conflict("access.person_not_at_work", "The person holds no access now: reject the request");
  if (r.entitlement_id) {
    const blocked = (await sodConflicts(q, [r.entitlement_id], held.all)).filter(
      (h) => h.rule.mode === "block",
    );
    if (blocked.length) throw sodRefusal(blocked, "entitlementId");
  }
  await q.query(
    `UPDATE access_requests SET state = 'approved', decided_at = now(), granted_at = now(), account_from_request = $2,
       version = version + 1, updated_at = now() WHERE id = $1`,
    [r.id, !held.hasAccount(r.system_id)],
  );
  const made = await createPlan(q, ctx, planDeps, {
    personId: r.person_id,
    reason: "manual",
    createdBy: ctx.actorLabel ?? ctx.actorId ?? null,
    sourceKey: `access.request:${r.id}:grant`,
  });
  await q.query("UPDATE access_requests SET grant_plan_id = $2 WHERE id = $1", [r.id, made.planId]);
  await appendAudit(q, ctx, {
    action: "access.request_approved",
    targetType: "person",
    targetId: r.person_id,
    details: {
      requestId: r.id,
      systemId: r.system_id,
      entitlementId: r.entitlement_id,
      endsAt: r.ends_at ? new Date(r.ends_at).toISOString() : null,
      planId: made.planId,
    },
  });
  return made.systemIds;
}

export async function cancelRequest(
  q: Queryable,
  ctx: AuditContext,
  caller: Caller,
  id: string,
  reason: string | null,
): Promise<void> {
  const { r } = await lockRequest(q, caller, id);
  if (!caller.personId || r.person_id !== caller.personId)
    throw forbidden("access.not_requester", "Only the person who asked can cancel a request");
  if (r.state !== "pending") throw conflict("access.request_decided", `The request is ${r.state} already`);
  await q.query(
    "UPDATE access_request_steps SET state = 'cancelled' WHERE request_id = $1 AND state IN ('pending', 'waiting')",
    [id],
  );
  await q.query(
    `UPDATE access_requests SET state = 'cancelled', decided_at = now(), end_reason = $2,
       version = version + 1, updated_at = now() WHERE id = $1`,
    [id, reason],
  );
  await appendAudit(q, ctx, {
    action: "access.request_cancelled",
    targetType: "person",
    targetId: r.person_id,
    details: { requestId: id, reason },
  });
}

// --- ending ------------------------------------------------------------------------------------

export interface EndedGrant {
  requestId: string;
  personId: string;
  systemId: string;
  entitlementId: string | null;
  /** Systems whose runners have work now (when the removal was planned here). */
  systemIds: string[];
}

/**
 * Ends an approved request's grant before its time (an access review, Security), in the
 * caller's transaction. With `plan` the removal is planned at once; without, the sweep plans
 * it within a minute. Returns null when the request holds no grant (already ended, never approved).
 */
export async function endRequestGrant(
  q: Queryable,
  requestId: string,
  reason: string,
  actor: AuditContext,
  plan?: PlanDeps,
): Promise<EndedGrant | null> {
  const r = (
    await q.query<RequestRow>(
      `UPDATE access_requests SET state = 'ended', ended_at = now(), end_reason = $2, ended_by = $3,
         version = version + 1, updated_at = now()
       WHERE id = $1 AND state = 'approved' RETURNING *`,
      [requestId, reason, actor.actorLabel ?? actor.actorId ?? null],
    )
  ).rows[0];
  if (!r) return null;
  await appendAudit(q, actor, {
    action: "access.request_grant_ended",
    targetType: "person",
    targetId: r.person_id,
    details: { requestId, systemId: r.system_id, entitlementId: r.entitlement_id, reason },
  });
  const systemIds = plan ? await planGrantEnd(q, actor, plan, requestId) : [];
  return {
    requestId,
    personId: r.person_id,
    systemId: r.system_id,
    entitlementId: r.entitlement_id,
    systemIds,
  };
}

/** Plans the removal of an ended grant once (a leaver's or a revoked person's plan already removes everything). */
export async function planGrantEnd(
  q: Queryable,
  ctx: AuditContext,
  planDeps: PlanDeps,
  id: string,
): Promise<string[]> {
  const r = (
    await q.query<{ person_id: string; end_planned_at: Date | null; state: string }>(
      "SELECT person_id, end_planned_at, state FROM access_requests WHERE id = $1 FOR UPDATE",
      [id],
    )
  ).rows[0];
  if (!r || r.end_planned_at || !["expired", "ended"].includes(r.state)) return [];
  const person = await personFacts(q, r.person_id);
  if ((await desiredState(q, person)).empty) {
    await q.query("UPDATE access_requests SET end_planned_at = now() WHERE id = $1", [id]);
    return [];
  }
  const made = await createPlan(q, ctx, planDeps, {
    personId: r.person_id,
    reason: "manual",
    createdBy: ctx.actorLabel ?? ctx.actorId ?? null,
    sourceKey: `access.request:${id}:end`,
  });
  await q.query("UPDATE access_requests SET end_planned_at = now(), end_plan_id = $2 WHERE id = $1", [
    id,
    made.planId,
  ]);
  return made.systemIds;
}

/** The recurring sweep: grants past their end date expire, and every ended grant's removal is planned. */
export async function sweepRequests(
  db: Db,
  planDeps: PlanDeps,
): Promise<{ expired: number; systemIds: string[] }> {
  const systemIds = new Set<string>();
  let expired = 0;
  const due = await db.query<{ id: string }>(
    "SELECT id FROM access_requests WHERE state = 'approved' AND ends_at <= now() ORDER BY ends_at LIMIT 500",
  );
  for (const { id } of due.rows) {
    const ids = await db.tx(async (q) => {
      const r = (
        await q.query<RequestRow>(
          `UPDATE access_requests SET state = 'expired', ended_at = now(), end_reason = 'the end date passed',
             ended_by = 'access engine', version = version + 1, updated_at = now()
           WHERE id = $1 AND state = 'approved' AND ends_at <= now() RETURNING *`,
          [id],
        )
      ).rows[0];
      if (!r) return [];
      expired++;
      await appendAudit(q, ENGINE, {
        action: "access.request_expired",
        targetType: "person",
        targetId: r.person_id,
        details: { requestId: id, systemId: r.system_id, entitlementId: r.entitlement_id },
      });
      return planGrantEnd(q, ENGINE, planDeps, id);
    });
    for (const s of ids) systemIds.add(s);
  }
  const unplanned = await db.query<{ id: string }>(
    "SELECT id FROM access_requests WHERE state IN ('expired', 'ended') AND end_planned_at IS NULL ORDER BY ended_at LIMIT 500",
  );
  for (const { id } of unplanned.rows) {
    for (const s of await db.tx((q) => planGrantEnd(q, ENGINE, planDeps, id))) systemIds.add(s);
  }
  return { expired, systemIds: [...systemIds] };
}

/** A departure ends every grant and closes every open request (the leaver plan removes the access). */
export async function closeOnDeparture(q: Queryable, ctx: AuditContext, personId: string): Promise<void> {
  const pending = await q.query<{ id: string }>(
    `UPDATE access_requests SET state = 'cancelled', decided_at = now(), end_reason = 'the person left',
       version = version + 1, updated_at = now()
     WHERE person_id = $1 AND state = 'pending' RETURNING id`,
    [personId],
  );
  for (const { id } of pending.rows) {
    await q.query(
      "UPDATE access_request_steps SET state = 'cancelled' WHERE request_id = $1 AND state IN ('pending', 'waiting')",
      [id],
    );
    await appendAudit(q, ctx, {
      action: "access.request_cancelled",
      targetType: "person",
      targetId: personId,
      details: { requestId: id, reason: "the person left" },
    });
  }
  const granted = await q.query<{ id: string }>(
    `UPDATE access_requests SET state = 'ended', ended_at = now(), end_reason = 'the person left',
       ended_by = $2, end_planned_at = now(), version = version + 1, updated_at = now()
     WHERE person_id = $1 AND state = 'approved' RETURNING id`,
    [personId, ctx.actorLabel ?? null],
  );
  for (const { id } of granted.rows) {
    await appendAudit(q, ctx, {
      action: "access.request_grant_ended",
      targetType: "person",
      targetId: personId,
      details: { requestId: id, reason: "the person left" },
    });
  }
}
