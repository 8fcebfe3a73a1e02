/** Reading campaigns and review items back, with their progress. */
import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/index.js";
import { iso } from "./context.js";
import type {
  CampaignDetail,
  CampaignState,
  CampaignView,
  ItemFlag,
  ItemQuery,
  ItemState,
  ItemView,
  Progress,
  ReviewScope,
} from "./reviews-schemas.js";

export interface CampaignRow {
  id: string;
  name: string;
  description: string | null;
  scope: ReviewScope;
  system_ids: string[];
  due_at: Date | string;
  reminder_days: number[];
  remind_overdue: boolean;
  auto_close: boolean;
  state: CampaignState;
  owner_user_id: string;
  owner_name: string;
  created_by: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  started_by: string | null;
  closed_at: Date | string | null;
  closed_by: string | null;
  close_reason: "manual" | "due" | null;
}

export interface ItemRow {
  id: string;
  campaign_id: string;
  campaign_name: string;
  due_at: Date | string;
  campaign_state: CampaignState;
  person_id: string;
  person_name: string;
  employee_number: string;
  system_id: string | null;
  system_name: string;
  account_id: string | null;
  account_ref: string;
  username: string;
  account_enabled: boolean;
  entitlement_ref: string | null;
  entitlement_name: string | null;
  reviewer_person_id: string | null;
  reviewer_user_id: string | null;
  reviewer_name: string;
  flag: ItemFlag | null;
  state: ItemState;
  comment: string | null;
  decided_at: Date | string | null;
  decided_by: string | null;
  delegate: boolean;
  changes: number;
  plan_id: string | null;
  removal_state: string | null;
  removal_verified_at: Date | string | null;
  removal_error: string | null;
}

/** Who is asking: a user, and the person record linked to it (if any). */
export interface Viewer {
  userId: string;
  personId: string | null;
  /** May read every campaign and item (access:read). */
  reader: boolean;
}

const PROGRESS = `count(*)::int AS total,
  count(*) FILTER (WHERE i.state IN ('kept', 'revoked'))::int AS decided,
  count(*) FILTER (WHERE i.state = 'open')::int AS open,
  count(*) FILTER (WHERE i.state = 'kept')::int AS kept,
  count(*) FILTER (WHERE i.state = 'revoked')::int AS revoked,
  count(*) FILTER (WHERE i.state = 'not_reviewed')::int AS not_reviewed,
  count(*) FILTER (WHERE i.state = 'open' AND c.due_at < now())::int AS overdue,
  count(*) FILTER (WHERE i.flag IS NOT NULL)::int AS flagged`;

interface ProgressRow {
  total: number;
  decided: number;
  open: number;
  kept: number;
  revoked: number;
  not_reviewed: number;
  overdue: number;
  flagged: number;
}

const toProgress = (r: ProgressRow | undefined): Progress => ({
  total: r?.total ?? 0,
  decided: r?.decided ?? 0,
  open: r?.open ?? 0,
  kept: r?.kept ?? 0,
  revoked: r?.revoked ?? 0,
  notReviewed: r?.not_reviewed ?? 0,
  overdue: r?.overdue ?? 0,
  flagged: r?.flagged ?? 0,
});

const toCampaign = (r: CampaignRow, progress: Progress): CampaignView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  scope: r.scope,
  systemIds: r.system_ids,
  dueAt: iso(r.due_at) as string,
  reminderDays: r.reminder_days,
  remindOverdue: r.remind_overdue,
  autoClose: r.auto_close,
  state: r.state,
  ownerUserId: r.owner_user_id,
  ownerName: r.owner_name,
  createdBy: r.created_by,
  createdAt: iso(r.created_at) as string,
  startedAt: iso(r.started_at),
  startedBy: r.started_by,
  closedAt: iso(r.closed_at),
  closedBy: r.closed_by,
  closeReason: r.close_reason,
  progress,
});

/** The items a viewer reviews (their person's, or their user's as a campaign owner). */
const MINE = "(i.reviewer_person_id = $%P OR i.reviewer_user_id = $%U)";
const mine = (p: number, u: number) => MINE.replace("%P", String(p)).replace("%U", String(u));

export async function campaignRow(q: Queryable, id: string, lock = false): Promise<CampaignRow> {
  const r = await q.query<CampaignRow>(
    `SELECT * FROM access_review_campaigns WHERE id = $1${lock ? " FOR UPDATE" : ""}`,
    [id],
  );
  const row = r.rows[0];
  if (!row) throw notFound("access.review_not_found", "No such access review");
  return row;
}

