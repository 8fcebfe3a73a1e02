/**
 * Revocation certificates: once a leaver's departure is complete, a per-person document
 * listing every account and entitlement on every system with the moment it was verified
 * gone (or the attestation of the person who did it by hand). The document is canonical
 * JSON; its SHA-256 digest is sealed into the audit chain in the transaction that issues it,
 * so a changed certificate no longer matches the chain.
 */

import { z } from "zod";
import {
  type AuditContext,
  appendAudit,
  canonical,
  entryHash,
  listAudit,
} from "../../platform/audit/index.js";
import { sha256 } from "../../platform/crypto/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { renderPdf } from "../../platform/pdf/index.js";
import { iso } from "./context.js";
import { personFacts } from "./desired.js";
import { departurePlans } from "./views.js";

export const CERTIFICATE_TYPE = "tandem.access.revocation_certificate";
const DEVICES = "Devices and premises";

const attestationSchema = z.object({
  by: z.string(),
  at: z.string().nullable(),
  note: z.string().nullable(),
});

export const certificateItemSchema = z.object({
  stepId: z.string(),
  planId: z.string(),
  /** What was removed: an account, an entitlement, open sessions, or a task done by a person. */
  kind: z.enum(["account", "entitlement", "sessions", "task"]),
  action: z.string(),
  account: z.string().nullable(),
  accountRef: z.string().nullable(),
  entitlementRef: z.string().nullable(),
  entitlementName: z.string().nullable(),
  title: z.string().nullable(),
  /** read_back: the system was read back; system_accepted: it accepted the call (sessions); attestation: a person's word. */
  verifiedBy: z.enum(["read_back", "system_accepted", "attestation"]),
  verifiedAt: z.string().nullable(),
  attestation: attestationSchema.nullable(),
});

export const certificateBodySchema = z.object({
  type: z.literal(CERTIFICATE_TYPE),
  version: z.literal(1),
  id: z.string(),
  issuedAt: z.string(),
  person: z.object({ id: z.string(), name: z.string(), employeeNumber: z.string() }),
  /** The leaver plan whose completion issued the certificate. */
  planId: z.string(),
  /** Every leaver plan of the departure the certificate covers, oldest first. */
  planIds: z.array(z.string()),
  hrEventAt: z.string().nullable(),
  accessRevokedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  systems: z.array(
    z.object({
      systemId: z.string().nullable(),
      systemName: z.string(),
      items: z.array(certificateItemSchema),
    }),
  ),
});
export type CertificateBody = z.infer<typeof certificateBodySchema>;
type Item = CertificateBody["systems"][number]["items"][number];

interface CertificateRow {
  id: string;
  plan_id: string;
  person_id: string;
  issued_at: Date | string;
  body: string;
  digest: string;
  audit_id: string;
  audit_seq: string;
}

const COLUMNS = "id, plan_id, person_id, issued_at, body, digest, audit_id, audit_seq::text AS audit_seq";

interface StepRow {
  id: string;
  plan_id: string;
  system_id: string | null;
  system_name: string | null;
  action: string;
  account_ref: string | null;
  entitlement_ref: string | null;
  entitlement_name: string | null;
  spec: Record<string, unknown>;
  state: string;
  verified_at: Date | string | null;
  attested_by: string | null;
  connector_task: boolean;
  manual_task_id: string | null;
  task_title: string | null;
  task_attested_by: string | null;
  task_attested_at: Date | string | null;
  task_note: string | null;
}

const KIND: Record<string, Item["kind"]> = {
  create: "account",
  enable: "account",
  disable: "account",
  delete: "account",
  grant: "entitlement",
  revoke: "entitlement",
  revoke_sessions: "sessions",
};

function toItem(s: StepRow): Item {
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const standsFor = s.action === "manual_task" ? str(s.spec.stands_for) : s.action;
  const attested = s.manual_task_id !== null;
  return {
    stepId: s.id,
    planId: s.plan_id,
    kind: (standsFor && KIND[standsFor]) || "task",
    action: standsFor ?? s.action,
    account: str(s.spec.username) ?? s.account_ref,
    accountRef: s.account_ref,
    entitlementRef: s.entitlement_ref,
    entitlementName: s.entitlement_name,
    title: s.task_title ?? str(s.spec.title),
    verifiedBy:
      attested && !s.connector_task
        ? "attestation"
        : s.action === "revoke_sessions"
          ? "system_accepted"
          : "read_back",
    verifiedAt: iso(s.verified_at),
    attestation: attested
      ? {
          by: s.task_attested_by ?? s.attested_by ?? "unknown",
          at: iso(s.task_attested_at) ?? iso(s.verified_at),
          note: s.task_note,
        }
      : null,
  };
}

