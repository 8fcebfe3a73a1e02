import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import { type Envelope, registerEncryptedColumn } from "../../platform/crypto/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { dateOnly } from "./repo.js";

export const AGREEMENT_KINDS = [
  "nda",
  "acceptable_use",
  "security_responsibilities",
  "confidentiality",
] as const;
export const CHECKLIST_ITEMS = [
  "contract_security_terms",
  "background_check",
  "access_profile_defined",
] as const;
export const CHECK_KINDS = ["criminal", "credit", "qualification", "reference"] as const;

export const agreementInput = z
  .object({
    kind: z.enum(AGREEMENT_KINDS),
    version: z.string().trim().min(1).max(40),
    signedAt: z.iso.date().nullish(),
  })
  .strict();
export const agreementSchema = z.object({
  id: z.string(),
  kind: z.enum(AGREEMENT_KINDS),
  version: z.string(),
  signedAt: z.string().nullable(),
  createdAt: z.string(),
});

export const checklistItemSchema = z.object({
  item: z.enum(CHECKLIST_ITEMS),
  done: z.boolean(),
  doneBy: z.string().nullable(),
  doneAt: z.string().nullable(),
  note: z.string().nullable(),
});

const checkDetails = z
  .object({
    provider: z.string().trim().min(1).max(120),
    status: z.enum(["requested", "in_progress", "completed", "cancelled"]),
    outcome: z.enum(["clear", "adverse", "inconclusive"]).nullish(),
    notes: z.string().trim().max(5000).nullish(),
    documents: z
      .array(
        z.object({ name: z.string().trim().min(1).max(200), reference: z.string().trim().max(500) }).strict(),
      )
      .max(20)
      .default([]),
  })
  .strict();
export const checkInput = z
  .object({ kind: z.enum(CHECK_KINDS) })
  .extend(checkDetails.shape)
  .strict()
  .refine((c) => c.status !== "completed" || c.outcome, {
    message: "a completed check needs an outcome",
    path: ["outcome"],
  });
export const checkPatch = checkDetails
  .partial()
  .strict()
  .refine((c) => c.status !== "completed" || c.outcome, {
    message: "a completed check needs an outcome",
    path: ["outcome"],
  });

