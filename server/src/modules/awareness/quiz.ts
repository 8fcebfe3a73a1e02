/**
 * Quiz attempts, server-side records from start to result. Starting draws the questions and
 * their option order for this attempt (random), and the learner is sent prompts and option
 * texts only. Submitting grades against the stored paper: answers to questions that were not
 * drawn, options that do not belong to the question, a second answer to a single-choice
 * question, a second submission or an attempt past the limit are refused and count nothing.
 */
import { randomInt } from "node:crypto";
import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { conflict, type FieldError, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { activeQuestions, type QuestionRow } from "./modules.js";

interface PaperItem {
  questionId: string;
  optionIds: string[];
}

export const attemptSchema = z.object({
  attemptId: z.string(),
  moduleId: z.string(),
  seq: z.number(),
  maxAttempts: z.number(),
  passMark: z.number(),
  questions: z.array(
    z.object({
      id: z.string(),
      prompt: z.string(),
      kind: z.enum(["single", "multiple"]),
      options: z.array(z.object({ id: z.string(), text: z.string() })),
    }),
  ),
});

export const answersInput = z
  .object({
    answers: z
      .array(
        z
          .object({
            questionId: z.string().min(1).max(40),
            optionIds: z.array(z.string().min(1).max(40)).max(8),
          })
          .strict(),
      )
      .max(100),
  })
  .strict();

export const resultSchema = z.object({
  attemptId: z.string(),
  score: z.number(),
  passed: z.boolean(),
  passMark: z.number(),
  correct: z.number(),
  total: z.number(),
  attemptsLeft: z.number(),
  certificateId: z.string().nullable(),
  /** Whether each question was answered right; the explanation once the quiz is over. */
  questions: z.array(
    z.object({ questionId: z.string(), correct: z.boolean(), explanation: z.string().nullable() }),
  ),
});

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

interface ModuleFacts {
  id: string;
  title: string;
  status: string;
  pass_mark: number;
  max_attempts: number;
  questions_per_attempt: number | null;
}

async function moduleFacts(q: Queryable, moduleId: string): Promise<ModuleFacts> {
  const r = await q.query<ModuleFacts>(
    "SELECT id, title, status, pass_mark, max_attempts, questions_per_attempt FROM awareness_modules WHERE id = $1",
    [moduleId],
  );
  if (!r.rows[0]) throw notFound("awareness.module_not_found", "No such training module");
  return r.rows[0];
}

/** The person's open assignment of a module (the earliest due), locked. */
async function openAssignment(q: Queryable, personId: string, moduleId: string) {
  const r = await q.query<{ id: string }>(
    `SELECT id FROM awareness_assignments WHERE person_id = $1 AND item_type = 'module' AND item_id = $2 AND status = 'open'
     ORDER BY due_at, id LIMIT 1 FOR UPDATE`,
    [personId, moduleId],
  );
  if (r.rows[0]) return r.rows[0].id;
  const any = await q.query(
    "SELECT 1 FROM awareness_assignments WHERE person_id = $1 AND item_type = 'module' AND item_id = $2 AND status = 'done'",
    [personId, moduleId],
  );
  if (any.rowCount) throw conflict("awareness.already_completed", "You have completed this training already");
  throw notFound("awareness.not_assigned", "This training is not assigned to you");
}

function present(
  attemptId: string,
  m: ModuleFacts,
  seq: number,
  paper: PaperItem[],
  questions: QuestionRow[],
) {
  const byId = new Map(questions.map((x) => [x.id, x]));
  return {
    attemptId,
    moduleId: m.id,
    seq,
    maxAttempts: m.max_attempts,
    passMark: m.pass_mark,
    questions: paper.map((p) => {
      const x = byId.get(p.questionId) as QuestionRow;
      const text = new Map(x.options.map((o) => [o.id, o.text]));
      return {
        id: x.id,
        prompt: x.prompt,
        kind: x.kind,
        options: p.optionIds.map((id) => ({ id, text: text.get(id) ?? "" })),
      };
    }),
  };
}

async function questionsById(q: Queryable, ids: string[]): Promise<QuestionRow[]> {
  const r = await q.query<QuestionRow>(
    "SELECT id, prompt, kind, options, explanation FROM awareness_questions WHERE id = ANY($1::text[])",
    [ids],
  );
  return r.rows;
}

/** Starts an attempt, or returns the one under way (same questions, same order). */
export async function startAttempt(q: Queryable, ctx: AuditContext, personId: string, moduleId: string) {
  const m = await moduleFacts(q, moduleId);
  if (m.status !== "published")
    throw notFound("awareness.not_assigned", "This training is not assigned to you");
  const assignmentId = await openAssignment(q, personId, moduleId);
  const open = await q.query<{ id: string; seq: number; paper: PaperItem[] }>(
    "SELECT id, seq, paper FROM awareness_attempts WHERE assignment_id = $1 AND submitted_at IS NULL",
    [assignmentId],
  );
  if (open.rows[0]) {
    const a = open.rows[0];
    return present(
      a.id,
      m,
      a.seq,
      a.paper,
      await questionsById(
        q,
        a.paper.map((p) => p.questionId),
      ),
    );
  }
  const used = await q.query<{ n: string }>(
    "SELECT count(*) AS n FROM awareness_attempts WHERE assignment_id = $1",
    [assignmentId],
  );
  const seq = Number(used.rows[0]?.n ?? 0) + 1;
  if (seq > m.max_attempts)
    throw conflict(
      "awareness.attempts_exhausted",
      `All ${m.max_attempts} attempts are used; HR or Security can assign the training again`,
    );
  const all = await activeQuestions(q, moduleId);
  if (!all.length) throw conflict("awareness.no_questions", "This training has no quiz yet");
  const drawn = shuffle(all).slice(0, m.questions_per_attempt ?? all.length);
  const paper: PaperItem[] = drawn.map((x) => ({
    questionId: x.id,
    optionIds: shuffle(x.options.map((o) => o.id)),
  }));
  const id = ulid();
  await q.query(
    `INSERT INTO awareness_attempts (id, assignment_id, person_id, module_id, seq, paper) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, assignmentId, personId, moduleId, seq, JSON.stringify(paper)],
  );
  await appendAudit(q, ctx, {
    action: "awareness.attempt_started",
    targetType: "awareness_attempt",
    targetId: id,
    details: { moduleId, personId, seq, questions: paper.length },
  });
  return present(id, m, seq, paper, drawn);
}

/** Checks the answers against the attempt's paper; every problem named by its field. */
function checkAnswers(
  paper: PaperItem[],
  answers: z.infer<typeof answersInput>["answers"],
  kinds: Map<string, string>,
) {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, a] of answers.entries()) {
    const item = paper.find((p) => p.questionId === a.questionId);
    if (!item) {
      errors.push({ path: `answers.${i}.questionId`, message: "not a question of this attempt" });
      continue;
    }
    if (seen.has(a.questionId)) errors.push({ path: `answers.${i}.questionId`, message: "answered twice" });
    seen.add(a.questionId);
    if (a.optionIds.some((o) => !item.optionIds.includes(o)))
      errors.push({ path: `answers.${i}.optionIds`, message: "not an option of this question" });
    if (new Set(a.optionIds).size !== a.optionIds.length)
      errors.push({ path: `answers.${i}.optionIds`, message: "an option is chosen twice" });
    if (kinds.get(a.questionId) === "single" && a.optionIds.length > 1)
      errors.push({ path: `answers.${i}.optionIds`, message: "choose one option" });
  }
  if (errors.length)
    throw unprocessable("awareness.invalid_answers", "The answers do not fit this attempt", errors);
}

export async function submitAttempt(
  q: Queryable,
  ctx: AuditContext,
  events: Events,
  person: { id: string; name: string },
  attemptId: string,
  answers: z.infer<typeof answersInput>["answers"],
) {
  const r = await q.query<{
    id: string;
    assignment_id: string;
    module_id: string;
    seq: number;
    paper: PaperItem[];
    submitted_at: Date | null;
  }>(
    "SELECT id, assignment_id, module_id, seq, paper, submitted_at FROM awareness_attempts WHERE id = $1 AND person_id = $2 FOR UPDATE",
    [attemptId, person.id],
  );
  const attempt = r.rows[0];
  if (!attempt) throw notFound("awareness.attempt_not_found", "No such attempt");
  if (attempt.submitted_at)
    throw conflict("awareness.attempt_submitted", "This attempt was submitted already");
  const assignment = await q.query<{ status: string }>(
    "SELECT status FROM awareness_assignments WHERE id = $1 FOR UPDATE",
    [attempt.assignment_id],
  );
  if (assignment.rows[0]?.status !== "open")
    throw conflict("awareness.assignment_closed", "This training is no longer open for you");
  const m = await moduleFacts(q, attempt.module_id);
  const questions = await questionsById(
    q,
    attempt.paper.map((p) => p.questionId),
  );
  const byId = new Map(questions.map((x) => [x.id, x]));
  checkAnswers(attempt.paper, answers, new Map(questions.map((x) => [x.id, x.kind])));

  const chosen = new Map(answers.map((a) => [a.questionId, new Set(a.optionIds)]));
  const marks = attempt.paper.map((p) => {
    const x = byId.get(p.questionId) as QuestionRow;
    const want = new Set(x.options.filter((o) => o.correct).map((o) => o.id));
    const got = chosen.get(p.questionId) ?? new Set<string>();
    return {
      questionId: p.questionId,
      correct: want.size === got.size && [...want].every((o) => got.has(o)),
      x,
    };
  });
  const correct = marks.filter((k) => k.correct).length;
  const total = marks.length;
  const score = Math.round((correct * 100) / total);
  const passed = score >= m.pass_mark;
  await q.query(
    "UPDATE awareness_attempts SET submitted_at = now(), answers = $2, score = $3, passed = $4 WHERE id = $1",
    [attempt.id, JSON.stringify(answers), score, passed],
  );
  let certificateId: string | null = null;
  if (passed) {
    certificateId = ulid();
    await q.query(
      `INSERT INTO awareness_certificates (id, attempt_id, person_id, module_id, module_title, person_name, score)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [certificateId, attempt.id, person.id, m.id, m.title, person.name, score],
    );
    // Passing completes every open assignment of the module for the person.
    await q.query(
      `UPDATE awareness_assignments SET status = 'done', completed_at = now()
       WHERE person_id = $1 AND item_type = 'module' AND item_id = $2 AND status = 'open'`,
      [person.id, m.id],
    );
    await events.publish(q, "awareness.training_completed", {
      personId: person.id,
      moduleId: m.id,
      attemptId: attempt.id,
      score,
    });
  }
  await appendAudit(q, ctx, {
    action: "awareness.attempt_submitted",
    targetType: "awareness_attempt",
    targetId: attempt.id,
    details: { moduleId: m.id, personId: person.id, seq: attempt.seq, score, passed, certificateId },
  });
  const attemptsLeft = passed ? 0 : Math.max(0, m.max_attempts - attempt.seq);
  const over = passed || attemptsLeft === 0;
  return {
    attemptId: attempt.id,
    score,
    passed,
    passMark: m.pass_mark,
    correct,
    total,
    attemptsLeft,
    certificateId,
    questions: marks.map((k) => ({
      questionId: k.questionId,
      correct: k.correct,
      explanation: over ? k.x.explanation || null : null,
    })),
  };
}
