/**
 * The points ledger: one row per (person, kind, source), so an event delivered twice earns
 * once. The points are the kind's value when the entry is made; a later change of a value
 * leaves earlier entries as they were.
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { unprocessable } from "../../../platform/http/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { iso } from "../context.js";

export const KINDS = ["training", "policy", "phish_simulated", "phish_real", "near_miss"] as const;
export type Kind = (typeof KINDS)[number];

export const KIND_LABELS: Record<Kind, string> = {
  training: "Completed training",
  policy: "Acknowledged a policy",
  phish_simulated: "Reported a simulated phishing mail",
  phish_real: "Reported a phishing mail",
  near_miss: "Reported a near miss",
};

export const pointValueSchema = z.object({
  kind: z.enum(KINDS),
  label: z.string(),
  points: z.number(),
  updatedAt: z.string(),
});

export async function pointValues(q: Queryable) {
  const r = await q.query<{ kind: Kind; points: number; updated_at: Date }>(
    "SELECT kind, points, updated_at FROM rewards_point_values",
  );
  return KINDS.map((kind) => {
    const row = r.rows.find((x) => x.kind === kind);
    return {
      kind,
      label: KIND_LABELS[kind],
      points: row?.points ?? 0,
      updatedAt: iso(row?.updated_at) ?? "",
    };
  });
}

export const pointValuesInput = z
  .object(Object.fromEntries(KINDS.map((k) => [k, z.number().int().min(0).max(1000).optional()])))
  .strict() as z.ZodType<Partial<Record<Kind, number>>>;

/** HR changes what a kind is worth; only entries made from now on use the new value. */
export async function setPointValues(q: Queryable, ctx: AuditContext, input: Partial<Record<Kind, number>>) {
  const changes = Object.entries(input).filter(([, v]) => v !== undefined) as [Kind, number][];
  if (!changes.length)
    throw unprocessable("rewards.nothing_to_change", "Give at least one kind and its points", [
      { path: "", message: `one of ${KINDS.join(", ")}` },
    ]);
  const before = await pointValues(q);
  for (const [kind, points] of changes)
    await q.query(
      "UPDATE rewards_point_values SET points = $2, updated_by = $3, updated_at = now() WHERE kind = $1",
      [kind, points, ctx.actorId ?? ctx.actorLabel ?? null],
    );
  await appendAudit(q, ctx, {
    action: "rewards.point_values_changed",
    targetType: "rewards_point_values",
    details: {
      changes: changes.map(([kind, points]) => ({
        kind,
        from: before.find((b) => b.kind === kind)?.points,
        to: points,
      })),
    },
  });
  return pointValues(q);
}

export interface Award {
  personId: string;
  kind: Kind;
  sourceId: string;
  label: string;
  earnedAt?: Date;
}

/** Adds a ledger entry unless this (person, kind, source) already earned; true when added. */
export async function award(q: Queryable, ctx: AuditContext, a: Award): Promise<boolean> {
  const ins = await q.query<{ id: string; points: number }>(
    `INSERT INTO rewards_points (id, person_id, kind, source_id, points, label, earned_at)
     SELECT $1, $2, $3, $4, v.points, $5, COALESCE($6::timestamptz, now())
     FROM rewards_point_values v WHERE v.kind = $3
     ON CONFLICT (person_id, kind, source_id) DO NOTHING RETURNING id, points`,
    [ulid(), a.personId, a.kind, a.sourceId, a.label, a.earnedAt ?? null],
  );
  const row = ins.rows[0];
  if (!row) return false;
  await appendAudit(q, ctx, {
    action: "rewards.points_awarded",
    targetType: "person",
    targetId: a.personId,
    details: { kind: a.kind, sourceId: a.sourceId, points: row.points },
  });
  return true;
}

export const entrySchema = z.object({
  id: z.string(),
  kind: z.enum(KINDS),
  kindLabel: z.string(),
  label: z.string(),
  points: z.number(),
  earnedAt: z.string(),
});

export async function history(q: Queryable, personId: string, limit = 200) {
  const r = await q.query<{ id: string; kind: Kind; label: string; points: number; earned_at: Date }>(
    `SELECT id, kind, label, points, earned_at FROM rewards_points WHERE person_id = $1
     ORDER BY earned_at DESC, id DESC LIMIT $2`,
    [personId, limit],
  );
  return r.rows.map((x) => ({
    id: x.id,
    kind: x.kind,
    kindLabel: KIND_LABELS[x.kind],
    label: x.label,
    points: x.points,
    earnedAt: iso(x.earned_at) as string,
  }));
}

/** A person's points earned in [from, to) (all time without a span). */
export async function pointsOf(q: Queryable, personId: string, span?: { from: Date; to: Date }) {
  const r = await q.query<{ n: string | number | null }>(
    `SELECT COALESCE(sum(points), 0) AS n FROM rewards_points WHERE person_id = $1
     AND ($2::timestamptz IS NULL OR earned_at >= $2) AND ($3::timestamptz IS NULL OR earned_at < $3)`,
    [personId, span?.from ?? null, span?.to ?? null],
  );
  return Number(r.rows[0]?.n ?? 0);
}

export async function optedIn(q: Queryable, personId: string): Promise<boolean> {
  const r = await q.query<{ leaderboard_opt_in: boolean }>(
    "SELECT leaderboard_opt_in FROM rewards_settings WHERE person_id = $1",
    [personId],
  );
  return r.rows[0]?.leaderboard_opt_in ?? false;
}

/** The person's choice to be named in the individual ranking (audited when it changes). */
export async function setOptIn(q: Queryable, ctx: AuditContext, personId: string, optIn: boolean) {
  const was = await optedIn(q, personId);
  await q.query(
    `INSERT INTO rewards_settings (person_id, leaderboard_opt_in) VALUES ($1, $2)
     ON CONFLICT (person_id) DO UPDATE SET leaderboard_opt_in = EXCLUDED.leaderboard_opt_in, updated_at = now()`,
    [personId, optIn],
  );
  if (was !== optIn)
    await appendAudit(q, ctx, {
      action: optIn ? "rewards.leaderboard_opted_in" : "rewards.leaderboard_opted_out",
      targetType: "person",
      targetId: personId,
    });
}
