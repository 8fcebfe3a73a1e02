/**
 * Security objectives per review period: a metric, a target and who it applies to (everyone,
 * a department, or one person). Progress is computed from live data each time it is read.
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { notFound, unprocessable } from "../../../platform/http/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { WORKING } from "../../people/index.js";
import { iso } from "../context.js";
import { PERIOD_PATTERN, requirePeriod, type Span } from "./period.js";

export const METRICS = [
  "training_completed",
  "policies_acknowledged",
  "phish_reports",
  "points",
  "no_clicks",
] as const;
export type Metric = (typeof METRICS)[number];

export const METRIC_LABELS: Record<Metric, string> = {
  training_completed: "All assigned training completed",
  policies_acknowledged: "All policies acknowledged",
  phish_reports: "At least N phishing reports",
  points: "At least N points",
  no_clicks: "At most N counted phishing clicks",
};

export const SCOPES = ["everyone", "department", "person"] as const;

const progressSchema = z.object({ people: z.number(), met: z.number() });

export const objectiveSchema = z.object({
  id: z.string(),
  period: z.string(),
  title: z.string(),
  metric: z.enum(METRICS),
  metricLabel: z.string(),
  target: z.number(),
  scope: z.enum(SCOPES),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  personId: z.string().nullable(),
  personName: z.string().nullable(),
  setBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** How many people it applies to and how many meet it now. */
  progress: progressSchema,
});
export type Objective = z.infer<typeof objectiveSchema>;

export const objectiveInput = z
  .object({
    period: z.string().regex(PERIOD_PATTERN, "a year (2026), a half (2026-H2) or a quarter (2026-Q3)"),
    title: z.string().trim().min(1).max(200),
    metric: z.enum(METRICS),
    target: z.number().int().min(0).max(1_000_000).default(0),
    scope: z.enum(SCOPES),
    departmentId: z.string().min(1).max(40).optional(),
    personId: z.string().min(1).max(40).optional(),
  })
  .strict();
export const objectivePatch = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    target: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict();

export const objectiveQuery = z.object({ period: z.string().max(20).optional() }).strict();

