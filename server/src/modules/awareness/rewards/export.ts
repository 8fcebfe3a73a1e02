/**
 * A review period for performance evaluations: one row per person at work with their points
 * in the period and, for each objective of the period that applies to them, met or not with
 * the value and the target. CSV (RFC 4180; cells a spreadsheet would run as a formula are
 * neutralised) or JSON; both say who exported and when, and the export is audited.
 */
import { z } from "zod";
import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { WORKING } from "../../people/index.js";
import { METRIC_LABELS, METRICS, measure, objectiveRows, peopleFor, type Value } from "./objectives.js";
import { requirePeriod } from "./period.js";

export const exportSchema = z.object({
  period: z.string(),
  from: z.string(),
  to: z.string(),
  exportedBy: z.string(),
  exportedAt: z.string(),
  objectives: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      metric: z.enum(METRICS),
      metricLabel: z.string(),
      target: z.number(),
    }),
  ),
  rows: z.array(
    z.object({
      employeeNumber: z.string(),
      name: z.string(),
      department: z.string().nullable(),
      manager: z.string().nullable(),
      points: z.number(),
      objectives: z.array(
        z.object({
          objectiveId: z.string(),
          title: z.string(),
          met: z.boolean(),
          value: z.number(),
          target: z.number(),
        }),
      ),
    }),
  ),
});
export type RewardsExport = z.infer<typeof exportSchema>;

/** One CSV cell, neutralised against formulas and quoted when it needs to be. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  let s = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
const line = (cells: (string | number | boolean | null | undefined)[]) =>
  `${cells.map(csvCell).join(",")}\r\n`;

export async function buildExport(
  q: Queryable,
  ctx: AuditContext,
  period: string,
  exportedBy: string,
  format: "csv" | "json",
  now = new Date(),
): Promise<RewardsExport> {
  const span = requirePeriod(period);
  const people = await q.query<{
    id: string;
    employee_number: string;
    name: string;
    department: string | null;
    manager: string | null;
    points: string | number;
  }>(
    `SELECT p.id, p.employee_number, COALESCE(p.preferred_name, p.legal_name) AS name, d.name AS department,
       COALESCE(m.preferred_name, m.legal_name) AS manager,
       (SELECT COALESCE(sum(r.points), 0) FROM rewards_points r
        WHERE r.person_id = p.id AND r.earned_at >= $2 AND r.earned_at < $3) AS points
     FROM people p LEFT JOIN departments d ON d.id = p.department_id LEFT JOIN people m ON m.id = p.manager_id
     WHERE p.status = ANY($1::text[]) ORDER BY p.employee_number`,
    [[...WORKING], span.from, span.to],
  );
  const objectives = await objectiveRows(q, period);
  const values: Map<string, Value>[] = [];
  for (const o of objectives) values.push(await measure(q, o, await peopleFor(q, o), span));
  const out: RewardsExport = {
    period,
    from: span.from.toISOString(),
    to: span.to.toISOString(),
    exportedBy,
    exportedAt: now.toISOString(),
    objectives: objectives.map((o) => ({
      id: o.id,
      title: o.title,
      metric: o.metric,
      metricLabel: METRIC_LABELS[o.metric],
      target: o.target,
    })),
    rows: people.rows.map((p) => ({
      employeeNumber: p.employee_number,
      name: p.name,
      department: p.department,
      manager: p.manager,
      points: Number(p.points),
      objectives: objectives.flatMap((o, i) => {
        const v = values[i]?.get(p.id);
        return v ? [{ objectiveId: o.id, title: o.title, ...v }] : [];
      }),
    })),
  };
  await appendAudit(q, ctx, {
    action: "rewards.exported",
    targetType: "rewards_period",
    targetId: period,
    details: { format, people: out.rows.length, objectives: out.objectives.length },
  });
  return out;
}

/** The export as CSV: fixed columns, then met/value/target per objective (empty where it does not apply). */
export function exportCsv(e: RewardsExport): string {
  const head = ["employee_number", "name", "department", "manager", "points"];
  for (const o of e.objectives) head.push(`${o.title}: met`, `${o.title}: value`, `${o.title}: target`);
  head.push("period", "exported_by", "exported_at");
  let out = line(head);
  for (const r of e.rows) {
    const cells: (string | number | null)[] = [r.employeeNumber, r.name, r.department, r.manager, r.points];
    for (const o of e.objectives) {
      const v = r.objectives.find((x) => x.objectiveId === o.id);
      cells.push(v ? (v.met ? "yes" : "no") : "", v ? v.value : "", v ? v.target : "");
    }
    cells.push(e.period, e.exportedBy, e.exportedAt);
    out += line(cells);
  }
  return out;
}
