import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { decodeCursor, encodeCursor, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { iso } from "./context.js";

/**
 * Ask Security: a question board for things that are not urgent. The asker and Security
 * (and IT) see a question; good answers are promoted to the FAQ everyone signed in reads.
 */

export const questionInput = z
  .object({ title: z.string().trim().min(5).max(200), body: z.string().trim().max(10000).default("") })
  .strict();
export const answerInput = z.object({ body: z.string().trim().min(2).max(10000) }).strict();
export const promoteInput = z
  .object({
    answerId: z.string().min(1).max(40),
    /** The FAQ's wording; defaults to the question's title and the answer's text. */
    question: z.string().trim().min(5).max(300).optional(),
    answer: z.string().trim().min(2).max(10000).optional(),
  })
  .strict();

export const questionView = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  status: z.enum(["open", "answered"]),
  askedBy: z.string().nullable(),
  mine: z.boolean(),
  createdAt: z.string(),
  answers: z.array(
    z.object({ id: z.string(), body: z.string(), author: z.string().nullable(), createdAt: z.string() }),
  ),
  faqId: z.string().nullable(),
});
export type QuestionView = z.infer<typeof questionView>;

export const faqView = z.object({
  id: z.string(),
  question: z.string(),
  answer: z.string(),
  createdAt: z.string(),
});

interface QRow {
  id: string;
  asker_user_id: string | null;
  asker_name: string | null;
  title: string;
  body: string;
  status: "open" | "answered";
  created_at: Date | string;
  faq_id: string | null;
}

const SELECT = `SELECT q.id, q.asker_user_id, u.display_name AS asker_name, q.title, q.body, q.status, q.created_at,
    (SELECT f.id FROM faq_entries f WHERE f.source_question_id = q.id ORDER BY f.id LIMIT 1) AS faq_id
  FROM ask_questions q LEFT JOIN users u ON u.id = q.asker_user_id`;

export interface Asker {
  userId: string;
  answerer: boolean;
}

async function views(q: Queryable, me: Asker, rows: QRow[]): Promise<QuestionView[]> {
  const answers = await q.query<{
    id: string;
    question_id: string;
    body: string;
    author: string | null;
    created_at: Date | string;
  }>(
    `SELECT a.id, a.question_id, a.body, u.display_name AS author, a.created_at FROM ask_answers a
     LEFT JOIN users u ON u.id = a.author_user_id WHERE a.question_id = ANY ($1::text[]) ORDER BY a.id`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    body: r.body,
    status: r.status,
    askedBy: me.answerer || r.asker_user_id === me.userId ? r.asker_name : null,
    mine: r.asker_user_id === me.userId,
    createdAt: iso(r.created_at) as string,
    answers: answers.rows
      .filter((a) => a.question_id === r.id)
      .map((a) => ({ id: a.id, body: a.body, author: a.author, createdAt: iso(a.created_at) as string })),
    faqId: r.faq_id,
  }));
}

export async function getQuestion(q: Queryable, me: Asker, id: string): Promise<QuestionView> {
  const row = (await q.query<QRow>(`${SELECT} WHERE q.id = $1`, [id])).rows[0];
  if (!row || (!me.answerer && row.asker_user_id !== me.userId))
    throw notFound("ask.question_not_found", "No such question");
  return (await views(q, me, [row]))[0]!;
}

export async function listQuestions(
  q: Queryable,
  me: Asker,
  f: { status?: "open" | "answered"; mine?: boolean; q?: string; cursor?: string; limit: number },
): Promise<{ items: QuestionView[]; nextCursor: string | null }> {
  const values: unknown[] = [];
  const v = (x: unknown) => {
    values.push(x);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (f.mine || !me.answerer) where.push(`q.asker_user_id = ${v(me.userId)}`);
  if (f.status) where.push(`q.status = ${v(f.status)}`);
  if (f.q)
    where.push(
      `(q.title ILIKE ${v(`%${f.q.replace(/[\\%_]/g, "\\$&")}%`)} OR q.body ILIKE $${values.length})`,
    );
  const after = decodeCursor(f.cursor, z.object({ b: z.string() }).strict());
  if (after) where.push(`q.id < ${v(after.b)}`);
  const rows = (
    await q.query<QRow>(
      `${SELECT}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY q.id DESC LIMIT ${v(f.limit + 1)}`,
      values,
    )
  ).rows;
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    items: await views(q, me, page),
    nextCursor: rows.length > f.limit && last ? encodeCursor({ b: last.id }) : null,
  };
}

