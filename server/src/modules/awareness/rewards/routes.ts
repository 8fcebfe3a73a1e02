import { z } from "zod";
import type { Queryable } from "../../../platform/db/index.js";
import { AppError } from "../../../platform/http/index.js";
import { findPersonBy } from "../../people/index.js";
import { caller, type RouteDeps } from "../context.js";
import { idParams } from "../routes-policies.js";
import { buildExport, exportCsv } from "./export.js";
import { leaderboard, leaderboardSchema } from "./leaderboard.js";
import {
  entrySchema,
  history,
  optedIn,
  pointsOf,
  pointValueSchema,
  pointValues,
  pointValuesInput,
  setOptIn,
  setPointValues,
} from "./ledger.js";
import {
  createObjective,
  deleteObjective,
  getObjective,
  listObjectives,
  myObjectiveSchema,
  myObjectives,
  objectiveInput,
  objectivePatch,
  objectiveQuery,
  objectiveSchema,
  updateObjective,
} from "./objectives.js";
import { currentPeriod, customSpan, requirePeriod, thisQuarter, thisYear } from "./period.js";
import { REWARDS_EXPORT, REWARDS_MANAGE } from "./policy.js";

const mine = ["awareness: my rewards"];
const tags = ["awareness: rewards"];

const myRewardsSchema = z.object({
  linked: z.boolean(),
  leaderboardOptIn: z.boolean(),
  total: z.number(),
  thisQuarter: z.number(),
  thisYear: z.number(),
  /** The review period the objectives are for. */
  period: z.string(),
  history: z.array(entrySchema),
  objectives: z.array(myObjectiveSchema),
});

async function myRewards(q: Queryable, userId: string, period: string) {
  const p = await findPersonBy(q, { userId });
  if (!p)
    return {
      linked: false,
      leaderboardOptIn: false,
      total: 0,
      thisQuarter: 0,
      thisYear: 0,
      period,
      history: [],
      objectives: [],
    };
  return {
    linked: true,
    leaderboardOptIn: await optedIn(q, p.id),
    total: await pointsOf(q, p.id),
    thisQuarter: await pointsOf(q, p.id, thisQuarter()),
    thisYear: await pointsOf(q, p.id, thisYear()),
    period,
    history: await history(q, p.id),
    objectives: await myObjectives(q, { id: p.id, departmentId: p.department_id }, period),
  };
}

