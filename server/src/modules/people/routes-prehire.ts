import { z } from "zod";
import { notFound } from "../../platform/http/index.js";
import { caller, callerPersonId, type PeopleContext } from "./context.js";
import { canSee } from "./directory.js";
import { PEOPLE_READ, PEOPLE_WRITE } from "./policy.js";
import {
  agreementInput,
  agreementSchema,
  CHECKLIST_ITEMS,
  checkInput,
  checklist,
  checklistItemSchema,
  checkPatch,
  checkSchema,
  checkSummarySchema,
  checksStore,
  listAgreements,
  saveAgreement,
  setChecklistItem,
} from "./prehire.js";
import { findPerson } from "./repo.js";

const tags = ["people: before day one"];
const idParams = z.object({ id: z.string().min(1).max(40) }).strict();
const CHECKS = { permission: "people:checks" } as const;

/** Agreements, the pre-employment security checklist and (HR only) background checks. */
export function prehireRoutes({ app, db, envelope, config }: PeopleContext) {
  const checks = checksStore(envelope, config.TANDEM_CHECKS_RETENTION_DAYS);

  async function mustSee(req: Parameters<typeof caller>[0], id: string) {
    const who = caller(req);
    if (!(await findPerson(db, id)) || !(await canSee(db, who, await callerPersonId(db, who), id))) {
      throw notFound("person.not_found", "No such person");
    }
    return who;
  }

  app.get(
    "/api/v1/people/:id/agreements",
    {
      config: { access: PEOPLE_READ },
      schema: {
        tags,
        summary: "Signed agreements (NDA, acceptable use, …) with version and date",
        params: idParams,
        response: { 200: z.object({ items: z.array(agreementSchema) }) },
      },
    },
    async (req) => {
      await mustSee(req, req.params.id);
      return { items: await listAgreements(db, req.params.id) };
    },
  );

  app.post(
    "/api/v1/people/:id/agreements",
    {
      config: { access: PEOPLE_WRITE },
      schema: {
        tags,
        summary: "Record an agreement version and when it was signed",
        params: idParams,
        body: agreementInput,
        response: { 201: z.object({ items: z.array(agreementSchema) }) },
      },
    },
    async (req, reply) => {
      await mustSee(req, req.params.id);
      await db.tx((q) => saveAgreement(q, req.auditCtx, req.params.id, req.body));
      return reply.status(201).send({ items: await listAgreements(db, req.params.id) });
    },
  );

  app.get(
    "/api/v1/people/:id/checklist",
    {
      config: { access: PEOPLE_READ },
      schema: {
        tags,
        summary: "The pre-employment security checklist",
        params: idParams,
        response: { 200: z.object({ items: z.array(checklistItemSchema) }) },
      },
    },
    async (req) => {
      await mustSee(req, req.params.id);
      return { items: await checklist(db, req.params.id) };
    },
  );

  app.put(
    "/api/v1/people/:id/checklist/:item",
    {
      config: { access: PEOPLE_WRITE },
      schema: {
        tags,
        summary: "Tick or untick a checklist item",
        params: z.object({ id: z.string().min(1).max(40), item: z.enum(CHECKLIST_ITEMS) }).strict(),
        body: z.object({ done: z.boolean(), note: z.string().trim().max(1000).nullish() }).strict(),
        response: { 200: z.object({ items: z.array(checklistItemSchema) }) },
      },
    },
    async (req) => {
      await mustSee(req, req.params.id);
      await db.tx((q) =>
        setChecklistItem(
          q,
          req.auditCtx,
          req.params.id,
          req.params.item,
          req.body.done,
          req.body.note ?? null,
        ),
      );
      return { items: await checklist(db, req.params.id) };
    },
  );

  app.get(
    "/api/v1/people/:id/checks",
    {
      config: { access: PEOPLE_READ },
      schema: {
        tags,
        summary:
          "Background checks: HR sees the details (read audited), everyone else only whether each is completed",
        params: idParams,
        response: {
          200: z.object({
            items: z.array(z.union([checkSchema, checkSummarySchema])),
            detailed: z.boolean(),
          }),
        },
      },
    },
    async (req) => {
      const who = await mustSee(req, req.params.id);
      if (who.permissions.has("people:checks")) {
        return { items: await db.tx((q) => checks.details(q, req.auditCtx, req.params.id)), detailed: true };
      }
      return { items: await checks.summaries(db, req.params.id), detailed: false };
    },
  );

  app.post(
    "/api/v1/people/:id/checks",
    {
      config: { access: CHECKS },
      schema: {
        tags,
        summary: "Record a background check (details encrypted, HR only)",
        params: idParams,
        body: checkInput,
        response: { 201: z.object({ id: z.string() }) },
      },
    },
    async (req, reply) => {
      await mustSee(req, req.params.id);
      const id = await db.tx((q) => checks.create(q, req.auditCtx, req.params.id, req.body));
      return reply.status(201).send({ id });
    },
  );

  app.patch(
    "/api/v1/people/checks/:id",
    {
      config: { access: CHECKS },
      schema: {
        tags,
        summary: "Update a background check's status, outcome or documents",
        params: idParams,
        body: checkPatch,
        response: { 200: z.object({ id: z.string() }) },
      },
    },
    async (req) => {
      await db.tx((q) => checks.update(q, req.auditCtx, req.params.id, req.body));
      return { id: req.params.id };
    },
  );

  return checks;
}