const latest = (xs: (string | null)[]) =>
  xs.reduce<string | null>((max, x) => (x && (!max || x > max) ? x : max), null);

/**
 * Issues the certificate of a leaver plan that is done, in the caller's transaction, when
 * its departure is complete (every step of every leaver plan of the departure verified or
 * attested). Idempotent: a plan that has one gets the same one back. Returns null when
 * there is nothing to certify yet: the plan is not a finished leaver plan, a newer plan is
 * about to take part of its work over, or other work of the departure is still open (the
 * plan finishing it issues it).
 *
 * Called right after the plan's `access.plan_done` entry: that entry holds the audit head's
 * lock, so transactions finishing two plans of one person take turns here and the second
 * sees the first one's steps committed; a departure's completion is never missed.
 */
export async function issueCertificate(
  q: Queryable,
  ctx: AuditContext,
  planId: string,
): Promise<CertificateRow | null> {
  const p = await q.query<{ person_id: string | null; reason: string; state: string; dry_run: boolean }>(
    "SELECT person_id, reason, state, dry_run FROM access_plans WHERE id = $1 FOR UPDATE",
    [planId],
  );
  const existing = await q.query<CertificateRow>(
    `SELECT ${COLUMNS} FROM access_certificates WHERE plan_id = $1`,
    [planId],
  );
  if (existing.rows[0]) return existing.rows[0];
  const plan = p.rows[0];
  if (!plan?.person_id || plan.reason !== "leaver" || plan.state !== "done" || plan.dry_run) return null;
  const planIds = await departurePlans(q, plan.person_id);
  if (!planIds.includes(planId)) return null;
  // Steps a newer plan took over: this plan is done while that one is being made (it redoes
  // them); only once the newer plan exists may this one certify the departure.
  const superseded = await q.query(
    "SELECT 1 FROM access_plan_steps WHERE plan_id = $1 AND state = 'cancelled' LIMIT 1",
    [planId],
  );
  if (superseded.rowCount && planIds[planIds.length - 1] === planId) return null;
  const steps = await q.query<StepRow>(
    `SELECT s.id, s.plan_id, s.system_id, sys.name AS system_name, s.action, s.account_ref, s.entitlement_ref,
       (SELECT e.name FROM entitlements e WHERE e.system_id = s.system_id
          AND lower(e.external_id) = lower(s.entitlement_ref) LIMIT 1) AS entitlement_name,
       s.spec, s.state, s.verified_at, s.attested_by, s.connector_task, s.manual_task_id,
       t.title AS task_title, t.attested_by AS task_attested_by, t.attested_at AS task_attested_at, t.note AS task_note
     FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
     LEFT JOIN systems sys ON sys.id = s.system_id
     LEFT JOIN access_tasks t ON t.id = s.manual_task_id
     WHERE s.plan_id = ANY ($1::text[]) AND s.state <> 'cancelled'
     ORDER BY p.created_at, p.id, s.seq`,
    [planIds],
  );
  if (steps.rows.some((s) => s.state !== "verified")) return null;

  const person = await personFacts(q, plan.person_id);
  const times = await q.query<{ hr: Date | string | null; finished: Date | string | null }>(
    `SELECT min(hr_event_at) AS hr, max(finished_at) AS finished FROM access_plans WHERE id = ANY ($1::text[])`,
    [planIds],
  );
  const groups = new Map<string, { systemId: string | null; systemName: string; items: Item[] }>();
  for (const s of steps.rows) {
    const key = s.system_id ?? "";
    const g = groups.get(key) ?? { systemId: s.system_id, systemName: s.system_name ?? DEVICES, items: [] };
    g.items.push(toItem(s));
    groups.set(key, g);
  }
  const systems = [...groups.values()].sort(
    (a, b) =>
      Number(a.systemId === null) - Number(b.systemId === null) ||
      a.systemName.localeCompare(b.systemName) ||
      (a.systemId ?? "").localeCompare(b.systemId ?? ""),
  );
  const items = systems.flatMap((s) => s.items);
  const id = ulid();
  const issuedAt = new Date().toISOString();
  const body: CertificateBody = {
    type: CERTIFICATE_TYPE,
    version: 1,
    id,
    issuedAt,
    person: { id: person.id, name: person.legalName, employeeNumber: person.employeeNumber },
    planId,
    planIds,
    hrEventAt: iso(times.rows[0]?.hr),
    accessRevokedAt: latest(items.filter((i) => i.kind !== "task").map((i) => i.verifiedAt)),
    completedAt: latest(items.map((i) => i.verifiedAt)) ?? iso(times.rows[0]?.finished),
    systems,
  };
  const text = canonical(body);
  const digest = sha256(text);
  const entry = await appendAudit(q, ctx, {
    action: "access.certificate_issued",
    targetType: "person",
    targetId: person.id,
    details: { certificateId: id, planId, planIds, digest, algorithm: "sha256", items: items.length },
  });
  const r = await q.query<CertificateRow>(
    `INSERT INTO access_certificates (id, plan_id, person_id, issued_at, body, digest, audit_id, audit_seq)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING ${COLUMNS}`,
    [id, planId, person.id, issuedAt, text, digest, entry.id, entry.seq],
  );
  return r.rows[0] as CertificateRow;
}

