/**
 * Training modules: Markdown content and a quiz. Authors see the questions with their
 * correct options; learners never do (see quiz.ts). Editing keeps question and option ids
 * that are sent back, so attempts under way still grade against what they were shown.
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { closeOpen } from "./assign.js";
import { iso } from "./context.js";

export const MODULE_STATUSES = ["draft", "published", "retired"] as const;
const id = z.string().min(1).max(40);

const optionInput = z
  .object({ id: id.optional(), text: z.string().trim().min(1).max(500), correct: z.boolean() })
  .strict();

export const questionInput = z
  .object({
    id: id.optional(),
    prompt: z.string().trim().min(1).max(2000),
    kind: z.enum(["single", "multiple"]),
    options: z.array(optionInput).min(2).max(8),
    explanation: z.string().trim().max(2000).default(""),
  })
  .strict()
  .superRefine((q, c) => {
    const correct = q.options.filter((o) => o.correct).length;
    if (q.kind === "single" && correct !== 1)
      c.addIssue({
        code: "custom",
        path: ["options"],
        message: "a single-choice question needs exactly one correct option",
      });
    if (q.kind === "multiple" && correct < 1)
      c.addIssue({ code: "custom", path: ["options"], message: "mark at least one option correct" });
  });
export type QuestionInput = z.infer<typeof questionInput>;

export const moduleInput = z
  .object({
    title: z.string().trim().min(1).max(200),
    summary: z.string().trim().max(1000).default(""),
    body: z.string().trim().min(1).max(200_000),
    passMark: z.number().int().min(1).max(100).default(80),
    maxAttempts: z.number().int().min(1).max(20).default(3),
    questionsPerAttempt: z.number().int().min(1).max(100).nullable().default(null),
    dueDays: z.number().int().min(1).max(365).default(30),
    questions: z.array(questionInput).max(100).default([]),
  })
  .strict()
  .refine((m) => m.questionsPerAttempt === null || m.questionsPerAttempt <= m.questions.length, {
    message: "must not exceed the number of questions",
    path: ["questionsPerAttempt"],
  });
export type ModuleInput = z.infer<typeof moduleInput>;

const optionSchema = z.object({ id: z.string(), text: z.string(), correct: z.boolean() });
const questionSchema = z.object({
  id: z.string(),
  prompt: z.string(),
  kind: z.enum(["single", "multiple"]),
  options: z.array(optionSchema),
  explanation: z.string(),
});
export const moduleSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  status: z.enum(MODULE_STATUSES),
  passMark: z.number(),
  maxAttempts: z.number(),
  questionsPerAttempt: z.number().nullable(),
  dueDays: z.number(),
  questionCount: z.number(),
  assigned: z.number(),
  completed: z.number(),
  overdue: z.number(),
  updatedAt: z.string(),
});
export const moduleSchema = moduleSummarySchema.extend({
  bodyMd: z.string(),
  questions: z.array(questionSchema),
});
export type ModuleView = z.infer<typeof moduleSchema>;

interface ModuleRow {
  id: string;
  title: string;
  summary: string;
  body_md: string;
  status: (typeof MODULE_STATUSES)[number];
  pass_mark: number;
  max_attempts: number;
  questions_per_attempt: number | null;
  due_days: number;
  question_count: string | number;
  assigned: string | number;
  completed: string | number;
  overdue: string | number;
  updated_at: Date | string;
}

const SELECT = `SELECT m.*,
  (SELECT count(*) FROM awareness_questions x WHERE x.module_id = m.id AND x.active) AS question_count,
  (SELECT count(*) FROM awareness_assignments a WHERE a.item_type = 'module' AND a.item_id = m.id AND a.status <> 'closed') AS assigned,
  (SELECT count(*) FROM awareness_assignments a WHERE a.item_type = 'module' AND a.item_id = m.id AND a.status = 'done') AS completed,
  (SELECT count(*) FROM awareness_assignments a WHERE a.item_type = 'module' AND a.item_id = m.id
     AND a.status = 'open' AND a.due_at < now()) AS overdue
  FROM awareness_modules m`;

const toSummary = (r: ModuleRow) => ({
  id: r.id,
  title: r.title,
  summary: r.summary,
  status: r.status,
  passMark: r.pass_mark,
  maxAttempts: r.max_attempts,
  questionsPerAttempt: r.questions_per_attempt,
  dueDays: r.due_days,
  questionCount: Number(r.question_count),
  assigned: Number(r.assigned),
  completed: Number(r.completed),
  overdue: Number(r.overdue),
  updatedAt: iso(r.updated_at) as string,
});

export interface QuestionRow {
  id: string;
  prompt: string;
  kind: "single" | "multiple";
  options: { id: string; text: string; correct: boolean }[];
  explanation: string;
}

export async function activeQuestions(q: Queryable, moduleId: string): Promise<QuestionRow[]> {
  const r = await q.query<QuestionRow>(
    "SELECT id, prompt, kind, options, explanation FROM awareness_questions WHERE module_id = $1 AND active ORDER BY position, id",
    [moduleId],
  );
  return r.rows;
}

export async function listModules(
  q: Queryable,
  f: { q?: string; status?: string; limit: number; offset: number },
) {
  const where = `WHERE ($1::text IS NULL OR m.title ILIKE '%' || $1 || '%' OR m.summary ILIKE '%' || $1 || '%')
    AND ($2::text IS NULL OR m.status = $2)`;
  const params = [f.q ?? null, f.status ?? null];
  const [rows, total] = await Promise.all([
    q.query<ModuleRow>(`${SELECT} ${where} ORDER BY m.title, m.id LIMIT $3 OFFSET $4`, [
      ...params,
      f.limit,
      f.offset,
    ]),
    q.query<{ n: string }>(`SELECT count(*) AS n FROM awareness_modules m ${where}`, params),
  ]);
  return { items: rows.rows.map(toSummary), total: Number(total.rows[0]?.n ?? 0) };
}

export async function getModuleRow(q: Queryable, moduleId: string): Promise<ModuleRow> {
  const r = await q.query<ModuleRow>(`${SELECT} WHERE m.id = $1`, [moduleId]);
  if (!r.rows[0]) throw notFound("awareness.module_not_found", "No such training module");
  return r.rows[0];
}

export async function getModule(q: Queryable, moduleId: string): Promise<ModuleView> {
  const row = await getModuleRow(q, moduleId);
  return { ...toSummary(row), bodyMd: row.body_md, questions: await activeQuestions(q, moduleId) };
}

/** Writes the questions: ids sent back are kept (and their options' ids), the rest are new. */
async function writeQuestions(q: Queryable, moduleId: string, questions: QuestionInput[]) {
  const existing = await q.query<{ id: string }>("SELECT id FROM awareness_questions WHERE module_id = $1", [
    moduleId,
  ]);
  const known = new Set(existing.rows.map((r) => r.id));
  const unknown = questions.flatMap((x, i) =>
    x.id && !known.has(x.id) ? [{ path: `questions.${i}.id`, message: "not a question of this module" }] : [],
  );
  if (unknown.length) throw unprocessable("awareness.unknown_question", "Unknown question ids", unknown);
  const kept: string[] = [];
  for (const [i, x] of questions.entries()) {
    const options = x.options.map((o) => ({ id: o.id ?? ulid(), text: o.text, correct: o.correct }));
    if (new Set(options.map((o) => o.id)).size !== options.length)
      throw unprocessable("awareness.duplicate_option", "Option ids must be unique", [
        { path: `questions.${i}.options`, message: "duplicate option id" },
      ]);
    if (x.id) {
      kept.push(x.id);
      await q.query(
        `UPDATE awareness_questions SET position = $2, prompt = $3, kind = $4, options = $5, explanation = $6, active = true
         WHERE id = $1`,
        [x.id, i, x.prompt, x.kind, JSON.stringify(options), x.explanation],
      );
    } else {
      const qid = ulid();
      kept.push(qid);
      await q.query(
        `INSERT INTO awareness_questions (id, module_id, position, prompt, kind, options, explanation)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [qid, moduleId, i, x.prompt, x.kind, JSON.stringify(options), x.explanation],
      );
    }
  }
  // Removed questions stay for attempts that drew them, inactive.
  await q.query(
    "UPDATE awareness_questions SET active = false WHERE module_id = $1 AND NOT (id = ANY($2::text[]))",
    [moduleId, kept],
  );
}

export async function createModule(
  q: Queryable,
  ctx: AuditContext,
  input: ModuleInput,
  starterKey: string | null = null,
): Promise<string> {
  const moduleId = ulid();
  await q.query(
    `INSERT INTO awareness_modules (id, starter_key, title, summary, body_md, pass_mark, max_attempts, questions_per_attempt, due_days)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      moduleId,
      starterKey,
      input.title,
      input.summary,
      input.body,
      input.passMark,
      input.maxAttempts,
      input.questionsPerAttempt,
      input.dueDays,
    ],
  );
  await writeQuestions(q, moduleId, input.questions);
  await appendAudit(q, ctx, {
    action: "awareness.module_created",
    targetType: "awareness_module",
    targetId: moduleId,
    details: { title: input.title, questions: input.questions.length },
  });
  return moduleId;
}

export async function replaceModule(q: Queryable, ctx: AuditContext, moduleId: string, input: ModuleInput) {
  const r = await q.query<{ status: string }>(
    "SELECT status FROM awareness_modules WHERE id = $1 FOR UPDATE",
    [moduleId],
  );
  if (!r.rows[0]) throw notFound("awareness.module_not_found", "No such training module");
  if (r.rows[0].status === "retired")
    throw conflict("awareness.module_retired", "A retired module cannot change");
  if (r.rows[0].status === "published" && !input.questions.length)
    throw unprocessable("awareness.no_questions", "A published module needs questions", [
      { path: "questions", message: "at least one question" },
    ]);
  await q.query(
    `UPDATE awareness_modules SET title = $2, summary = $3, body_md = $4, pass_mark = $5, max_attempts = $6,
       questions_per_attempt = $7, due_days = $8, updated_at = now() WHERE id = $1`,
    [
      moduleId,
      input.title,
      input.summary,
      input.body,
      input.passMark,
      input.maxAttempts,
      input.questionsPerAttempt,
      input.dueDays,
    ],
  );
  await writeQuestions(q, moduleId, input.questions);
  await appendAudit(q, ctx, {
    action: "awareness.module_updated",
    targetType: "awareness_module",
    targetId: moduleId,
    details: { questions: input.questions.length },
  });
}

export async function setModuleStatus(
  q: Queryable,
  ctx: AuditContext,
  moduleId: string,
  status: "published" | "retired",
) {
  const r = await q.query<{ status: string }>(
    "SELECT status FROM awareness_modules WHERE id = $1 FOR UPDATE",
    [moduleId],
  );
  if (!r.rows[0]) throw notFound("awareness.module_not_found", "No such training module");
  const from = r.rows[0].status;
  if (from === status) return;
  if (from === "retired") throw conflict("awareness.module_retired", "A retired module stays retired");
  if (status === "published" && !(await activeQuestions(q, moduleId)).length)
    throw conflict("awareness.no_questions", "Add quiz questions before publishing");
  await q.query("UPDATE awareness_modules SET status = $2, updated_at = now() WHERE id = $1", [
    moduleId,
    status,
  ]);
  if (status === "retired")
    await closeOpen(q, ctx, { itemType: "module", itemId: moduleId }, "module retired");
  await appendAudit(q, ctx, {
    action: status === "published" ? "awareness.module_published" : "awareness.module_retired",
    targetType: "awareness_module",
    targetId: moduleId,
  });
}
