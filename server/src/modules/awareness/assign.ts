/**
 * Assignments: one row per (person, item, cycle), written with ON CONFLICT DO NOTHING so a
 * rule that fires twice, an event delivered twice or a repeated request adds nothing.
 */
import { createHash } from "node:crypto";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { ulid } from "../../platform/ids/index.js";
import { findPerson, WORKING } from "../people/index.js";
import { audiencePeople, parseAudience } from "./audience.js";
import { addDays } from "./context.js";

export type ItemType = "policy" | "module";

export interface AssignInput {
  personIds: string[];
  itemType: ItemType;
  itemId: string;
  policyVersion?: number | null;
  cycle: string;
  source: string;
  reason: string;
  dueAt: Date;
}

/** Creates the assignments that do not exist yet; returns the new ones' person ids. */
export async function assignMany(q: Queryable, ctx: AuditContext, input: AssignInput): Promise<string[]> {
  if (!input.personIds.length) return [];
  const ids = input.personIds.map(() => ulid());
  const r = await q.query<{ person_id: string }>(
    `INSERT INTO awareness_assignments (id, person_id, item_type, item_id, policy_version, cycle, source, reason, due_at)
     SELECT x.id, x.person_id, $3, $4, $5, $6, $7, $8, $9
     FROM unnest($1::text[], $2::text[]) AS x(id, person_id)
     ON CONFLICT (person_id, item_type, item_id, cycle) DO NOTHING
     RETURNING person_id`,
    [
      ids,
      input.personIds,
      input.itemType,
      input.itemId,
      input.policyVersion ?? null,
      input.cycle,
      input.source,
      input.reason,
      input.dueAt,
    ],
  );
  const created = r.rows.map((x) => x.person_id);
  if (created.length)
    await appendAudit(q, ctx, {
      action: "awareness.assigned",
      targetType: input.itemType === "policy" ? "awareness_policy" : "awareness_module",
      targetId: input.itemId,
      details: {
        cycle: input.cycle,
        source: input.source,
        count: created.length,
        personIds: created.slice(0, 1000),
        dueAt: input.dueAt.toISOString(),
      },
    });
  return created;
}

/** Closes open assignments (a leaver, a superseded version, a retired item): not counted as overdue. */
export async function closeOpen(
  q: Queryable,
  ctx: AuditContext,
  where: { personId: string } | { itemType: ItemType; itemId: string; exceptCycle?: string },
  reason: string,
): Promise<number> {
  const r =
    "personId" in where
      ? await q.query(
          `UPDATE awareness_assignments SET status = 'closed', closed_at = now(), closed_reason = $2
           WHERE person_id = $1 AND status = 'open'`,
          [where.personId, reason],
        )
      : await q.query(
          `UPDATE awareness_assignments SET status = 'closed', closed_at = now(), closed_reason = $4
           WHERE item_type = $1 AND item_id = $2 AND status = 'open' AND ($3::text IS NULL OR cycle <> $3)`,
          [where.itemType, where.itemId, where.exceptCycle ?? null, reason],
        );
  if (r.rowCount)
    await appendAudit(q, ctx, {
      action: "awareness.assignments_closed",
      targetType: "personId" in where ? "person" : `awareness_${where.itemType}`,
      targetId: "personId" in where ? where.personId : where.itemId,
      details: { reason, count: r.rowCount },
    });
  return r.rowCount;
}

interface RuleRow {
  id: string;
  name: string;
  item_type: ItemType;
  item_id: string;
  audience: unknown;
  due_days: number;
}

/** What a rule's item needs to be assigned: a published item, and a policy's current version. */
async function liveItem(
  q: Queryable,
  type: ItemType,
  id: string,
): Promise<{ version: number | null } | null> {
  if (type === "policy") {
    const r = await q.query<{ current_version: number | null }>(
      "SELECT current_version FROM awareness_policies WHERE id = $1 AND status = 'published'",
      [id],
    );
    return r.rows[0]?.current_version ? { version: r.rows[0].current_version } : null;
  }
  const r = await q.query("SELECT 1 FROM awareness_modules WHERE id = $1 AND status = 'published'", [id]);
  return r.rowCount ? { version: null } : null;
}

/** The cycle of an assignment: a policy is always asked per version; modules per occasion. */
export const cycleFor = (type: ItemType, version: number | null, occasion: string) =>
  type === "policy" ? `v${version}` : occasion;

/**
 * Applies the enabled rules of a trigger to the given people (those in each rule's
 * audience). `occasion` names the cycle for modules ("onboarding", "2027", "hr_case:…").
 */
export async function applyRules(
  q: Queryable,
  ctx: AuditContext,
  trigger: "joiner" | "notice" | "annual" | "hr_case" | "follow_up",
  opts: {
    personIds?: string[];
    occasion: string;
    reason: string;
    dueFrom?: Date;
    /** Leave out people who were given the item (and did not have it closed) this many days ago or less. */
    skipRecentDays?: number;
  },
): Promise<number> {
  const rules = await q.query<RuleRow>(
    "SELECT id, name, item_type, item_id, audience, due_days FROM awareness_rules WHERE trigger = $1 AND enabled ORDER BY created_at, id",
    [trigger],
  );
  let created = 0;
  for (const rule of rules.rows) {
    const item = await liveItem(q, rule.item_type, rule.item_id);
    if (!item) continue;
    let people = await audiencePeople(q, parseAudience(rule.audience), opts.personIds);
    if (opts.skipRecentDays && people.length) {
      const recent = await q.query<{ person_id: string }>(
        `SELECT DISTINCT person_id FROM awareness_assignments WHERE item_type = $1 AND item_id = $2
         AND status <> 'closed' AND assigned_at > now() - make_interval(days => $3)`,
        [rule.item_type, rule.item_id, opts.skipRecentDays],
      );
      const skip = new Set(recent.rows.map((r) => r.person_id));
      people = people.filter((p) => !skip.has(p));
    }
    const made = await assignMany(q, ctx, {
      personIds: people,
      itemType: rule.item_type,
      itemId: rule.item_id,
      policyVersion: item.version,
      cycle: cycleFor(rule.item_type, item.version, opts.occasion),
      source: `rule:${rule.id}`,
      reason: `${rule.name}: ${opts.reason}`,
      dueAt: addDays(opts.dueFrom ?? new Date(), rule.due_days),
    });
    created += made.length;
  }
  return created;
}

/**
 * Follow-up training for a person (a phishing click, a policy breach): the modules of the
 * enabled "follow_up" rules, once per reason. The reason's key makes it idempotent; its text
 * is what the person and HR see. Returns the number of assignments created.
 */
export async function assignFollowUpTraining(
  q: Queryable,
  personId: string,
  reason: string | { key: string; text: string },
  ctx: AuditContext = { actorLabel: "awareness follow-up" },
): Promise<number> {
  const key = typeof reason === "string" ? reason : reason.key;
  const text = typeof reason === "string" ? reason : reason.text;
  const person = await findPerson(q, personId);
  if (!person || !WORKING.includes(person.status)) return 0;
  const digest = key.length > 80 ? createHash("sha256").update(key).digest("hex").slice(0, 32) : key;
  return applyRules(q, ctx, "follow_up", {
    personIds: [personId],
    occasion: `follow_up:${digest}`,
    reason: text,
  });
}