export interface CertificateCheck {
  verified: boolean;
  /** Why the check failed; null when it passed. */
  reason: string | null;
}

/**
 * Checks a stored certificate against the audit chain: the SHA-256 of the stored document
 * must equal the digest in its `access.certificate_issued` entry, and that entry must still
 * match its own hash. (`tandem audit verify` proves the chain around it unchanged.)
 */
export async function verifyCertificate(q: Queryable, row: CertificateRow): Promise<CertificateCheck> {
  const fail = (reason: string): CertificateCheck => ({ verified: false, reason });
  const computed = sha256(row.body);
  const seq = Number(row.audit_seq);
  const [entry] = await listAudit(q, { beforeSeq: seq + 1, limit: 1 });
  if (!entry || entry.seq !== seq || entry.id !== row.audit_id)
    return fail(`audit entry ${row.audit_id} (no. ${seq}) is missing`);
  if (entryHash(entry) !== entry.hash) return fail(`audit entry no. ${seq} was altered`);
  if (entry.action !== "access.certificate_issued" || entry.details.certificateId !== row.id)
    return fail(`audit entry no. ${seq} does not seal this certificate`);
  if (entry.details.digest !== computed)
    return fail(
      "the document's SHA-256 differs from the digest sealed in the audit chain (document altered)",
    );
  if (row.digest !== computed) return fail("the stored digest differs from the document's SHA-256");
  return { verified: true, reason: null };
}

export interface CertificateSummary {
  id: string;
  personId: string;
  planId: string;
  issuedAt: string;
  personName: string | null;
  employeeNumber: string | null;
  digest: string;
  algorithm: "sha256";
  auditEntry: { id: string; seq: number };
}

export interface CertificateView extends CertificateSummary {
  verified: boolean;
  verificationError: string | null;
  /** The document whose canonical JSON the digest was taken of; null when it no longer parses. */
  certificate: CertificateBody | null;
}

