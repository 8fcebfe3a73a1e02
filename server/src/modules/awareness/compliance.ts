/**
 * Compliance figures and lists: completion and acknowledgement rates per department, the
 * assignments list (who is overdue: the nudge list), a manager's team, and assignment on
 * demand by HR or Security.
 */
import { z } from "zod";
import type { AuditContext } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { unprocessable } from "../../platform/http/index.js";
import { assignMany, cycleFor } from "./assign.js";
import { audiencePeople, audienceSchema, checkAudience } from "./audience.js";
import { addDays, iso } from "./context.js";
import { ITEM_TITLE } from "./me.js";

const rate = (done: number, of: number) => (of ? Math.round((done * 1000) / of) / 10 : null);

export const departmentRowSchema = z.object({
  departmentId: z.string().nullable(),
  departmentName: z.string(),
  people: z.number(),
  trainingAssigned: z.number(),
  trainingDone: z.number(),
  trainingOverdue: z.number(),
  /** Percent (one decimal), null when nothing is assigned. */
  completionRate: z.number().nullable(),
  policiesAsked: z.number(),
  policiesAcknowledged: z.number(),
  policiesOverdue: z.number(),
  acknowledgementRate: z.number().nullable(),
});
export const complianceSchema = z.object({
  totals: departmentRowSchema.omit({ departmentId: true, departmentName: true }),
  departments: z.array(departmentRowSchema),
});

export async function compliance(q: Queryable): Promise<z.infer<typeof complianceSchema>> {
  const r = await q.query<Record<string, string | number | null>>(
    `SELECT p.department_id, COALESCE(d.name, 'No department') AS department_name,
       count(DISTINCT p.id) AS people,
       count(a.id) FILTER (WHERE a.item_type = 'module' AND a.status <> 'closed') AS t_assigned,
       count(a.id) FILTER (WHERE a.item_type = 'module' AND a.status = 'done') AS t_done,
       count(a.id) FILTER (WHERE a.item_type = 'module' AND a.status = 'open' AND a.due_at < now()) AS t_overdue,
       count(a.id) FILTER (WHERE a.item_type = 'policy' AND a.status <> 'closed') AS p_asked,
       count(a.id) FILTER (WHERE a.item_type = 'policy' AND a.status = 'done') AS p_done,
       count(a.id) FILTER (WHERE a.item_type = 'policy' AND a.status = 'open' AND a.due_at < now()) AS p_overdue
     FROM people p
     LEFT JOIN departments d ON d.id = p.department_id
     LEFT JOIN awareness_assignments a ON a.person_id = p.id
     WHERE p.status IN ('pre_hire', 'active', 'leave', 'notice')
     GROUP BY p.department_id, d.name
     ORDER BY department_name`,
  );
  const rows = r.rows.map((x) => {
    const n = (k: string) => Number(x[k] ?? 0);
    return {
      departmentId: (x.department_id as string | null) ?? null,
      departmentName: String(x.department_name),
      people: n("people"),
      trainingAssigned: n("t_assigned"),
      trainingDone: n("t_done"),
      trainingOverdue: n("t_overdue"),
      completionRate: rate(n("t_done"), n("t_assigned")),
      policiesAsked: n("p_asked"),
      policiesAcknowledged: n("p_done"),
      policiesOverdue: n("p_overdue"),
      acknowledgementRate: rate(n("p_done"), n("p_asked")),
    };
  });
  const sum = (k: keyof (typeof rows)[number]) => rows.reduce((s, x) => s + (x[k] as number), 0);
  return {
    totals: {
      people: sum("people"),
      trainingAssigned: sum("trainingAssigned"),
      trainingDone: sum("trainingDone"),
      trainingOverdue: sum("trainingOverdue"),
      completionRate: rate(sum("trainingDone"), sum("trainingAssigned")),
      policiesAsked: sum("policiesAsked"),
      policiesAcknowledged: sum("policiesAcknowledged"),
      policiesOverdue: sum("policiesOverdue"),
      acknowledgementRate: rate(sum("policiesAcknowledged"), sum("policiesAsked")),
    },
    departments: rows,
  };
}

