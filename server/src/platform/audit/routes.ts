import { z } from "zod";
import type { Db } from "../db/index.js";
import { decodeCursor, encodeCursor, pageQuery, type TypedApp } from "../http/index.js";
import { appendAudit } from "./chain.js";
import { type CheckpointSigner, type CheckpointSinks, createCheckpoint } from "./checkpoint.js";
import { listAudit } from "./query.js";

const entrySchema = z.object({
  id: z.string(),
  seq: z.number(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: z.enum(["success", "failure", "denied"]),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});

const checkpointSchema = z.object({
  seq: z.number(),
  hash: z.string(),
  signedAt: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

export function auditRoutes(app: TypedApp, db: Db, signer: CheckpointSigner, sinks: CheckpointSinks) {
  const tags = ["audit"];
  app.get(
    "/api/v1/audit",
    {
      config: { access: { permission: "audit:read" } },
      schema: {
        tags,
        summary: "Browse the audit log, newest first",
        querystring: pageQuery
          .extend({
            action: z.string().trim().max(100).optional(),
            actor: z.string().trim().max(200).optional(),
            targetId: z.string().trim().max(100).optional(),
            outcome: z.enum(["success", "failure", "denied"]).optional(),
            from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
            to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(entrySchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const before = decodeCursor(req.query.cursor, z.object({ s: z.number().int().positive() }));
      const rows = await listAudit(db, { ...req.query, beforeSeq: before?.s, limit: req.query.limit + 1 });
      const page = rows.slice(0, req.query.limit);
      const last = page.at(-1);
      return {
        items: page.map(({ prevHash: _p, ...e }) => e),
        nextCursor: rows.length > req.query.limit && last ? encodeCursor({ s: last.seq }) : null,
      };
    },
  );

  app.get(
    "/api/v1/audit/checkpoints",
    {
      config: { access: { permission: "audit:read" } },
      schema: {
        tags,
        summary: "Recent signed checkpoints of the chain head",
        response: { 200: z.object({ items: z.array(checkpointSchema), publicKey: z.string() }) },
      },
    },
    async () => {
      const r = await db.query<{
        seq: string;
        hash: string;
        signed_at: Date;
        key_id: string;
        signature: string;
      }>(
        "SELECT seq::text AS seq, hash, signed_at, key_id, signature FROM audit_checkpoints ORDER BY signed_at DESC LIMIT 50",
      );
      return {
        items: r.rows.map((c) => ({
          seq: Number(c.seq),
          hash: c.hash,
          signedAt: new Date(c.signed_at).toISOString(),
          keyId: c.key_id,
          signature: c.signature,
        })),
        publicKey: signer.publicKeyPem,
      };
    },
  );

  app.post(
    "/api/v1/audit/checkpoints",
    {
      config: { access: { permission: "audit:checkpoint" } },
      schema: {
        tags,
        summary: "Sign a checkpoint of the chain head now and export it",
        response: { 201: z.object({ checkpoint: checkpointSchema, exportedTo: z.array(z.string()) }) },
      },
    },
    async (req, reply) => {
      await db.tx((q) =>
        appendAudit(q, req.auditCtx, { action: "audit.checkpoint_requested", targetType: "audit" }),
      );
      const result = await createCheckpoint(db, signer, sinks);
      return reply.status(201).send(result);
    },
  );
}
