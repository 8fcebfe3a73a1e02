import { z } from "zod";
import { clockSchema, listClocks, markBreach, recordClockOutcome } from "./clocks.js";
import {
  addEvidence,
  evidenceInput,
  evidenceSchema,
  listEvidence,
  MAX_EVIDENCE_BYTES,
  readEvidence,
} from "./evidence.js";
import { applyPlaybook } from "./playbooks.js";
import { INCIDENTS_LEGAL, INCIDENTS_READ, INCIDENTS_WRITE } from "./policy.js";
import {
  actionInput,
  actionPatch,
  addAction,
  getPostmortem,
  postmortemInput,
  postmortemSchema,
  savePostmortem,
  updateAction,
} from "./postmortem.js";
import { getIncident } from "./repo.js";
import type { RouteDeps } from "./routes-deps.js";
import { idParams, taskInput, taskPatch, taskSchema } from "./schemas.js";
import { createTask, listTasks, updateTask } from "./tasks.js";

const tags = ["incidents"];
const ref = z.string().min(1).max(40);
const taskParams = z.object({ id: ref, taskId: ref }).strict();
const evidenceParams = z.object({ id: ref, evidenceId: ref }).strict();
const clockParams = z.object({ id: ref, clockId: ref }).strict();
const actionParams = z.object({ id: ref, actionId: ref }).strict();