export const assignmentQuery = z
  .object({
    q: z.string().trim().max(200).optional(),
    status: z.enum(["open", "done", "closed", "overdue"]).optional(),
    itemType: z.enum(["policy", "module"]).optional(),
    itemId: z.string().max(40).optional(),
    departmentId: z.string().max(40).optional(),
    personId: z.string().max(40).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type AssignmentQuery = z.infer<typeof assignmentQuery>;

export const assignmentRowSchema = z.object({
  assignmentId: z.string(),
  personId: z.string(),
  personName: z.string(),
  departmentName: z.string().nullable(),
  managerName: z.string().nullable(),
  itemType: z.enum(["policy", "module"]),
  itemId: z.string(),
  title: z.string(),
  policyVersion: z.number().nullable(),
  reason: z.string(),
  status: z.enum(["open", "done", "closed"]),
  dueAt: z.string(),
  overdue: z.boolean(),
  daysOverdue: z.number(),
  escalationLevel: z.number(),
  completedAt: z.string().nullable(),
});

/** Assignments with their people; `managerId` limits them to that manager's direct reports. */
export async function listAssignments(q: Queryable, f: AssignmentQuery, managerId?: string) {
  const where = `WHERE ($1::text IS NULL OR COALESCE(p.preferred_name, p.legal_name) ILIKE '%' || $1 || '%' OR p.employee_number = $1)
    AND ($2::text IS NULL OR (CASE WHEN $2 = 'overdue' THEN a.status = 'open' AND a.due_at < now() ELSE a.status = $2 END))
    AND ($3::text IS NULL OR a.item_type = $3) AND ($4::text IS NULL OR a.item_id = $4)
    AND ($5::text IS NULL OR p.department_id = $5) AND ($6::text IS NULL OR a.person_id = $6)
    AND ($7::text IS NULL OR p.manager_id = $7)`;
  const params = [
    f.q ?? null,
    f.status ?? null,
    f.itemType ?? null,
    f.itemId ?? null,
    f.departmentId ?? null,
    f.personId ?? null,
    managerId ?? null,
  ];
  const from = `FROM awareness_assignments a JOIN people p ON p.id = a.person_id
    LEFT JOIN departments d ON d.id = p.department_id LEFT JOIN people m ON m.id = p.manager_id`;
  const [rows, total] = await Promise.all([
    q.query<{
      id: string;
      person_id: string;
      person_name: string;
      department_name: string | null;
      manager_name: string | null;
      item_type: "policy" | "module";
      item_id: string;
      title: string;
      policy_version: number | null;
      reason: string;
      status: "open" | "done" | "closed";
      due_at: Date;
      escalation_level: number;
      completed_at: Date | null;
    }>(
      `SELECT a.id, a.person_id, COALESCE(p.preferred_name, p.legal_name) AS person_name, d.name AS department_name,
         COALESCE(m.preferred_name, m.legal_name) AS manager_name, a.item_type, a.item_id, ${ITEM_TITLE} AS title,
         a.policy_version, a.reason, a.status, a.due_at, a.escalation_level, a.completed_at
       ${from} ${where} ORDER BY (a.status = 'open') DESC, a.due_at, a.id LIMIT $8 OFFSET $9`,
      [...params, f.limit, f.offset],
    ),
    q.query<{ n: string }>(`SELECT count(*) AS n ${from} ${where}`, params),
  ]);
  const now = Date.now();
  return {
    items: rows.rows.map((r) => {
      const late = r.status === "open" ? now - new Date(r.due_at).getTime() : 0;
      return {
        assignmentId: r.id,
        personId: r.person_id,
        personName: r.person_name,
        departmentName: r.department_name,
        managerName: r.manager_name,
        itemType: r.item_type,
        itemId: r.item_id,
        title: r.title,
        policyVersion: r.policy_version,
        reason: r.reason,
        status: r.status,
        dueAt: iso(r.due_at) as string,
        overdue: late > 0,
        daysOverdue: late > 0 ? Math.floor(late / 86_400_000) : 0,
        escalationLevel: r.escalation_level,
        completedAt: iso(r.completed_at),
      };
    }),
    total: Number(total.rows[0]?.n ?? 0),
  };
}

export const teamMemberSchema = z.object({
  personId: z.string(),
  name: z.string(),
  open: z.number(),
  overdue: z.number(),
  done: z.number(),
});

export async function teamSummary(q: Queryable, managerId: string) {
  const r = await q.query<{ id: string; name: string; open: string; overdue: string; done: string }>(
    `SELECT p.id, COALESCE(p.preferred_name, p.legal_name) AS name,
       count(a.id) FILTER (WHERE a.status = 'open') AS open,
       count(a.id) FILTER (WHERE a.status = 'open' AND a.due_at < now()) AS overdue,
       count(a.id) FILTER (WHERE a.status = 'done') AS done
     FROM people p LEFT JOIN awareness_assignments a ON a.person_id = p.id
     WHERE p.manager_id = $1 AND p.status IN ('pre_hire', 'active', 'leave', 'notice')
     GROUP BY p.id, p.preferred_name, p.legal_name ORDER BY name, p.id`,
    [managerId],
  );
  return r.rows.map((x) => ({
    personId: x.id,
    name: x.name,
    open: Number(x.open),
    overdue: Number(x.overdue),
    done: Number(x.done),
  }));
}

export const assignInput = z
  .object({
    itemType: z.enum(["policy", "module"]),
    itemId: z.string().min(1).max(40),
    audience: audienceSchema,
    dueDays: z.number().int().min(1).max(365).default(14),
    /** Names the round; assigning the same item in the same round again adds nobody. Default: today. */
    cycle: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._:-]{1,60}$/, "letters, digits and . _ : - only")
      .optional(),
    reason: z.string().trim().max(500).default("Assigned by HR or Security"),
  })
  .strict();