/** Rewards: my points and choice, leaderboards, point values, objectives and the export. */
export function rewardsRoutes({ app, db }: RouteDeps) {
  const periodQuery = z.object({ period: z.string().max(20).optional() }).strict();
  app.get(
    "/api/v1/awareness/me/rewards",
    {
      config: { access: "authenticated" },
      schema: {
        tags: mine,
        summary: "My points, their history, my leaderboard choice and my objectives for a review period",
        querystring: periodQuery,
        response: { 200: myRewardsSchema },
      },
    },
    async (req) => {
      const period = req.query.period ?? currentPeriod();
      requirePeriod(period);
      return myRewards(db, caller(req).userId, period);
    },
  );

  app.put(
    "/api/v1/awareness/me/rewards",
    {
      config: { access: "authenticated" },
      schema: {
        tags: mine,
        summary: "Choose whether I am named in the individual leaderboard",
        body: z.object({ leaderboardOptIn: z.boolean() }).strict(),
        response: { 200: myRewardsSchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        const userId = caller(req).userId;
        const p = await findPersonBy(q, { userId });
        if (!p) throw notLinked();
        await setOptIn(q, req.auditCtx, p.id, req.body.leaderboardOptIn);
        return myRewards(q, userId, currentPeriod());
      }),
  );

  app.get(
    "/api/v1/awareness/rewards/leaderboard",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary:
          "Departments or teams ranked by points per head, and the people who chose to be named (never anyone else)",
        querystring: z
          .object({
            by: z.enum(["department", "team"]).default("department"),
            span: z.enum(["quarter", "year", "custom"]).default("quarter"),
            from: z.string().max(10).optional(),
            to: z.string().max(10).optional(),
          })
          .strict(),
        response: { 200: leaderboardSchema },
      },
    },
    async (req) => {
      const { by, span, from, to } = req.query;
      const s = span === "custom" ? customSpan(from, to) : span === "year" ? thisYear() : thisQuarter();
      const p = await findPersonBy(db, { userId: caller(req).userId });
      return leaderboard(db, by, s, {
        personId: p?.id ?? null,
        departmentId: p?.department_id ?? null,
        managerId: p?.manager_id ?? null,
      });
    },
  );

  app.get(
    "/api/v1/awareness/rewards/point-values",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "What each kind of action earns",
        response: { 200: z.object({ items: z.array(pointValueSchema) }) },
      },
    },
    async () => ({ items: await pointValues(db) }),
  );

  app.put(
    "/api/v1/awareness/rewards/point-values",
    {
      config: { access: REWARDS_MANAGE },
      schema: {
        tags,
        summary: "Change what kinds earn (applies to new entries only)",
        body: pointValuesInput,
        response: { 200: z.object({ items: z.array(pointValueSchema) }) },
      },
    },
    async (req) => ({ items: await db.tx((q) => setPointValues(q, req.auditCtx, req.body)) }),
  );

  app.get(
    "/api/v1/awareness/rewards/objectives",
    {
      config: { access: REWARDS_MANAGE },
      schema: {
        tags,
        summary: "Security objectives (of one review period, or all), with live progress",
        querystring: objectiveQuery,
        response: { 200: z.object({ items: z.array(objectiveSchema) }) },
      },
    },
    async (req) => ({ items: await listObjectives(db, req.query.period) }),
  );

  app.post(
    "/api/v1/awareness/rewards/objectives",
    {
      config: { access: REWARDS_MANAGE },
      schema: {
        tags,
        summary: "Set an objective for everyone, a department or one person in a review period",
        body: objectiveInput,
        response: { 201: objectiveSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await db.tx((q) => createObjective(q, req.auditCtx, req.body))),
  );

  app.get(
    "/api/v1/awareness/rewards/objectives/:id",
    {
      config: { access: REWARDS_MANAGE },
      schema: {
        tags,
        summary: "One objective with live progress",
        params: idParams,
        response: { 200: objectiveSchema },
      },
    },
    async (req) => getObjective(db, req.params.id),
  );

  app.patch(
    "/api/v1/awareness/rewards/objectives/:id",
    {
      config: { access: REWARDS_MANAGE },
      schema: {
        tags,
        summary: "Change an objective's title or target",
        params: idParams,
        body: objectivePatch,
        response: { 200: objectiveSchema },
      },
    },
    async (req) => db.tx((q) => updateObjective(q, req.auditCtx, req.params.id, req.body)),
  );

  app.delete(
    "/api/v1/awareness/rewards/objectives/:id",
    {
      config: { access: REWARDS_MANAGE },
      schema: { tags, summary: "Remove an objective", params: idParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await db.tx((q) => deleteObjective(q, req.auditCtx, req.params.id));
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/api/v1/awareness/rewards/export",
    {
      config: { access: REWARDS_EXPORT },
      schema: {
        tags,
        summary:
          "A review period for performance evaluations: one row per person with points and each objective (audited)",
        description:
          "format=csv answers text/csv as an attachment; format=json answers the same rows as JSON.",
        querystring: z
          .object({ period: z.string().max(20), format: z.enum(["csv", "json"]).default("csv") })
          .strict(),
      },
    },
    async (req, reply) => {
      const { period, format } = req.query;
      const who = caller(req);
      const out = await db.tx((q) => buildExport(q, req.auditCtx, period, who.email, format));
      reply.header("cache-control", "no-store");
      if (format === "json") return reply.type("application/json; charset=utf-8").send(out);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="rewards-${period}.csv"`)
        .send(exportCsv(out));
    },
  );
}

function notLinked() {
  return new AppError(404, "awareness.no_person", "Your account is not linked to an HR record");
}
