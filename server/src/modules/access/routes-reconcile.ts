import { z } from "zod";
import { notFound, pageQuery } from "../../platform/http/index.js";
import { ACCESS_ADMIN, ACCESS_READ } from "./policy.js";
import type { Reconciler } from "./reconcile.js";
import { type MatchRule, matchRules, setMatchRules } from "./reconcile-match.js";
import { listFindings, listRuns } from "./reconcile-views.js";
import type { RouteDeps } from "./routes-systems.js";
import {
  acceptInput,
  findingQuery,
  findingSchema,
  fixInput,
  idParams,
  matchRulesInput,
  matchRulesSchema,
  reconcileInput,
  reconcileRunSchema,
} from "./schemas.js";

const tags = ["access: reconciliation"];

/** Reconciliation runs, findings and their decisions, and each system's match rules. */
export function reconcileRoutes({ app, db, reconciler }: RouteDeps & { reconciler: Reconciler }) {
  app.post(
    "/api/v1/access/reconcile",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Start a reconciliation of every enabled system (or the ones named) as a background job",
        body: reconcileInput.optional(),
        response: { 202: z.object({ runId: z.string() }) },
      },
    },
    async (req, reply) => {
      const runId = await reconciler.start(req.auditCtx, req.body?.systemIds);
      return reply.status(202).send({ runId });
    },
  );

  app.get(
    "/api/v1/access/reconcile/runs",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "Reconciliation runs, newest first",
        querystring: pageQuery.strict(),
        response: {
          200: z.object({ items: z.array(reconcileRunSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    async (req) => listRuns(db, req.query),
  );

  app.get(
    "/api/v1/access/reconcile/runs/:id",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "A reconciliation run with its progress per system",
        params: idParams,
        response: { 200: reconcileRunSchema },
      },
    },
    async (req) => reconciler.getRun(req.params.id),
  );

  app.get(
    "/api/v1/access/findings",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "Reconciliation findings, newest first (open ones unless a state is asked for)",
        querystring: findingQuery,
        response: { 200: z.object({ items: z.array(findingSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => listFindings(db, req.query),
  );

  app.post(
    "/api/v1/access/findings/:id/fix",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary:
          "Fix a finding: revoke (an engine plan, breaker and read-back apply), link the account to a person, or grant",
        params: idParams,
        body: fixInput,
        response: { 200: z.object({ finding: findingSchema, planId: z.string().nullable() }) },
      },
    },
    async (req) => reconciler.fix(req.auditCtx, req.params.id, req.body),
  );

  app.post(
    "/api/v1/access/findings/:id/accept",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Accept a finding as an exception, with a justification, until a date (then it reopens)",
        params: idParams,
        body: acceptInput,
        response: { 200: findingSchema },
      },
    },
    async (req) => reconciler.accept(req.auditCtx, req.params.id, req.body),
  );

  const rulesOf = async (systemId: string) => {
    const r = await matchRules(db, systemId);
    return { systemId, rules: r.rules, custom: r.custom };
  };

  app.get(
    "/api/v1/access/systems/:id/matching",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "How the system's accounts are matched to people (identifiers, in order)",
        params: idParams,
        response: { 200: matchRulesSchema },
      },
    },
    async (req) => rulesOf(req.params.id),
  );

  app.put(
    "/api/v1/access/systems/:id/matching",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Set how the system's accounts are matched to people: employee number, email, username",
        params: idParams,
        body: matchRulesInput,
        response: { 200: matchRulesSchema },
      },
    },
    async (req) => {
      await db.tx(async (q) => {
        const sys = await q.query("SELECT 1 FROM systems WHERE id = $1 FOR UPDATE", [req.params.id]);
        if (!sys.rowCount) throw notFound("access.system_not_found", "No such system");
        await setMatchRules(q, req.auditCtx, req.params.id, req.body.rules as MatchRule[]);
      });
      return rulesOf(req.params.id);
    },
  );
}