/**
 * Assignment on demand to an audience. People who already have the item open are skipped;
 * a policy is asked at its current version (once per version).
 */
export async function assignOnDemand(q: Queryable, ctx: AuditContext, input: z.infer<typeof assignInput>) {
  await checkAudience(q, input.audience);
  const table = input.itemType === "policy" ? "awareness_policies" : "awareness_modules";
  const item = await q.query<{ version: number | null }>(
    `SELECT ${input.itemType === "policy" ? "current_version" : "NULL::integer"} AS version FROM ${table} WHERE id = $1 AND status = 'published'`,
    [input.itemId],
  );
  if (!item.rows[0])
    throw unprocessable("awareness.unknown_item", `No published ${input.itemType} ${input.itemId}`, [
      { path: "itemId", message: `not a published ${input.itemType}` },
    ]);
  const people = await audiencePeople(q, input.audience);
  const busy = await q.query<{ person_id: string }>(
    "SELECT DISTINCT person_id FROM awareness_assignments WHERE item_type = $1 AND item_id = $2 AND status = 'open'",
    [input.itemType, input.itemId],
  );
  const skip = new Set(busy.rows.map((x) => x.person_id));
  const version = item.rows[0].version;
  const created = await assignMany(q, ctx, {
    personIds: people.filter((p) => !skip.has(p)),
    itemType: input.itemType,
    itemId: input.itemId,
    policyVersion: version,
    cycle: cycleFor(
      input.itemType,
      version,
      `demand:${input.cycle ?? new Date().toISOString().slice(0, 10)}`,
    ),
    source: "on_demand",
    reason: input.reason,
    dueAt: addDays(new Date(), input.dueDays),
  });
  return { inAudience: people.length, created: created.length, skipped: people.length - created.length };
}
