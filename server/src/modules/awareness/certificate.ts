/** Training certificates: a record written when a quiz is passed, rendered as PDF on request. */
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/index.js";
import { renderPdf } from "../../platform/pdf/index.js";
import { iso } from "./context.js";

export interface CertificateRow {
  id: string;
  attempt_id: string;
  person_id: string;
  module_id: string;
  module_title: string;
  person_name: string;
  score: number;
  issued_at: Date | string;
}

export async function findCertificate(q: Queryable, id: string, personId?: string): Promise<CertificateRow> {
  const r = await q.query<CertificateRow>(
    "SELECT * FROM awareness_certificates WHERE id = $1 AND ($2::text IS NULL OR person_id = $2)",
    [id, personId ?? null],
  );
  if (!r.rows[0]) throw notFound("awareness.certificate_not_found", "No such certificate");
  return r.rows[0];
}

/** The certificate as PDF; the download is audited with who took it. */
export async function certificatePdf(
  q: Queryable,
  ctx: AuditContext,
  c: CertificateRow,
  exportedBy: string,
): Promise<Buffer> {
  await appendAudit(q, ctx, {
    action: "awareness.certificate_downloaded",
    targetType: "awareness_certificate",
    targetId: c.id,
    details: { personId: c.person_id, moduleId: c.module_id },
  });
  const issued = iso(c.issued_at) as string;
  return renderPdf({
    title: "Certificate of completion",
    subtitle: `${c.person_name} completed the training "${c.module_title}" and passed its quiz.`,
    meta: [
      ["Person", c.person_name],
      ["Training", c.module_title],
      ["Score", `${c.score} %`],
      ["Passed on", issued.slice(0, 10)],
      ["Certificate", `${c.id}, issued ${issued}`],
      ["Exported", `by ${exportedBy} at ${new Date().toISOString()}`],
    ],
    sections: [
      {
        heading: "What this confirms",
        paragraphs: [
          "The quiz was drawn and graded by Tandem on the server; the attempt, its answers and this certificate are recorded in the audit chain under the certificate number above.",
        ],
      },
    ],
    footer: "Issued by Tandem awareness training.",
  });
}
