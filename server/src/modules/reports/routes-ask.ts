import type { FastifyRequest } from "fastify";
import { z } from "zod";
import {
  type Asker,
  answerInput,
  answerQuestion,
  askQuestion,
  deleteFaq,
  faqView,
  getFaq,
  getQuestion,
  listQuestions,
  promoteInput,
  promoteToFaq,
  questionInput,
  questionView,
  searchFaq,
} from "./ask.js";
import { caller, type ReportsDeps } from "./context.js";
import { ASK_ANSWER } from "./policy.js";
import { idParams } from "./schemas.js";

const asker = (req: FastifyRequest): Asker => {
  const me = caller(req);
  return { userId: me.userId, answerer: me.permissions.has("ask:answer") };
};

/** Ask Security: questions, answers and the FAQ. */
export function askRoutes({ app, db }: ReportsDeps) {
  const tags = ["reports: ask security"];

  app.get(
    "/api/v1/ask/questions",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Questions, newest first: your own, or (Security and IT) everyone's",
        querystring: z
          .object({
            status: z.enum(["open", "answered"]).optional(),
            mine: z.enum(["1", "0", "true", "false"]).optional(),
            q: z.string().trim().max(200).optional(),
            cursor: z.string().max(500).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(questionView), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) =>
      listQuestions(db, asker(req), {
        ...req.query,
        mine: req.query.mine === "1" || req.query.mine === "true",
      }),
  );

  app.post(
    "/api/v1/ask/questions",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Ask Security something that is not urgent (urgent: report it instead)",
        body: questionInput,
        response: { 201: questionView },
      },
    },
    async (req, reply) => {
      const me = asker(req);
      const id = await db.tx((q) => askQuestion(q, req.auditCtx, me.userId, req.body));
      return reply.status(201).send(await getQuestion(db, me, id));
    },
  );

  app.get(
    "/api/v1/ask/questions/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "One question with its answers",
        params: idParams,
        response: { 200: questionView },
      },
    },
    async (req) => getQuestion(db, asker(req), req.params.id),
  );

  app.post(
    "/api/v1/ask/questions/:id/answers",
    {
      config: { access: ASK_ANSWER },
      schema: {
        tags,
        summary: "Answer a question",
        params: idParams,
        body: answerInput,
        response: { 200: questionView },
      },
    },
    async (req) => {
      await db.tx((q) => answerQuestion(q, req.auditCtx, req.params.id, req.body.body));
      return getQuestion(db, asker(req), req.params.id);
    },
  );

  app.post(
    "/api/v1/ask/questions/:id/faq",
    {
      config: { access: ASK_ANSWER },
      schema: {
        tags,
        summary: "Promote an answer to the FAQ (optionally reworded, without anything personal)",
        params: idParams,
        body: promoteInput,
        response: { 201: faqView },
      },
    },
    async (req, reply) => {
      const id = await db.tx((q) => promoteToFaq(q, req.auditCtx, req.params.id, req.body));
      return reply.status(201).send(await getFaq(db, id));
    },
  );

  app.get(
    "/api/v1/ask/faq",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "The FAQ: answers Security has published for everyone, searchable",
        querystring: z
          .object({
            q: z.string().trim().max(200).optional(),
            cursor: z.string().max(500).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(faqView), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => searchFaq(db, req.query),
  );

  app.delete(
    "/api/v1/ask/faq/:id",
    {
      config: { access: ASK_ANSWER },
      schema: { tags, summary: "Remove an FAQ entry", params: idParams },
    },
    async (req, reply) => {
      await db.tx((q) => deleteFaq(q, req.auditCtx, req.params.id));
      return reply.status(204).send();
    },
  );
}
