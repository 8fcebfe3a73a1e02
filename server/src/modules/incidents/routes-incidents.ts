import { z } from "zod";
import { iso } from "./context.js";
import { dashboard, dashboardQuery, dashboardSchema } from "./dashboard.js";
import { INCIDENTS_READ, INCIDENTS_WRITE } from "./policy.js";
import { getIncident, listIncidents, listTimeline, toIncident } from "./repo.js";
import type { RouteDeps } from "./routes-deps.js";
import {
  idParams,
  incidentInput,
  incidentPatch,
  incidentSchema,
  listQuery,
  SEVERITY_MEANING,
  statusInput,
  timelineSchema,
} from "./schemas.js";

const tags = ["incidents"];

const detailSchema = incidentSchema.extend({
  severityMeaning: z.string(),
  reports: z.array(
    z.object({
      id: z.string(),
      reference: z.string(),
      category: z.string(),
      title: z.string(),
      createdAt: z.string(),
      anonymous: z.boolean(),
      status: z.string(),
    }),
  ),
  links: z.array(z.object({ id: z.string(), reference: z.string(), title: z.string(), status: z.string() })),
  decisions: z.array(
    z.object({
      id: z.string(),
      decision: z.string(),
      rationale: z.string(),
      decidedBy: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
});

export function incidentRoutes(d: RouteDeps) {
  const { app, db, service, reports } = d;

  async function detail(id: string) {
    const row = await getIncident(db, id);
    const reportIds = (
      await db.query<{ report_id: string }>(
        "SELECT report_id FROM incident_reports WHERE incident_id = $1 ORDER BY added_at",
        [id],
      )
    ).rows.map((r) => r.report_id);
    const links = await db.query<{ id: string; reference: string; title: string; status: string }>(
      `SELECT i.id, i.reference, i.title, i.status FROM incident_links l JOIN incidents i ON i.id = l.other_id
       WHERE l.incident_id = $1 ORDER BY i.created_at`,
      [id],
    );
    const decisions = await db.query<{
      id: string;
      decision: string;
      rationale: string;
      decided_by: string | null;
      created_at: Date;
    }>("SELECT * FROM incident_decisions WHERE incident_id = $1 ORDER BY created_at, id", [id]);
    return {
      ...toIncident(row),
      severityMeaning: SEVERITY_MEANING[row.severity],
      reports: reportIds.length ? await reports.summaries(db, reportIds) : [],
      links: links.rows,
      decisions: decisions.rows.map((x) => ({
        id: x.id,
        decision: x.decision,
        rationale: x.rationale,
        decidedBy: x.decided_by,
        createdAt: iso(x.created_at) as string,
      })),
    };
  }

  app.get(
    "/api/v1/incidents",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary: "Incidents, newest first: search by title or reference, filter by status and severity",
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(incidentSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => listIncidents(db, req.query),
  );

  app.post(
    "/api/v1/incidents",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: `Open an incident, by hand or from reports; sev1/sev2 alert Security and Legal (and HR when people are involved) at once. ${Object.entries(
          SEVERITY_MEANING,
        )
          .map(([k, v]) => `${k}: ${v}.`)
          .join(" ")}`,
        body: incidentInput,
        response: { 201: incidentSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await db.tx((q) => service.create(q, req.auditCtx, req.body))),
  );

  app.get(
    "/api/v1/incidents/dashboard",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary:
          "Metrics: time to acknowledge, contain and close; deadlines met; reports by category and department",
        querystring: dashboardQuery,
        response: { 200: dashboardSchema },
      },
    },
    async (req) => dashboard(db, reports, req.query),
  );

  app.get(
    "/api/v1/incidents/assignees",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary: "Active users to pick as owner, assignee or case member (search by name or e-mail)",
        querystring: z.object({ q: z.string().trim().max(100).optional() }).strict(),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                displayName: z.string(),
                email: z.string(),
                roles: z.array(z.string()),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const r = await db.query<{ id: string; display_name: string; email: string; roles: string[] | null }>(
        `SELECT u.id, u.display_name, u.email, array_remove(array_agg(r.role ORDER BY r.role), NULL) AS roles
         FROM users u LEFT JOIN user_roles r ON r.user_id = u.id
         WHERE NOT u.disabled AND ($1::text IS NULL OR u.display_name ILIKE '%' || $1 || '%' OR u.email ILIKE '%' || $1 || '%')
         GROUP BY u.id ORDER BY u.display_name, u.id LIMIT 25`,
        [req.query.q || null],
      );
      return {
        items: r.rows.map((u) => ({
          id: u.id,
          displayName: u.display_name,
          email: u.email,
          roles: u.roles ?? [],
        })),
      };
    },
  );

  app.get(
    "/api/v1/incidents/:id",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary: "One incident with its reports, links and decisions",
        params: idParams,
        response: { 200: detailSchema },
      },
    },
    async (req) => detail(req.params.id),
  );

  app.patch(
    "/api/v1/incidents/:id",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Change title, summary, severity, owner or whether people are involved",
        params: idParams,
        body: incidentPatch,
        response: { 200: incidentSchema },
      },
    },
    async (req) => db.tx((q) => service.patch(q, req.auditCtx, req.params.id, req.body)),
  );

  app.post(
    "/api/v1/incidents/:id/status",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary:
          "Move the incident: open → contained → resolved → closed (sev1/sev2 close only with a completed post-mortem)",
        params: idParams,
        body: statusInput,
        response: { 200: incidentSchema },
      },
    },
    async (req) =>
      db.tx((q) => service.setStatus(q, req.auditCtx, req.params.id, req.body.status, req.body.note)),
  );

  app.post(
    "/api/v1/incidents/:id/acknowledge",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Acknowledge the incident (starts nothing; the time feeds the metrics)",
        params: idParams,
        response: { 200: incidentSchema },
      },
    },
    async (req) => db.tx((q) => service.acknowledge(q, req.auditCtx, req.params.id)),
  );

  app.get(
    "/api/v1/incidents/:id/timeline",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary: "Every change, message and decision, in order",
        params: idParams,
        response: { 200: z.object({ items: z.array(timelineSchema) }) },
      },
    },
    async (req) => {
      await getIncident(db, req.params.id);
      return { items: await listTimeline(db, req.params.id) };
    },
  );

  app.post(
    "/api/v1/incidents/:id/messages",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Post a message to the timeline",
        params: idParams,
        body: z.object({ text: z.string().trim().min(1).max(10_000) }).strict(),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await db.tx((q) => service.message(q, req.auditCtx, req.params.id, req.body.text));
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/api/v1/incidents/:id/decisions",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Record a decision and its rationale",
        params: idParams,
        body: z
          .object({
            decision: z.string().trim().min(1).max(2000),
            rationale: z.string().trim().max(10_000).default(""),
          })
          .strict(),
        response: { 201: z.object({ id: z.string() }) },
      },
    },
    async (req, reply) => {
      const id = await db.tx((q) =>
        service.decide(q, req.auditCtx, req.params.id, req.body.decision, req.body.rationale),
      );
      return reply.status(201).send({ id });
    },
  );

  app.post(
    "/api/v1/incidents/:id/links",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Link a related incident (both ways)",
        params: idParams,
        body: z.object({ otherId: z.string().min(1).max(40) }).strict(),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await db.tx((q) => service.link(q, req.auditCtx, req.params.id, req.body.otherId));
      return reply.status(204).send(null);
    },
  );

  app.delete(
    "/api/v1/incidents/:id/links/:otherId",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Remove a link between two incidents",
        params: z.object({ id: z.string().min(1).max(40), otherId: z.string().min(1).max(40) }).strict(),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await db.tx((q) => service.unlink(q, req.auditCtx, req.params.id, req.params.otherId));
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/api/v1/incidents/:id/merge",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Merge this incident into another: reports and open tasks move, this one closes as merged",
        params: idParams,
        body: z.object({ intoId: z.string().min(1).max(40) }).strict(),
        response: { 200: incidentSchema },
      },
    },
    async (req) => db.tx((q) => service.merge(q, req.auditCtx, req.params.id, req.body.intoId)),
  );
}
