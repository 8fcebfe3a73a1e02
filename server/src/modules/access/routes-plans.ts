import { z } from "zod";
import { acknowledgeAlert, listAlerts } from "./alerts.js";
import { ACCESS_ADMIN, ACCESS_ALERTS, ACCESS_READ } from "./policy.js";
import type { RouteDeps } from "./routes-systems.js";
import {
  alertSchema,
  idParams,
  PLAN_STATES,
  planSchema,
  planSummarySchema,
  taskListItemSchema,
  taskSchema,
} from "./schemas.js";
import { listTasks } from "./tasks.js";
import { getPlan, listPlans, offboarding } from "./views.js";

const tags = ["access: plans"];

const offboardingSchema = z.object({
  personId: z.string(),
  plan: planSchema.omit({ steps: true }),
  planIds: z.array(z.string()),
  hrEventAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  elapsedSeconds: z.number().nullable(),
  accessRevokedAt: z.string().nullable(),
  revocationSeconds: z.number().nullable(),
  systems: z.array(
    z.object({
      systemId: z.string().nullable(),
      systemName: z.string(),
      state: z.enum(["pending", "verified", "failed", "manual", "held"]),
      steps: planSchema.shape.steps,
    }),
  ),
});

const createdSchema = z.object({ planId: z.string(), created: z.boolean(), state: z.enum(PLAN_STATES) });
const reasonBody = z.object({ reason: z.string().trim().max(2000).optional() }).strict();