/** Whether the viewer reviews anything in the campaign. */
async function reviewsIn(q: Queryable, campaignId: string, v: Viewer): Promise<boolean> {
  const r = await q.query(
    `SELECT 1 FROM access_review_items i WHERE i.campaign_id = $1 AND ${mine(2, 3)} LIMIT 1`,
    [campaignId, v.personId, v.userId],
  );
  return r.rowCount > 0;
}

/** Campaigns, newest first: every one for readers, those the viewer reviews in for others. */
export async function listCampaigns(
  q: Queryable,
  v: Viewer,
  opts: { state?: CampaignState; limit: number },
): Promise<CampaignView[]> {
  const r = await q.query<CampaignRow & ProgressRow>(
    `SELECT c.*, p.* FROM access_review_campaigns c
     LEFT JOIN LATERAL (SELECT ${PROGRESS} FROM access_review_items i WHERE i.campaign_id = c.id) p ON true
     WHERE ($1::text IS NULL OR c.state = $1)
       AND ($2::boolean OR EXISTS (SELECT 1 FROM access_review_items i WHERE i.campaign_id = c.id AND ${mine(3, 4)}))
     ORDER BY c.created_at DESC, c.id DESC LIMIT $5`,
    [opts.state ?? null, v.reader, v.personId, v.userId, opts.limit],
  );
  return r.rows.map((row) => toCampaign(row, toProgress(row)));
}

export async function campaignProgress(q: Queryable, id: string): Promise<Progress> {
  const r = await q.query<ProgressRow>(
    `SELECT ${PROGRESS} FROM access_review_items i JOIN access_review_campaigns c ON c.id = i.campaign_id
     WHERE i.campaign_id = $1`,
    [id],
  );
  return toProgress(r.rows[0]);
}

/** A campaign with its progress per reviewer; 404 for a viewer with no part in it. */
export async function getCampaign(q: Queryable, id: string, v: Viewer): Promise<CampaignDetail> {
  const row = await campaignRow(q, id);
  if (!v.reader && !(await reviewsIn(q, id, v)))
    throw notFound("access.review_not_found", "No such access review");
  const per = await q.query<
    ProgressRow & {
      reviewer_person_id: string | null;
      reviewer_user_id: string | null;
      reviewer_name: string;
      reminded: Date | string | null;
    }
  >(
    `SELECT i.reviewer_person_id, i.reviewer_user_id, min(i.reviewer_name) AS reviewer_name, ${PROGRESS},
       (SELECT max(m.created_at) FROM access_review_reminders m WHERE m.campaign_id = c.id
          AND m.reviewer_key = COALESCE('person:' || i.reviewer_person_id, 'user:' || i.reviewer_user_id)) AS reminded
     FROM access_review_items i JOIN access_review_campaigns c ON c.id = i.campaign_id
     WHERE i.campaign_id = $1 AND ($2::boolean OR ${mine(3, 4)})
     GROUP BY c.id, i.reviewer_person_id, i.reviewer_user_id
     ORDER BY min(i.reviewer_name), i.reviewer_person_id, i.reviewer_user_id`,
    [id, v.reader, v.personId, v.userId],
  );
  return {
    ...toCampaign(row, await campaignProgress(q, id)),
    reviewers: per.rows.map((p) => {
      const { notReviewed: _n, flagged: _f, ...progress } = toProgress(p);
      return {
        ...progress,
        reviewerPersonId: p.reviewer_person_id,
        reviewerUserId: p.reviewer_user_id,
        reviewerName: p.reviewer_name,
        lastRemindedAt: iso(p.reminded),
      };
    }),
  };
}

/**
 * Items with the engine's step that removes each revoked grant: the latest one, from the
 * plans made for the person since the decision (a newer plan supersedes an older one).
 */
const ITEM_SELECT = `SELECT i.*, c.name AS campaign_name, c.due_at, c.state AS campaign_state,
  st.state AS removal_state, st.verified_at AS removal_verified_at, st.error AS removal_error
  FROM access_review_items i JOIN access_review_campaigns c ON c.id = i.campaign_id
  LEFT JOIN LATERAL (
    SELECT s.state, s.verified_at, s.error FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
    WHERE i.state = 'revoked' AND p.person_id = i.person_id AND p.created_at >= i.decided_at
      AND s.system_id = i.system_id AND lower(s.account_ref) = lower(i.account_ref) AND s.state <> 'cancelled'
      AND CASE WHEN i.entitlement_ref IS NULL
            THEN (s.action IN ('disable', 'delete') OR (s.action = 'manual_task' AND s.spec->>'stands_for' IN ('disable', 'delete')))
            ELSE lower(s.entitlement_ref) = lower(i.entitlement_ref)
              AND (s.action = 'revoke' OR (s.action = 'manual_task' AND s.spec->>'stands_for' = 'revoke'))
          END
    ORDER BY (s.state = 'verified') DESC, p.created_at DESC, s.seq LIMIT 1
  ) st ON true`;

