import { z } from "zod";
import { appendAudit } from "../../platform/audit/index.js";
import { notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { iso } from "./context.js";
import { ACCESS_ADMIN, ACCESS_READ } from "./policy.js";
import { deleteProfile, getProfile, listProfiles, saveProfile } from "./profiles.js";
import type { RouteDeps } from "./routes-systems.js";
import { exceptionInput, exceptionSchema, idParams, profileInput, profileSchema } from "./schemas.js";

const tags = ["access: profiles"];

interface ExceptionRow {
  id: string;
  person_id: string;
  system_id: string;
  entitlement_id: string | null;
  justification: string;
  expires_at: Date | string;
  approved_by: string | null;
  created_at: Date | string;
}

const toException = (r: ExceptionRow) => ({
  id: r.id,
  personId: r.person_id,
  systemId: r.system_id,
  entitlementId: r.entitlement_id,
  justification: r.justification,
  expiresAt: iso(r.expires_at) as string,
  approvedBy: r.approved_by,
  createdAt: iso(r.created_at) as string,
});

/** Access profiles (birthright access by role) and approved exceptions. */
export function profileRoutes({ app, db }: RouteDeps) {
  app.get(
    "/api/v1/access/profiles",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "Every access profile with what it gives",
        response: { 200: z.object({ items: z.array(profileSchema) }) },
      },
    },
    async () => ({ items: await listProfiles(db) }),
  );

  app.post(
    "/api/v1/access/profiles",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Add an access profile; an unknown system or entitlement is refused (422) naming it",
        body: profileInput,
        response: { 201: profileSchema },
      },
    },
    async (req, reply) => {
      const id = await db.tx((q) => saveProfile(q, req.auditCtx, req.body));
      return reply.status(201).send(await getProfile(db, id));
    },
  );

  app.get(
    "/api/v1/access/profiles/:id",
    {
      config: { access: ACCESS_READ },
      schema: { tags, summary: "One access profile", params: idParams, response: { 200: profileSchema } },
    },
    async (req) => getProfile(db, req.params.id),
  );

  app.put(
    "/api/v1/access/profiles/:id",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Replace an access profile (people's access follows at their next plan)",
        params: idParams,
        body: profileInput,
        response: { 200: profileSchema },
      },
    },
    async (req) => {
      await db.tx((q) => saveProfile(q, req.auditCtx, req.body, req.params.id));
      return getProfile(db, req.params.id);
    },
  );

  app.delete(
    "/api/v1/access/profiles/:id",
    {
      config: { access: ACCESS_ADMIN },
      schema: { tags, summary: "Delete an access profile", params: idParams },
    },
    async (req, reply) => {
      await db.tx((q) => deleteProfile(q, req.auditCtx, req.params.id));
      return reply.status(204).send();
    },
  );

  app.get(
    "/api/v1/access/exceptions",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "Approved exceptions: access beyond a person's profiles, each with an expiry",
        querystring: z.object({ personId: z.string().max(40).optional() }).strict(),
        response: { 200: z.object({ items: z.array(exceptionSchema) }) },
      },
    },
    async (req) => {
      const r = await db.query<ExceptionRow>(
        `SELECT * FROM access_exceptions WHERE ($1::text IS NULL OR person_id = $1)
         ORDER BY expires_at, id LIMIT 500`,
        [req.query.personId ?? null],
      );
      return { items: r.rows.map(toException) };
    },
  );

  app.post(
    "/api/v1/access/exceptions",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Approve an exception with a justification and an expiry",
        body: exceptionInput,
        response: { 201: exceptionSchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (Date.parse(b.expiresAt) <= Date.now())
        throw unprocessable("access.exception_expired", "The expiry must be in the future", [
          { path: "expiresAt", message: "is not in the future" },
        ]);
      const id = ulid();
      const row = await db.tx(async (q) => {
        await q.query("SAVEPOINT access_exception");
        try {
          await q.query(
            `INSERT INTO access_exceptions (id, person_id, system_id, entitlement_id, justification, expires_at, approved_by)
             VALUES ($1,$2,$3,$4,$5,$6,$7)`,
            [
              id,
              b.personId,
              b.systemId,
              b.entitlementId ?? null,
              b.justification,
              b.expiresAt,
              req.auditCtx.actorLabel,
            ],
          );
          await q.query("RELEASE SAVEPOINT access_exception");
        } catch (e) {
          await q.query("ROLLBACK TO SAVEPOINT access_exception");
          if ((e as { code?: string }).code === "23503")
            throw unprocessable(
              "access.unknown_reference",
              "The person, system or entitlement does not exist",
            );
          throw e;
        }
        await appendAudit(q, req.auditCtx, {
          action: "access.exception_approved",
          targetType: "person",
          targetId: b.personId,
          details: { exceptionId: id, systemId: b.systemId, entitlementId: b.entitlementId ?? null },
        });
        return (await q.query<ExceptionRow>("SELECT * FROM access_exceptions WHERE id = $1", [id])).rows[0];
      });
      return reply.status(201).send(toException(row as ExceptionRow));
    },
  );

  app.delete(
    "/api/v1/access/exceptions/:id",
    {
      config: { access: ACCESS_ADMIN },
      schema: { tags, summary: "Withdraw an exception", params: idParams },
    },
    async (req, reply) => {
      await db.tx(async (q) => {
        const r = await q.query<{ person_id: string }>(
          "DELETE FROM access_exceptions WHERE id = $1 RETURNING person_id",
          [req.params.id],
        );
        if (!r.rows[0]) throw notFound("access.exception_not_found", "No such exception");
        await appendAudit(q, req.auditCtx, {
          action: "access.exception_withdrawn",
          targetType: "person",
          targetId: r.rows[0].person_id,
          details: { exceptionId: req.params.id },
        });
      });
      return reply.status(204).send();
    },
  );
}
