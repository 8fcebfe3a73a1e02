import { z } from "zod";
import { appendAudit } from "../../platform/audit/index.js";
import { AppError, notFound } from "../../platform/http/index.js";
import { caller, callerPersonId, etagOf, type PeopleContext } from "./context.js";
import { canSee, directoryQuery, searchPeople } from "./directory.js";
import { PEOPLE_EVENTS, PEOPLE_FLAG, PEOPLE_READ, PEOPLE_WRITE } from "./policy.js";
import { dateOnly, findPerson, listEvents, toPerson } from "./repo.js";
import { eventInput, eventSchema, personInput, personPatch, personSchema } from "./schemas.js";

const tags = ["people"];
const idParams = z.object({ id: z.string().min(1).max(40) }).strict();

export function peopleRoutes(ctx: PeopleContext) {
  const { app, db, people } = ctx;

  /** Loads a person the caller may see (404 otherwise), and audits confidential reads. */
  async function visible(req: Parameters<typeof caller>[0] & { auditCtx: never }, id: string) {
    const who = caller(req);
    const row = await findPerson(db, id);
    if (!row || !(await canSee(db, who, await callerPersonId(db, who), id)))
      throw notFound("person.not_found", "No such person");
    const confidential = who.permissions.has("people:confidential");
    if (confidential && row.high_risk) {
      await db.tx((q) =>
        appendAudit(q, req.auditCtx, {
          action: "person.confidential_read",
          targetType: "person",
          targetId: id,
          details: { fields: ["highRisk", "highRiskReason"] },
        }),
      );
    }
    return people.view(row, confidential);
  }

  app.get(
    "/api/v1/people",
    {
      config: { access: PEOPLE_READ },
      schema: {
        tags,
        summary: "The people directory: search, filter, keyset pagination (managers see their reports)",
        querystring: directoryQuery,
        response: { 200: z.object({ items: z.array(personSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const who = caller(req);
      const r = await searchPeople(db, req.query, who, await callerPersonId(db, who));
      const confidential = who.permissions.has("people:confidential");
      return {
        items: r.items.map((row) =>
          confidential ? { ...toPerson(row), highRisk: row.high_risk } : toPerson(row),
        ),
        nextCursor: r.nextCursor,
      };
    },
  );

  app.post(
    "/api/v1/people",
    {
      config: { access: PEOPLE_WRITE },
      schema: {
        tags,
        summary: "Add a person (candidate, pre-hire or active)",
        body: personInput,
        response: { 201: personSchema },
      },
    },
    async (req, reply) => {
      const p = await db.tx((q) => people.create(q, req.auditCtx, req.body, "manual"));
      return reply.status(201).header("etag", etagOf(p.id, p.version)).send(p);
    },
  );

  app.get(
    "/api/v1/people/:id",
    {
      config: { access: PEOPLE_READ },
      schema: {
        tags,
        summary: "One person (ETag for updates)",
        params: idParams,
        response: { 200: personSchema },
      },
    },
    async (req, reply) => {
      const p = await visible(req as never, req.params.id);
      return reply.header("etag", etagOf(p.id, p.version)).send(p);
    },
  );

  app.patch(
    "/api/v1/people/:id",
    {
      config: { access: PEOPLE_WRITE },
      schema: {
        tags,
        summary: "Edit a person; needs If-Match with the ETag you read (412 when it changed since)",
        params: idParams,
        body: personPatch,
        headers: z.object({ "if-match": z.string().max(100).optional() }).passthrough(),
        response: { 200: personSchema },
      },
    },
    async (req, reply) => {
      const header = req.headers["if-match"];
      if (!header)
        throw new AppError(
          428,
          "person.if_match_required",
          "Send If-Match with the ETag from GET /api/v1/people/{id}",
          [{ path: "If-Match", message: "required" }],
        );
      const m = /^(?:W\/)?"([^".]+)\.(\d+)"$/.exec(header.trim());
      const expected = m && m[1] === req.params.id ? Number(m[2]) : -1;
      const p = await db.tx((q) =>
        people.patch(q, req.auditCtx, req.params.id, req.body, "manual", expected),
      );
      return reply.header("etag", etagOf(p.id, p.version)).send(p);
    },
  );

  app.get(
    "/api/v1/people/:id/events",
    {
      config: { access: PEOPLE_READ },
      schema: {
        tags,
        summary: "The lifecycle timeline, scheduled and past",
        params: idParams,
        response: { 200: z.object({ items: z.array(eventSchema) }) },
      },
    },
    async (req) => {
      await visible(req as never, req.params.id);
      return { items: await listEvents(db, req.params.id) };
    },
  );

  app.post(
    "/api/v1/people/:id/events",
    {
      config: { access: PEOPLE_EVENTS },
      schema: {
        tags,
        summary: "Record a lifecycle event: applied now if due, otherwise scheduled for its moment",
        params: idParams,
        body: eventInput,
        response: { 201: eventSchema },
      },
    },
    async (req, reply) => {
      if (req.body.highRisk !== undefined && !caller(req).permissions.has("people:flag_high_risk")) {
        throw new AppError(403, "auth.forbidden", "Only HR can flag a high-risk leaver", [
          { path: "highRisk", message: "needs people:flag_high_risk" },
        ]);
      }
      const e = await db.tx((q) => people.record(q, req.auditCtx, req.params.id, req.body, "manual"));
      return reply.status(201).send(e);
    },
  );

  app.post(
    "/api/v1/people/events/:id/cancel",
    {
      config: { access: PEOPLE_EVENTS },
      schema: { tags, summary: "Cancel a scheduled event", params: idParams, response: { 200: eventSchema } },
    },
    async (req) => db.tx((q) => people.cancel(q, req.auditCtx, req.params.id)),
  );

  app.get(
    "/api/v1/people/:id/as-of",
    {
      config: { access: PEOPLE_READ },
      schema: {
        tags,
        summary: "The record as it was at a moment in the past",
        params: idParams,
        querystring: z.object({ at: z.iso.datetime({ offset: true }).or(z.iso.date()) }).strict(),
        response: { 200: personSchema.partial().extend({ version: z.number(), validFrom: z.string() }) },
      },
    },
    async (req) => {
      await visible(req as never, req.params.id);
      const r = await db.query<{ version: number; valid_from: Date; snapshot: Record<string, never> }>(
        "SELECT version, valid_from, snapshot FROM person_history WHERE person_id = $1 AND valid_from <= $2 ORDER BY valid_from DESC, version DESC LIMIT 1",
        [req.params.id, new Date(req.query.at).toISOString()],
      );
      const h = r.rows[0];
      if (!h) throw notFound("person.not_yet", "The person had no record at that moment");
      const s = typeof h.snapshot === "string" ? JSON.parse(h.snapshot) : h.snapshot;
      const p = toPerson({ ...s, high_risk_reason_enc: null });
      return {
        ...p,
        startDate: dateOnly(s.start_date),
        endDate: dateOnly(s.end_date),
        version: h.version,
        validFrom: new Date(h.valid_from).toISOString(),
      };
    },
  );

  app.put(
    "/api/v1/people/:id/high-risk",
    {
      config: { access: PEOPLE_FLAG },
      schema: {
        tags,
        summary: "Flag or clear a high-risk leaver (HR only; visible to HR, Security and Legal)",
        params: idParams,
        body: z
          .object({ highRisk: z.boolean(), reason: z.string().trim().min(1).max(2000).optional() })
          .strict(),
        response: { 200: personSchema },
      },
    },
    async (req) => {
      if (!(await findPerson(db, req.params.id))) throw notFound("person.not_found", "No such person");
      await db.tx((q) =>
        people.setHighRisk(q, req.auditCtx, req.params.id, req.body.highRisk, req.body.reason ?? null),
      );
      return people.view((await findPerson(db, req.params.id))!, true);
    },
  );

  app.get(
    "/api/v1/me/person",
    {
      config: { access: "authenticated" },
      schema: { tags, summary: "My own HR record (my profile)", response: { 200: personSchema } },
    },
    async (req) => {
      const id = await callerPersonId(db, caller(req));
      const row = id ? await findPerson(db, id) : undefined;
      if (!row) throw notFound("person.not_linked", "Your account is not linked to an HR record yet");
      return toPerson(row);
    },
  );
}
