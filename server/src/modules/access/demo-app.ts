/**
 * A small SaaS application that Tandem serves itself, at /demo/scim/v2, so that a first run
 * has a real system to provision and revoke through the SCIM connector with nothing else
 * installed. It speaks the part of SCIM 2.0 (RFC 7643/7644) the connector uses: Users and
 * Groups with paging, `eq` filters on the attributes accounts are matched by, POST, PATCH
 * (applied by scim-patch), DELETE, and group members in the User's `groups`. It is a
 * separate application: its own bearer token (made by `tandem demo`), its own tables, and
 * nothing in it is trusted by the rest of Tandem. Without a token it answers 404.
 */
import { createHash, randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type ScimPatchOperation, scimPatch } from "scim-patch";
import type { Db, Queryable } from "../../platform/db/index.js";
import type { TypedApp } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";

export const DEMO_APP_PATH = "/demo/scim/v2";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const CONTENT_TYPE = "application/scim+json";

type Doc = Record<string, unknown>;
type Kind = "User" | "Group";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Makes (another) bearer token for the demo app; returns it once. */
export async function createDemoAppToken(q: Queryable): Promise<string> {
  const token = `demo_${randomBytes(24).toString("base64url")}`;
  await q.query("INSERT INTO demo_app_tokens (token_hash) VALUES ($1)", [sha256(token)]);
  return token;
}

/** Adds a group to the demo app (idempotent by name); returns its id. */
export async function ensureDemoAppGroup(q: Queryable, displayName: string): Promise<string> {
  const found = await q.query<{ id: string }>(
    "SELECT id FROM demo_app_resources WHERE kind = 'Group' AND lower(doc ->> 'displayName') = lower($1)",
    [displayName],
  );
  if (found.rows[0]) return found.rows[0].id;
  const id = ulid();
  await q.query("INSERT INTO demo_app_resources (id, kind, doc) VALUES ($1, 'Group', $2)", [
    id,
    JSON.stringify({ displayName, members: [] }),
  ]);
  return id;
}

class ScimProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: string,
  ) {
    super(message);
  }
}

