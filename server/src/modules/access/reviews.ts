/**
 * Access reviews (certification campaigns). Security and IT create a campaign; starting it
 * snapshots the grants in scope into items, each assigned to the person who must vouch for
 * it (the manager, or the system's owner). Reviewers keep or revoke; a revocation becomes
 * an override of the desired state and a plan, so the engine removes the grant and proves
 * it by reading the system back. Closing (by hand, or at the due date) marks what nobody
 * decided as not reviewed. Every change is audited with the change itself.
 */

import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Config } from "../../platform/config/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import type { Identity } from "../../platform/http/index.js";
import { AppError, conflict, forbidden, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import { findPersonBy } from "../people/index.js";
import { personFacts } from "./desired.js";
import { createPlan, type PlanDeps } from "./plans.js";
import { endRequestGrant } from "./requests.js";
import { exportReview } from "./reviews-export.js";
import { remindReviewers } from "./reviews-reminders.js";
import { liftRevocation, recordRevocation } from "./reviews-revocations.js";
import type { CampaignInput, CampaignState, DecisionInput, ItemView } from "./reviews-schemas.js";
import { snapshotItems } from "./reviews-snapshot.js";
import {
  type CampaignRow,
  campaignProgress,
  campaignRow,
  getCampaign,
  type ItemRow,
  itemRows,
  listCampaigns,
  toItem,
  type Viewer,
} from "./reviews-views.js";
import type { AccessService } from "./service.js";

export const REVIEW_TICK_JOB = "access.reviews.tick";
const SCHEDULER: AuditContext = { actorLabel: "access reviews" };

export interface ReviewDeps {
  db: Db;
  jobs: Jobs;
  access: Pick<AccessService, "settings" | "pool" | "runners">;
  config: Pick<Config, "TANDEM_JOBS">;
}

/** Who decides: the caller, the person linked to them, and whether they may act as a delegate. */
export interface Actor extends Viewer {
  label: string;
  /** access:admin: may decide for a reviewer (recorded as a delegate decision). */
  admin: boolean;
}

export async function actorOf(q: Queryable, identity: Identity): Promise<Actor> {
  const person = await findPersonBy(q, { userId: identity.userId });
  return {
    userId: identity.userId,
    personId: person?.id ?? null,
    reader: identity.permissions.has("access:read"),
    admin: identity.permissions.has("access:admin"),
    label: identity.email,
  };
}

const isReviewer = (i: Pick<ItemRow, "reviewer_person_id" | "reviewer_user_id">, a: Actor) =>
  (i.reviewer_person_id !== null && i.reviewer_person_id === a.personId) ||
  (i.reviewer_user_id !== null && i.reviewer_user_id === a.userId);

/**
 * Approved access requests that gave a revoked grant end with it (for the account itself:
 * every request on the system). The review's plan removes the access.
 */
async function endRequests(
  q: Queryable,
  ctx: AuditContext,
  item: { person_id: string; system_id: string; entitlement_ref: string | null; campaign_name: string },
  reason: string | null,
): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `SELECT r.id FROM access_requests r LEFT JOIN entitlements e ON e.id = r.entitlement_id
     WHERE r.person_id = $1 AND r.system_id = $2 AND r.state = 'approved'
       AND ($3::text IS NULL OR lower(e.external_id) = lower($3))
     ORDER BY r.id`,
    [item.person_id, item.system_id, item.entitlement_ref],
  );
  const ended: string[] = [];
  const why = `revoked in the access review "${item.campaign_name}"${reason ? `: ${reason}` : ""}`;
  for (const { id } of r.rows) if (await endRequestGrant(q, id, why, ctx)) ended.push(id);
  return ended;
}