interface ObjectiveRow {
  id: string;
  period: string;
  title: string;
  metric: Metric;
  target: number;
  scope: (typeof SCOPES)[number];
  department_id: string | null;
  department_name: string | null;
  person_id: string | null;
  person_name: string | null;
  set_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT o.*, d.name AS department_name, COALESCE(p.preferred_name, p.legal_name) AS person_name,
    COALESCE(u.email, o.set_by) AS set_by
  FROM rewards_objectives o LEFT JOIN departments d ON d.id = o.department_id
  LEFT JOIN people p ON p.id = o.person_id LEFT JOIN users u ON u.id = o.set_by`;

export interface Value {
  value: number;
  target: number;
  met: boolean;
}

/** The people an objective applies to: those at work in its scope (or its one person). */
export async function peopleFor(
  q: Queryable,
  o: Pick<ObjectiveRow, "scope" | "department_id" | "person_id">,
) {
  if (o.scope === "person") return o.person_id ? [o.person_id] : [];
  const r = await q.query<{ id: string }>(
    `SELECT id FROM people WHERE status = ANY($1::text[]) AND ($2::text IS NULL OR department_id = $2) ORDER BY id`,
    [[...WORKING], o.scope === "department" ? o.department_id : null],
  );
  return r.rows.map((x) => x.id);
}

/** Each person's value against the objective's target over the period's span. */
export async function measure(
  q: Queryable,
  o: Pick<ObjectiveRow, "metric" | "target">,
  personIds: string[],
  span: Span,
): Promise<Map<string, Value>> {
  const out = new Map<string, Value>();
  if (!personIds.length) return out;
  const counts = async (sql: string) => {
    const r = await q.query<{ person_id: string; a: string | number; b: string | number }>(sql, [
      personIds,
      span.from,
      span.to,
    ]);
    return new Map(r.rows.map((x) => [x.person_id, { a: Number(x.a), b: Number(x.b) }]));
  };
  if (o.metric === "training_completed" || o.metric === "policies_acknowledged") {
    // What was due in the period, and anything due earlier still open.
    const item = o.metric === "training_completed" ? "module" : "policy";
    const m = await counts(
      `SELECT person_id, count(*) FILTER (WHERE status = 'done') AS a, count(*) AS b FROM awareness_assignments
       WHERE person_id = ANY($1::text[]) AND item_type = '${item}' AND status <> 'closed'
         AND due_at < $3 AND (due_at >= $2 OR status = 'open')
       GROUP BY person_id`,
    );
    for (const id of personIds) {
      const c = m.get(id) ?? { a: 0, b: 0 };
      out.set(id, { value: c.a, target: c.b, met: c.a >= c.b });
    }
    return out;
  }
  const sql =
    o.metric === "no_clicks"
      ? `SELECT person_id, count(*) AS a, 0 AS b FROM phishing_recipients
         WHERE person_id = ANY($1::text[]) AND clicked_at >= $2 AND clicked_at < $3 GROUP BY person_id`
      : `SELECT person_id, ${o.metric === "points" ? "sum(points)" : "count(*)"} AS a, 0 AS b FROM rewards_points
         WHERE person_id = ANY($1::text[]) AND earned_at >= $2 AND earned_at < $3
           ${o.metric === "phish_reports" ? "AND kind IN ('phish_simulated', 'phish_real')" : ""}
         GROUP BY person_id`;
  const m = await counts(sql);
  for (const id of personIds) {
    const value = m.get(id)?.a ?? 0;
    out.set(id, {
      value,
      target: o.target,
      met: o.metric === "no_clicks" ? value <= o.target : value >= o.target,
    });
  }
  return out;
}

async function toObjective(q: Queryable, r: ObjectiveRow): Promise<Objective> {
  const span = requirePeriod(r.period);
  const values = await measure(q, r, await peopleFor(q, r), span);
  return {
    id: r.id,
    period: r.period,
    title: r.title,
    metric: r.metric,
    metricLabel: METRIC_LABELS[r.metric],
    target: r.target,
    scope: r.scope,
    departmentId: r.department_id,
    departmentName: r.department_name,
    personId: r.person_id,
    personName: r.person_name,
    setBy: r.set_by,
    createdAt: iso(r.created_at) as string,
    updatedAt: iso(r.updated_at) as string,
    progress: { people: values.size, met: [...values.values()].filter((v) => v.met).length },
  };
}

export async function objectiveRows(q: Queryable, period?: string) {
  const r = await q.query<ObjectiveRow>(
    `${SELECT} WHERE ($1::text IS NULL OR o.period = $1) ORDER BY o.period DESC, o.created_at, o.id`,
    [period ?? null],
  );
  return r.rows;
}

export async function listObjectives(q: Queryable, period?: string) {
  if (period !== undefined) requirePeriod(period);
  const out: Objective[] = [];
  for (const r of await objectiveRows(q, period)) out.push(await toObjective(q, r));
  return out;
}

export async function getObjective(q: Queryable, id: string) {
  const r = await q.query<ObjectiveRow>(`${SELECT} WHERE o.id = $1`, [id]);
  if (!r.rows[0]) throw notFound("rewards.objective_not_found", "No such objective");
  return toObjective(q, r.rows[0]);
}

export async function createObjective(
  q: Queryable,
  ctx: AuditContext,
  input: z.infer<typeof objectiveInput>,
) {
  requirePeriod(input.period);
  const bad = (path: string, message: string) =>
    unprocessable("rewards.invalid_objective", `${path}: ${message}`, [{ path, message }]);
  if (input.scope === "department") {
    if (!input.departmentId) throw bad("departmentId", "required when the scope is a department");
    const d = await q.query("SELECT 1 FROM departments WHERE id = $1", [input.departmentId]);
    if (!d.rowCount) throw bad("departmentId", "no such department");
  } else if (input.departmentId) throw bad("departmentId", "only for the department scope");
  if (input.scope === "person") {
    if (!input.personId) throw bad("personId", "required when the scope is a person");
    const p = await q.query("SELECT 1 FROM people WHERE id = $1", [input.personId]);
    if (!p.rowCount) throw bad("personId", "no such person");
  } else if (input.personId) throw bad("personId", "only for the person scope");
  const id = ulid();
  await q.query(
    `INSERT INTO rewards_objectives (id, period, title, metric, target, scope, department_id, person_id, set_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      input.period,
      input.title,
      input.metric,
      input.target,
      input.scope,
      input.departmentId ?? null,
      input.personId ?? null,
      ctx.actorId ?? ctx.actorLabel ?? null,
    ],
  );
  await appendAudit(q, ctx, {
    action: "rewards.objective_created",
    targetType: "rewards_objective",
    targetId: id,
    details: {
      period: input.period,
      metric: input.metric,
      target: input.target,
      scope: input.scope,
      departmentId: input.departmentId ?? null,
      personId: input.personId ?? null,
    },
  });
  return getObjective(q, id);
}