/** The filters the connector sends: `attr eq "value"` on a few attributes, or a group's members. */
function compileFilter(
  kind: Kind,
  filter: string | undefined,
): ((d: Doc & { id: string }) => boolean) | null {
  if (!filter) return null;
  const m = /^\s*([\w:.]+?)(?:\[value eq "((?:[^"\\]|\\.)*)"\])?\s*(?:eq\s+"((?:[^"\\]|\\.)*)")?\s*$/i.exec(
    filter,
  );
  if (!m) throw new ScimProblem(400, `unsupported filter: ${filter}`, "invalidFilter");
  const attr = (m[1] ?? "").toLowerCase();
  const value = (m[3] ?? m[2] ?? "").replace(/\\(.)/g, "$1");
  if (m[2] !== undefined && kind === "Group" && attr === "members")
    return (d) => ((d.members as { value: string }[]) ?? []).some((x) => x.value === value);
  if (m[3] === undefined) throw new ScimProblem(400, `unsupported filter: ${filter}`, "invalidFilter");
  const lc = value.toLowerCase();
  const read: Record<string, (d: Doc & { id: string }) => unknown[]> = {
    id: (d) => [d.id],
    externalid: (d) => [d.externalId],
    username: (d) => [d.userName],
    displayname: (d) => [d.displayName],
    "emails.value": (d) => ((d.emails as { value?: string }[]) ?? []).map((e) => e.value),
    [`${ENTERPRISE.toLowerCase()}:employeenumber`]: (d) => [
      (d[ENTERPRISE] as Doc | undefined)?.employeeNumber,
    ],
  };
  const get = read[attr];
  if (!get) throw new ScimProblem(400, `filtering on ${m[1]} is not supported`, "invalidFilter");
  const exact = attr === "id" || attr === "externalid";
  return (d) => get(d).some((v) => typeof v === "string" && (exact ? v === value : v.toLowerCase() === lc));
}

interface Row {
  id: string;
  doc: Doc;
  created_at: Date | string;
  updated_at: Date | string;
}

export function demoAppRoutes(app: TypedApp, db: Db, publicUrl: string) {
  const base = `${publicUrl}${DEMO_APP_PATH}`;

  // The token is random, so looking up its SHA-256 by key reveals nothing a timing could use.
  const authorised = async (req: FastifyRequest): Promise<boolean> => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!m?.[1]) return false;
    const r = await db.query("SELECT 1 FROM demo_app_tokens WHERE token_hash = $1", [sha256(m[1])]);
    return r.rowCount > 0;
  };

  const send = (reply: FastifyReply, status: number, body: unknown) =>
    reply.status(status).type(CONTENT_TYPE).send(body);

  const fail = (reply: FastifyReply, e: unknown) => {
    if (e instanceof ScimProblem)
      return send(reply, e.status, {
        schemas: [ERROR],
        status: String(e.status),
        detail: e.message,
        ...(e.scimType ? { scimType: e.scimType } : {}),
      });
    throw e;
  };

  const rows = async (q: Queryable, kind: Kind): Promise<Row[]> =>
    (
      await q.query<Row>(
        "SELECT id, doc, created_at, updated_at FROM demo_app_resources WHERE kind = $1 ORDER BY id",
        [kind],
      )
    ).rows;

  const render = (kind: Kind, r: Row, groups: Row[]): Doc => {
    const meta = {
      resourceType: kind,
      created: new Date(r.created_at).toISOString(),
      lastModified: new Date(r.updated_at).toISOString(),
      location: `${base}/${kind === "User" ? "Users" : "Groups"}/${r.id}`,
    };
    if (kind === "Group") return { schemas: [GROUP], id: r.id, ...r.doc, meta };
    const member = groups
      .filter((g) => ((g.doc.members as { value: string }[]) ?? []).some((m) => m.value === r.id))
      .map((g) => ({ value: g.id, display: g.doc.displayName }));
    const schemas = r.doc[ENTERPRISE] ? [USER, ENTERPRISE] : [USER];
    return { schemas, id: r.id, ...r.doc, groups: member, meta };
  };

  const one = async (q: Queryable, kind: Kind, id: string): Promise<Row> => {
    const r = await q.query<Row>(
      "SELECT id, doc, created_at, updated_at FROM demo_app_resources WHERE kind = $1 AND id = $2",
      [kind, id],
    );
    if (!r.rows[0]) throw new ScimProblem(404, `${kind} ${id} not found`);
    return r.rows[0];
  };

  const store = async (q: Queryable, id: string, doc: Doc) => {
    try {
      await q.query("SAVEPOINT demo_app_write");
      await q.query("UPDATE demo_app_resources SET doc = $2, updated_at = now() WHERE id = $1", [
        id,
        JSON.stringify(doc),
      ]);
      await q.query("RELEASE SAVEPOINT demo_app_write");
    } catch (e) {
      await q.query("ROLLBACK TO SAVEPOINT demo_app_write");
      if ((e as { code?: string }).code === "23505")
        throw new ScimProblem(409, "userName is taken", "uniqueness");
      throw e;
    }
  };

  const clean = (body: Doc): Doc => {
    const { id: _id, meta: _meta, schemas: _schemas, groups: _groups, ...rest } = body;
    return rest;
  };

  // A separate application: Tandem's own per-address rate limit (meant for its API) does not apply.
  const access = { access: "public", ownBearer: true, rateLimit: false } as const;
  const hide = { hide: true } as const;

  app.register(
    async (scope) => {
      scope.addContentTypeParser(
        CONTENT_TYPE,
        { parseAs: "string" },
        scope.getDefaultJsonParser("error", "error"),
      );
      scope.addHook("onRequest", async (req, reply) => {
        if (!(await authorised(req))) {
          // No demo seeded (no token at all) looks like no application at all.
          const any = await db.query("SELECT 1 FROM demo_app_tokens LIMIT 1");
          return send(reply, any.rowCount ? 401 : 404, {
            schemas: [ERROR],
            status: any.rowCount ? "401" : "404",
            detail: any.rowCount ? "A valid bearer token is needed" : "Not found",
          });
        }
      });

      for (const [path, kind] of [
        ["/Users", "User"],
        ["/Groups", "Group"],
      ] as const) {
        scope.get(path, { config: access, schema: hide }, async (req, reply) => {
          try {
            const query = req.query as Record<string, string | undefined>;
            const start = Math.max(1, Number(query.startIndex ?? 1) || 1);
            const count = Math.min(1000, Math.max(0, Number(query.count ?? 100) || 0));
            const groups = await rows(db, "Group");
            const all = kind === "Group" ? groups : await rows(db, "User");
            const test = compileFilter(kind, query.filter);
            const matched = test ? all.filter((r) => test({ id: r.id, ...r.doc })) : all;
            const page = matched.slice(start - 1, start - 1 + count);
            return send(reply, 200, {
              schemas: [LIST],
              totalResults: matched.length,
              startIndex: start,
              itemsPerPage: page.length,
              Resources: page.map((r) => render(kind, r, groups)),
            });
          } catch (e) {
            return fail(reply, e);
          }
        });

        scope.get(`${path}/:id`, { config: access, schema: hide }, async (req, reply) => {
          try {
            const { id } = req.params as { id: string };
            return send(reply, 200, render(kind, await one(db, kind, id), await rows(db, "Group")));
          } catch (e) {
            return fail(reply, e);
          }
        });

        scope.patch(`${path}/:id`, { config: access, schema: hide }, async (req, reply) => {
          try {
            const { id } = req.params as { id: string };
            const body = (req.body ?? {}) as Doc;
            if (
              !Array.isArray(body.schemas) ||
              !body.schemas.includes(PATCH_OP) ||
              !Array.isArray(body.Operations)
            )
              throw new ScimProblem(400, "a PatchOp body with Operations is needed", "invalidSyntax");
            const out = await db.tx(async (q) => {
              const row = await one(q, kind, id);
              let patched: Doc;
              try {
                patched = scimPatch(
                  { schemas: [kind === "User" ? USER : GROUP], ...row.doc } as never,
                  body.Operations as ScimPatchOperation[],
                ) as unknown as Doc;
              } catch (e) {
                throw new ScimProblem(400, (e as Error).message, "invalidValue");
              }
              const doc = clean(patched);
              await store(q, id, doc);
              return one(q, kind, id);
            });
            return send(reply, 200, render(kind, out, await rows(db, "Group")));
          } catch (e) {
            return fail(reply, e);
          }
        });

        scope.delete(`${path}/:id`, { config: access, schema: hide }, async (req, reply) => {
          try {
            const { id } = req.params as { id: string };
            await db.tx(async (q) => {
              await one(q, kind, id);
              await q.query("DELETE FROM demo_app_resources WHERE id = $1", [id]);
              if (kind === "User") {
                // Groups forget a deleted user.
                for (const g of await rows(q, "Group")) {
                  const members = (g.doc.members as { value: string }[]) ?? [];
                  if (members.some((m) => m.value === id))
                    await store(q, g.id, { ...g.doc, members: members.filter((m) => m.value !== id) });
                }
              }
            });
            return reply.status(204).send();
          } catch (e) {
            return fail(reply, e);
          }
        });
      }

      scope.post("/Users", { config: access, schema: hide }, async (req, reply) => {
        try {
          const body = clean((req.body ?? {}) as Doc);
          if (typeof body.userName !== "string" || !body.userName.trim())
            throw new ScimProblem(400, "userName is required", "invalidValue");
          const id = ulid();
          try {
            await db.query("INSERT INTO demo_app_resources (id, kind, doc) VALUES ($1, 'User', $2)", [
              id,
              JSON.stringify(body),
            ]);
          } catch (e) {
            if ((e as { code?: string }).code === "23505")
              throw new ScimProblem(409, `userName ${body.userName} is taken`, "uniqueness");
            throw e;
          }
          const created = render("User", await one(db, "User", id), await rows(db, "Group"));
          reply.header("location", (created.meta as { location: string }).location);
          return send(reply, 201, created);
        } catch (e) {
          return fail(reply, e);
        }
      });

      scope.get("/ServiceProviderConfig", { config: access, schema: hide }, async (_req, reply) =>
        send(reply, 200, {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
          patch: { supported: true },
          bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
          filter: { supported: true, maxResults: 1000 },
          changePassword: { supported: false },
          sort: { supported: false },
          etag: { supported: false },
          authenticationSchemes: [
            { type: "oauthbearertoken", name: "Bearer token", description: "Demo token" },
          ],
        }),
      );
    },
    { prefix: DEMO_APP_PATH },
  );
}