/** Tasks, evidence, regulatory clocks and the post-mortem of an incident. */
export function incidentWorkRoutes(d: RouteDeps) {
  const { app, db, envelope, jobs, notifier } = d;

  app.get(
    "/api/v1/incidents/:id/tasks",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary: "The incident's tasks",
        params: idParams,
        response: { 200: z.object({ items: z.array(taskSchema) }) },
      },
    },
    async (req) => {
      await getIncident(db, req.params.id);
      return { items: await listTasks(db, req.params.id) };
    },
  );

  app.post(
    "/api/v1/incidents/:id/tasks",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Add a task for a department role, with an optional assignee and due date",
        params: idParams,
        body: taskInput,
        response: { 201: taskSchema },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await db.tx((q) => createTask(q, req.auditCtx, notifier, req.params.id, req.body))),
  );

  app.patch(
    "/api/v1/incidents/:id/tasks/:taskId",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Complete, cancel, reassign or reschedule a task",
        params: taskParams,
        body: taskPatch,
        response: { 200: taskSchema },
      },
    },
    async (req) =>
      db.tx((q) => updateTask(q, req.auditCtx, notifier, req.params.id, req.params.taskId, req.body)),
  );

  app.post(
    "/api/v1/incidents/:id/playbook",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Apply a playbook: its tasks are added with due dates from now",
        params: idParams,
        body: z.object({ playbookId: z.string().min(1).max(40) }).strict(),
        response: { 200: z.object({ tasksAdded: z.number() }) },
      },
    },
    async (req) => ({
      tasksAdded: await db.tx((q) =>
        applyPlaybook(q, req.auditCtx, notifier, req.params.id, req.body.playbookId),
      ),
    }),
  );

  app.get(
    "/api/v1/incidents/:id/evidence",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary: "Evidence items (metadata; content is encrypted)",
        params: idParams,
        response: { 200: z.object({ items: z.array(evidenceSchema) }) },
      },
    },
    async (req) => {
      await getIncident(db, req.params.id);
      return { items: await listEvidence(db, req.params.id) };
    },
  );

  app.post(
    "/api/v1/incidents/:id/evidence",
    {
      config: { access: INCIDENTS_WRITE },
      bodyLimit: Math.ceil((MAX_EVIDENCE_BYTES * 4) / 3) + 64 * 1024,
      schema: {
        tags,
        summary: `Add a note or a file (base64, up to ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB), stored encrypted`,
        params: idParams,
        body: evidenceInput,
        response: { 201: evidenceSchema },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await db.tx((q) => addEvidence(q, req.auditCtx, envelope, req.params.id, req.body))),
  );

  app.get(
    "/api/v1/incidents/:id/evidence/:evidenceId",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary:
          "Read a note or download a file (decrypted; the read is audited). Files always download, never render.",
        params: evidenceParams,
      },
    },
    async (req, reply) => {
      const { meta, body } = await db.tx((q) =>
        readEvidence(q, req.auditCtx, envelope, req.params.id, req.params.evidenceId),
      );
      if (meta.kind === "note")
        return reply.type("application/json").send({ ...meta, text: body.toString("utf8") });
      const safeName = meta.name.replace(/[^\w.\- ]/g, "_");
      return reply
        .header("content-type", "application/octet-stream")
        .header("content-disposition", `attachment; filename="${safeName}"`)
        .header("x-content-type-options", "nosniff")
        .header("x-evidence-content-type", meta.contentType ?? "application/octet-stream")
        .send(body);
    },
  );

  app.get(
    "/api/v1/incidents/:id/clocks",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary: "Regulatory clocks and their deadlines",
        params: idParams,
        response: { 200: z.object({ items: z.array(clockSchema) }) },
      },
    },
    async (req) => {
      await getIncident(db, req.params.id);
      return { items: await listClocks(db, req.params.id) };
    },
  );

  app.post(
    "/api/v1/incidents/:id/breach",
    {
      config: { access: INCIDENTS_LEGAL },
      schema: {
        tags,
        summary:
          "Legal marks a personal-data breach with the awareness time; each jurisdiction's clocks start",
        params: idParams,
        body: z
          .object({
            awareAt: z.iso.datetime({ offset: true }),
            jurisdictionIds: z.array(z.string().min(1).max(40)).min(1).max(20),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(clockSchema) }) },
      },
    },
    async (req) => ({
      items: await db.tx((q) => markBreach(q, req.auditCtx, jobs, req.params.id, req.body)),
    }),
  );

  app.post(
    "/api/v1/incidents/:id/clocks/:clockId/outcome",
    {
      config: { access: INCIDENTS_LEGAL },
      schema: {
        tags,
        summary:
          "Record that the authority or data subjects were notified (with evidence), or why it is not required",
        params: clockParams,
        body: z
          .object({
            outcome: z.enum(["notified", "not_required"]),
            at: z.iso.datetime({ offset: true }).optional(),
            evidence: z.string().trim().min(1).max(5000),
          })
          .strict(),
        response: { 200: clockSchema },
      },
    },
    async (req) =>
      db.tx((q) => recordClockOutcome(q, req.auditCtx, req.params.id, req.params.clockId, req.body)),
  );

  app.get(
    "/api/v1/incidents/:id/postmortem",
    {
      config: { access: INCIDENTS_READ },
      schema: {
        tags,
        summary: "The blameless post-mortem and its actions",
        params: idParams,
        response: { 200: postmortemSchema },
      },
    },
    async (req) => {
      await getIncident(db, req.params.id);
      return getPostmortem(db, req.params.id);
    },
  );

  app.put(
    "/api/v1/incidents/:id/postmortem",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Save the post-mortem (complete: true when every section is written)",
        params: idParams,
        body: postmortemInput,
        response: { 200: postmortemSchema },
      },
    },
    async (req) => db.tx((q) => savePostmortem(q, req.auditCtx, req.params.id, req.body)),
  );

  app.post(
    "/api/v1/incidents/:id/postmortem/actions",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Add a post-mortem action with an owner and a due date",
        params: idParams,
        body: actionInput,
        response: { 201: postmortemSchema },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await db.tx((q) => addAction(q, req.auditCtx, notifier, req.params.id, req.body))),
  );

  app.patch(
    "/api/v1/incidents/:id/postmortem/actions/:actionId",
    {
      config: { access: INCIDENTS_WRITE },
      schema: {
        tags,
        summary: "Track an action to done, reassign or reschedule it",
        params: actionParams,
        body: actionPatch,
        response: { 200: postmortemSchema },
      },
    },
    async (req) => {
      await getIncident(db, req.params.id);
      return db.tx((q) => updateAction(q, req.auditCtx, req.params.id, req.params.actionId, req.body));
    },
  );
}
