/**
 * What every signed-in person sees of awareness: their own assignments, the policies they are
 * asked to read (and acknowledge, per version), and the training they take. Anything that is
 * not assigned to the caller answers 404.
 */
import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { AppError, conflict, notFound } from "../../platform/http/index.js";
import { iso } from "./context.js";
import { renderMarkdown } from "./markdown.js";

export const myItemSchema = z.object({
  assignmentId: z.string(),
  itemType: z.enum(["policy", "module"]),
  itemId: z.string(),
  title: z.string(),
  policyVersion: z.number().nullable(),
  reason: z.string(),
  status: z.enum(["open", "done", "closed"]),
  dueAt: z.string(),
  overdue: z.boolean(),
  assignedAt: z.string(),
  completedAt: z.string().nullable(),
  certificateId: z.string().nullable(),
});
export type MyItem = z.infer<typeof myItemSchema>;

export interface AssignmentRow {
  id: string;
  item_type: "policy" | "module";
  item_id: string;
  title: string;
  policy_version: number | null;
  reason: string;
  status: "open" | "done" | "closed";
  due_at: Date | string;
  assigned_at: Date | string;
  completed_at: Date | string | null;
  certificate_id: string | null;
}

export const ITEM_TITLE = `COALESCE((SELECT title FROM awareness_policies WHERE id = a.item_id AND a.item_type = 'policy'),
  (SELECT title FROM awareness_modules WHERE id = a.item_id AND a.item_type = 'module'), '')`;

export const toItem = (r: AssignmentRow): MyItem => ({
  assignmentId: r.id,
  itemType: r.item_type,
  itemId: r.item_id,
  title: r.title,
  policyVersion: r.policy_version,
  reason: r.reason,
  status: r.status,
  dueAt: iso(r.due_at) as string,
  overdue: r.status === "open" && new Date(r.due_at).getTime() < Date.now(),
  assignedAt: iso(r.assigned_at) as string,
  completedAt: iso(r.completed_at),
  certificateId: r.certificate_id,
});

export async function myItems(q: Queryable, personId: string, status?: "open" | "done" | "closed") {
  const r = await q.query<AssignmentRow>(
    `SELECT a.id, a.item_type, a.item_id, ${ITEM_TITLE} AS title, a.policy_version, a.reason, a.status, a.due_at,
       a.assigned_at, a.completed_at,
       (SELECT c.id FROM awareness_certificates c JOIN awareness_attempts t ON t.id = c.attempt_id
        WHERE t.assignment_id = a.id ORDER BY c.issued_at DESC LIMIT 1) AS certificate_id
     FROM awareness_assignments a WHERE a.person_id = $1 AND ($2::text IS NULL OR a.status = $2)
     ORDER BY (a.status = 'open') DESC, a.due_at, a.id`,
    [personId, status ?? null],
  );
  return r.rows.map(toItem);
}

export const myPolicySchema = z.object({
  policyId: z.string(),
  title: z.string(),
  owner: z.string(),
  /** The version to read and accept (the current one). */
  version: z.number(),
  bodyHtml: z.string(),
  status: z.enum(["open", "done", "closed"]),
  dueAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  /** Every version this person acknowledged, newest first. */
  history: z.array(z.object({ version: z.number(), acknowledgedAt: z.string() })),
});

export async function myPolicy(q: Queryable, personId: string, policyId: string) {
  const p = await q.query<{ title: string; owner: string; current_version: number | null; status: string }>(
    "SELECT title, owner, current_version, status FROM awareness_policies WHERE id = $1",
    [policyId],
  );
  const a = await q.query<{ status: "open" | "done" | "closed"; due_at: Date; policy_version: number }>(
    `SELECT status, due_at, policy_version FROM awareness_assignments
     WHERE person_id = $1 AND item_type = 'policy' AND item_id = $2 ORDER BY policy_version DESC, assigned_at DESC LIMIT 1`,
    [personId, policyId],
  );
  const policy = p.rows[0];
  const asg = a.rows[0];
  if (!policy || !asg || !policy.current_version || policy.status !== "published")
    throw notFound("awareness.policy_not_found", "This policy is not assigned to you");
  const version = policy.current_version;
  const body = await q.query<{ body_md: string }>(
    "SELECT body_md FROM awareness_policy_versions WHERE policy_id = $1 AND version = $2",
    [policyId, version],
  );
  const acks = await q.query<{ version: number; acknowledged_at: Date }>(
    "SELECT version, acknowledged_at FROM awareness_acknowledgements WHERE policy_id = $1 AND person_id = $2 ORDER BY version DESC",
    [policyId, personId],
  );
  const current = acks.rows.find((x) => x.version === version);
  return {
    policyId,
    title: policy.title,
    owner: policy.owner,
    version,
    bodyHtml: renderMarkdown(body.rows[0]?.body_md ?? ""),
    status: asg.policy_version === version ? asg.status : current ? "done" : "closed",
    dueAt: asg.policy_version === version ? iso(asg.due_at) : null,
    acknowledgedAt: current ? iso(current.acknowledged_at) : null,
    history: acks.rows.map((x) => ({ version: x.version, acknowledgedAt: iso(x.acknowledged_at) as string })),
  };
}

