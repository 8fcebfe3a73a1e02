import { z } from "zod";
import { findPersonBy } from "../people/index.js";
import {
  assignInput,
  assignmentQuery,
  assignmentRowSchema,
  assignOnDemand,
  compliance,
  complianceSchema,
  listAssignments,
  teamMemberSchema,
  teamSummary,
} from "./compliance.js";
import type { RouteDeps } from "./context.js";
import { caller } from "./context.js";
import {
  AWARENESS_ASSIGN,
  AWARENESS_AUTHOR,
  AWARENESS_COMPLIANCE,
  AWARENESS_READ,
  AWARENESS_TEAM,
} from "./policy.js";
import { idParams } from "./routes-policies.js";
import {
  createRule,
  deleteRule,
  getRule,
  listRules,
  ruleInput,
  rulePatch,
  ruleSchema,
  TRIGGERS,
  updateRule,
} from "./rules.js";

/** Assignment rules, assignment on demand, compliance figures and a manager's team. */
export function workRoutes({ app, db }: RouteDeps) {
  const rules = ["awareness: rules"];
  app.get(
    "/api/v1/awareness/rules",
    {
      config: { access: AWARENESS_READ },
      schema: {
        tags: rules,
        summary: "Assignment rules (joiners, annual refresher, HR case outcome, follow-up)",
        querystring: z.object({ trigger: z.enum(TRIGGERS).optional() }).strict(),
        response: { 200: z.object({ items: z.array(ruleSchema) }) },
      },
    },
    async (req) => ({ items: await listRules(db, req.query.trigger) }),
  );
  app.post(
    "/api/v1/awareness/rules",
    {
      config: { access: AWARENESS_AUTHOR },
      schema: {
        tags: rules,
        summary: "Add an assignment rule",
        body: ruleInput,
        response: { 201: ruleSchema },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await db.tx(async (q) => getRule(q, await createRule(q, req.auditCtx, req.body)))),
  );
  app.patch(
    "/api/v1/awareness/rules/:id",
    {
      config: { access: AWARENESS_AUTHOR },
      schema: {
        tags: rules,
        summary: "Change a rule's name, audience, due days or switch it on or off",
        params: idParams,
        body: rulePatch,
        response: { 200: ruleSchema },
      },
    },
    async (req) =>
      db.tx(async (q) => {
        await updateRule(q, req.auditCtx, req.params.id, req.body);
        return getRule(q, req.params.id);
      }),
  );
  app.delete(
    "/api/v1/awareness/rules/:id",
    {
      config: { access: AWARENESS_AUTHOR },
      schema: {
        tags: rules,
        summary: "Delete a rule (assignments it made stay)",
        params: idParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await db.tx((q) => deleteRule(q, req.auditCtx, req.params.id));
      return reply.status(204).send(null);
    },
  );

  const work = ["awareness: compliance"];
  app.post(
    "/api/v1/awareness/assignments",
    {
      config: { access: AWARENESS_ASSIGN },
      schema: {
        tags: work,
        summary:
          "Assign a published policy or module to an audience now (people who have it open are skipped)",
        body: assignInput,
        response: { 201: z.object({ inAudience: z.number(), created: z.number(), skipped: z.number() }) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await db.tx((q) => assignOnDemand(q, req.auditCtx, req.body))),
  );
  app.get(
    "/api/v1/awareness/assignments",
    {
      config: { access: AWARENESS_COMPLIANCE },
      schema: {
        tags: work,
        summary: "Assignments across the organisation (status=overdue: who needs a nudge)",
        querystring: assignmentQuery,
        response: { 200: z.object({ items: z.array(assignmentRowSchema), total: z.number() }) },
      },
    },
    async (req) => listAssignments(db, req.query),
  );
  app.get(
    "/api/v1/awareness/compliance",
    {
      config: { access: AWARENESS_COMPLIANCE },
      schema: {
        tags: work,
        summary: "Training completion and policy acknowledgement rates per department",
        response: { 200: complianceSchema },
      },
    },
    async () => compliance(db),
  );
  app.get(
    "/api/v1/awareness/team",
    {
      config: { access: AWARENESS_TEAM },
      schema: {
        tags: work,
        summary: "My direct reports' progress and their open or overdue items",
        querystring: assignmentQuery.omit({ personId: true, departmentId: true }),
        response: {
          200: z.object({
            linked: z.boolean(),
            members: z.array(teamMemberSchema),
            items: z.array(assignmentRowSchema),
            total: z.number(),
          }),
        },
      },
    },
    async (req) => {
      const me = await findPersonBy(db, { userId: caller(req).userId });
      if (!me) return { linked: false, members: [], items: [], total: 0 };
      const [members, list] = await Promise.all([
        teamSummary(db, me.id),
        listAssignments(db, { ...req.query, status: req.query.status ?? "open" }, me.id),
      ]);
      return { linked: true, members, ...list };
    },
  );
}