function parseBody(text: string): CertificateBody | null {
  try {
    const parsed = certificateBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function summary(row: CertificateRow, body: CertificateBody | null): CertificateSummary {
  return {
    id: row.id,
    personId: row.person_id,
    planId: row.plan_id,
    issuedAt: iso(row.issued_at) as string,
    personName: body?.person.name ?? null,
    employeeNumber: body?.person.employeeNumber ?? null,
    digest: row.digest,
    algorithm: "sha256",
    auditEntry: { id: row.audit_id, seq: Number(row.audit_seq) },
  };
}

export async function toCertificateView(q: Queryable, row: CertificateRow): Promise<CertificateView> {
  const body = parseBody(row.body);
  const check = await verifyCertificate(q, row);
  return {
    ...summary(row, body),
    verified: check.verified && body !== null,
    verificationError: check.reason ?? (body ? null : "the document is not a readable certificate"),
    certificate: body,
  };
}

export async function findCertificate(q: Queryable, id: string): Promise<CertificateRow> {
  const r = await q.query<CertificateRow>(`SELECT ${COLUMNS} FROM access_certificates WHERE id = $1`, [id]);
  if (!r.rows[0]) throw notFound("access.certificate_not_found", "No such certificate");
  return r.rows[0];
}

/** The person's latest certificate (of their latest completed departure), if any. */
export async function latestCertificate(q: Queryable, personId: string): Promise<CertificateRow | null> {
  const r = await q.query<CertificateRow>(
    `SELECT ${COLUMNS} FROM access_certificates WHERE person_id = $1 ORDER BY id DESC LIMIT 1`,
    [personId],
  );
  return r.rows[0] ?? null;
}

/** Certificates newest first (ids are ULIDs), after the cursor's id when given. */
export async function listCertificates(
  q: Queryable,
  f: { personId?: string; before?: string; limit: number },
): Promise<{ items: CertificateSummary[]; more: boolean }> {
  const r = await q.query<CertificateRow>(
    `SELECT ${COLUMNS} FROM access_certificates
     WHERE ($1::text IS NULL OR person_id = $1) AND ($2::text IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [f.personId ?? null, f.before ?? null, f.limit + 1],
  );
  const rows = r.rows.slice(0, f.limit);
  return { items: rows.map((row) => summary(row, parseBody(row.body))), more: r.rows.length > f.limit };
}

/** A certificate left the system (API download or CLI export): evidence about a person, audited. */
export async function recordDownload(
  q: Queryable,
  ctx: AuditContext,
  row: CertificateRow,
  format: "json" | "pdf",
): Promise<void> {
  await appendAudit(q, ctx, {
    action: "access.certificate_downloaded",
    targetType: "person",
    targetId: row.person_id,
    details: { certificateId: row.id, planId: row.plan_id, format },
  });
}

const DONE: Record<string, string> = {
  create: "account created",
  enable: "account enabled",
  disable: "account disabled",
  delete: "account deleted",
  grant: "entitlement granted",
  revoke: "entitlement removed",
  revoke_sessions: "sessions ended",
  manual_task: "task done",
};

function how(i: Item): string {
  if (i.attestation) {
    const a = i.attestation;
    const said = `attested by ${a.by}${a.at ? ` at ${a.at}` : ""}${a.note ? ` (${a.note})` : ""}`;
    return i.verifiedBy === "read_back" ? `${said}; read back` : said;
  }
  return i.verifiedBy === "system_accepted" ? "accepted by the system" : "read back from the system";
}

/** The certificate as a PDF, with who exported it and when, and how to check it against the audit chain. */
export function certificatePdf(view: CertificateView, exported: { by: string; at: Date }): Promise<Buffer> {
  const c = view.certificate;
  if (!c)
    throw new AppError(409, "access.certificate_unreadable", "The stored certificate can no longer be read");
  const count = c.systems.reduce((n, s) => n + s.items.length, 0);
  return renderPdf({
    title: `Revocation certificate: ${c.person.name} (${c.person.employeeNumber})`,
    subtitle: `Every account, entitlement and leaver task of this person, each verified gone or attested (${count} in all).`,
    meta: [
      ["Person", c.person.name],
      ["Employee number", c.person.employeeNumber],
      ["HR event", c.hrEventAt ?? "none recorded"],
      ["Access revoked", c.accessRevokedAt ?? "no accounts held"],
      ["Completed", c.completedAt ?? "-"],
      ["Leaver plan", c.planId],
      ["Plans covered", c.planIds.join(", ")],
      ["Certificate", `${c.id}, issued ${c.issuedAt}`],
      ["SHA-256", view.digest],
      ["Audit entry", `${view.auditEntry.id} (no. ${view.auditEntry.seq})`],
      [
        "Check",
        view.verified ? "matches the digest sealed in the audit chain" : `FAILED: ${view.verificationError}`,
      ],
      ["Exported", `by ${exported.by} at ${exported.at.toISOString()}`],
    ],
    sections: c.systems.map((s) => ({
      heading: s.systemName,
      table: {
        columns: ["Done", "Account", "Entitlement or task", "Verified at", "How"],
        widths: [1.1, 1.3, 1.8, 1.4, 2.2],
        rows: s.items.map((i) => [
          DONE[i.action] ?? i.action,
          i.account ?? "-",
          i.kind === "task" ? (i.title ?? "-") : (i.entitlementName ?? i.entitlementRef ?? "-"),
          i.verifiedAt ?? "-",
          how(i),
        ]),
      },
    })),
    footer:
      `How to check this certificate: the SHA-256 digest of its canonical JSON (object keys sorted, no spaces; ` +
      `GET /api/v1/access/certificates/${view.id}, or tandem certificate ${c.person.employeeNumber} --format json) ` +
      `is ${view.digest}. That digest is sealed in audit entry ${view.auditEntry.id} (no. ${view.auditEntry.seq}, ` +
      `action access.certificate_issued), written when the certificate was issued; tandem audit verify proves the ` +
      `audit chain unchanged since. The API answers verified: true only while the stored document and that entry agree.`,
  });
}

export type { CertificateRow };
