import type { FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { registerPermissions } from "../../../platform/authz/index.js";
import type { PeopleContext } from "../context.js";
import {
  LIST_SCHEMA,
  MAX_RESULTS,
  PATCH_SCHEMA,
  resourceTypeDocuments,
  SCIM_CONTENT_TYPE,
  schemaDocuments,
  serviceProviderConfig,
} from "./discovery.js";
import { invalidSyntax, ScimError, scimErrorHandler } from "./errors.js";
import { createGroupOps } from "./groups.js";
import { project } from "./projection.js";
import { listUsers, toUserResource } from "./user-repo.js";
import { createUserOps } from "./users.js";

registerPermissions({ "people:scim": ["admin", "hr"] });

const SCIM = { access: { permission: "people:scim" } } as const;
const tags = ["scim"];
const idParams = z.object({ id: z.string().min(1).max(200) });
const projection = z.object({
  attributes: z.string().max(2000).optional(),
  excludedAttributes: z.string().max(2000).optional(),
});
const listQuery = projection.extend({
  filter: z.string().max(4000).optional(),
  startIndex: z.coerce.number().int().optional(),
  count: z.coerce.number().int().optional(),
  sortBy: z.string().max(200).optional(),
  sortOrder: z.string().max(20).optional(),
});
const resourceBody = z.record(z.string(), z.unknown());
const patchBody = z.record(z.string(), z.unknown()).describe("A PatchOp message (RFC 7644 §3.5.2)");

type Obj = Record<string, unknown>;

function list(resources: Obj[], total: number, startIndex: number) {
  return {
    schemas: [LIST_SCHEMA],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** RFC 7644 §3.4.2.4: startIndex below 1 means 1; count below 0 means 0; above the maximum, the maximum. */
function paging(q: { startIndex?: number | undefined; count?: number | undefined }) {
  const startIndex = Math.max(1, q.startIndex ?? 1);
  const count = Math.min(MAX_RESULTS, Math.max(0, q.count ?? MAX_RESULTS));
  return { startIndex, count };
}

function operations(body: Obj): unknown[] {
  const schemas = Object.entries(body).find(([k]) => k.toLowerCase() === "schemas")?.[1];
  if (!Array.isArray(schemas) || !schemas.some((s) => String(s).toLowerCase() === PATCH_SCHEMA.toLowerCase()))
    throw invalidSyntax(`A PATCH body needs schemas: ["${PATCH_SCHEMA}"]`);
  const ops = Object.entries(body).find(([k]) => k.toLowerCase() === "operations")?.[1];
  if (!Array.isArray(ops) || ops.length === 0)
    throw invalidSyntax("A PATCH body needs a non-empty Operations array");
  return ops;
}

const ifMatch = (req: FastifyRequest) => {
  const v = req.headers["if-match"];
  return typeof v === "string" ? v : undefined;
};

function send(reply: FastifyReply, resource: Obj, req: FastifyRequest, status = 200) {
  const meta = resource.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) reply.header("etag", meta.version);
  if (status === 201 && meta?.location) reply.header("location", meta.location);
  return reply
    .status(status)
    .type(SCIM_CONTENT_TYPE)
    .send(project(resource, req.query as z.infer<typeof projection>));
}

/** The inbound SCIM 2.0 server (RFC 7643/7644) at /scim/v2: identity providers and HR systems as a source. */
export function scimRoutes(ctx: PeopleContext) {
  const { app, db, people, config } = ctx;
  const base = `${config.publicUrl}/scim/v2`;
  const users = createUserOps(people, base);
  const groups = createGroupOps(base);

  app.register(
    async (plain) => {
      const scope = plain.withTypeProvider<ZodTypeProvider>();
      scope.addContentTypeParser(
        "application/scim+json",
        { parseAs: "string" },
        scope.getDefaultJsonParser("error", "error"),
      );
      scope.setErrorHandler(scimErrorHandler);
      // Unknown SCIM endpoints answer in the SCIM error schema (a route, so it wins over the web app's fallback).
      scope.all("/*", { config: SCIM, schema: { hide: true } }, async (req) => {
        throw new ScimError(404, undefined, `No SCIM endpoint ${req.method} ${req.url.split("?")[0]}`);
      });

      scope.get(
        "/ServiceProviderConfig",
        { config: SCIM, schema: { tags, summary: "SCIM: what this service provider supports" } },
        async (_req, reply) => reply.type(SCIM_CONTENT_TYPE).send(serviceProviderConfig(base)),
      );
      scope.get(
        "/Schemas",
        { config: SCIM, schema: { tags, summary: "SCIM: the User, EnterpriseUser and Group schemas" } },
        async (_req, reply) => {
          const docs = schemaDocuments(base);
          return reply.type(SCIM_CONTENT_TYPE).send(list(docs, docs.length, 1));
        },
      );
      scope.get(
        "/Schemas/:id",
        { config: SCIM, schema: { tags, summary: "SCIM: one schema", params: idParams } },
        async (req, reply) => {
          const doc = schemaDocuments(base).find((s) => s.id === req.params.id);
          if (!doc) throw new ScimError(404, undefined, `Schema ${req.params.id} not found`);
          return reply.type(SCIM_CONTENT_TYPE).send(doc);
        },
      );
      scope.get(
        "/ResourceTypes",
        { config: SCIM, schema: { tags, summary: "SCIM: the resource types (User, Group)" } },
        async (_req, reply) => {
          const docs = resourceTypeDocuments(base);
          return reply.type(SCIM_CONTENT_TYPE).send(list(docs, docs.length, 1));
        },
      );
      scope.get(
        "/ResourceTypes/:id",
        { config: SCIM, schema: { tags, summary: "SCIM: one resource type", params: idParams } },
        async (req, reply) => {
          const doc = resourceTypeDocuments(base).find((s) => s.id === req.params.id);
          if (!doc) throw new ScimError(404, undefined, `ResourceType ${req.params.id} not found`);
          return reply.type(SCIM_CONTENT_TYPE).send(doc);
        },
      );

      // Users: people, mapped onto HR records.
      scope.get(
        "/Users",
        {
          config: SCIM,
          schema: { tags, summary: "SCIM: list and filter Users (people)", querystring: listQuery },
        },
        async (req, reply) => {
          const { startIndex, count } = paging(req.query);
          const r = await listUsers(db, req.query.filter, startIndex, count);
          const resources = r.rows.map((row) => project(toUserResource(row, base), req.query));
          return reply.type(SCIM_CONTENT_TYPE).send(list(resources, r.total, startIndex));
        },
      );
      scope.post(
        "/Users",
        {
          config: SCIM,
          schema: {
            tags,
            summary: "SCIM: create a User (hires a person)",
            querystring: projection,
            body: resourceBody,
          },
        },
        async (req, reply) =>
          send(reply, await db.tx((q) => users.create(q, req.auditCtx, req.body)), req, 201),
      );
      scope.get(
        "/Users/:id",
        {
          config: SCIM,
          schema: { tags, summary: "SCIM: one User", params: idParams, querystring: projection },
        },
        async (req, reply) => {
          const resource = toUserResource(await users.load(db, req.params.id), base);
          const version = (resource.meta as { version: string }).version;
          if (req.headers["if-none-match"] === version)
            return reply.status(304).header("etag", version).send();
          return send(reply, resource, req);
        },
      );
      scope.put(
        "/Users/:id",
        {
          config: SCIM,
          schema: {
            tags,
            summary: "SCIM: replace a User (If-Match supported)",
            params: idParams,
            querystring: projection,
            body: resourceBody,
          },
        },
        async (req, reply) =>
          send(
            reply,
            await db.tx((q) => users.replace(q, req.auditCtx, req.params.id, req.body, ifMatch(req))),
            req,
          ),
      );
      scope.patch(
        "/Users/:id",
        {
          config: SCIM,
          schema: {
            tags,
            summary: "SCIM: modify a User with PATCH operations (If-Match supported)",
            params: idParams,
            querystring: projection,
            body: patchBody,
          },
        },
        async (req, reply) => {
          const ops = operations(req.body);
          return send(
            reply,
            await db.tx((q) => users.patch(q, req.auditCtx, req.params.id, ops, ifMatch(req))),
            req,
          );
        },
      );
      scope.delete(
        "/Users/:id",
        {
          config: SCIM,
          schema: {
            tags,
            summary: "SCIM: delete a User — terminates the person; HR keeps the record",
            params: idParams,
          },
        },
        async (req, reply) => {
          await db.tx((q) => users.remove(q, req.auditCtx, req.params.id, ifMatch(req)));
          return reply.status(204).send();
        },
      );

      // Groups.
      scope.get(
        "/Groups",
        { config: SCIM, schema: { tags, summary: "SCIM: list and filter Groups", querystring: listQuery } },
        async (req, reply) => {
          const { startIndex, count } = paging(req.query);
          const r = await groups.list(db, req.query.filter, startIndex, count);
          const resources = r.resources.map((g) => project(g, req.query));
          return reply.type(SCIM_CONTENT_TYPE).send(list(resources, r.total, startIndex));
        },
      );
      scope.post(
        "/Groups",
        {
          config: SCIM,
          schema: { tags, summary: "SCIM: create a Group", querystring: projection, body: resourceBody },
        },
        async (req, reply) =>
          send(reply, await db.tx((q) => groups.create(q, req.auditCtx, req.body)), req, 201),
      );
      scope.get(
        "/Groups/:id",
        {
          config: SCIM,
          schema: { tags, summary: "SCIM: one Group", params: idParams, querystring: projection },
        },
        async (req, reply) => send(reply, await groups.get(db, req.params.id), req),
      );
      scope.put(
        "/Groups/:id",
        {
          config: SCIM,
          schema: {
            tags,
            summary: "SCIM: replace a Group",
            params: idParams,
            querystring: projection,
            body: resourceBody,
          },
        },
        async (req, reply) =>
          send(
            reply,
            await db.tx((q) => groups.replace(q, req.auditCtx, req.params.id, req.body, ifMatch(req))),
            req,
          ),
      );
      scope.patch(
        "/Groups/:id",
        {
          config: SCIM,
          schema: {
            tags,
            summary: "SCIM: modify a Group (members) with PATCH operations",
            params: idParams,
            querystring: projection,
            body: patchBody,
          },
        },
        async (req, reply) => {
          const ops = operations(req.body);
          return send(
            reply,
            await db.tx((q) => groups.patch(q, req.auditCtx, req.params.id, ops, ifMatch(req))),
            req,
          );
        },
      );
      scope.delete(
        "/Groups/:id",
        { config: SCIM, schema: { tags, summary: "SCIM: delete a Group", params: idParams } },
        async (req, reply) => {
          await db.tx((q) => groups.remove(q, req.auditCtx, req.params.id, ifMatch(req)));
          return reply.status(204).send();
        },
      );
    },
    { prefix: "/scim/v2" },
  );
}