export function createReviewService(deps: ReviewDeps) {
  const { db, jobs, access, config } = deps;
  const planDeps: PlanDeps = {
    jobs,
    settings: access.settings,
    capabilities: (row) => access.pool.capabilities(row),
  };
  /** This process works on what it just planned, when it is a worker. */
  const kick = (systemIds: string[]) => {
    if (config.TANDEM_JOBS && systemIds.length) access.runners.kick(systemIds);
  };

  async function create(ctx: AuditContext, identity: Identity, input: CampaignInput) {
    if (new Date(input.dueAt).getTime() <= Date.now())
      throw unprocessable("access.review_due_in_past", "The due date must be in the future", [
        { path: "dueAt", message: "must be in the future" },
      ]);
    const systemIds = [...new Set(input.systemIds)];
    const id = await db.tx(async (q) => {
      if (systemIds.length) {
        const known = await q.query<{ id: string }>("SELECT id FROM systems WHERE id = ANY ($1::text[])", [
          systemIds,
        ]);
        const found = new Set(known.rows.map((r) => r.id));
        const missing = input.systemIds.findIndex((s) => !found.has(s));
        if (missing >= 0)
          throw unprocessable("access.unknown_system", "No such system", [
            { path: `systemIds.${missing}`, message: "no such system" },
          ]);
      }
      const campaignId = ulid();
      await q.query(
        `INSERT INTO access_review_campaigns (id, name, description, scope, system_ids, due_at, reminder_days,
           remind_overdue, auto_close, owner_user_id, owner_name, created_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
        [
          campaignId,
          input.name,
          input.description ?? null,
          input.scope,
          systemIds,
          input.dueAt,
          [...new Set(input.reminderDays)].sort((a, b) => b - a),
          input.remindOverdue,
          input.autoClose,
          identity.userId,
          identity.displayName || identity.email,
          ctx.actorLabel ?? null,
        ],
      );
      await appendAudit(q, ctx, {
        action: "access.review_created",
        targetType: "access_review",
        targetId: campaignId,
        details: { name: input.name, scope: input.scope, systemIds, dueAt: input.dueAt },
      });
      return campaignId;
    });
    return getCampaign(db, id, { userId: identity.userId, personId: null, reader: true });
  }

  /** Snapshots the grants in scope into items; the campaign is open for decisions from now on. */
  async function start(ctx: AuditContext, id: string) {
    return db.tx(async (q) => {
      const c = await campaignRow(q, id, true);
      if (c.state !== "draft")
        throw conflict("access.review_started", "The access review has been started already");
      if (new Date(c.due_at).getTime() <= Date.now())
        throw conflict("access.review_past_due", "The due date has passed: create a new access review");
      const made = await snapshotItems(q, c);
      await q.query(
        `UPDATE access_review_campaigns SET state = 'active', started_at = now(), started_by = $2,
           version = version + 1 WHERE id = $1`,
        [id, ctx.actorLabel ?? null],
      );
      await appendAudit(q, ctx, {
        action: "access.review_started",
        targetType: "access_review",
        targetId: id,
        details: { items: made.items, people: made.people, flagged: made.flagged },
      });
      return made;
    });
  }

  /** Closes a campaign: items nobody decided become not_reviewed (listed as such in the evidence). */
  async function close(ctx: AuditContext, id: string, reason: "manual" | "due") {
    return db.tx(async (q) => {
      const c = await campaignRow(q, id, true);
      if (c.state === "closed") throw conflict("access.review_closed", "The access review is closed already");
      if (c.state === "draft")
        throw conflict("access.review_not_started", "The access review has not been started");
      const open = await q.query<{ id: string }>(
        "UPDATE access_review_items SET state = 'not_reviewed' WHERE campaign_id = $1 AND state = 'open' RETURNING id",
        [id],
      );
      await q.query(
        `UPDATE access_review_campaigns SET state = 'closed', closed_at = now(), closed_by = $2, close_reason = $3,
           version = version + 1 WHERE id = $1`,
        [id, ctx.actorLabel ?? null, reason],
      );
      const progress = await campaignProgress(q, id);
      await appendAudit(q, ctx, {
        action: "access.review_closed",
        targetType: "access_review",
        targetId: id,
        details: { reason, markedNotReviewed: open.rowCount, ...progress },
      });
      return progress;
    });
  }

  /**
   * Keeps or revokes items, all or nothing. Only the assigned reviewer decides, or an access
   * admin for them (recorded as a delegate); nobody decides on their own access. A decision
   * stands unless changed on purpose (`change`) while the campaign is open.
   */
  async function decide(
    ctx: AuditContext,
    actor: Actor,
    itemIds: string[],
    input: DecisionInput,
    campaignId?: string,
  ): Promise<ItemView[]> {
    const reason = input.reason?.trim() || null;
    if (input.decision === "revoke" && (reason?.length ?? 0) < 3)
      throw unprocessable("access.review_reason_required", "Say briefly why the access is revoked", [
        { path: "reason", message: "required to revoke (3 characters or more)" },
      ]);
    const ids = [...new Set(itemIds)];
    const found = await itemRows(db, ids);
    const byId = new Map(found.map((r) => [r.id, r]));
    const missing = itemIds.findIndex(
      (x) => !byId.has(x) || (campaignId !== undefined && byId.get(x)?.campaign_id !== campaignId),
    );
    if (missing >= 0) {
      throw new AppError(404, "access.review_item_not_found", "No such review item", [
        { path: campaignId !== undefined ? `itemIds.${missing}` : "itemId", message: "no such review item" },
      ]);
    }
    const refused = found.find(
      (i) => i.person_id === actor.personId || !(isReviewer(i, actor) || actor.admin),
    );
    if (refused) {
      const self = refused.person_id === actor.personId;
      await db.tx((q) =>
        appendAudit(q, ctx, {
          action: "access.review_decision_denied",
          targetType: "access_review_item",
          targetId: refused.id,
          outcome: "denied",
          details: { campaignId: refused.campaign_id, why: self ? "own access" : "not the reviewer" },
        }),
      );
      throw self
        ? forbidden("access.review_self", "Nobody decides on their own access")
        : forbidden(
            "access.review_not_reviewer",
            "Only the item's reviewer (or an access admin) may decide it",
          );
    }

    const made = await db.tx(async (q) => {
      const locked = await q.query<{ id: string; state: string; campaign_state: string }>(
        `SELECT i.id, i.state, c.state AS campaign_state FROM access_review_items i
         JOIN access_review_campaigns c ON c.id = i.campaign_id
         WHERE i.id = ANY ($1::text[]) ORDER BY i.id FOR UPDATE OF i`,
        [ids],
      );
      for (const row of locked.rows) {
        if (row.campaign_state !== "active")
          throw conflict(
            "access.review_closed",
            "The access review is closed: decisions can no longer change",
          );
        if (row.state !== "open" && !input.change)
          throw conflict(
            "access.review_decided",
            "The item is decided already; send change: true to change the decision",
            "decision",
          );
      }
      const state = input.decision === "keep" ? "kept" : "revoked";
      const replan = new Set<string>();
      const endedRequests = new Map<string, string[]>();
      for (const row of locked.rows) {
        const item = byId.get(row.id) as ItemRow;
        const previous = row.state;
        const delegate = !isReviewer(item, actor);
        await q.query(
          `UPDATE access_review_items SET state = $2, comment = $3, decided_at = now(), decided_by = $4,
             decided_by_user_id = $5, delegate = $6, changes = changes + $7 WHERE id = $1`,
          [row.id, state, reason, actor.label, actor.userId, delegate, previous === "open" ? 0 : 1],
        );
        await appendAudit(q, ctx, {
          action: "access.review_decided",
          targetType: "access_review_item",
          targetId: row.id,
          details: {
            campaignId: item.campaign_id,
            personId: item.person_id,
            systemId: item.system_id,
            account: item.account_ref,
            entitlement: item.entitlement_ref,
            decision: input.decision,
            previous,
            delegate,
            reason,
          },
        });
        if (state === "revoked" && previous !== "revoked" && item.system_id) {
          const facts = await personFacts(q, item.person_id);
          await recordRevocation(q, { ...item, system_id: item.system_id }, facts.jobRoleId, actor.label);
          const ended = await endRequests(q, ctx, { ...item, system_id: item.system_id }, reason);
          endedRequests.set(item.person_id, [...(endedRequests.get(item.person_id) ?? []), ...ended]);
          replan.add(item.person_id);
        }
        if (state === "kept" && previous === "revoked") {
          if (await liftRevocation(q, ctx, row.id, "decision changed to keep")) replan.add(item.person_id);
        }
      }
      // One plan per person carries every decision about them made here.
      const systemIds = new Set<string>();
      for (const personId of replan) {
        const plan = await createPlan(q, ctx, planDeps, {
          personId,
          reason: "review",
          createdBy: actor.label,
          hrEventAt: new Date(),
        });
        for (const s of plan.systemIds) systemIds.add(s);
        await q.query(
          "UPDATE access_review_items SET plan_id = $2 WHERE id = ANY ($1::text[]) AND person_id = $3",
          [ids, plan.planId, personId],
        );
        // This plan removes what the ended requests gave: the requests' sweep need not plan it again.
        const ended = endedRequests.get(personId) ?? [];
        if (ended.length)
          await q.query(
            `UPDATE access_requests SET end_planned_at = now(), end_plan_id = $2
             WHERE id = ANY ($1::text[]) AND end_planned_at IS NULL`,
            [ended, plan.planId],
          );
      }
      return [...systemIds];
    });
    kick(made);
    return (await itemRows(db, ids)).map(toItem);
  }

  /**
   * The scheduler's pass: closes campaigns past their due date (when they close by
   * themselves) and reminds reviewers with open items before the due date and after it.
   */
  async function tick(now = new Date()): Promise<{ closed: string[]; reminders: number }> {
    const closed: string[] = [];
    const due = await db.query<{ id: string }>(
      "SELECT id FROM access_review_campaigns WHERE state = 'active' AND auto_close AND due_at <= $1 ORDER BY due_at",
      [now.toISOString()],
    );
    for (const c of due.rows) {
      try {
        await close(SCHEDULER, c.id, "due");
        closed.push(c.id);
      } catch (err) {
        // Closed by a person meanwhile.
        if (!(err instanceof AppError && err.status === 409)) throw err;
      }
    }
    let reminders = 0;
    const active = await db.query<CampaignRow>(
      "SELECT * FROM access_review_campaigns WHERE state = 'active'",
    );
    for (const c of active.rows) reminders += await remindReviewers(db, c, now);
    return { closed, reminders };
  }

  return {
    create,
    start,
    close,
    decide,
    tick,
    actorOf: (identity: Identity) => actorOf(db, identity),
    list: (v: Viewer, opts: { state?: CampaignState; limit: number }) => listCampaigns(db, v, opts),
    get: (id: string, v: Viewer) => getCampaign(db, id, v),
    /** The campaign as evidence (CSV or PDF); the export is audited. */
    exportAs: (ctx: AuditContext, id: string, format: "csv" | "pdf", exportedBy: string) =>
      exportReview(db, ctx, id, format, exportedBy),
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;

/** The recurring pass (every 15 minutes on a worker): closes what is due, sends reminders. */
export function defineReviewJobs(jobs: Jobs, reviews: ReviewService): void {
  jobs.define({
    name: REVIEW_TICK_JOB,
    retryLimit: 2,
    handler: async () => void (await reviews.tick()),
  });
  jobs.schedule(REVIEW_TICK_JOB, "*/15 * * * *");
}
