import { z } from "zod";
import type { RouteDeps } from "./context.js";
import {
  createModule,
  getModule,
  listModules,
  MODULE_STATUSES,
  moduleInput,
  moduleSchema,
  moduleSummarySchema,
  replaceModule,
  setModuleStatus,
} from "./modules.js";
import { AWARENESS_AUTHOR, AWARENESS_READ } from "./policy.js";
import { idParams } from "./routes-policies.js";

const tags = ["awareness: training"];

/** Training authoring: content, quiz questions with their correct options, publish, retire. */
export function moduleRoutes({ app, db }: RouteDeps) {
  app.get(
    "/api/v1/awareness/modules",
    {
      config: { access: AWARENESS_READ },
      schema: {
        tags,
        summary: "Training modules with their completion progress",
        querystring: z
          .object({
            q: z.string().trim().max(200).optional(),
            status: z.enum(MODULE_STATUSES).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).max(100_000).default(0),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(moduleSummarySchema), total: z.number() }) },
      },
    },
    async (req) => listModules(db, req.query),
  );

  app.post(
    "/api/v1/awareness/modules",
    {
      config: { access: AWARENESS_AUTHOR },
      schema: {
        tags,
        summary: "Create a training module (a draft)",
        body: moduleInput,
        response: { 201: moduleSchema },
      },
    },
    async (req, reply) => {
      const view = await db.tx(async (q) => getModule(q, await createModule(q, req.auditCtx, req.body)));
      return reply.status(201).send(view);
    },
  );

  app.get(
    "/api/v1/awareness/modules/:id",
    {
      config: { access: AWARENESS_READ },
      schema: {
        tags,
        summary: "A module with its content and quiz (correct options included: authors and auditors only)",
        params: idParams,
        response: { 200: moduleSchema },
      },
    },
    async (req) => getModule(db, req.params.id),
  );

  app.put(
    "/api/v1/awareness/modules/:id",
    {
      config: { access: AWARENESS_AUTHOR },
      schema: {
        tags,
        summary: "Replace a module's content, settings and questions (ids sent back are kept)",
        params: idParams,
        body: moduleInput,
        response: { 200: moduleSchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        await replaceModule(q, req.auditCtx, req.params.id, req.body);
        return getModule(q, req.params.id);
      }),
  );

  for (const [verb, status] of [
    ["publish", "published"],
    ["retire", "retired"],
  ] as const) {
    app.post(
      `/api/v1/awareness/modules/:id/${verb}`,
      {
        config: { access: AWARENESS_AUTHOR },
        schema: {
          tags,
          summary:
            verb === "publish"
              ? "Publish a module so rules and HR can assign it"
              : "Retire a module; its open assignments are closed",
          params: idParams,
          response: { 200: moduleSchema },
        },
      },
      async (req) =>
        db.tx(async (q) => {
          await setModuleStatus(q, req.auditCtx, req.params.id, status);
          return getModule(q, req.params.id);
        }),
    );
  }
}
