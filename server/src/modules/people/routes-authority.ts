import { z } from "zod";
import { appendAudit } from "../../platform/audit/index.js";
import { registerPermissions } from "../../platform/authz/index.js";
import type { PeopleContext } from "./context.js";
import { authorities } from "./repo.js";
import { SOURCES } from "./schemas.js";

registerPermissions({ "people:configure": ["admin", "hr"] });

/** Attributes a source can own: a change from any other source is refused (409 person.attribute_owned). */
export const AUTHORITY_ATTRIBUTES = [
  "employeeNumber",
  "legalName",
  "preferredName",
  "workEmail",
  "departmentId",
  "jobRoleId",
  "managerId",
  "locationId",
  "employmentType",
  "startDate",
  "endDate",
] as const;

const entry = z.object({ attribute: z.enum(AUTHORITY_ATTRIBUTES), source: z.enum(SOURCES) }).strict();
const listSchema = z.object({
  items: z.array(entry),
  attributes: z.array(z.string()),
  sources: z.array(z.string()),
});

export function authorityRoutes({ app, db }: PeopleContext) {
  const tags = ["people"];
  const list = async () => {
    const owners = await authorities(db);
    return {
      items: [...owners].map(([attribute, source]) => ({ attribute, source })) as z.infer<typeof entry>[],
      attributes: [...AUTHORITY_ATTRIBUTES],
      sources: [...SOURCES],
    };
  };

  app.get(
    "/api/v1/people/attribute-authority",
    {
      config: { access: { permission: "people:read_all" } },
      schema: { tags, summary: "Which source owns which person attribute", response: { 200: listSchema } },
    },
    list,
  );

  app.put(
    "/api/v1/people/attribute-authority",
    {
      config: { access: { permission: "people:configure" } },
      schema: {
        tags,
        summary: "Set the source of authority per attribute (attributes not listed are open to every source)",
        body: z
          .object({ items: z.array(entry).max(AUTHORITY_ATTRIBUTES.length) })
          .strict()
          .refine((b) => new Set(b.items.map((i) => i.attribute)).size === b.items.length, {
            message: "each attribute may appear once",
            path: ["items"],
          }),
        response: { 200: listSchema },
      },
    },
    async (req) => {
      await db.tx(async (q) => {
        const before = await authorities(q);
        await q.query("DELETE FROM attribute_authority");
        for (const i of req.body.items) {
          await q.query("INSERT INTO attribute_authority (attribute, source) VALUES ($1, $2)", [
            i.attribute,
            i.source,
          ]);
        }
        await appendAudit(q, req.auditCtx, {
          action: "people.attribute_authority_changed",
          targetType: "settings",
          targetId: "attribute_authority",
          details: {
            from: Object.fromEntries(before),
            to: Object.fromEntries(req.body.items.map((i) => [i.attribute, i.source])),
          },
        });
      });
      return list();
    },
  );
}
