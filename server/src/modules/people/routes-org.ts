import { z } from "zod";
import type { PeopleContext } from "./context.js";
import {
  departmentInput,
  departmentSchema,
  jobRoleInput,
  jobRoleSchema,
  listDepartments,
  listJobRoles,
  listLocations,
  locationInput,
  locationSchema,
  saveDepartment,
  saveJobRole,
  saveLocation,
} from "./org.js";
import { ORG_WRITE } from "./policy.js";

const idParams = z.object({ id: z.string().min(1).max(40) }).strict();

/** Departments (a tree with heads), job roles and locations. Everyone signed in can read them. */
export function orgRoutes({ app, db }: PeopleContext) {
  const kinds = [
    {
      path: "departments",
      tag: "departments",
      schema: departmentSchema,
      input: departmentInput,
      list: listDepartments,
      save: saveDepartment,
    },
    {
      path: "job-roles",
      tag: "job roles",
      schema: jobRoleSchema,
      input: jobRoleInput,
      list: listJobRoles,
      save: saveJobRole,
    },
    {
      path: "locations",
      tag: "locations",
      schema: locationSchema,
      input: locationInput,
      list: listLocations,
      save: saveLocation,
    },
  ] as const;
  for (const k of kinds) {
    const listSchema = z.object({ items: z.array(k.schema as z.ZodTypeAny) });
    app.get(
      `/api/v1/${k.path}`,
      {
        config: { access: "authenticated" },
        schema: { tags: [k.tag], summary: `All ${k.tag}`, response: { 200: listSchema } },
      },
      async () => ({ items: await k.list(db) }),
    );
    app.post(
      `/api/v1/${k.path}`,
      {
        config: { access: ORG_WRITE },
        schema: {
          tags: [k.tag],
          summary: `Add one of the ${k.tag}`,
          body: k.input,
          response: { 201: z.object({ id: z.string() }) },
        },
      },
      async (req, reply) => {
        const id = await db.tx((q) =>
          (k.save as (q: unknown, c: unknown, i: unknown) => Promise<string>)(q, req.auditCtx, req.body),
        );
        return reply.status(201).send({ id });
      },
    );
    app.put(
      `/api/v1/${k.path}/:id`,
      {
        config: { access: ORG_WRITE },
        schema: {
          tags: [k.tag],
          summary: `Change one of the ${k.tag}`,
          params: idParams,
          body: k.input,
          response: { 200: z.object({ id: z.string() }) },
        },
      },
      async (req) => {
        const params = req.params as { id: string };
        const id = await db.tx((q) =>
          (k.save as (q: unknown, c: unknown, i: unknown, id: string) => Promise<string>)(
            q,
            req.auditCtx,
            req.body,
            params.id,
          ),
        );
        return { id };
      },
    );
  }
}
