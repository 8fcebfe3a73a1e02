import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { decodeCursor, encodeCursor, notFound, pageQuery } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { checkAttachments } from "./attachments.js";
import { caller, type ReportSettings, type ReportsDeps, reportBodyLimit } from "./context.js";
import { hashCode, isWellFormedCode, penalise, take } from "./followup.js";
import { anonymousCtx, type Created, createReport, type Reporter } from "./intake.js";
import { REPORTS_SUBMIT } from "./policy.js";
import { codeBody, idParams, type ReportInput, reporterView, reportInput, thankYou } from "./schemas.js";
import { ownReport, REPORT_COLUMNS, type ReportRow, reportRow, toReporterView } from "./views.js";
import { selfHelp, THANK_YOU } from "./wording.js";

const messageInput = z.object({ body: z.string().trim().min(1).max(10000) }).strict();

/** A reporter's reply: stored, audited, and a report waiting for the reporter goes back to Security. */
export async function addReporterMessage(q: Queryable, ctx: AuditContext, row: ReportRow, body: string) {
  await q.query("INSERT INTO report_messages (id, report_id, author, body) VALUES ($1, $2, 'reporter', $3)", [
    ulid(),
    row.id,
    body,
  ]);
  await q.query(
    `UPDATE reports SET status = CASE WHEN status = 'waiting_for_reporter' THEN 'in_review' ELSE status END,
       updated_at = now() WHERE id = $1`,
    [row.id],
  );
  await appendAudit(q, ctx, {
    action: "report.reporter_replied",
    targetType: "report",
    targetId: row.id,
    details: { reference: row.reference },
  });
}

/**
 * The reporter's side: report (signed in, by API token, or anonymously), follow the report
 * (My reports, or the follow-up code), and answer Security's questions.
 */
export function reportRoutes(deps: ReportsDeps, settings: ReportSettings) {
  const { app, db, envelope, events } = deps;
  const tags = ["reports: reporting"];
  const bodyLimit = reportBodyLimit(settings);

  const submit = async (
    ctx: AuditContext,
    input: ReportInput,
    reporter: Reporter,
    channel: "web" | "api" | "anonymous",
  ) => {
    const files = await checkAttachments(input.attachments, settings.attachments);
    const created: Created = await db.tx((q) =>
      createReport(q, { envelope, events }, ctx, {
        channel,
        title: input.title,
        description: input.description,
        details: input.details,
        attachments: files,
        reporter,
      }),
    );
    return {
      id: created.id,
      reference: created.reference,
      message: THANK_YOU,
      selfHelp: selfHelp(input.details),
      followUpCode: created.followUpCode,
    };
  };

  app.post(
    "/api/v1/reports",
    {
      bodyLimit,
      config: { access: REPORTS_SUBMIT },
      schema: {
        tags,
        summary:
          "Report something (signed in, or by API token with the reports:submit scope); attachments as base64, checked by content",
        body: reportInput,
        response: { 201: thankYou },
      },
    },
    async (req, reply) => {
      const me = caller(req);
      const out = await submit(
        req.auditCtx,
        req.body,
        { kind: "user", userId: me.userId },
        me.via === "token" ? "api" : "web",
      );
      return reply.status(201).send(out);
    },
  );

  // Anonymous routes ignore every credential (ownBearer: no session, no CSRF, no token look-up)
  // and audit without the caller's address or browser.
  app.post(
    "/api/v1/reports/anonymous",
    {
      bodyLimit,
      config: { access: "public", ownBearer: true },
      // The shared bucket is checked before the body is read: a flood is refused before it uploads.
      onRequest: async () => take(db, settings.anonymous),
      schema: {
        tags,
        summary:
          "Report anonymously: nothing about the sender is stored; the answer holds a follow-up code, shown only this once",
        body: reportInput,
        response: { 201: thankYou },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await submit(anonymousCtx(req.id), req.body, { kind: "anonymous" }, "anonymous")),
  );

  const byCode = async (code: string): Promise<ReportRow> => {
    await take(db, settings.lookups);
    const found = isWellFormedCode(code)
      ? (
          await db.query<ReportRow>(`SELECT ${REPORT_COLUMNS} FROM reports r WHERE r.followup_hash = $1`, [
            hashCode(code),
          ])
        ).rows[0]
      : undefined;
    if (!found) {
      await penalise(db, settings.lookups, settings.lookupPenalty);
      throw notFound("report.code_unknown", "No report has this follow-up code; check it and try again");
    }
    return found;
  };

  app.post(
    "/api/v1/reports/follow-up",
    {
      config: { access: "public", ownBearer: true },
      schema: {
        tags,
        summary: "Read an anonymous report's status, outcome and conversation with its follow-up code",
        body: codeBody,
        response: { 200: reporterView },
      },
    },
    async (req) => toReporterView(db, await byCode(req.body.code)),
  );

  app.post(
    "/api/v1/reports/follow-up/messages",
    {
      config: { access: "public", ownBearer: true },
      schema: {
        tags,
        summary: "Answer Security in an anonymous report's conversation, with its follow-up code",
        body: codeBody.extend(messageInput.shape).strict(),
        response: { 200: reporterView },
      },
    },
    async (req) => {
      const row = await byCode(req.body.code);
      await db.tx((q) => addReporterMessage(q, anonymousCtx(req.id), row, req.body.body));
      return toReporterView(db, (await reportRow(db, row.id)) as ReportRow);
    },
  );

  const mineItem = z.object({
    id: z.string(),
    reference: z.string(),
    category: z.string(),
    title: z.string(),
    status: z.string(),
    statusText: z.string(),
    outcome: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  });

  app.get(
    "/api/v1/reports/mine",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Your own reports, newest first, with their status and outcome",
        querystring: pageQuery.strict(),
        response: { 200: z.object({ items: z.array(mineItem), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const me = caller(req);
      const after = decodeCursor(req.query.cursor, z.object({ b: z.string() }).strict());
      const rows = (
        await db.query<ReportRow>(
          `SELECT ${REPORT_COLUMNS} FROM reports r WHERE r.reporter_user_id = $1 AND ($2::text IS NULL OR r.id < $2)
           ORDER BY r.id DESC LIMIT $3`,
          [me.userId, after?.b ?? null, req.query.limit + 1],
        )
      ).rows;
      const page = rows.slice(0, req.query.limit);
      const items = [];
      for (const row of page) {
        const v = await toReporterView(db, row);
        items.push({
          id: v.id,
          reference: v.reference,
          category: v.category,
          title: v.title,
          status: v.status,
          statusText: v.statusText,
          outcome: v.outcome,
          createdAt: v.createdAt,
          updatedAt: v.updatedAt,
        });
      }
      const last = page[page.length - 1];
      return { items, nextCursor: rows.length > page.length && last ? encodeCursor({ b: last.id }) : null };
    },
  );

  app.get(
    "/api/v1/reports/mine/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "One of your reports with its conversation",
        params: idParams,
        response: { 200: reporterView },
      },
    },
    async (req) => toReporterView(db, await ownReport(db, caller(req).userId, req.params.id)),
  );

  app.post(
    "/api/v1/reports/mine/:id/messages",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Answer Security in one of your reports' conversation",
        params: idParams,
        body: messageInput,
        response: { 200: reporterView },
      },
    },
    async (req) => {
      const me = caller(req);
      const row = await ownReport(db, me.userId, req.params.id);
      await db.tx((q) => addReporterMessage(q, req.auditCtx, row, req.body.body));
      return toReporterView(db, (await reportRow(db, row.id)) as ReportRow);
    },
  );
}
