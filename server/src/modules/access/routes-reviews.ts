import { z } from "zod";
import { decodeCursor, encodeCursor, type TypedApp } from "../../platform/http/index.js";
import type { AccessDeps } from "./context.js";
import { caller } from "./context.js";
import { ACCESS_ADMIN, ACCESS_READ } from "./policy.js";
import { createReviewService, defineReviewJobs, type ReviewDeps, type ReviewService } from "./reviews.js";
import {
  bulkDecisionInput,
  CAMPAIGN_STATES,
  campaignDetailSchema,
  campaignInput,
  campaignSchema,
  decisionInput,
  itemQuery,
  itemSchema,
} from "./reviews-schemas.js";
import { getCampaign, listCampaigns, listItems, myOpenItems } from "./reviews-views.js";
import { idParams } from "./schemas.js";

const tags = ["access: reviews"];
const itemParams = z.object({ itemId: z.string().min(1).max(40) }).strict();

export interface ReviewRouteDeps {
  app: TypedApp;
  db: AccessDeps["db"];
  reviews: ReviewService;
}

/** Access reviews: the service, its routes, and the recurring pass (reminders, closing at the due date). */
export function registerReviews(deps: AccessDeps, access: ReviewDeps["access"]): ReviewService {
  const reviews = createReviewService({ db: deps.db, jobs: deps.jobs, access, config: deps.config });
  reviewRoutes({ app: deps.app, db: deps.db, reviews });
  defineReviewJobs(deps.jobs, reviews);
  return reviews;
}

/**
 * Access reviews. Creating, starting and closing a campaign is for access admins; reading
 * and deciding is open to every signed-in user, and the service lets each one see and
 * decide only the items assigned to them (access readers see everything, decide nothing
 * that is not theirs unless they are access admins acting as delegates).
 */
export function reviewRoutes({ app, db, reviews }: ReviewRouteDeps) {
  const actor = (req: Parameters<typeof caller>[0]) => reviews.actorOf(caller(req));

  app.post(
    "/api/v1/access/reviews",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Create an access review campaign (a draft until started); the caller owns it",
        body: campaignInput,
        response: { 201: campaignDetailSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await reviews.create(req.auditCtx, caller(req), req.body)),
  );

  app.get(
    "/api/v1/access/reviews",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Access review campaigns, newest first (reviewers see those they review in)",
        querystring: z
          .object({
            state: z.enum(CAMPAIGN_STATES).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(campaignSchema) }) },
      },
    },
    async (req) => ({ items: await listCampaigns(db, await actor(req), req.query) }),
  );

  app.get(
    "/api/v1/access/reviews/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "A campaign with its progress, overall and per reviewer",
        params: idParams,
        response: { 200: campaignDetailSchema },
      },
    },
    async (req) => getCampaign(db, req.params.id, await actor(req)),
  );

  app.post(
    "/api/v1/access/reviews/:id/start",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Start a campaign: the grants in scope become review items, each with its reviewer",
        description:
          "The grants are taken from the actual state as last read (sync the systems first for a fresh read). Items without a usable reviewer go to the campaign owner, flagged.",
        params: idParams,
        response: { 200: campaignDetailSchema },
      },
    },
    async (req) => {
      await reviews.start(req.auditCtx, req.params.id);
      return getCampaign(db, req.params.id, { ...(await actor(req)), reader: true });
    },
  );

  app.post(
    "/api/v1/access/reviews/:id/close",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Close a campaign now: items nobody decided become not_reviewed",
        params: idParams,
        response: { 200: campaignDetailSchema },
      },
    },
    async (req) => {
      await reviews.close(req.auditCtx, req.params.id, "manual");
      return getCampaign(db, req.params.id, { ...(await actor(req)), reader: true });
    },
  );

  app.get(
    "/api/v1/access/reviews/:id/items",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary:
          "A campaign's items (reviewer=me: the caller's; reviewers who are not access readers see only theirs)",
        params: idParams,
        querystring: itemQuery,
        response: { 200: z.object({ items: z.array(itemSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const after = decodeCursor(req.query.cursor, z.object({ id: z.string().max(40) }));
      const page = await listItems(db, req.params.id, await actor(req), { ...req.query, after: after?.id });
      return { items: page.items, nextCursor: page.next ? encodeCursor({ id: page.next }) : null };
    },
  );

  app.post(
    "/api/v1/access/reviews/items/:itemId/decision",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary:
          "Keep or revoke one item (a reason is required to revoke); a revocation is carried out at once",
        params: itemParams,
        body: decisionInput,
        response: { 200: itemSchema },
      },
    },
    async (req) => {
      const [item] = await reviews.decide(req.auditCtx, await actor(req), [req.params.itemId], req.body);
      return item as z.infer<typeof itemSchema>;
    },
  );

  app.post(
    "/api/v1/access/reviews/:id/decisions",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Keep or revoke several items of a campaign at once (all or nothing)",
        params: idParams,
        body: bulkDecisionInput,
        response: { 200: z.object({ items: z.array(itemSchema) }) },
      },
    },
    async (req) => {
      const { itemIds, ...decision } = req.body;
      return {
        items: await reviews.decide(req.auditCtx, await actor(req), itemIds, decision, req.params.id),
      };
    },
  );

  app.get(
    "/api/v1/me/reviews",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "My open review items across campaigns, the soonest due first",
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(200) }).strict(),
        response: { 200: z.object({ items: z.array(itemSchema) }) },
      },
    },
    async (req) => ({ items: await myOpenItems(db, await actor(req), req.query.limit) }),
  );

  for (const format of ["csv", "pdf"] as const) {
    app.get(
      `/api/v1/access/reviews/:id/export.${format}`,
      {
        config: { access: ACCESS_READ },
        schema: {
          tags,
          summary:
            format === "csv"
              ? "The campaign as evidence, CSV: every item with reviewer, decision, time and comment (audited)"
              : "The campaign as evidence, PDF: facts, counts, every item with reviewer, decision, time and comment (audited)",
          params: idParams,
        },
      },
      async (req, reply) => {
        const who = caller(req);
        const out = await reviews.exportAs(req.auditCtx, req.params.id, format, who.email);
        return reply
          .type(format === "csv" ? "text/csv; charset=utf-8" : "application/pdf")
          .header("content-disposition", `attachment; filename="${out.filename}"`)
          .header("cache-control", "no-store")
          .send(out.body);
      },
    );
  }
}