export const toItem = (r: ItemRow): ItemView => ({
  id: r.id,
  campaignId: r.campaign_id,
  campaignName: r.campaign_name,
  dueAt: iso(r.due_at) as string,
  personId: r.person_id,
  personName: r.person_name,
  employeeNumber: r.employee_number,
  systemId: r.system_id,
  systemName: r.system_name,
  accountId: r.account_id,
  accountRef: r.account_ref,
  username: r.username,
  accountEnabled: r.account_enabled,
  kind: r.entitlement_ref === null ? "account" : "entitlement",
  entitlementRef: r.entitlement_ref,
  entitlementName: r.entitlement_name,
  reviewerPersonId: r.reviewer_person_id,
  reviewerUserId: r.reviewer_user_id,
  reviewerName: r.reviewer_name,
  flag: r.flag,
  state: r.state,
  comment: r.comment,
  decidedAt: iso(r.decided_at),
  decidedBy: r.decided_by,
  delegate: r.delegate,
  changes: r.changes,
  overdue: r.state === "open" && r.campaign_state === "active" && new Date(r.due_at).getTime() < Date.now(),
  planId: r.plan_id,
  removal:
    r.state === "revoked" && r.removal_state
      ? { state: r.removal_state, verifiedAt: iso(r.removal_verified_at), error: r.removal_error }
      : null,
});

export async function itemRows(q: Queryable, ids: string[]): Promise<ItemRow[]> {
  const r = await q.query<ItemRow>(`${ITEM_SELECT} WHERE i.id = ANY ($1::text[]) ORDER BY i.id`, [ids]);
  return r.rows;
}

/** A campaign's items (keyset by id); `reviewer: "me"` (forced for non-readers) keeps the viewer's. */
export async function listItems(
  q: Queryable,
  campaignId: string,
  v: Viewer,
  query: Pick<ItemQuery, "reviewer" | "state" | "limit"> & { after?: string },
): Promise<{ items: ItemView[]; next: string | null }> {
  await campaignRow(q, campaignId);
  const onlyMine = query.reviewer === "me" || !v.reader;
  if (!v.reader && !(await reviewsIn(q, campaignId, v)))
    throw notFound("access.review_not_found", "No such access review");
  const r = await q.query<ItemRow>(
    `${ITEM_SELECT} WHERE i.campaign_id = $1 AND ($2::text IS NULL OR i.state = $2)
       AND ($3::text IS NULL OR i.id > $3) AND (NOT $4::boolean OR ${mine(5, 6)})
     ORDER BY i.id LIMIT $7`,
    [campaignId, query.state ?? null, query.after ?? null, onlyMine, v.personId, v.userId, query.limit + 1],
  );
  const rows = r.rows.slice(0, query.limit);
  return {
    items: rows.map(toItem),
    next: r.rows.length > query.limit ? (rows.at(-1)?.id ?? null) : null,
  };
}

/** Every item of a campaign (exports), in a stable order. */
export async function allItems(q: Queryable, campaignId: string): Promise<ItemView[]> {
  const r = await q.query<ItemRow>(
    `${ITEM_SELECT} WHERE i.campaign_id = $1 ORDER BY i.reviewer_name, i.person_name, i.system_name, i.username,
       i.entitlement_ref NULLS FIRST, i.id`,
    [campaignId],
  );
  return r.rows.map(toItem);
}

/** The viewer's open items across active campaigns, the soonest due first. */
export async function myOpenItems(q: Queryable, v: Viewer, limit: number): Promise<ItemView[]> {
  const r = await q.query<ItemRow>(
    `${ITEM_SELECT} WHERE i.state = 'open' AND c.state = 'active' AND ${mine(1, 2)}
     ORDER BY c.due_at, i.campaign_id, i.person_name, i.system_name, i.entitlement_ref NULLS FIRST, i.id LIMIT $3`,
    [v.personId, v.userId, limit],
  );
  return r.rows.map(toItem);
}