export async function askQuestion(
  q: Queryable,
  ctx: AuditContext,
  userId: string,
  input: z.infer<typeof questionInput>,
): Promise<string> {
  const id = ulid();
  await q.query("INSERT INTO ask_questions (id, asker_user_id, title, body) VALUES ($1, $2, $3, $4)", [
    id,
    userId,
    input.title,
    input.body,
  ]);
  await appendAudit(q, ctx, { action: "ask.question_asked", targetType: "ask_question", targetId: id });
  return id;
}

export async function answerQuestion(
  q: Queryable,
  ctx: AuditContext & { actorId?: string | null },
  id: string,
  body: string,
): Promise<void> {
  const r = await q.query("UPDATE ask_questions SET status = 'answered', updated_at = now() WHERE id = $1", [
    id,
  ]);
  if (!r.rowCount) throw notFound("ask.question_not_found", "No such question");
  const answerId = ulid();
  await q.query("INSERT INTO ask_answers (id, question_id, author_user_id, body) VALUES ($1, $2, $3, $4)", [
    answerId,
    id,
    ctx.actorId ?? null,
    body,
  ]);
  await appendAudit(q, ctx, {
    action: "ask.answered",
    targetType: "ask_question",
    targetId: id,
    details: { answerId },
  });
}

export async function promoteToFaq(
  q: Queryable,
  ctx: AuditContext & { actorId?: string | null },
  id: string,
  p: z.infer<typeof promoteInput>,
): Promise<string> {
  const src = (
    await q.query<{ title: string; body: string }>(
      `SELECT q.title, a.body FROM ask_questions q JOIN ask_answers a ON a.question_id = q.id
       WHERE q.id = $1 AND a.id = $2`,
      [id, p.answerId],
    )
  ).rows[0];
  if (!src) {
    const exists = await q.query("SELECT 1 FROM ask_questions WHERE id = $1", [id]);
    if (!exists.rowCount) throw notFound("ask.question_not_found", "No such question");
    throw unprocessable("ask.unknown_answer", "That answer does not belong to this question", [
      { path: "answerId", message: "is not an answer to this question" },
    ]);
  }
  const faqId = ulid();
  await q.query(
    "INSERT INTO faq_entries (id, question, answer, source_question_id, created_by) VALUES ($1, $2, $3, $4, $5)",
    [faqId, p.question ?? src.title, p.answer ?? src.body, id, ctx.actorId ?? null],
  );
  await appendAudit(q, ctx, {
    action: "ask.faq_added",
    targetType: "faq_entry",
    targetId: faqId,
    details: { questionId: id },
  });
  return faqId;
}

export async function searchFaq(
  q: Queryable,
  f: { q?: string; cursor?: string; limit: number },
): Promise<{ items: z.infer<typeof faqView>[]; nextCursor: string | null }> {
  const after = decodeCursor(f.cursor, z.object({ b: z.string() }).strict());
  const rows = (
    await q.query<{ id: string; question: string; answer: string; created_at: Date | string }>(
      `SELECT id, question, answer, created_at FROM faq_entries
       WHERE ($1::text IS NULL OR search @@ plainto_tsquery('simple', $1) OR question ILIKE '%' || $1 || '%')
         AND ($2::text IS NULL OR id < $2)
       ORDER BY id DESC LIMIT $3`,
      [f.q || null, after?.b ?? null, f.limit + 1],
    )
  ).rows;
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      question: r.question,
      answer: r.answer,
      createdAt: iso(r.created_at) as string,
    })),
    nextCursor: rows.length > f.limit && last ? encodeCursor({ b: last.id }) : null,
  };
}

export async function deleteFaq(q: Queryable, ctx: AuditContext, id: string): Promise<void> {
  const r = await q.query("DELETE FROM faq_entries WHERE id = $1", [id]);
  if (!r.rowCount) throw notFound("ask.faq_not_found", "No such FAQ entry");
  await appendAudit(q, ctx, { action: "ask.faq_removed", targetType: "faq_entry", targetId: id });
}

export async function getFaq(q: Queryable, id: string): Promise<z.infer<typeof faqView>> {
  const r = (
    await q.query<{ id: string; question: string; answer: string; created_at: Date | string }>(
      "SELECT id, question, answer, created_at FROM faq_entries WHERE id = $1",
      [id],
    )
  ).rows[0];
  if (!r) throw notFound("ask.faq_not_found", "No such FAQ entry");
  return { id: r.id, question: r.question, answer: r.answer, createdAt: iso(r.created_at) as string };
}
