import { z } from "zod";
import type { Jobs } from "../../../platform/jobs/index.js";
import type { RouteDeps } from "../context.js";
import { idParams } from "../routes-policies.js";
import {
  CAMPAIGN_STATUSES,
  campaignInput,
  campaignSchema,
  cancelCampaign,
  createCampaign,
  getCampaign,
  listCampaigns,
  listRecipients,
  RECIPIENT_STATUSES,
  recipientSchema,
  resendRecipient,
  STAGES,
  scheduleCampaign,
  updateCampaign,
} from "./campaigns.js";
import { PHISHING_RESULTS, PHISHING_RUN } from "./policy.js";
import { kickSender } from "./sender.js";

const tags = ["awareness: phishing"];
const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

/** Campaigns: drafts, scheduling over an audience and a window, cancelling, recipients, resending. */
export function campaignRoutes({ app, db }: RouteDeps, jobs: Jobs) {
  const base = "/api/v1/awareness/phishing/campaigns";
  app.get(
    base,
    {
      config: { access: PHISHING_RESULTS },
      schema: {
        tags,
        summary: "Phishing campaigns with their counts",
        querystring: z.object({ status: z.enum(CAMPAIGN_STATUSES).optional(), ...page }).strict(),
        response: { 200: z.object({ items: z.array(campaignSchema), total: z.number() }) },
      },
    },
    async (req) => listCampaigns(db, req.query),
  );

  app.post(
    base,
    {
      config: { access: PHISHING_RUN },
      schema: {
        tags,
        summary: "Create a campaign (a draft)",
        body: campaignInput,
        response: { 201: campaignSchema },
      },
    },
    async (req, reply) => {
      const view = await db.tx(async (q) => getCampaign(q, await createCampaign(q, req.auditCtx, req.body)));
      return reply.status(201).send(view);
    },
  );

  app.get(
    `${base}/:id`,
    {
      config: { access: PHISHING_RESULTS },
      schema: {
        tags,
        summary: "A campaign with its counts",
        params: idParams,
        response: { 200: campaignSchema },
      },
    },
    async (req) => getCampaign(db, req.params.id),
  );

  app.put(
    `${base}/:id`,
    {
      config: { access: PHISHING_RUN },
      schema: {
        tags,
        summary: "Replace a draft campaign",
        params: idParams,
        body: campaignInput,
        response: { 200: campaignSchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        await updateCampaign(q, req.auditCtx, req.params.id, req.body);
        return getCampaign(q, req.params.id);
      }),
  );

  app.post(
    `${base}/:id/schedule`,
    {
      config: { access: PHISHING_RUN },
      schema: {
        tags,
        summary: "Schedule a draft: the audience becomes recipients, sent at random moments over the window",
        params: idParams,
        response: {
          200: z.object({
            scheduled: z.number(),
            skipped: z.array(
              z.object({ personId: z.string(), name: z.string(), email: z.string(), reason: z.string() }),
            ),
          }),
        },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        const r = await scheduleCampaign(q, req.auditCtx, req.params.id);
        if (r.firstSendAt) await kickSender(jobs, q, r.firstSendAt);
        return { scheduled: r.scheduled, skipped: r.skipped };
      }),
  );

  app.post(
    `${base}/:id/cancel`,
    {
      config: { access: PHISHING_RUN },
      schema: {
        tags,
        summary: "Cancel a campaign: recipients not yet sent to are dropped",
        params: idParams,
        response: { 200: campaignSchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        await cancelCampaign(q, req.auditCtx, req.params.id);
        return getCampaign(q, req.params.id);
      }),
  );

  app.get(
    `${base}/:id/recipients`,
    {
      config: { access: PHISHING_RESULTS },
      schema: {
        tags,
        summary: "A campaign's recipients with their sending state and stages",
        params: idParams,
        querystring: z
          .object({
            status: z.enum(RECIPIENT_STATUSES).optional(),
            stage: z.enum(STAGES).optional(),
            departmentId: z.string().min(1).max(40).optional(),
            q: z.string().trim().max(200).optional(),
            ...page,
          })
          .strict(),
        response: { 200: z.object({ items: z.array(recipientSchema), total: z.number() }) },
      },
    },
    async (req) => listRecipients(db, req.params.id, req.query),
  );

  app.post(
    `${base}/:id/recipients/:rid/resend`,
    {
      config: { access: PHISHING_RUN },
      schema: {
        tags,
        summary: "Send a failed or uncertain message again",
        params: z.object({ id: z.string().min(1).max(40), rid: z.string().min(1).max(40) }).strict(),
        response: { 200: campaignSchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        await resendRecipient(q, req.auditCtx, req.params.id, req.params.rid);
        await kickSender(jobs, q, new Date());
        return getCampaign(q, req.params.id);
      }),
  );
}
