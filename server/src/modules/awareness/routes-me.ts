import { z } from "zod";
import { notFound } from "../../platform/http/index.js";
import { findPersonBy } from "../people/index.js";
import { certificatePdf, findCertificate } from "./certificate.js";
import type { RouteDeps } from "./context.js";
import { caller } from "./context.js";
import {
  acknowledge,
  myItemSchema,
  myItems,
  myModule,
  myModuleSchema,
  myPolicy,
  myPolicySchema,
} from "./me.js";
import { answersInput, attemptSchema, resultSchema, startAttempt, submitAttempt } from "./quiz.js";
import { idParams } from "./routes-policies.js";

const tags = ["awareness: my training and policies"];

/** Every signed-in person's own assignments; nothing here shows anyone else's. */
export function meRoutes({ app, db, events }: RouteDeps) {
  const me = async (req: Parameters<typeof caller>[0]) => {
    const p = await findPersonBy(db, { userId: caller(req).userId });
    if (!p) throw notFound("awareness.no_person", "Your account is not linked to an HR record");
    return { id: p.id, name: p.preferred_name || p.legal_name, userId: caller(req).userId };
  };

  app.get(
    "/api/v1/awareness/me",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "My policies to acknowledge and training to complete, with due dates",
        querystring: z.object({ status: z.enum(["open", "done", "closed"]).optional() }).strict(),
        response: { 200: z.object({ linked: z.boolean(), items: z.array(myItemSchema) }) },
      },
    },
    async (req) => {
      const p = await findPersonBy(db, { userId: caller(req).userId });
      if (!p) return { linked: false, items: [] };
      return { linked: true, items: await myItems(db, p.id, req.query.status) };
    },
  );

  app.get(
    "/api/v1/awareness/me/policies/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "A policy asked of me: its current version to read, and my acknowledgements",
        params: idParams,
        response: { 200: myPolicySchema },
      },
    },
    async (req) => myPolicy(db, (await me(req)).id, req.params.id),
  );

  app.post(
    "/api/v1/awareness/me/policies/:id/acknowledge",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "I have read and accept version N (repeating it changes nothing)",
        params: idParams,
        body: z.object({ version: z.number().int().min(1).max(100_000) }).strict(),
        response: { 200: myPolicySchema },
      },
    },
    async (req) => {
      const who = await me(req);
      return db.tx((q) => acknowledge(q, req.auditCtx, events, who, req.params.id, req.body.version));
    },
  );

  app.get(
    "/api/v1/awareness/me/modules/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "A training assigned to me: its content, my attempts and certificate",
        params: idParams,
        response: { 200: myModuleSchema },
      },
    },
    async (req) => myModule(db, (await me(req)).id, req.params.id),
  );

  app.post(
    "/api/v1/awareness/me/modules/:id/attempts",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary:
          "Start the quiz (or continue the attempt under way): questions and options, never the answers",
        params: idParams,
        response: { 201: attemptSchema },
      },
    },
    async (req, reply) => {
      const who = await me(req);
      return reply.status(201).send(await db.tx((q) => startAttempt(q, req.auditCtx, who.id, req.params.id)));
    },
  );

  app.post(
    "/api/v1/awareness/me/attempts/:id/submit",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Submit my answers once; graded on the server",
        params: idParams,
        body: answersInput,
        response: { 200: resultSchema },
      },
    },
    async (req) => {
      const who = await me(req);
      return db.tx((q) => submitAttempt(q, req.auditCtx, events, who, req.params.id, req.body.answers));
    },
  );

  app.get(
    "/api/v1/awareness/me/certificates/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "My training certificate as PDF (the download is audited)",
        params: idParams,
        description: "Answers application/pdf as an attachment.",
      },
    },
    async (req, reply) => {
      const who = await me(req);
      const pdf = await db.tx(async (q) =>
        certificatePdf(q, req.auditCtx, await findCertificate(q, req.params.id, who.id), caller(req).email),
      );
      return reply
        .type("application/pdf")
        .header("content-disposition", `attachment; filename="certificate-${req.params.id}.pdf"`)
        .send(pdf);
    },
  );
}
