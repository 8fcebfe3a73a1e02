import { z } from "zod";
import { appendAudit } from "../../platform/audit/index.js";
import { notFound } from "../../platform/http/index.js";
import { downloadHeaders, readAttachment } from "./attachments.js";
import { caller, type ReportsDeps } from "./context.js";
import { readOriginalMail } from "./mail.js";
import { tellReporters } from "./notices.js";
import { ATTACHMENTS, TRIAGE, TRIAGE_READ } from "./policy.js";
import { getDetail, listQueue, queueItem, queueQuery, reportDetail } from "./queue.js";
import { idParams, SEVERITIES, VERDICTS } from "./schemas.js";
import { askReporter, closeReport, mergeReports, setVerdict, updateReport } from "./triage.js";

const patchInput = z
  .object({
    severity: z.enum(SEVERITIES).nullable().optional(),
    assigneeUserId: z.string().min(1).max(40).nullable().optional(),
    status: z.enum(["acknowledged", "in_review"]).optional(),
  })
  .strict();

/** Security's triage queue and the actions on a report. */
export function triageRoutes(deps: ReportsDeps) {
  const { app, db, envelope, events, notifier } = deps;
  const tags = ["reports: triage"];
  const detail = (id: string) => getDetail(db, id);

  app.get(
    "/api/v1/reports",
    {
      config: { access: TRIAGE_READ },
      schema: {
        tags,
        summary:
          "The triage queue, newest first: filter by status (default open), category, severity, verdict, assignee (me, none, an id), search, or a group key",
        querystring: queueQuery,
        response: { 200: z.object({ items: z.array(queueItem), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => listQueue(db, caller(req).userId, req.query),
  );

  app.get(
    "/api/v1/reports/:id",
    {
      config: { access: TRIAGE_READ },
      schema: {
        tags,
        summary: "One report with its conversation, attachments (metadata), group and merged duplicates",
        params: idParams,
        response: { 200: reportDetail },
      },
    },
    async (req) => detail(req.params.id),
  );

  app.get(
    "/api/v1/reports/:id/similar",
    {
      config: { access: TRIAGE_READ },
      schema: {
        tags,
        summary: "Reports sharing this one's sender, link host or subject (up to 100, newest first)",
        params: idParams,
        response: { 200: z.object({ items: z.array(queueItem) }) },
      },
    },
    async (req) => {
      const d = await detail(req.params.id);
      const seen = new Map<string, z.infer<typeof queueItem>>();
      const me = caller(req).userId;
      const base = { status: "all" as const, limit: 100 };
      for (const f of [
        d.group.sender ? { sender: d.group.sender } : null,
        d.group.urlHost ? { urlHost: d.group.urlHost } : null,
        d.group.subject ? { subject: d.group.subject } : null,
      ]) {
        if (!f) continue;
        for (const item of (await listQueue(db, me, { ...base, ...f })).items)
          if (item.id !== d.id) seen.set(item.id, item);
      }
      return { items: [...seen.values()].sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, 100) };
    },
  );

  app.patch(
    "/api/v1/reports/:id",
    {
      config: { access: TRIAGE },
      schema: {
        tags,
        summary: "Set severity, assignee (Security or IT) or status (acknowledged, in review)",
        params: idParams,
        body: patchInput,
        response: { 200: reportDetail },
      },
    },
    async (req) => {
      await db.tx((q) => updateReport(q, req.auditCtx, req.params.id, req.body));
      return detail(req.params.id);
    },
  );

  app.post(
    "/api/v1/reports/:id/verdict",
    {
      config: { access: TRIAGE },
      schema: {
        tags,
        summary: "Benign, malicious, or needs more info (then `question` goes to the reporter)",
        params: idParams,
        body: z
          .object({ verdict: z.enum(VERDICTS), question: z.string().trim().max(10000).nullish() })
          .strict(),
        response: { 200: reportDetail },
      },
    },
    async (req) => {
      await db.tx((q) =>
        setVerdict(q, req.auditCtx, events, req.params.id, {
          verdict: req.body.verdict,
          question: req.body.question,
        }).then(async () => {
          if (req.body.verdict === "needs_more_info")
            await tellReporters(q, notifier, req.params.id, "question");
        }),
      );
      return detail(req.params.id);
    },
  );

  app.post(
    "/api/v1/reports/:id/messages",
    {
      config: { access: TRIAGE },
      schema: {
        tags,
        summary: "Ask the reporter something (also anonymous reporters, who read it with their code)",
        params: idParams,
        body: z.object({ body: z.string().trim().min(1).max(10000) }).strict(),
        response: { 200: reportDetail },
      },
    },
    async (req) => {
      await db.tx(async (q) => {
        await askReporter(q, req.auditCtx, req.params.id, req.body.body);
        await tellReporters(q, notifier, req.params.id, "question");
      });
      return detail(req.params.id);
    },
  );

  app.post(
    "/api/v1/reports/:id/merge",
    {
      config: { access: TRIAGE },
      schema: {
        tags,
        summary: "Merge duplicates into this report; their reporters follow this one to its outcome",
        params: idParams,
        body: z.object({ duplicateIds: z.array(z.string().min(1).max(40)).min(1).max(500) }).strict(),
        response: { 200: reportDetail },
      },
    },
    async (req) => {
      await db.tx((q) => mergeReports(q, req.auditCtx, req.params.id, req.body.duplicateIds));
      return detail(req.params.id);
    },
  );

  app.post(
    "/api/v1/reports/:id/close",
    {
      config: { access: TRIAGE },
      schema: {
        tags,
        summary:
          "Close with an outcome in plain words for the reporter (and for reporters of merged duplicates)",
        params: idParams,
        body: z
          .object({
            outcome: z.string().trim().min(3).max(5000),
            verdict: z.enum(["benign", "malicious"]).nullish(),
          })
          .strict(),
        response: { 200: reportDetail },
      },
    },
    async (req) => {
      await db.tx(async (q) => {
        await closeReport(q, req.auditCtx, req.params.id, req.body);
        await tellReporters(q, notifier, req.params.id, "outcome");
      });
      return detail(req.params.id);
    },
  );

  app.get(
    "/api/v1/reports/:id/attachments/:attachmentId",
    {
      config: { access: ATTACHMENTS },
      schema: {
        tags,
        summary:
          "Download an attachment (always as a file, never shown in the browser); the download is audited",
        params: z.object({ id: z.string().min(1).max(40), attachmentId: z.string().min(1).max(40) }).strict(),
      },
    },
    async (req, reply) => {
      const a = await db.tx(async (q) => {
        const file = await readAttachment(q, envelope, req.params.id, req.params.attachmentId);
        await appendAudit(q, req.auditCtx, {
          action: "report.attachment_downloaded",
          targetType: "report",
          targetId: req.params.id,
          details: { attachmentId: req.params.attachmentId, sha256: file.sha256 },
        });
        return file;
      });
      reply.headers(downloadHeaders(a.filename));
      return reply.send(a.bytes);
    },
  );

  app.get(
    "/api/v1/reports/:id/original-mail",
    {
      config: { access: ATTACHMENTS },
      schema: {
        tags,
        summary: "Download the original .eml of a report received by e-mail; the download is audited",
        params: idParams,
      },
    },
    async (req, reply) => {
      const mail = await db.tx(async (q) => {
        const m = await readOriginalMail(q, envelope, req.params.id);
        if (!m) throw notFound("report.no_mail", "This report did not come by e-mail");
        await appendAudit(q, req.auditCtx, {
          action: "report.mail_downloaded",
          targetType: "report",
          targetId: req.params.id,
          details: { mailId: m.id },
        });
        return m;
      });
      reply.headers(downloadHeaders(`${mail.reference}.eml`));
      return reply.send(mail.raw);
    },
  );
}
