/**
 * Confidential HR cases. Visible to HR and to users explicitly added as members; everyone
 * else (admins and auditors included) gets 404. Title, details and notes are sealed per
 * record; every read is audited. Closing publishes `incidents.hr_case_closed`; closed cases
 * are deleted after the retention period.
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { conflict, type Identity, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { findPerson } from "../people/index.js";
import { iso } from "./context.js";
import { nextReference, userExists } from "./repo.js";

export const OUTCOMES = ["no_action", "coaching", "training", "disciplinary"] as const;
export const HR_CASE_CLOSED = "incidents.hr_case_closed";
export const caseAad = (id: string) => `hr_cases.content_enc:${id}`;
export const noteAad = (id: string) => `hr_case_notes.body_enc:${id}`;

export const caseInput = z
  .object({
    title: z.string().trim().min(1).max(200),
    details: z.string().trim().max(50_000).default(""),
    source: z.enum(["manual", "report", "incident", "monitoring"]).default("manual"),
    sourceId: z.string().min(1).max(40).optional(),
    subjectPersonId: z.string().min(1).max(40).optional(),
    memberUserIds: z.array(z.string().min(1).max(40)).max(20).default([]),
  })
  .strict()
  .refine((v) => v.source === "manual" || v.sourceId, {
    message: "required for this source",
    path: ["sourceId"],
  });

export const referralInput = z
  .object({
    title: z.string().trim().min(1).max(200),
    details: z.string().trim().max(50_000).default(""),
    source: z.enum(["manual", "report", "incident", "monitoring"]).default("manual"),
    sourceId: z.string().min(1).max(40).optional(),
    subjectPersonId: z.string().min(1).max(40).optional(),
  })
  .strict();

export const caseSchema = z.object({
  id: z.string(),
  reference: z.string(),
  title: z.string(),
  details: z.string(),
  source: z.string(),
  sourceId: z.string().nullable(),
  subjectPersonId: z.string().nullable(),
  status: z.enum(["open", "closed"]),
  outcome: z.enum(OUTCOMES).nullable(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  purgeAfter: z.string().nullable(),
  members: z.array(z.object({ userId: z.string(), displayName: z.string(), addedAt: z.string() })),
  notes: z.array(
    z.object({ id: z.string(), text: z.string(), authorId: z.string().nullable(), createdAt: z.string() }),
  ),
});

export const caseSummarySchema = caseSchema.omit({ details: true, members: true, notes: true });

interface CaseRow {
  id: string;
  reference: string;
  source: string;
  source_id: string | null;
  subject_person_id: string | null;
  content_enc: string;
  status: "open" | "closed";
  outcome: (typeof OUTCOMES)[number] | null;
  created_at: Date;
  closed_at: Date | null;
}

export type SourceCheck = (q: Queryable, source: string, id: string) => Promise<boolean>;

export function createHrCases(deps: {
  db: Db;
  envelope: Envelope;
  events: Events;
  retentionDays: number;
  sourceExists: SourceCheck;
}) {
  const { envelope } = deps;
  const DAY = 86_400_000;

  const isHr = (who: Identity) => who.permissions.has("hr_cases:manage");

  function content(c: CaseRow): { title: string; details: string } {
    return JSON.parse(envelope.decrypt(c.content_enc, caseAad(c.id)));
  }

  function summary(c: CaseRow) {
    return {
      id: c.id,
      reference: c.reference,
      title: content(c).title,
      source: c.source,
      sourceId: c.source_id,
      subjectPersonId: c.subject_person_id,
      status: c.status,
      outcome: c.outcome,
      createdAt: iso(c.created_at) as string,
      closedAt: iso(c.closed_at),
      purgeAfter: c.closed_at
        ? (iso(new Date(new Date(c.closed_at).getTime() + deps.retentionDays * DAY)) as string)
        : null,
    };
  }

  /** The case if the caller may see it; 404 for everyone else, whatever their role. */
  async function visible(q: Queryable, who: Identity, id: string, lock = false): Promise<CaseRow> {
    const r = await q.query<CaseRow>(
      `SELECT c.* FROM hr_cases c WHERE c.id = $1 AND ($2 OR EXISTS
         (SELECT 1 FROM hr_case_members m WHERE m.case_id = c.id AND m.user_id = $3)) ${lock ? "FOR UPDATE" : ""}`,
      [id, isHr(who), who.userId],
    );
    if (!r.rows[0]) throw notFound("hr_case.not_found", "No such case");
    return r.rows[0];
  }

  async function validate(q: Queryable, v: { source: string; sourceId?: string; subjectPersonId?: string }) {
    if (v.subjectPersonId && !(await findPerson(q, v.subjectPersonId)))
      throw unprocessable("hr_case.unknown_person", "No such person", [
        { path: "subjectPersonId", message: "unknown person" },
      ]);
    if (v.sourceId && v.source !== "manual" && !(await deps.sourceExists(q, v.source, v.sourceId)))
      throw unprocessable("hr_case.unknown_source", `No such ${v.source}`, [
        { path: "sourceId", message: `unknown ${v.source}` },
      ]);
  }

  async function insert(
    q: Queryable,
    ctx: AuditContext,
    v: z.infer<typeof referralInput>,
    source: string,
    members: string[],
  ) {
    await validate(q, v);
    for (const [i, u] of members.entries())
      if (!(await userExists(q, u)))
        throw unprocessable("hr_case.unknown_user", "No active user with that id", [
          { path: `memberUserIds.${i}`, message: "unknown user" },
        ]);
    const id = ulid();
    const reference = await nextReference(q, "hr_case_reference_seq", "HR");
    await q.query(
      `INSERT INTO hr_cases (id, reference, source, source_id, subject_person_id, content_enc, opened_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [
        id,
        reference,
        source,
        v.sourceId ?? null,
        v.subjectPersonId ?? null,
        envelope.encrypt(JSON.stringify({ title: v.title, details: v.details }), caseAad(id)),
        ctx.actorId ?? null,
      ],
    );
    for (const u of new Set(members))
      await q.query("INSERT INTO hr_case_members (case_id, user_id, added_by) VALUES ($1,$2,$3)", [
        id,
        u,
        ctx.actorId ?? null,
      ]);
    await appendAudit(q, ctx, {
      action: source === "referral" ? "hr_case.referred" : "hr_case.created",
      targetType: "hr_case",
      targetId: id,
      details: {
        reference,
        source,
        origin: v.source,
        sourceId: v.sourceId ?? null,
        members: [...new Set(members)],
      },
    });
    return { id, reference };
  }

  async function full(q: Queryable, ctx: AuditContext, c: CaseRow) {
    const m = await q.query<{ user_id: string; display_name: string; added_at: Date }>(
      `SELECT m.user_id, u.display_name, m.added_at FROM hr_case_members m JOIN users u ON u.id = m.user_id
       WHERE m.case_id = $1 ORDER BY m.added_at`,
      [c.id],
    );
    const n = await q.query<{ id: string; body_enc: string; author_id: string | null; created_at: Date }>(
      "SELECT * FROM hr_case_notes WHERE case_id = $1 ORDER BY created_at, id",
      [c.id],
    );
    await appendAudit(q, ctx, {
      action: "hr_case.read",
      targetType: "hr_case",
      targetId: c.id,
      details: { notes: n.rowCount },
    });
    return {
      ...summary(c),
      details: content(c).details,
      members: m.rows.map((x) => ({
        userId: x.user_id,
        displayName: x.display_name,
        addedAt: iso(x.added_at) as string,
      })),
      notes: n.rows.map((x) => ({
        id: x.id,
        text: envelope.decrypt(x.body_enc, noteAad(x.id)),
        authorId: x.author_id,
        createdAt: iso(x.created_at) as string,
      })),
    };
  }

  return {
    visible,
    create: (q: Queryable, ctx: AuditContext, v: z.infer<typeof caseInput>) =>
      insert(q, ctx, v, v.source, v.memberUserIds),
    /** Security (or anyone responding) hands a matter to HR; the referrer is not made a member. */
    refer: (q: Queryable, ctx: AuditContext, v: z.infer<typeof referralInput>) =>
      insert(q, ctx, v, "referral", []),

    async list(
      q: Queryable,
      ctx: AuditContext,
      who: Identity,
      f: { status?: "open" | "closed"; q?: string; limit: number; offset: number },
    ) {
      const r = await q.query<CaseRow>(
        `SELECT c.* FROM hr_cases c WHERE ($1 OR EXISTS (SELECT 1 FROM hr_case_members m WHERE m.case_id = c.id AND m.user_id = $2))
           AND ($3::text IS NULL OR c.status = $3) ORDER BY c.created_at DESC, c.id DESC`,
        [isHr(who), who.userId, f.status ?? null],
      );
      // Titles are sealed, so the search runs on the decrypted titles of the caller's cases.
      const needle = f.q?.toLowerCase();
      const all = r.rows
        .map(summary)
        .filter(
          (c) =>
            !needle || c.title.toLowerCase().includes(needle) || c.reference.toLowerCase().includes(needle),
        );
      const items = all.slice(f.offset, f.offset + f.limit);
      if (items.length)
        await appendAudit(q, ctx, {
          action: "hr_case.list_read",
          targetType: "hr_case",
          targetId: null,
          details: { caseIds: items.map((c) => c.id) },
        });
      return { items, total: all.length };
    },

    async get(q: Queryable, ctx: AuditContext, who: Identity, id: string) {
      return full(q, ctx, await visible(q, who, id));
    },

    async edit(
      q: Queryable,
      ctx: AuditContext,
      who: Identity,
      id: string,
      v: { title?: string; details?: string },
    ) {
      const c = await visible(q, who, id, true);
      if (c.status === "closed") throw conflict("hr_case.closed", "A closed case cannot be changed");
      const now = content(c);
      const next = { title: v.title ?? now.title, details: v.details ?? now.details };
      await q.query("UPDATE hr_cases SET content_enc = $2, updated_at = now() WHERE id = $1", [
        id,
        envelope.encrypt(JSON.stringify(next), caseAad(id)),
      ]);
      await appendAudit(q, ctx, {
        action: "hr_case.updated",
        targetType: "hr_case",
        targetId: id,
        details: { fields: Object.keys(v) },
      });
      return full(q, ctx, await visible(q, who, id));
    },

    async addNote(q: Queryable, ctx: AuditContext, who: Identity, id: string, text: string) {
      const c = await visible(q, who, id);
      if (c.status === "closed") throw conflict("hr_case.closed", "A closed case cannot be changed");
      const nid = ulid();
      await q.query("INSERT INTO hr_case_notes (id, case_id, body_enc, author_id) VALUES ($1,$2,$3,$4)", [
        nid,
        id,
        envelope.encrypt(text, noteAad(nid)),
        ctx.actorId ?? null,
      ]);
      await appendAudit(q, ctx, {
        action: "hr_case.note_added",
        targetType: "hr_case",
        targetId: id,
        details: { noteId: nid },
      });
      return full(q, ctx, c);
    },

    async setMember(
      q: Queryable,
      ctx: AuditContext,
      who: Identity,
      id: string,
      userId: string,
      add: boolean,
    ) {
      const c = await visible(q, who, id);
      if (add) {
        if (!(await userExists(q, userId)))
          throw unprocessable("hr_case.unknown_user", "No active user with that id", [
            { path: "userId", message: "unknown user" },
          ]);
        await q.query(
          "INSERT INTO hr_case_members (case_id, user_id, added_by) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING",
          [id, userId, ctx.actorId ?? null],
        );
      } else {
        const r = await q.query("DELETE FROM hr_case_members WHERE case_id = $1 AND user_id = $2", [
          id,
          userId,
        ]);
        if (!r.rowCount) throw notFound("hr_case.member_not_found", "That user is not a member of the case");
      }
      await appendAudit(q, ctx, {
        action: add ? "hr_case.member_added" : "hr_case.member_removed",
        targetType: "hr_case",
        targetId: id,
        details: { userId },
      });
      return full(q, ctx, c);
    },

    async close(
      q: Queryable,
      ctx: AuditContext,
      who: Identity,
      id: string,
      outcome: (typeof OUTCOMES)[number],
    ) {
      const c = await visible(q, who, id, true);
      if (c.status === "closed") throw conflict("hr_case.closed", "The case is already closed");
      await q.query(
        "UPDATE hr_cases SET status = 'closed', outcome = $2, closed_at = now(), updated_at = now() WHERE id = $1",
        [id, outcome],
      );
      await appendAudit(q, ctx, {
        action: "hr_case.closed",
        targetType: "hr_case",
        targetId: id,
        details: { outcome },
      });
      await deps.events.publish(q, HR_CASE_CLOSED, { caseId: id, personId: c.subject_person_id, outcome });
      return full(q, ctx, await visible(q, who, id));
    },

    /** Deletes closed cases past retention (a scheduled job); each deletion is audited. */
    async purge(now = new Date()): Promise<number> {
      const cutoff = new Date(now.getTime() - deps.retentionDays * DAY);
      return deps.db.tx(async (q) => {
        const r = await q.query<{ id: string; reference: string; closed_at: Date }>(
          "DELETE FROM hr_cases WHERE status = 'closed' AND closed_at < $1 RETURNING id, reference, closed_at",
          [cutoff],
        );
        for (const c of r.rows)
          await appendAudit(
            q,
            { actorLabel: "hr case retention" },
            {
              action: "hr_case.purged",
              targetType: "hr_case",
              targetId: c.id,
              details: {
                reference: c.reference,
                closedAt: iso(c.closed_at),
                retentionDays: deps.retentionDays,
              },
            },
          );
        return r.rowCount;
      });
    },
  };
}

export type HrCases = ReturnType<typeof createHrCases>;
