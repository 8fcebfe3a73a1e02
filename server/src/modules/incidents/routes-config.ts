import { z } from "zod";
import {
  jurisdictionInput,
  jurisdictionSchema,
  listJurisdictions,
  saveJurisdiction,
} from "./jurisdictions.js";
import { getPlaybook, listPlaybooks, playbookInput, playbookSchema, savePlaybook } from "./playbooks.js";
import { INCIDENTS_CONFIGURE, INCIDENTS_READ } from "./policy.js";
import type { RouteDeps } from "./routes-deps.js";
import { idParams } from "./schemas.js";

const tags = ["incidents"];

/** Playbooks and jurisdictions: read by the response team, edited by Security, Legal and admins. */
export function incidentConfigRoutes(d: RouteDeps) {
  const { app, db } = d;

  app.get(
    "/api/v1/incident-playbooks",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary: "Playbooks: task templates by department role",
        querystring: z.object({ active: z.enum(["true", "false"]).optional() }).strict(),
        response: { 200: z.object({ items: z.array(playbookSchema) }) },
      },
    },
    async (req) => ({ items: await listPlaybooks(db, req.query.active === "true") }),
  );

  app.get(
    "/api/v1/incident-playbooks/:id",
    {
      config: { access: INCIDENTS_READ },
      schema: { tags, summary: "One playbook", params: idParams, response: { 200: playbookSchema } },
    },
    async (req) => getPlaybook(db, req.params.id),
  );

  app.post(
    "/api/v1/incident-playbooks",
    {
      config: { access: INCIDENTS_CONFIGURE },
      schema: { tags, summary: "Add a playbook", body: playbookInput, response: { 201: playbookSchema } },
    },
    async (req, reply) => reply.status(201).send(await db.tx((q) => savePlaybook(q, req.auditCtx, req.body))),
  );

  app.put(
    "/api/v1/incident-playbooks/:id",
    {
      config: { access: INCIDENTS_CONFIGURE },
      schema: {
        tags,
        summary: "Edit a playbook (incidents that used it keep their tasks)",
        params: idParams,
        body: playbookInput,
        response: { 200: playbookSchema },
      },
    },
    async (req) => db.tx((q) => savePlaybook(q, req.auditCtx, req.body, req.params.id)),
  );

  app.get(
    "/api/v1/incident-jurisdictions",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary: "Jurisdictions and their notification deadlines (configuration, not legal advice)",
        response: { 200: z.object({ items: z.array(jurisdictionSchema) }) },
      },
    },
    async () => ({ items: await listJurisdictions(db) }),
  );

  app.post(
    "/api/v1/incident-jurisdictions",
    {
      config: { access: INCIDENTS_CONFIGURE },
      schema: {
        tags,
        summary: "Add a jurisdiction",
        body: jurisdictionInput,
        response: { 201: jurisdictionSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await db.tx((q) => saveJurisdiction(q, req.auditCtx, req.body))),
  );

  app.put(
    "/api/v1/incident-jurisdictions/:id",
    {
      config: { access: INCIDENTS_CONFIGURE },
      schema: {
        tags,
        summary: "Edit a jurisdiction (running clocks keep their deadlines)",
        params: idParams,
        body: jurisdictionInput,
        response: { 200: jurisdictionSchema },
      },
    },
    async (req) => db.tx((q) => saveJurisdiction(q, req.auditCtx, req.body, req.params.id)),
  );
}