/**
 * "I have read and accept version N": only the current version of a policy asked of the
 * caller; a second acknowledgement of the same version changes nothing.
 */
export async function acknowledge(
  q: Queryable,
  ctx: AuditContext,
  events: Events,
  person: { id: string; userId: string },
  policyId: string,
  version: number,
) {
  const p = await q.query<{ current_version: number | null; status: string }>(
    "SELECT current_version, status FROM awareness_policies WHERE id = $1",
    [policyId],
  );
  const asked = await q.query<{ id: string; status: string }>(
    `SELECT id, status FROM awareness_assignments WHERE person_id = $1 AND item_type = 'policy' AND item_id = $2
     AND cycle = $3 FOR UPDATE`,
    [person.id, policyId, `v${version}`],
  );
  const policy = p.rows[0];
  const anyAsked = await q.query(
    "SELECT 1 FROM awareness_assignments WHERE person_id = $1 AND item_type = 'policy' AND item_id = $2",
    [person.id, policyId],
  );
  if (policy?.status !== "published" || !anyAsked.rowCount)
    throw notFound("awareness.policy_not_found", "This policy is not assigned to you");
  if (policy.current_version !== version)
    throw new AppError(
      409,
      "awareness.version_not_current",
      `Version ${version} is not the current version (${policy.current_version}); read and accept that one`,
      [{ path: "version", message: `the current version is ${policy.current_version}` }],
    );
  const row = asked.rows[0];
  if (!row || row.status === "closed")
    throw conflict("awareness.not_asked", "You are not asked to acknowledge this version", "version");
  const ins = await q.query<{ acknowledged_at: Date }>(
    `INSERT INTO awareness_acknowledgements (policy_id, version, person_id, user_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING acknowledged_at`,
    [policyId, version, person.id, person.userId],
  );
  if (ins.rowCount) {
    await q.query("UPDATE awareness_assignments SET status = 'done', completed_at = now() WHERE id = $1", [
      row.id,
    ]);
    await appendAudit(q, ctx, {
      action: "awareness.policy_acknowledged",
      targetType: "awareness_policy",
      targetId: policyId,
      details: { version, personId: person.id },
    });
    await events.publish(q, "awareness.policy_acknowledged", { personId: person.id, policyId, version });
  }
  return myPolicy(q, person.id, policyId);
}

export const myModuleSchema = z.object({
  moduleId: z.string(),
  title: z.string(),
  summary: z.string(),
  bodyHtml: z.string(),
  passMark: z.number(),
  maxAttempts: z.number(),
  status: z.enum(["open", "done", "closed"]),
  dueAt: z.string(),
  attempts: z.array(
    z.object({
      attemptId: z.string(),
      seq: z.number(),
      startedAt: z.string(),
      submittedAt: z.string().nullable(),
      score: z.number().nullable(),
      passed: z.boolean().nullable(),
    }),
  ),
  attemptsLeft: z.number(),
  certificateId: z.string().nullable(),
});

export async function myModule(q: Queryable, personId: string, moduleId: string) {
  const m = await q.query<{
    title: string;
    summary: string;
    body_md: string;
    pass_mark: number;
    max_attempts: number;
    status: string;
  }>("SELECT title, summary, body_md, pass_mark, max_attempts, status FROM awareness_modules WHERE id = $1", [
    moduleId,
  ]);
  const a = await q.query<{ id: string; status: "open" | "done" | "closed"; due_at: Date }>(
    `SELECT id, status, due_at FROM awareness_assignments WHERE person_id = $1 AND item_type = 'module' AND item_id = $2
     ORDER BY (status = 'open') DESC, due_at DESC LIMIT 1`,
    [personId, moduleId],
  );
  const mod = m.rows[0];
  const asg = a.rows[0];
  if (!mod || !asg || mod.status === "draft")
    throw notFound("awareness.module_not_found", "This training is not assigned to you");
  const attempts = await q.query<{
    id: string;
    seq: number;
    started_at: Date;
    submitted_at: Date | null;
    score: number | null;
    passed: boolean | null;
  }>(
    "SELECT id, seq, started_at, submitted_at, score, passed FROM awareness_attempts WHERE assignment_id = $1 ORDER BY seq",
    [asg.id],
  );
  const cert = await q.query<{ id: string }>(
    "SELECT id FROM awareness_certificates WHERE person_id = $1 AND module_id = $2 ORDER BY issued_at DESC LIMIT 1",
    [personId, moduleId],
  );
  return {
    moduleId,
    title: mod.title,
    summary: mod.summary,
    bodyHtml: renderMarkdown(mod.body_md),
    passMark: mod.pass_mark,
    maxAttempts: mod.max_attempts,
    status: asg.status,
    dueAt: iso(asg.due_at) as string,
    attempts: attempts.rows.map((x) => ({
      attemptId: x.id,
      seq: x.seq,
      startedAt: iso(x.started_at) as string,
      submittedAt: iso(x.submitted_at),
      score: x.score,
      passed: x.passed,
    })),
    attemptsLeft:
      asg.status === "open"
        ? Math.max(0, mod.max_attempts - attempts.rows.filter((x) => x.submitted_at).length)
        : 0,
    certificateId: cert.rows[0]?.id ?? null,
  };
}
