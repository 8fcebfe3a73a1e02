import { z } from "zod";
import type { RouteDeps } from "../context.js";
import { idParams } from "../routes-policies.js";
import { PHISHING_RESULTS, PHISHING_RUN } from "./policy.js";
import {
  archiveTemplate,
  createTemplate,
  getTemplate,
  listTemplates,
  previewTemplate,
  templateInput,
  templateSchema,
  templateSummarySchema,
  updateTemplate,
} from "./templates.js";

const tags = ["awareness: phishing"];

/** Phishing templates: write (phishing:run), read (phishing:results), preview, archive. */
export function templateRoutes({ app, db }: RouteDeps, opts: { company: string; baseUrl: string }) {
  app.get(
    "/api/v1/awareness/phishing/templates",
    {
      config: { access: PHISHING_RESULTS },
      schema: {
        tags,
        summary: "Phishing templates (archived ones only when asked for)",
        querystring: z
          .object({
            q: z.string().trim().max(200).optional(),
            includeArchived: z
              .enum(["true", "false"])
              .transform((v) => v === "true")
              .optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).max(100_000).default(0),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(templateSummarySchema), total: z.number() }) },
      },
    },
    async (req) => listTemplates(db, req.query),
  );

  app.post(
    "/api/v1/awareness/phishing/templates",
    {
      config: { access: PHISHING_RUN },
      schema: {
        tags,
        summary: "Create a phishing template",
        body: templateInput,
        response: { 201: templateSchema },
      },
    },
    async (req, reply) => {
      const view = await db.tx(async (q) => getTemplate(q, await createTemplate(q, req.auditCtx, req.body)));
      return reply.status(201).send(view);
    },
  );

  app.get(
    "/api/v1/awareness/phishing/templates/:id",
    {
      config: { access: PHISHING_RESULTS },
      schema: { tags, summary: "A phishing template", params: idParams, response: { 200: templateSchema } },
    },
    async (req) => getTemplate(db, req.params.id),
  );

  app.put(
    "/api/v1/awareness/phishing/templates/:id",
    {
      config: { access: PHISHING_RUN },
      schema: {
        tags,
        summary: "Replace a phishing template (campaigns not yet sent use the new text)",
        params: idParams,
        body: templateInput,
        response: { 200: templateSchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        await updateTemplate(q, req.auditCtx, req.params.id, req.body);
        return getTemplate(q, req.params.id);
      }),
  );

  app.post(
    "/api/v1/awareness/phishing/templates/:id/archive",
    {
      config: { access: PHISHING_RUN },
      schema: {
        tags,
        summary: "Archive a template: kept for its campaigns, no new campaign can use it",
        params: idParams,
        response: { 200: templateSchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        await archiveTemplate(q, req.auditCtx, req.params.id);
        return getTemplate(q, req.params.id);
      }),
  );

  app.post(
    "/api/v1/awareness/phishing/templates/:id/preview",
    {
      config: { access: PHISHING_RUN },
      schema: {
        tags,
        summary: "The template as a sample person, or the given person, would receive it",
        params: idParams,
        body: z
          .object({ personId: z.string().min(1).max(40).optional() })
          .strict()
          .default({}),
        response: { 200: z.object({ subject: z.string(), html: z.string(), text: z.string() }) },
      },
    },
    async (req) => previewTemplate(db, req.params.id, req.body.personId, opts),
  );
}
