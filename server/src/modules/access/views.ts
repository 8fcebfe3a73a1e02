/** Reading plans back: a plan with its steps, lists of plans, and the leaver page. */
import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/index.js";
import { iso } from "./context.js";
import type { PlanState, PlanView, StepView } from "./schemas.js";

interface PlanRow {
  id: string;
  person_id: string | null;
  reason: PlanView["reason"];
  state: PlanState;
  dry_run: boolean;
  immediate: boolean;
  created_by: string | null;
  created_at: Date | string;
  held_reason: string | null;
  held_system_ids: string[];
  source_event_id: string | null;
  hr_event_at: Date | string | null;
  finished_at: Date | string | null;
  notes: string[];
}

interface StepRow {
  id: string;
  plan_id: string;
  seq: number;
  system_id: string | null;
  system_name: string | null;
  action: StepView["action"];
  account_ref: string | null;
  entitlement_ref: string | null;
  entitlement_name: string | null;
  spec: Record<string, unknown>;
  state: StepView["state"];
  attempts: number;
  error: string | null;
  due_at: Date | string;
  applied_at: Date | string | null;
  verified_at: Date | string | null;
  manual_task_id: string | null;
  attested_by: string | null;
}

const STEP_SELECT = `SELECT s.*, sys.name AS system_name,
  (SELECT e.name FROM entitlements e WHERE e.system_id = s.system_id AND lower(e.external_id) = lower(s.entitlement_ref)
   LIMIT 1) AS entitlement_name
  FROM access_plan_steps s LEFT JOIN systems sys ON sys.id = s.system_id`;

export const toStep = (r: StepRow): StepView => ({
  id: r.id,
  planId: r.plan_id,
  seq: r.seq,
  systemId: r.system_id,
  systemName: r.system_name,
  action: r.action,
  accountRef: r.account_ref,
  username: typeof r.spec.username === "string" ? r.spec.username : null,
  entitlementRef: r.entitlement_ref,
  entitlementName: r.entitlement_name,
  title: typeof r.spec.title === "string" ? r.spec.title : null,
  state: r.state,
  attempts: r.attempts,
  error: r.error,
  dueAt: iso(r.due_at) as string,
  appliedAt: iso(r.applied_at),
  verifiedAt: iso(r.verified_at),
  manualTaskId: r.manual_task_id,
  attestedBy: r.attested_by,
});

const toPlan = (r: PlanRow, steps: StepView[]): PlanView => ({
  id: r.id,
  personId: r.person_id,
  reason: r.reason,
  state: r.state,
  dryRun: r.dry_run,
  immediate: r.immediate,
  createdBy: r.created_by,
  createdAt: iso(r.created_at) as string,
  heldReason: r.held_reason,
  heldSystemIds: r.held_system_ids ?? [],
  sourceEventId: r.source_event_id,
  hrEventAt: iso(r.hr_event_at),
  finishedAt: iso(r.finished_at),
  notes: r.notes ?? [],
  steps,
});

export async function getPlan(q: Queryable, id: string): Promise<PlanView> {
  const r = await q.query<PlanRow>("SELECT * FROM access_plans WHERE id = $1", [id]);
  const row = r.rows[0];
  if (!row) throw notFound("access.plan_not_found", "No such plan");
  const steps = await q.query<StepRow>(`${STEP_SELECT} WHERE s.plan_id = $1 ORDER BY s.seq`, [id]);
  return toPlan(row, steps.rows.map(toStep));
}

export async function listPlans(
  q: Queryable,
  f: { state?: PlanState; personId?: string; before?: string; limit: number },
) {
  const r = await q.query<
    PlanRow & { person_name: string | null; steps: number; verified: number; failed: number }
  >(
    `SELECT p.*, (SELECT COALESCE(pp.preferred_name, pp.legal_name) FROM people pp WHERE pp.id = p.person_id) AS person_name,
       (SELECT count(*)::int FROM access_plan_steps s WHERE s.plan_id = p.id) AS steps,
       (SELECT count(*)::int FROM access_plan_steps s WHERE s.plan_id = p.id AND s.state = 'verified') AS verified,
       (SELECT count(*)::int FROM access_plan_steps s WHERE s.plan_id = p.id AND s.state = 'failed') AS failed
     FROM access_plans p
     WHERE ($1::text IS NULL OR p.state = $1) AND ($2::text IS NULL OR p.person_id = $2)
       AND ($3::text IS NULL OR p.id < $3)
     ORDER BY p.id DESC LIMIT $4`,
    [f.state ?? null, f.personId ?? null, f.before ?? null, f.limit],
  );
  return r.rows.map((row) => {
    const { notes: _notes, steps: _steps, ...rest } = toPlan(row, []);
    return {
      ...rest,
      personName: row.person_name,
      steps: row.steps,
      verified: row.verified,
      failed: row.failed,
    };
  });
}

