import { z } from "zod";
import { decodeCursor, encodeCursor, notFound } from "../../platform/http/index.js";
import { findPerson } from "../people/index.js";
import {
  type CertificateRow,
  certificateBodySchema,
  certificatePdf,
  findCertificate,
  latestCertificate,
  listCertificates,
  recordDownload,
  toCertificateView,
} from "./certificate.js";
import { ACCESS_READ } from "./policy.js";
import type { RouteDeps } from "./routes-systems.js";
import { idParams } from "./schemas.js";

const tags = ["access: certificates"];

const summarySchema = z.object({
  id: z.string(),
  personId: z.string(),
  planId: z.string(),
  issuedAt: z.string(),
  personName: z.string().nullable(),
  employeeNumber: z.string().nullable(),
  /** Lower-case hex SHA-256 of the certificate's canonical JSON. */
  digest: z.string(),
  algorithm: z.literal("sha256"),
  /** The audit entry (access.certificate_issued) that seals the digest into the chain. */
  auditEntry: z.object({ id: z.string(), seq: z.number() }),
});

const viewSchema = summarySchema.extend({
  /** True while the stored document's SHA-256 equals the digest sealed in the audit chain. */
  verified: z.boolean(),
  verificationError: z.string().nullable(),
  certificate: certificateBodySchema.nullable(),
});

/** Revocation certificates: list, read (checked against the audit chain), PDF, a person's latest. */
export function certificateRoutes({ app, db }: RouteDeps) {
  /** Reading one certificate is a download of evidence about a person: audited. */
  const download = async (row: CertificateRow, ctx: Parameters<typeof recordDownload>[1]) => {
    await db.tx((q) => recordDownload(q, ctx, row, "json"));
    return toCertificateView(db, row);
  };

  app.get(
    "/api/v1/access/certificates",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "Revocation certificates, newest first",
        querystring: z
          .object({
            personId: z.string().max(40).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().max(500).optional(),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(summarySchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const after = decodeCursor(req.query.cursor, z.object({ c: z.string() }).strict());
      const { items, more } = await listCertificates(db, {
        personId: req.query.personId,
        before: after?.c,
        limit: req.query.limit,
      });
      const last = items[items.length - 1];
      return { items, nextCursor: more && last ? encodeCursor({ c: last.id }) : null };
    },
  );

  app.get(
    "/api/v1/access/certificates/:id",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "A revocation certificate, with its digest, its audit entry and whether the two still agree",
        description: "The read is audited (access.certificate_downloaded).",
        params: idParams,
        response: { 200: viewSchema },
      },
    },
    async (req) => download(await findCertificate(db, req.params.id), req.auditCtx),
  );

  app.get(
    "/api/v1/access/certificates/:id/pdf",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "A revocation certificate as a PDF (audited download)",
        description:
          "Answers application/pdf as an attachment; the footer says how to check it against the audit chain.",
        params: idParams,
      },
    },
    async (req, reply) => {
      const row = await findCertificate(db, req.params.id);
      const view = await toCertificateView(db, row);
      const pdf = await certificatePdf(view, {
        by: req.auditCtx.actorLabel ?? req.auditCtx.actorId ?? "unknown",
        at: new Date(),
      });
      await db.tx((q) => recordDownload(q, req.auditCtx, row, "pdf"));
      return reply
        .type("application/pdf")
        .header("content-disposition", `attachment; filename="revocation-certificate-${row.id}.pdf"`)
        .send(pdf);
    },
  );

  app.get(
    "/api/v1/access/people/:id/certificate",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "A person's latest revocation certificate",
        description: "404 access.no_certificate while none was issued. The read is audited.",
        params: idParams,
        response: { 200: viewSchema },
      },
    },
    async (req) => {
      if (!(await findPerson(db, req.params.id))) throw notFound("person.not_found", "No such person");
      const row = await latestCertificate(db, req.params.id);
      if (!row)
        throw notFound(
          "access.no_certificate",
          "No revocation certificate was issued for this person (their leaver plan is not done)",
        );
      return download(row, req.auditCtx);
    },
  );
}
