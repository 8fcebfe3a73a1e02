/**
 * Assignment rules, kept as data: joiners get the onboarding pack within N days, everyone in
 * an audience gets the annual refresher, an HR case closed with a training outcome and a
 * follow-up (a phishing click, later) assign the configured modules.
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { audienceSchema, checkAudience, parseAudience } from "./audience.js";
import { iso } from "./context.js";

export const TRIGGERS = ["joiner", "notice", "annual", "hr_case", "follow_up"] as const;

export const ruleInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    trigger: z.enum(TRIGGERS),
    itemType: z.enum(["policy", "module"]),
    itemId: z.string().min(1).max(40),
    audience: audienceSchema,
    dueDays: z.number().int().min(1).max(365).default(14),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((r) => r.itemType === "module" || r.trigger === "joiner", {
    message: "policies are asked per version; rules other than joiner assign training modules",
    path: ["itemType"],
  });
export type RuleInput = z.infer<typeof ruleInput>;
export const rulePatch = z
  .object({
    name: z.string().trim().min(1).max(200),
    audience: audienceSchema,
    dueDays: z.number().int().min(1).max(365),
    enabled: z.boolean(),
  })
  .partial()
  .strict();

export const ruleSchema = z.object({
  id: z.string(),
  name: z.string(),
  trigger: z.enum(TRIGGERS),
  itemType: z.enum(["policy", "module"]),
  itemId: z.string(),
  itemTitle: z.string(),
  audience: audienceSchema,
  dueDays: z.number(),
  enabled: z.boolean(),
  updatedAt: z.string(),
});

interface RuleRow {
  id: string;
  name: string;
  trigger: (typeof TRIGGERS)[number];
  item_type: "policy" | "module";
  item_id: string;
  item_title: string | null;
  audience: unknown;
  due_days: number;
  enabled: boolean;
  updated_at: Date;
}

const SELECT = `SELECT r.*, COALESCE(p.title, m.title) AS item_title FROM awareness_rules r
  LEFT JOIN awareness_policies p ON r.item_type = 'policy' AND p.id = r.item_id
  LEFT JOIN awareness_modules m ON r.item_type = 'module' AND m.id = r.item_id`;

const toView = (r: RuleRow) => ({
  id: r.id,
  name: r.name,
  trigger: r.trigger,
  itemType: r.item_type,
  itemId: r.item_id,
  itemTitle: r.item_title ?? "(removed)",
  audience: parseAudience(r.audience),
  dueDays: r.due_days,
  enabled: r.enabled,
  updatedAt: iso(r.updated_at) as string,
});

export async function listRules(q: Queryable, trigger?: string) {
  const r = await q.query<RuleRow>(
    `${SELECT} WHERE ($1::text IS NULL OR r.trigger = $1) ORDER BY r.trigger, r.name, r.id`,
    [trigger ?? null],
  );
  return r.rows.map(toView);
}

export async function getRule(q: Queryable, id: string) {
  const r = await q.query<RuleRow>(`${SELECT} WHERE r.id = $1`, [id]);
  if (!r.rows[0]) throw notFound("awareness.rule_not_found", "No such rule");
  return toView(r.rows[0]);
}

async function checkItem(q: Queryable, type: "policy" | "module", id: string) {
  const table = type === "policy" ? "awareness_policies" : "awareness_modules";
  const r = await q.query(`SELECT 1 FROM ${table} WHERE id = $1 AND status <> 'retired'`, [id]);
  if (!r.rowCount)
    throw unprocessable("awareness.unknown_item", `No such ${type}`, [
      { path: "itemId", message: `no live ${type} ${id}` },
    ]);
}

export async function createRule(
  q: Queryable,
  ctx: AuditContext,
  input: RuleInput,
  starterKey: string | null = null,
) {
  await checkItem(q, input.itemType, input.itemId);
  await checkAudience(q, input.audience);
  const id = ulid();
  await q.query(
    `INSERT INTO awareness_rules (id, starter_key, name, trigger, item_type, item_id, audience, due_days, enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      starterKey,
      input.name,
      input.trigger,
      input.itemType,
      input.itemId,
      JSON.stringify(input.audience),
      input.dueDays,
      input.enabled,
    ],
  );
  await appendAudit(q, ctx, {
    action: "awareness.rule_created",
    targetType: "awareness_rule",
    targetId: id,
    details: { trigger: input.trigger, itemType: input.itemType, itemId: input.itemId },
  });
  return id;
}

export async function updateRule(q: Queryable, ctx: AuditContext, id: string, p: z.infer<typeof rulePatch>) {
  await getRule(q, id);
  if (p.audience) await checkAudience(q, p.audience);
  await q.query(
    `UPDATE awareness_rules SET name = COALESCE($2, name), audience = COALESCE($3::jsonb, audience),
       due_days = COALESCE($4, due_days), enabled = COALESCE($5, enabled), updated_at = now() WHERE id = $1`,
    [
      id,
      p.name ?? null,
      p.audience ? JSON.stringify(p.audience) : null,
      p.dueDays ?? null,
      p.enabled ?? null,
    ],
  );
  await appendAudit(q, ctx, {
    action: "awareness.rule_updated",
    targetType: "awareness_rule",
    targetId: id,
    details: { fields: Object.keys(p) },
  });
}

export async function deleteRule(q: Queryable, ctx: AuditContext, id: string) {
  const r = await q.query("DELETE FROM awareness_rules WHERE id = $1", [id]);
  if (!r.rowCount) throw notFound("awareness.rule_not_found", "No such rule");
  await appendAudit(q, ctx, { action: "awareness.rule_deleted", targetType: "awareness_rule", targetId: id });
}