export async function updateObjective(
  q: Queryable,
  ctx: AuditContext,
  id: string,
  patch: z.infer<typeof objectivePatch>,
) {
  const before = await getObjective(q, id);
  if (patch.title === undefined && patch.target === undefined)
    throw unprocessable("rewards.nothing_to_change", "Give a title or a target", [
      { path: "", message: "title or target" },
    ]);
  await q.query(
    `UPDATE rewards_objectives SET title = COALESCE($2, title), target = COALESCE($3, target), updated_at = now()
     WHERE id = $1`,
    [id, patch.title ?? null, patch.target ?? null],
  );
  await appendAudit(q, ctx, {
    action: "rewards.objective_changed",
    targetType: "rewards_objective",
    targetId: id,
    details: {
      ...(patch.title !== undefined ? { title: { from: before.title, to: patch.title } } : {}),
      ...(patch.target !== undefined ? { target: { from: before.target, to: patch.target } } : {}),
    },
  });
  return getObjective(q, id);
}

export async function deleteObjective(q: Queryable, ctx: AuditContext, id: string) {
  const before = await getObjective(q, id);
  await q.query("DELETE FROM rewards_objectives WHERE id = $1", [id]);
  await appendAudit(q, ctx, {
    action: "rewards.objective_deleted",
    targetType: "rewards_objective",
    targetId: id,
    details: { period: before.period, title: before.title, metric: before.metric, scope: before.scope },
  });
}

export const myObjectiveSchema = z.object({
  id: z.string(),
  title: z.string(),
  metric: z.enum(METRICS),
  metricLabel: z.string(),
  scope: z.enum(SCOPES),
  value: z.number(),
  target: z.number(),
  met: z.boolean(),
  /** For a department's objective: how many in the department meet it. */
  team: progressSchema.nullable(),
});

/** The objectives of a period that apply to one person, with their own progress. */
export async function myObjectives(
  q: Queryable,
  person: { id: string; departmentId: string | null },
  period: string,
) {
  const span = requirePeriod(period);
  const out: z.infer<typeof myObjectiveSchema>[] = [];
  for (const r of await objectiveRows(q, period)) {
    const applies =
      r.scope === "everyone" ||
      (r.scope === "department" && r.department_id === person.departmentId) ||
      (r.scope === "person" && r.person_id === person.id);
    if (!applies) continue;
    let team: { people: number; met: number } | null = null;
    let mine: Value | undefined;
    if (r.scope === "department") {
      const all = await measure(q, r, await peopleFor(q, r), span);
      team = { people: all.size, met: [...all.values()].filter((v) => v.met).length };
      mine = all.get(person.id);
    }
    mine ??= (await measure(q, r, [person.id], span)).get(person.id);
    if (!mine) continue;
    out.push({
      id: r.id,
      title: r.title,
      metric: r.metric,
      metricLabel: METRIC_LABELS[r.metric],
      scope: r.scope,
      ...mine,
      team,
    });
  }
  return out;
}
