import type { FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError, badRequest, decodeCursor, encodeCursor, problem } from "../../../platform/http/index.js";
import type { PeopleContext } from "../context.js";
import { bufferInput, FIELDS, type Field, isField, normalizeHeader, TEMPLATE_HEADER } from "./csv.js";
import { type ImportResult, importPeople, listRuns } from "./importer.js";

const IMPORT = { permission: "people:import" } as const;
/** The largest CSV accepted over HTTP (about 100,000 people with room to spare). */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;
const tags = ["people import"];
const MAPPING_HEADER = "x-tandem-column-mapping";

const flag = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1")
  .optional();
const importQuery = z
  .object({
    dryRun: flag,
    createMissingOrg: flag,
    includeUnchanged: flag,
    mapping: z.string().max(10_000).optional(),
    fileName: z.string().trim().max(255).optional(),
  })
  .strict();

const lineError = z.object({
  line: z.number(),
  field: z.string().nullable(),
  message: z.string(),
  employeeNumber: z.string().optional(),
});
const countsSchema = z.object({
  rows: z.number(),
  creates: z.number(),
  updates: z.number(),
  moves: z.number(),
  terminations: z.number(),
  unchanged: z.number(),
  skipped: z.number(),
  errors: z.number(),
});
const runSchema = z.object({
  id: z.string(),
  source: z.string(),
  fileName: z.string().nullable(),
  dryRun: z.boolean(),
  state: z.enum(["running", "done", "failed"]),
  counts: z.record(z.string(), z.number()),
  errors: z.array(lineError),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
const resultSchema = z.object({
  run: runSchema,
  applied: z.boolean(),
  counts: countsSchema,
  items: z.array(
    z.object({
      line: z.number(),
      employeeNumber: z.string(),
      action: z.enum(["create", "update", "move", "terminate", "unchanged", "skip"]),
      changes: z.record(z.string(), z.object({ from: z.string().nullable(), to: z.string().nullable() })),
      events: z.array(z.string()),
      note: z.string().optional(),
    }),
  ),
  itemsTruncated: z.boolean(),
  errors: z.array(lineError),
  errorsTruncated: z.boolean(),
  ignoredColumns: z.array(z.string()),
  orgCreates: z.object({
    departments: z.array(z.string()),
    jobRoles: z.array(z.object({ title: z.string(), department: z.string().nullable() })),
    locations: z.array(z.string()),
  }),
});

/** The column mapping, as JSON `{"CSV header": "field"}` in the query or the x-tandem-column-mapping header. */
export function parseMapping(raw: string | undefined, where: string): Record<string, Field> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest("people_import.bad_mapping", "The column mapping is not JSON", [
      { path: where, message: 'expected JSON like {"Personnel no": "employee_number"}' },
    ]);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw badRequest("people_import.bad_mapping", "The column mapping must be a JSON object", [
      { path: where, message: "expected an object of CSV header → field" },
    ]);
  const out: Record<string, Field> = {};
  for (const [header, field] of Object.entries(parsed)) {
    if (typeof field !== "string" || !isField(field))
      throw badRequest("people_import.bad_mapping", `"${header}" maps to an unknown field`, [
        { path: `${where}.${header}`, message: `must be one of ${FIELDS.join(", ")}` },
      ]);
    out[normalizeHeader(header)] = field;
  }
  return out;
}

const lineProblems = (r: ImportResult) =>
  r.errors.slice(0, 100).map((e) => ({
    path: `line ${e.line}${e.field ? `.${e.field}` : ""}`,
    message: e.message,
  }));

/** CSV import of people: preview (dry run), apply, past runs, and a template. */
export function importRoutes(ctx: PeopleContext) {
  const { app, db, people, events, jobs } = ctx;

  async function run(req: FastifyRequest, dryRun: boolean) {
    const query = req.query as z.infer<typeof importQuery>;
    if (!Buffer.isBuffer(req.body))
      throw new AppError(
        415,
        "people_import.send_csv",
        "Send the file as the body with Content-Type: text/csv",
      );
    const header = req.headers[MAPPING_HEADER];
    const mapping = {
      ...parseMapping(typeof header === "string" ? header : undefined, MAPPING_HEADER),
      ...parseMapping(query.mapping, "mapping"),
    };
    return importPeople({ db, people, events, jobs }, req.auditCtx, bufferInput(req.body), {
      dryRun,
      mapping,
      createMissingOrg: query.createMissingOrg,
      includeUnchanged: query.includeUnchanged,
      fileName: query.fileName ?? null,
      maxItems: 500,
      maxErrors: 1000,
    });
  }

  function answer(req: FastifyRequest, reply: FastifyReply, r: ImportResult) {
    if (r.applied || r.run.dryRun) return reply.send(r);
    const refused = r.counts.errors > 0;
    const status = refused ? 422 : 409;
    const body = refused
      ? problem(
          422,
          "people_import.file_has_errors",
          `The file has ${r.counts.errors} error(s); nothing was changed. Fix them and send the file again`,
          lineProblems(r),
        )
      : problem(
          409,
          "people_import.apply_failed",
          `Applying stopped at ${r.errors[0] ? `line ${r.errors[0].line}` : "a row"}: ${r.errors[0]?.message ?? "unknown"}. Rows before it were applied; send the same file again to finish`,
          lineProblems(r),
        );
    return reply
      .status(status)
      .type("application/problem+json")
      .send({ ...body, instance: req.url.split("?")[0], requestId: req.id, result: r });
  }

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    scope.addContentTypeParser(
      ["text/csv", "text/plain", "application/csv"],
      { parseAs: "buffer", bodyLimit: IMPORT_BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    const description =
      "The body is the CSV file (Content-Type: text/csv, up to 50 MB). Columns: " +
      `${FIELDS.join(", ")}. Header names match case-insensitively; map other headers with the JSON ` +
      `column mapping in \`mapping\` or the \`${MAPPING_HEADER}\` header. Items are the first 500 rows that ` +
      "change something; counts are complete.";

    scope.post(
      "/api/v1/people/import/preview",
      {
        config: { access: IMPORT },
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags,
          summary:
            "Dry run: what importing this CSV would create, change, move and terminate, and every error",
          description,
          querystring: importQuery,
          response: { 200: resultSchema },
        },
      },
      async (req, reply) => answer(req, reply, await run(req, true)),
    );

    scope.post(
      "/api/v1/people/import/apply",
      {
        config: { access: IMPORT },
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags,
          summary:
            "Import a CSV of people: all or nothing when it has errors (422), idempotent when applied again",
          description: `${description} With dryRun=true it only previews.`,
          querystring: importQuery,
          response: { 200: resultSchema },
        },
      },
      async (req, reply) => answer(req, reply, await run(req, req.query.dryRun === true)),
    );

    scope.get(
      "/api/v1/people/import/runs",
      {
        config: { access: IMPORT },
        schema: {
          tags,
          summary: "Past CSV imports and previews, newest first",
          querystring: z
            .object({
              limit: z.coerce.number().int().min(1).max(100).default(20),
              cursor: z.string().max(500).optional(),
            })
            .strict(),
          response: { 200: z.object({ items: z.array(runSchema), nextCursor: z.string().nullable() }) },
        },
      },
      async (req) => {
        const after = decodeCursor(req.query.cursor, z.object({ id: z.string() }));
        const { runs, more } = await listRuns(db, req.query.limit, after?.id);
        const last = runs[runs.length - 1];
        return { items: runs, nextCursor: more && last ? encodeCursor({ id: last.id }) : null };
      },
    );

    scope.get(
      "/api/v1/people/import/template",
      {
        config: { access: IMPORT },
        schema: { tags, summary: "The header line of a people CSV, as a file to fill in" },
      },
      async (_req, reply) =>
        reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", 'attachment; filename="people-import-template.csv"')
          .send(TEMPLATE_HEADER),
    );
  });
}
