import { z } from "zod";
import { caller } from "./context.js";
import { caseInput, caseSchema, caseSummarySchema, OUTCOMES, referralInput } from "./hr-cases.js";
import { HR_CASES_MANAGE, HR_CASES_REFER } from "./policy.js";
import type { RouteDeps } from "./routes-deps.js";
import { idParams } from "./schemas.js";

const tags = ["hr-cases"];

/**
 * Confidential HR cases. Reads are open to any signed-in user at the door and decided per
 * case: HR sees every case, members see theirs, everyone else gets 404.
 */
export function hrCaseRoutes(d: RouteDeps) {
  const { app, db, hrCases, notifier } = d;

  app.get(
    "/api/v1/hr-cases",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "The HR cases I may see (HR: all; others: those I was added to). Reading is audited.",
        querystring: z
          .object({
            q: z.string().trim().max(200).optional(),
            status: z.enum(["open", "closed"]).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).max(100_000).default(0),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(caseSummarySchema), total: z.number() }) },
      },
    },
    async (req) => db.tx((q) => hrCases.list(q, req.auditCtx, caller(req), req.query)),
  );

  app.post(
    "/api/v1/hr-cases",
    {
      config: { access: HR_CASES_MANAGE },
      schema: {
        tags,
        summary: "Open a confidential HR case (manually, from a report or an incident)",
        body: caseInput,
        response: { 201: caseSchema },
      },
    },
    async (req, reply) => {
      const who = caller(req);
      const c = await db.tx(async (q) => {
        const { id } = await hrCases.create(q, req.auditCtx, req.body);
        return hrCases.get(q, req.auditCtx, who, id);
      });
      return reply.status(201).send(c);
    },
  );

  app.post(
    "/api/v1/hr-cases/referrals",
    {
      config: { access: HR_CASES_REFER },
      schema: {
        tags,
        summary: "Refer a matter to HR as a confidential case; the referrer gets its reference, not access",
        body: referralInput,
        response: { 201: z.object({ id: z.string(), reference: z.string() }) },
      },
    },
    async (req, reply) => {
      const r = await db.tx(async (q) => {
        const made = await hrCases.refer(q, req.auditCtx, req.body);
        await notifier.notify(q, {
          kind: "hr_case.referred",
          severity: "high",
          title: `A matter was referred to HR as case ${made.reference}`,
          link: `/hr-cases/${made.id}`,
          to: { roles: ["hr"] },
        });
        return made;
      });
      return reply.status(201).send(r);
    },
  );

  app.get(
    "/api/v1/hr-cases/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "One case with its notes and members (the read is audited)",
        params: idParams,
        response: { 200: caseSchema },
      },
    },
    async (req) => db.tx((q) => hrCases.get(q, req.auditCtx, caller(req), req.params.id)),
  );

  app.patch(
    "/api/v1/hr-cases/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Edit the title or details (HR and members)",
        params: idParams,
        body: z
          .object({
            title: z.string().trim().min(1).max(200).optional(),
            details: z.string().trim().max(50_000).optional(),
          })
          .strict(),
        response: { 200: caseSchema },
      },
    },
    async (req) => db.tx((q) => hrCases.edit(q, req.auditCtx, caller(req), req.params.id, req.body)),
  );

  app.post(
    "/api/v1/hr-cases/:id/notes",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Add a note (encrypted; HR and members)",
        params: idParams,
        body: z.object({ text: z.string().trim().min(1).max(50_000) }).strict(),
        response: { 201: caseSchema },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await db.tx((q) => hrCases.addNote(q, req.auditCtx, caller(req), req.params.id, req.body.text)),
        ),
  );

  app.post(
    "/api/v1/hr-cases/:id/members",
    {
      config: { access: HR_CASES_MANAGE },
      schema: {
        tags,
        summary: "Add a member who may then see the case",
        params: idParams,
        body: z.object({ userId: z.string().min(1).max(40) }).strict(),
        response: { 200: caseSchema },
      },
    },
    async (req) =>
      db.tx((q) => hrCases.setMember(q, req.auditCtx, caller(req), req.params.id, req.body.userId, true)),
  );

  app.delete(
    "/api/v1/hr-cases/:id/members/:userId",
    {
      config: { access: HR_CASES_MANAGE },
      schema: {
        tags,
        summary: "Remove a member",
        params: z.object({ id: z.string().min(1).max(40), userId: z.string().min(1).max(40) }).strict(),
        response: { 200: caseSchema },
      },
    },
    async (req) =>
      db.tx((q) => hrCases.setMember(q, req.auditCtx, caller(req), req.params.id, req.params.userId, false)),
  );

  app.post(
    "/api/v1/hr-cases/:id/close",
    {
      config: { access: HR_CASES_MANAGE },
      schema: {
        tags,
        summary: "Close with an outcome; closed cases are deleted after the retention period",
        params: idParams,
        body: z.object({ outcome: z.enum(OUTCOMES) }).strict(),
        response: { 200: caseSchema },
      },
    },
    async (req) => db.tx((q) => hrCases.close(q, req.auditCtx, caller(req), req.params.id, req.body.outcome)),
  );
}
