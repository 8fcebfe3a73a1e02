import { z } from "zod";
import type { Db } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import type { TypedApp } from "../../../platform/http/index.js";
import { idParams } from "../routes-policies.js";
import { PHISHING_RESULTS, PHISHING_RUN } from "./policy.js";
import {
  interactionQuery,
  interactionSchema,
  listInteractions,
  overrideInput,
  overrideInteraction,
  repeatClickers,
  repeatQuery,
  repeatSchema,
  results,
  resultsQuery,
  resultsSchema,
} from "./results.js";

/** What was tracked and why it counted, overrides, rates and repeat clickers. */
export function resultsRoutes({ app, db, events }: { app: TypedApp; db: Db; events: Events }) {
  const tags = ["awareness: phishing results"];
  const base = "/api/v1/awareness/phishing";

  app.get(
    `${base}/campaigns/:id/interactions`,
    {
      config: { access: PHISHING_RESULTS },
      schema: {
        tags,
        summary:
          "Every tracked request of a campaign, counted or filtered, with the reason and the request's shape",
        params: idParams,
        querystring: interactionQuery,
        response: {
          200: z.object({
            items: z.array(interactionSchema),
            total: z.number().int(),
            filtered: z.record(z.string(), z.number().int()).describe("Requests not counted, per reason"),
          }),
        },
      },
    },
    async (req) => listInteractions(db, req.params.id, req.query),
  );

  app.post(
    `${base}/interactions/:id/override`,
    {
      config: { access: PHISHING_RUN },
      schema: {
        tags,
        summary:
          "Count or stop counting one tracked request (with a reason; audited); the recipient's stages follow",
        params: idParams,
        body: overrideInput,
        response: { 200: interactionSchema },
      },
    },
    async (req) => {
      const ctx = { ...req.auditCtx, actorId: req.identity?.userId ?? null };
      return db.tx((q) => overrideInteraction(q, events, ctx, req.params.id, req.body));
    },
  );

  app.get(
    `${base}/results`,
    {
      config: { access: PHISHING_RESULTS },
      schema: {
        tags,
        summary: "Click and report rates per department, per month and per campaign",
        querystring: resultsQuery,
        response: { 200: resultsSchema },
      },
    },
    async (req) => results(db, req.query),
  );

  app.get(
    `${base}/repeat-clickers`,
    {
      config: { access: PHISHING_RESULTS },
      schema: {
        tags,
        summary:
          "People who clicked in several simulations, for HR to decide on (Tandem never opens an HR case by itself)",
        querystring: repeatQuery,
        response: { 200: repeatSchema },
      },
    },
    async (req) => repeatClickers(db, req.query),
  );
}
