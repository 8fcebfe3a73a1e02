import { z } from "zod";
import type { RouteDeps } from "./context.js";
import {
  createPolicy,
  draftInput,
  getPolicy,
  getVersion,
  listPolicies,
  POLICY_STATUSES,
  policyInput,
  policyPatch,
  policySchema,
  policySummarySchema,
  publishPolicy,
  retirePolicy,
  saveDraft,
  updatePolicy,
  versionBodySchema,
} from "./policies.js";
import { AWARENESS_AUTHOR, AWARENESS_READ } from "./policy.js";

const tags = ["awareness: policies"];
export const idParams = z.object({ id: z.string().min(1).max(40) }).strict();

/** Policy authoring: HR, Security and admins write; auditors read. */
export function policyRoutes({ app, db, events }: RouteDeps) {
  app.get(
    "/api/v1/awareness/policies",
    {
      config: { access: AWARENESS_READ },
      schema: {
        tags,
        summary: "Policies with their status, review date and acknowledgement progress",
        querystring: z
          .object({
            q: z.string().trim().max(200).optional(),
            status: z.enum(POLICY_STATUSES).optional(),
            reviewOverdue: z
              .enum(["true", "false"])
              .transform((v) => v === "true")
              .optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).max(100_000).default(0),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(policySummarySchema), total: z.number() }) },
      },
    },
    async (req) => listPolicies(db, req.query),
  );

  app.post(
    "/api/v1/awareness/policies",
    {
      config: { access: AWARENESS_AUTHOR },
      schema: {
        tags,
        summary: "Create a policy (its first version is a draft)",
        body: policyInput,
        response: { 201: policySchema },
      },
    },
    async (req, reply) => {
      const view = await db.tx(async (q) => getPolicy(q, await createPolicy(q, req.auditCtx, req.body)));
      return reply.status(201).send(view);
    },
  );

  app.get(
    "/api/v1/awareness/policies/:id",
    {
      config: { access: AWARENESS_READ },
      schema: {
        tags,
        summary: "A policy with its versions",
        params: idParams,
        response: { 200: policySchema },
      },
    },
    async (req) => getPolicy(db, req.params.id),
  );

  app.patch(
    "/api/v1/awareness/policies/:id",
    {
      config: { access: AWARENESS_AUTHOR },
      schema: {
        tags,
        summary: "Change title, owner, review date, audience or acknowledgement days",
        params: idParams,
        body: policyPatch,
        response: { 200: policySchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        await updatePolicy(q, req.auditCtx, req.params.id, req.body);
        return getPolicy(q, req.params.id);
      }),
  );

  app.get(
    "/api/v1/awareness/policies/:id/versions/:version",
    {
      config: { access: AWARENESS_READ },
      schema: {
        tags,
        summary: "One version's text (Markdown, and rendered as safe HTML)",
        params: z
          .object({ id: z.string().min(1).max(40), version: z.coerce.number().int().min(1).max(100_000) })
          .strict(),
        response: { 200: versionBodySchema },
      },
    },
    async (req) => getVersion(db, req.params.id, req.params.version),
  );

  app.put(
    "/api/v1/awareness/policies/:id/draft",
    {
      config: { access: AWARENESS_AUTHOR },
      schema: {
        tags,
        summary: "Write the draft of the next version (created after the published one if needed)",
        params: idParams,
        body: draftInput,
        response: { 200: policySchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        await saveDraft(q, req.auditCtx, req.params.id, req.body);
        return getPolicy(q, req.params.id);
      }),
  );

  app.post(
    "/api/v1/awareness/policies/:id/publish",
    {
      config: { access: AWARENESS_AUTHOR },
      schema: {
        tags,
        summary:
          "Publish the draft: it becomes current and everyone in the audience is asked to acknowledge it",
        params: idParams,
        response: { 200: policySchema.extend({ asked: z.number() }) },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        const r = await publishPolicy(q, req.auditCtx, events, req.params.id);
        return { ...(await getPolicy(q, req.params.id)), asked: r.asked };
      }),
  );

  app.post(
    "/api/v1/awareness/policies/:id/retire",
    {
      config: { access: AWARENESS_AUTHOR },
      schema: {
        tags,
        summary: "Retire a policy; open acknowledgement requests are closed",
        params: idParams,
        response: { 200: policySchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        await retirePolicy(q, req.auditCtx, req.params.id);
        return getPolicy(q, req.params.id);
      }),
  );
}