/** What everyone with access to the person sees: the kind and whether it is done. */
export const checkSummarySchema = z.object({
  id: z.string(),
  kind: z.enum(CHECK_KINDS),
  completed: z.boolean(),
});
/** What HR sees (decrypted; each read audited). */
export const checkSchema = checkSummarySchema.extend(checkDetails.shape).extend({
  purgeAfter: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const checkAad = (id: string) => `background_checks.details_enc:${id}`;
registerEncryptedColumn({ table: "background_checks", idColumn: "id", column: "details_enc", aad: checkAad });

const iso = (d: Date | string) => new Date(d).toISOString();

export async function listAgreements(q: Queryable, personId: string) {
  const r = await q.query<{
    id: string;
    kind: (typeof AGREEMENT_KINDS)[number];
    version: string;
    signed_at: string | null;
    created_at: Date;
  }>(
    "SELECT id, kind, version, signed_at::text AS signed_at, created_at FROM agreements WHERE person_id = $1 ORDER BY kind, created_at",
    [personId],
  );
  return r.rows.map((a) => ({
    id: a.id,
    kind: a.kind,
    version: a.version,
    signedAt: dateOnly(a.signed_at),
    createdAt: iso(a.created_at),
  }));
}

export async function saveAgreement(
  q: Queryable,
  ctx: AuditContext,
  personId: string,
  input: z.infer<typeof agreementInput>,
) {
  const id = ulid();
  await q.query(
    `INSERT INTO agreements (id, person_id, kind, version, signed_at) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (person_id, kind, version) DO UPDATE SET signed_at = EXCLUDED.signed_at`,
    [id, personId, input.kind, input.version, input.signedAt ?? null],
  );
  await appendAudit(q, ctx, {
    action: "person.agreement_recorded",
    targetType: "person",
    targetId: personId,
    details: { ...input },
  });
}

export async function checklist(q: Queryable, personId: string) {
  const r = await q.query<{
    item: (typeof CHECKLIST_ITEMS)[number];
    done: boolean;
    done_by: string | null;
    done_at: Date | null;
    note: string | null;
  }>("SELECT item, done, done_by, done_at, note FROM prehire_checklist WHERE person_id = $1", [personId]);
  const byItem = new Map(r.rows.map((x) => [x.item, x]));
  return CHECKLIST_ITEMS.map((item) => {
    const x = byItem.get(item);
    return {
      item,
      done: x?.done ?? false,
      doneBy: x?.done_by ?? null,
      doneAt: x?.done_at ? iso(x.done_at) : null,
      note: x?.note ?? null,
    };
  });
}

export async function setChecklistItem(
  q: Queryable,
  ctx: AuditContext,
  personId: string,
  item: string,
  done: boolean,
  note: string | null,
) {
  await q.query(
    `INSERT INTO prehire_checklist (person_id, item, done, done_by, done_at, note) VALUES ($1,$2,$3,$4,CASE WHEN $3 THEN now() END,$5)
     ON CONFLICT (person_id, item) DO UPDATE SET done = $3, done_by = $4, done_at = CASE WHEN $3 THEN now() END, note = $5`,
    [personId, item, done, ctx.actorLabel ?? null, note],
  );
  await appendAudit(q, ctx, {
    action: "person.checklist_updated",
    targetType: "person",
    targetId: personId,
    details: { item, done },
  });
}

interface CheckRow {
  id: string;
  person_id: string;
  kind: (typeof CHECK_KINDS)[number];
  completed: boolean;
  details_enc: string;
  purge_after: string;
  created_at: Date;
  updated_at: Date;
}

export function checksStore(envelope: Envelope, retentionDays: number) {
  const decode = (r: CheckRow) => ({
    id: r.id,
    kind: r.kind,
    completed: r.completed,
    ...checkDetails.parse(JSON.parse(envelope.decrypt(r.details_enc, checkAad(r.id)))),
    purgeAfter: dateOnly(r.purge_after) as string,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  });
  const SELECT =
    "SELECT id, person_id, kind, completed, details_enc, purge_after::text AS purge_after, created_at, updated_at FROM background_checks";

  return {
    async summaries(q: Queryable, personId: string) {
      const r = await q.query<CheckRow>(`${SELECT} WHERE person_id = $1 ORDER BY created_at`, [personId]);
      return r.rows.map((c) => ({ id: c.id, kind: c.kind, completed: c.completed }));
    },
    /** Full details for HR; the read itself is audited in the same transaction. */
    async details(q: Queryable, ctx: AuditContext, personId: string) {
      const r = await q.query<CheckRow>(`${SELECT} WHERE person_id = $1 ORDER BY created_at`, [personId]);
      await appendAudit(q, ctx, {
        action: "person.checks_read",
        targetType: "person",
        targetId: personId,
        details: { checks: r.rows.length },
      });
      return r.rows.map(decode);
    },
    async create(q: Queryable, ctx: AuditContext, personId: string, input: z.infer<typeof checkInput>) {
      const id = ulid();
      const { kind, ...details } = input;
      await q.query(
        `INSERT INTO background_checks (id, person_id, kind, completed, details_enc, purge_after)
         VALUES ($1,$2,$3,$4,$5, current_date + $6::int)`,
        [
          id,
          personId,
          kind,
          details.status === "completed",
          envelope.encrypt(JSON.stringify(details), checkAad(id)),
          retentionDays,
        ],
      );
      await appendAudit(q, ctx, {
        action: "person.check_recorded",
        targetType: "person",
        targetId: personId,
        details: { checkId: id, kind, status: details.status },
      });
      return id;
    },
    async update(q: Queryable, ctx: AuditContext, checkId: string, patch: z.infer<typeof checkPatch>) {
      const r = await q.query<CheckRow>(`${SELECT} WHERE id = $1 FOR UPDATE`, [checkId]);
      const row = r.rows[0];
      if (!row) throw notFound("check.not_found", "No such background check");
      const {
        id: _i,
        kind: _k,
        completed: _c,
        purgeAfter: _p,
        createdAt: _a,
        updatedAt: _u,
        ...current
      } = decode(row);
      const next = checkDetails.parse({ ...current, ...patch });
      await q.query(
        `UPDATE background_checks SET details_enc = $2, completed = $3, updated_at = now(),
           purge_after = CASE WHEN $3 AND NOT completed THEN current_date + $4::int ELSE purge_after END WHERE id = $1`,
        [
          checkId,
          envelope.encrypt(JSON.stringify(next), checkAad(checkId)),
          next.status === "completed",
          retentionDays,
        ],
      );
      await appendAudit(q, ctx, {
        action: "person.check_updated",
        targetType: "person",
        targetId: row.person_id,
        details: { checkId, status: next.status },
      });
      return row.person_id;
    },
    /** POPIA minimality: checks past their retention date are deleted, and the purge is audited. */
    async purgeExpired(db: Db, ctx: AuditContext) {
      return db.tx(async (q) => {
        const r = await q.query<{ id: string; person_id: string; kind: string }>(
          "DELETE FROM background_checks WHERE purge_after < current_date RETURNING id, person_id, kind",
        );
        for (const c of r.rows) {
          await appendAudit(q, ctx, {
            action: "person.check_purged",
            targetType: "person",
            targetId: c.person_id,
            details: { checkId: c.id, kind: c.kind },
          });
        }
        return r.rows.length;
      });
    },
  };
}
