/** Access reviews: what the API takes and gives. */
import { z } from "zod";

const id = z.string().min(1).max(40);

export const REVIEW_SCOPES = ["manager", "system_owner"] as const;
export const CAMPAIGN_STATES = ["draft", "active", "closed"] as const;
export const ITEM_STATES = ["open", "kept", "revoked", "not_reviewed"] as const;
export const DECISIONS = ["keep", "revoke"] as const;
export const ITEM_FLAGS = [
  "no_manager",
  "no_owner",
  "self_review",
  "reviewer_inactive",
  "reviewer_no_login",
] as const;
export type ReviewScope = (typeof REVIEW_SCOPES)[number];
export type CampaignState = (typeof CAMPAIGN_STATES)[number];
export type ItemState = (typeof ITEM_STATES)[number];
export type Decision = (typeof DECISIONS)[number];
export type ItemFlag = (typeof ITEM_FLAGS)[number];

export const campaignInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2000).nullish(),
    scope: z.enum(REVIEW_SCOPES),
    /** Only these systems (none: every system). */
    systemIds: z.array(id).max(200).default([]),
    dueAt: z.iso.datetime({ offset: true }),
    /** Remind reviewers with open items this many days before the due date. */
    reminderDays: z.array(z.number().int().min(0).max(365)).max(10).default([7, 1]),
    /** Remind once a day while the campaign is past due and still open. */
    remindOverdue: z.boolean().default(true),
    /** Close at the due date by itself; open items become not_reviewed. */
    autoClose: z.boolean().default(true),
  })
  .strict();
export type CampaignInput = z.infer<typeof campaignInput>;

export const progressSchema = z.object({
  total: z.number(),
  decided: z.number(),
  open: z.number(),
  kept: z.number(),
  revoked: z.number(),
  notReviewed: z.number(),
  /** Open items past the due date. */
  overdue: z.number(),
  /** Items that went to the campaign owner (no manager, no owner, …). */
  flagged: z.number(),
});
export type Progress = z.infer<typeof progressSchema>;

export const reviewerProgressSchema = progressSchema.omit({ notReviewed: true, flagged: true }).extend({
  reviewerPersonId: z.string().nullable(),
  reviewerUserId: z.string().nullable(),
  reviewerName: z.string(),
  lastRemindedAt: z.string().nullable(),
});

export const campaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  scope: z.enum(REVIEW_SCOPES),
  systemIds: z.array(z.string()),
  dueAt: z.string(),
  reminderDays: z.array(z.number()),
  remindOverdue: z.boolean(),
  autoClose: z.boolean(),
  state: z.enum(CAMPAIGN_STATES),
  ownerUserId: z.string(),
  ownerName: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  startedBy: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
  closeReason: z.enum(["manual", "due"]).nullable(),
  progress: progressSchema,
});
export type CampaignView = z.infer<typeof campaignSchema>;

export const campaignDetailSchema = campaignSchema.extend({
  /** Per reviewer (a reviewer who is not an access reader sees their own line only). */
  reviewers: z.array(reviewerProgressSchema),
});
export type CampaignDetail = z.infer<typeof campaignDetailSchema>;

export const itemSchema = z.object({
  id: z.string(),
  campaignId: z.string(),
  campaignName: z.string(),
  dueAt: z.string(),
  personId: z.string(),
  personName: z.string(),
  employeeNumber: z.string(),
  systemId: z.string().nullable(),
  systemName: z.string(),
  accountId: z.string().nullable(),
  accountRef: z.string(),
  username: z.string(),
  accountEnabled: z.boolean(),
  kind: z.enum(["account", "entitlement"]),
  entitlementRef: z.string().nullable(),
  entitlementName: z.string().nullable(),
  reviewerPersonId: z.string().nullable(),
  reviewerUserId: z.string().nullable(),
  reviewerName: z.string(),
  flag: z.enum(ITEM_FLAGS).nullable(),
  state: z.enum(ITEM_STATES),
  comment: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  delegate: z.boolean(),
  changes: z.number(),
  overdue: z.boolean(),
  planId: z.string().nullable(),
  /** For a revoked item: the engine's step removing the grant (verified = read back). */
  removal: z
    .object({
      state: z.string(),
      verifiedAt: z.string().nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
});
export type ItemView = z.infer<typeof itemSchema>;

const reason = z.string().trim().max(2000).optional();

export const decisionInput = z
  .object({
    decision: z.enum(DECISIONS),
    /** A comment; required (3 characters or more) to revoke. */
    reason,
    /** Change a decision already made (only while the campaign is open). */
    change: z.boolean().default(false),
  })
  .strict();
export type DecisionInput = z.infer<typeof decisionInput>;

export const bulkDecisionInput = decisionInput.extend({
  itemIds: z.array(id).min(1).max(500),
});

export const itemQuery = z
  .object({
    reviewer: z.enum(["me", "all"]).optional(),
    state: z.enum(ITEM_STATES).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type ItemQuery = z.infer<typeof itemQuery>;