export interface OffboardingView {
  personId: string;
  /** The latest leaver plan of this departure (its state is the page's state). */
  plan: Omit<PlanView, "steps">;
  /** Every leaver plan of this departure, oldest first (a revoke-now, then the termination…). */
  planIds: string[];
  /** The first HR event (or revoke-now) of this departure. */
  hrEventAt: string | null;
  /** When the last step was verified (or attested), once nothing is left open. */
  completedAt: string | null;
  /** Seconds from the HR event to completion, or to now while steps are open. */
  elapsedSeconds: number | null;
  /** When every account step (tasks for people aside) was verified; null while any is open. */
  accessRevokedAt: string | null;
  /** Seconds from the HR event to accessRevokedAt. */
  revocationSeconds: number | null;
  systems: {
    systemId: string | null;
    systemName: string;
    state: "pending" | "verified" | "failed" | "manual" | "held";
    steps: StepView[];
  }[];
}

const lastVerified = (steps: StepView[]): string | null =>
  steps.reduce<string | null>(
    (max, s) => (s.verifiedAt && (!max || s.verifiedAt > max) ? s.verifiedAt : max),
    null,
  );

/** The leaver plans of the person's current departure (since they were last rehired), oldest first. */
export async function departurePlans(q: Queryable, personId: string): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `SELECT p.id FROM access_plans p WHERE p.person_id = $1 AND p.reason = 'leaver'
       AND p.created_at > COALESCE((SELECT max(j.created_at) FROM access_plans j
                                    WHERE j.person_id = $1 AND j.source_key LIKE 'person.rehired:%'), '-infinity')
     ORDER BY p.created_at, p.id`,
    [personId],
  );
  return r.rows.map((x) => x.id);
}

function systemState(steps: StepView[], held: boolean): OffboardingView["systems"][number]["state"] {
  const states = steps.filter((s) => s.state !== "cancelled").map((s) => s.state);
  if (held && states.some((s) => s === "pending")) return "held";
  if (states.includes("failed")) return "failed";
  if (states.some((s) => s === "pending" || s === "applied")) return "pending";
  if (states.includes("manual")) return "manual";
  return "verified";
}

/**
 * The leaver page: every step of the person's departure (all its leaver plans), per system,
 * with the clock from the first HR event.
 */
export async function offboarding(q: Queryable, personId: string): Promise<OffboardingView> {
  const ids = await departurePlans(q, personId);
  if (!ids.length) throw notFound("access.no_leaver_plan", "This person has no leaver plan");
  const plans = await Promise.all(ids.map((id) => getPlan(q, id)));
  const latest = plans[plans.length - 1] as PlanView;
  const heldPlans = new Set(plans.filter((p) => p.state === "held").map((p) => p.id));
  const all = plans.flatMap((p) => p.steps);
  const live = all.filter((s) => s.state !== "cancelled");
  const groups = new Map<string, StepView[]>();
  for (const s of live.length ? live : all) {
    const key = s.systemId ?? "";
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const open = live.some((s) => s.state !== "verified");
  const completedAt = open ? null : (lastVerified(live) ?? latest.finishedAt);
  const accountSteps = live.filter((s) => s.action !== "manual_task");
  const accessRevokedAt = accountSteps.some((s) => s.state !== "verified")
    ? null
    : (lastVerified(accountSteps) ?? latest.createdAt);
  const hrEventAt =
    plans
      .map((p) => p.hrEventAt)
      .filter((x): x is string => !!x)
      .sort()[0] ?? null;
  const hr = hrEventAt ? Date.parse(hrEventAt) : null;
  const end = completedAt ? Date.parse(completedAt) : Date.now();
  const seconds = (from: number | null, to: number) =>
    from === null ? null : Math.max(0, Math.round((to - from) / 100) / 10);
  const { steps: _steps, ...head } = latest;
  return {
    personId,
    plan: head,
    planIds: ids,
    hrEventAt,
    completedAt,
    elapsedSeconds: seconds(hr, end),
    accessRevokedAt,
    revocationSeconds: accessRevokedAt ? seconds(hr, Date.parse(accessRevokedAt)) : null,
    systems: [...groups].map(([systemId, steps]) => ({
      systemId: systemId || null,
      systemName: steps[0]?.systemName ?? "Devices and premises",
      state: systemState(
        steps,
        steps.some((s) => heldPlans.has(s.planId)),
      ),
      steps,
    })),
  };
}
