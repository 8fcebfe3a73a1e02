/** Jurisdictions and their notification duties: configuration, not legal advice. */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { conflict, notFound } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";

export const jurisdictionInput = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^[A-Z0-9][A-Z0-9-]{1,29}$/, "uppercase letters, digits and dashes"),
    name: z.string().trim().min(1).max(120),
    law: z.string().trim().min(1).max(200),
    authority: z.string().trim().min(1).max(200),
    deadlineHours: z.number().int().min(1).max(8760),
    notifySubjects: z.boolean().default(false),
    subjectsDeadlineHours: z.number().int().min(1).max(8760).nullable().default(null),
    remindBeforeHours: z.array(z.number().int().min(1).max(8760)).max(5).default([24, 6]),
    basis: z.string().trim().max(2000).default(""),
    active: z.boolean().default(true),
  })
  .strict()
  .refine((v) => !v.notifySubjects || v.subjectsDeadlineHours, {
    message: "required when data subjects must be notified",
    path: ["subjectsDeadlineHours"],
  });

export const jurisdictionSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  law: z.string(),
  authority: z.string(),
  deadlineHours: z.number(),
  notifySubjects: z.boolean(),
  subjectsDeadlineHours: z.number().nullable(),
  remindBeforeHours: z.array(z.number()),
  basis: z.string(),
  active: z.boolean(),
});

export interface JurisdictionRow {
  id: string;
  code: string;
  name: string;
  law: string;
  authority: string;
  deadline_hours: number;
  notify_subjects: boolean;
  subjects_deadline_hours: number | null;
  remind_before_hours: number[];
  basis: string;
  active: boolean;
}

const toJurisdiction = (r: JurisdictionRow) => ({
  id: r.id,
  code: r.code,
  name: r.name,
  law: r.law,
  authority: r.authority,
  deadlineHours: r.deadline_hours,
  notifySubjects: r.notify_subjects,
  subjectsDeadlineHours: r.subjects_deadline_hours,
  remindBeforeHours: r.remind_before_hours,
  basis: r.basis,
  active: r.active,
});

export async function listJurisdictions(q: Queryable) {
  const r = await q.query<JurisdictionRow>("SELECT * FROM incident_jurisdictions ORDER BY code");
  return r.rows.map(toJurisdiction);
}

export async function saveJurisdiction(
  q: Queryable,
  ctx: AuditContext,
  v: z.infer<typeof jurisdictionInput>,
  id?: string,
) {
  const clash = await q.query("SELECT 1 FROM incident_jurisdictions WHERE code = $1 AND id <> $2", [
    v.code,
    id ?? "",
  ]);
  if (clash.rowCount)
    throw conflict("jurisdiction.code_in_use", "Another jurisdiction has this code", "code");
  const jid = id ?? ulid();
  const params = [
    jid,
    v.code,
    v.name,
    v.law,
    v.authority,
    v.deadlineHours,
    v.notifySubjects,
    v.notifySubjects ? v.subjectsDeadlineHours : null,
    v.remindBeforeHours,
    v.basis,
    v.active,
  ];
  if (id) {
    const r = await q.query(
      `UPDATE incident_jurisdictions SET code=$2, name=$3, law=$4, authority=$5, deadline_hours=$6, notify_subjects=$7,
         subjects_deadline_hours=$8, remind_before_hours=$9, basis=$10, active=$11, updated_at=now() WHERE id=$1`,
      params,
    );
    if (!r.rowCount) throw notFound("jurisdiction.not_found", "No such jurisdiction");
  } else {
    await q.query(
      `INSERT INTO incident_jurisdictions (id, code, name, law, authority, deadline_hours, notify_subjects,
         subjects_deadline_hours, remind_before_hours, basis, active) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
      params,
    );
  }
  await appendAudit(q, ctx, {
    action: id ? "jurisdiction.updated" : "jurisdiction.created",
    targetType: "jurisdiction",
    targetId: jid,
    details: { code: v.code, deadlineHours: v.deadlineHours, subjectsDeadlineHours: v.subjectsDeadlineHours },
  });
  const r = await q.query<JurisdictionRow>("SELECT * FROM incident_jurisdictions WHERE id = $1", [jid]);
  return toJurisdiction(r.rows[0] as JurisdictionRow);
}
