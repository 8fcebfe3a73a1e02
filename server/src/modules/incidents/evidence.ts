/**
 * Evidence items: notes and files, each sealed with its own data key (Envelope). Listing
 * shows metadata only; reading a note or downloading a file decrypts it and is audited.
 */
import { createHash } from "node:crypto";
import { fileTypeFromBuffer } from "file-type";
import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError, conflict, notFound } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { iso } from "./context.js";
import { addTimeline, getIncident } from "./repo.js";

export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;
export const evidenceAad = (id: string) => `incident_evidence.body_enc:${id}`;

export const evidenceInput = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("note"),
      name: z.string().trim().min(1).max(200),
      text: z.string().min(1).max(100_000),
    })
    .strict(),
  z
    .object({
      kind: z.literal("file"),
      name: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .regex(/^[^/\\\0]+$/, "a file name without path"),
      contentBase64: z
        .string()
        .min(1)
        .max(Math.ceil((MAX_EVIDENCE_BYTES * 4) / 3) + 4),
    })
    .strict(),
]);

export const evidenceSchema = z.object({
  id: z.string(),
  kind: z.enum(["note", "file"]),
  name: z.string(),
  contentType: z.string().nullable(),
  sizeBytes: z.number(),
  sha256: z.string().nullable(),
  addedBy: z.string().nullable(),
  createdAt: z.string(),
});

interface EvidenceRow {
  id: string;
  incident_id: string;
  kind: "note" | "file";
  name: string;
  content_type: string | null;
  size_bytes: number;
  sha256: string | null;
  body_enc: string;
  added_by: string | null;
  created_at: Date;
}

const toEvidence = (e: EvidenceRow) => ({
  id: e.id,
  kind: e.kind,
  name: e.name,
  contentType: e.content_type,
  sizeBytes: e.size_bytes,
  sha256: e.sha256,
  addedBy: e.added_by,
  createdAt: iso(e.created_at) as string,
});

export async function listEvidence(q: Queryable, incidentId: string) {
  const r = await q.query<EvidenceRow>(
    "SELECT * FROM incident_evidence WHERE incident_id = $1 ORDER BY created_at, id",
    [incidentId],
  );
  return r.rows.map(toEvidence);
}

export async function addEvidence(
  q: Queryable,
  ctx: AuditContext,
  envelope: Envelope,
  incidentId: string,
  v: z.infer<typeof evidenceInput>,
) {
  const i = await getIncident(q, incidentId);
  if (i.status === "closed") throw conflict("incident.closed", "A closed incident cannot be changed");
  const id = ulid();
  let body: Buffer;
  let contentType: string | null;
  if (v.kind === "note") {
    body = Buffer.from(v.text, "utf8");
    contentType = "text/plain";
  } else {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v.contentBase64))
      throw new AppError(400, "evidence.bad_base64", "The file is not valid base64", [
        { path: "contentBase64", message: "not base64" },
      ]);
    body = Buffer.from(v.contentBase64, "base64");
    if (body.length > MAX_EVIDENCE_BYTES)
      throw new AppError(
        413,
        "evidence.too_large",
        `Evidence files are limited to ${MAX_EVIDENCE_BYTES} bytes`,
        [{ path: "contentBase64", message: "too large" }],
      );
    // The type is what the bytes are, not what the name claims; it is only ever downloaded.
    contentType = (await fileTypeFromBuffer(body))?.mime ?? "application/octet-stream";
  }
  const sha = createHash("sha256").update(body).digest("hex");
  await q.query(
    `INSERT INTO incident_evidence (id, incident_id, kind, name, content_type, size_bytes, sha256, body_enc, added_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
    [
      id,
      incidentId,
      v.kind,
      v.name,
      contentType,
      body.length,
      sha,
      envelope.encrypt(body.toString("base64"), evidenceAad(id)),
      ctx.actorId ?? null,
    ],
  );
  await addTimeline(q, incidentId, ctx, "evidence", `Evidence added: ${v.name}`, {
    evidenceId: id,
    kind: v.kind,
  });
  await appendAudit(q, ctx, {
    action: "incident.evidence_added",
    targetType: "incident",
    targetId: incidentId,
    details: { evidenceId: id, kind: v.kind, sizeBytes: body.length, sha256: sha },
  });
  const r = await q.query<EvidenceRow>("SELECT * FROM incident_evidence WHERE id = $1", [id]);
  return toEvidence(r.rows[0] as EvidenceRow);
}

/** Decrypts one evidence item; the read is audited in the same transaction. */
export async function readEvidence(
  q: Queryable,
  ctx: AuditContext,
  envelope: Envelope,
  incidentId: string,
  id: string,
) {
  const r = await q.query<EvidenceRow>("SELECT * FROM incident_evidence WHERE id = $1 AND incident_id = $2", [
    id,
    incidentId,
  ]);
  const e = r.rows[0];
  if (!e) throw notFound("incident.evidence_not_found", "No such evidence on this incident");
  await appendAudit(q, ctx, {
    action: "incident.evidence_read",
    targetType: "incident",
    targetId: incidentId,
    details: { evidenceId: id, kind: e.kind },
  });
  return { meta: toEvidence(e), body: Buffer.from(envelope.decrypt(e.body_enc, evidenceAad(id)), "base64") };
}
