import { z } from "zod";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db } from "../../platform/db/index.js";
import { decodeCursor, encodeCursor, notFound, pageQuery, type TypedApp } from "../../platform/http/index.js";
import { listAccounts, toAccountView } from "./accounts.js";
import {
  createSystem,
  deleteSystem,
  findSystem,
  listEntitlements,
  listSystemRows,
  toEntitlement,
  toSystem,
  updateSystem,
  upsertEntitlement,
} from "./catalogue.js";
import { connectorSettingSchema, connectorSettings } from "./connector-settings.js";
import { availableConnectorTypes } from "./connectors.js";
import { ACCESS_ADMIN, ACCESS_READ } from "./policy.js";
import {
  accountSchema,
  entitlementInput,
  entitlementSchema,
  idParams,
  systemInput,
  systemPatch,
  systemSchema,
} from "./schemas.js";
import type { AccessService } from "./service.js";
import { syncSystem, testSystem } from "./sync.js";

const tags = ["access: systems"];

export interface RouteDeps {
  app: TypedApp;
  db: Db;
  envelope: Envelope;
  access: AccessService;
}

/** The systems catalogue: connector settings (secrets write-only), test, read, entitlements. */
export function systemRoutes({ app, db, envelope, access }: RouteDeps) {
  const one = async (id: string) => {
    const row = await findSystem(db, id);
    if (!row) throw notFound("access.system_not_found", "No such system");
    return toSystem(row);
  };

  app.get(
    "/api/v1/access/connector-types",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary:
          "The connector types a system can use, with their settings (for a form) and the secrets each needs",
        response: {
          200: z.object({
            items: z.array(
              z.object({
                type: z.string(),
                label: z.string(),
                secretFields: z.array(z.string()),
                /** Each top-level setting, for a form. */
                settings: z.array(connectorSettingSchema),
                /** The connector's whole config schema as JSON Schema. */
                configSchema: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
        },
      },
    },
    async () => ({
      items: availableConnectorTypes().map((t) => ({
        ...t,
        secretFields: [...t.secretFields],
        ...connectorSettings(t.type),
      })),
    }),
  );

  app.get(
    "/api/v1/access/systems",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "Every system",
        response: { 200: z.object({ items: z.array(systemSchema) }) },
      },
    },
    async () => ({ items: (await listSystemRows(db)).map(toSystem) }),
  );

  app.post(
    "/api/v1/access/systems",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Add a system; its config is checked by the connector type, its secrets are write-only",
        body: systemInput,
        response: { 201: systemSchema },
      },
    },
    async (req, reply) => {
      const id = await db.tx((q) => createSystem(q, req.auditCtx, envelope, req.body));
      return reply.status(201).send(await one(id));
    },
  );

  app.get(
    "/api/v1/access/systems/:id",
    {
      config: { access: ACCESS_READ },
      schema: { tags, summary: "One system", params: idParams, response: { 200: systemSchema } },
    },
    async (req) => one(req.params.id),
  );

  app.patch(
    "/api/v1/access/systems/:id",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Change a system; secrets given replace the stored ones, the rest stay",
        params: idParams,
        body: systemPatch,
        response: { 200: systemSchema },
      },
    },
    async (req) => {
      await db.tx((q) => updateSystem(q, req.auditCtx, envelope, req.params.id, req.body));
      access.pool.drop(req.params.id);
      return one(req.params.id);
    },
  );

  app.delete(
    "/api/v1/access/systems/:id",
    {
      config: { access: ACCESS_ADMIN },
      schema: { tags, summary: "Delete a system nothing depends on", params: idParams },
    },
    async (req, reply) => {
      await db.tx((q) => deleteSystem(q, req.auditCtx, req.params.id));
      access.pool.drop(req.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    "/api/v1/access/systems/:id/test",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Test the connection: settings, credentials and the places the connector needs",
        params: idParams,
        response: {
          200: z.object({ ok: z.boolean(), detail: z.string(), kind: z.string().optional() }),
        },
      },
    },
    async (req) => testSystem(db, access.pool, req.auditCtx, req.params.id),
  );

  app.post(
    "/api/v1/access/systems/:id/sync",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary:
          "Read every account and entitlement (the actual state); a failed or empty read keeps what was known (502)",
        params: idParams,
        response: {
          200: z.object({
            accounts: z.number(),
            entitlements: z.number(),
            linked: z.number(),
            removed: z.number(),
          }),
        },
      },
    },
    async (req) => syncSystem(db, access.pool, req.auditCtx, req.params.id),
  );

  app.get(
    "/api/v1/access/systems/:id/entitlements",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "The system's entitlements (groups, roles, licences)",
        params: idParams,
        response: { 200: z.object({ items: z.array(entitlementSchema) }) },
      },
    },
    async (req) => {
      await one(req.params.id);
      return { items: await listEntitlements(db, req.params.id) };
    },
  );

  app.post(
    "/api/v1/access/systems/:id/entitlements",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Declare an entitlement by hand (for systems that cannot list theirs)",
        params: idParams,
        body: entitlementInput,
        response: { 201: entitlementSchema },
      },
    },
    async (req, reply) => {
      await one(req.params.id);
      const id = await db.tx((q) => upsertEntitlement(q, req.params.id, req.body));
      const row = await db.query<Parameters<typeof toEntitlement>[0]>(
        "SELECT * FROM entitlements WHERE id = $1",
        [id],
      );
      return reply.status(201).send(toEntitlement(row.rows[0] as Parameters<typeof toEntitlement>[0]));
    },
  );

  app.get(
    "/api/v1/access/systems/:id/accounts",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "The system's accounts as last read back",
        params: idParams,
        querystring: pageQuery,
        response: { 200: z.object({ items: z.array(accountSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      await one(req.params.id);
      const after = decodeCursor(req.query.cursor, z.object({ a: z.string() }).strict());
      const rows = await listAccounts(db, req.params.id, { after: after?.a, limit: req.query.limit + 1 });
      const more = rows.length > req.query.limit;
      const items = rows.slice(0, req.query.limit).map(toAccountView);
      const last = items[items.length - 1];
      return { items, nextCursor: more && last ? encodeCursor({ a: last.id }) : null };
    },
  );
}