/** Plans per person (preview, apply, revoke now, the leaver page), steps, breaker, tasks, alerts. */
export function planRoutes({ app, db, access }: RouteDeps) {
  app.post(
    "/api/v1/access/people/:id/plan",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "Preview (dry run) what Tandem would change for a person now; writes nothing",
        description:
          "With leaver=true: what a termination or revoke-now would do. To carry a plan out, use …/apply or …/revoke-now.",
        params: idParams,
        querystring: z
          .object({
            dryRun: z.enum(["true"]).default("true"),
            leaver: z.enum(["true", "false"]).default("false"),
          })
          .strict(),
        response: { 200: planSchema },
      },
    },
    async (req) => access.preview(req.params.id, { leaver: req.query.leaver === "true" }),
  );

  app.post(
    "/api/v1/access/people/:id/apply",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Bring a person's access in line with their desired state now (a manual plan)",
        params: idParams,
        body: reasonBody,
        response: { 202: createdSchema },
      },
    },
    async (req, reply) => {
      const made = await access.plan(req.auditCtx, {
        personId: req.params.id,
        reason: "manual",
        createdBy: req.auditCtx.actorLabel ?? null,
        hrEventAt: new Date(),
      });
      return reply.status(202).send({ planId: made.planId, created: made.created, state: made.state });
    },
  );

  app.post(
    "/api/v1/access/people/:id/revoke-now",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary:
          "Revoke all of a person's access at once, before any HR effective date (never held by the breaker)",
        params: idParams,
        body: reasonBody,
        response: { 202: createdSchema },
      },
    },
    async (req, reply) => {
      const made = await access.revokeNow(req.auditCtx, req.params.id, req.body?.reason ?? null);
      return reply.status(202).send({ planId: made.planId, created: made.created, state: made.state });
    },
  );

  app.get(
    "/api/v1/access/people/:id/offboarding",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary:
          "The leaver page: each system's steps with states, times and errors, and the clock since the HR event",
        params: idParams,
        response: { 200: offboardingSchema },
      },
    },
    async (req) => offboarding(db, req.params.id),
  );

  app.get(
    "/api/v1/access/plans",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "Plans, newest first",
        querystring: z
          .object({
            state: z.enum(PLAN_STATES).optional(),
            personId: z.string().max(40).optional(),
            before: z.string().max(40).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(planSummarySchema) }) },
      },
    },
    async (req) => ({ items: await listPlans(db, req.query) }),
  );

  app.get(
    "/api/v1/access/plans/:id",
    {
      config: { access: ACCESS_READ },
      schema: { tags, summary: "A plan with its steps", params: idParams, response: { 200: planSchema } },
    },
    async (req) => getPlan(db, req.params.id),
  );

  app.post(
    "/api/v1/access/plans/:id/cancel",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Cancel what a plan has not done (e.g. a batch the breaker held that should not run)",
        params: idParams,
        body: reasonBody,
        response: { 200: planSchema },
      },
    },
    async (req) => access.cancel(req.auditCtx, req.params.id, req.body?.reason ?? null),
  );

  app.post(
    "/api/v1/access/steps/:id/retry",
    {
      config: { access: ACCESS_ADMIN },
      schema: { tags, summary: "Retry a failed step", params: idParams, response: { 200: planSchema } },
    },
    async (req) => access.retry(req.auditCtx, req.params.id),
  );

  app.post(
    "/api/v1/access/steps/:id/manual",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Turn a step into a manual task for a person to do and attest",
        params: idParams,
        body: z
          .object({
            assigneeRole: z.string().trim().max(40).nullish(),
            assigneePersonId: z.string().max(40).nullish(),
            dueAt: z.iso.datetime({ offset: true }).nullish(),
            note: z.string().trim().max(2000).nullish(),
          })
          .strict(),
        response: { 200: planSchema },
      },
    },
    async (req) => access.makeManual(req.auditCtx, req.params.id, req.body ?? {}),
  );

  app.post(
    "/api/v1/access/breaker/:id/release",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Confirm the batch the circuit breaker held for a system: its held plans run",
        params: idParams,
        response: {
          200: z.object({ released: z.array(z.string()), stillHeld: z.array(z.string()) }),
        },
      },
    },
    async (req) => {
      const r = await access.release(req.auditCtx, req.params.id);
      return { released: r.released, stillHeld: r.stillHeld };
    },
  );

  app.get(
    "/api/v1/access/tasks",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "Manual tasks (devices, badges, steps done by hand)",
        querystring: z
          .object({
            state: z.enum(["open", "done", "cancelled"]).optional(),
            personId: z.string().max(40).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(taskListItemSchema) }) },
      },
    },
    async (req) => ({ items: await listTasks(db, req.query) }),
  );

  for (const [verb, outcome, summary] of [
    ["attest", "done", "Attest that a manual task is done; the steps it stands for count as verified"],
    ["reject", "rejected", "Refuse a manual task (with a note saying why); the steps it stands for fail"],
  ] as const) {
    app.post(
      `/api/v1/access/tasks/:id/${verb}`,
      {
        config: { access: ACCESS_ADMIN },
        schema: {
          tags,
          summary,
          params: idParams,
          body: z.object({ note: z.string().trim().max(2000).optional() }).strict(),
          response: { 200: taskSchema },
        },
      },
      async (req) => access.closeTask(req.auditCtx, req.params.id, outcome, req.body?.note ?? null),
    );
  }

  app.get(
    "/api/v1/access/alerts",
    {
      config: { access: ACCESS_ALERTS },
      schema: {
        tags,
        summary: "Alerts for Security and Legal (high-risk leavers)",
        querystring: z
          .object({
            open: z.enum(["true", "false"]).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(alertSchema) }) },
      },
    },
    async (req) => ({
      items: await listAlerts(db, {
        open: req.query.open === undefined ? undefined : req.query.open === "true",
        limit: req.query.limit,
      }),
    }),
  );

  app.post(
    "/api/v1/access/alerts/:id/acknowledge",
    {
      config: { access: ACCESS_ALERTS },
      schema: { tags, summary: "Acknowledge an alert", params: idParams, response: { 200: alertSchema } },
    },
    async (req) => db.tx((q) => acknowledgeAlert(q, req.auditCtx, req.params.id)),
  );
}
