/**
 * Incidents: create (by hand or from reports), change, move through open → contained →
 * resolved → closed, link and merge. Each change is one transaction with its timeline entry,
 * its audit entry and the notifications it causes.
 */

import type { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError, conflict, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import { applyPlaybook } from "./playbooks.js";
import { addTimeline, getIncident, type IncidentRow, nextReference, toIncident, userExists } from "./repo.js";
import type { ReportsPort } from "./reports-port.js";
import { type incidentInput, type incidentPatch, isHigh, type Severity, type Status } from "./schemas.js";

const NEXT: Record<Status, Status[]> = {
  open: ["contained", "resolved"],
  contained: ["resolved", "open"],
  resolved: ["closed", "open"],
  closed: [],
};

export interface IncidentServiceDeps {
  notifier: Notifier;
  reports: ReportsPort;
}

/** Who hears of an incident: Security and Legal, and HR when people are involved. */
export function audienceOf(i: { people_involved: boolean }): string[] {
  return i.people_involved ? ["security", "legal", "hr"] : ["security", "legal"];
}

export function createIncidentService(deps: IncidentServiceDeps) {
  const { notifier, reports } = deps;

  async function alert(q: Queryable, i: IncidentRow, why: "created" | "escalated") {
    const high = isHigh(i.severity);
    await notifier.notify(q, {
      kind: high ? "incident.high_severity" : "incident.created",
      severity: high ? "critical" : "normal",
      title: `${i.reference} ${i.severity.toUpperCase()} ${why === "created" ? "opened" : "raised"}: ${i.title}`,
      body:
        why === "created" ? "A new incident needs the response team." : "The incident's severity was raised.",
      link: `/incidents/${i.id}`,
      to: { roles: audienceOf(i) },
      sourceKey: `incident:${i.id}:${why}:${i.severity}`,
    });
  }

  async function ensureUser(q: Queryable, id: string | null | undefined, field: string) {
    if (id && !(await userExists(q, id)))
      throw unprocessable("incident.unknown_user", "No active user with that id", [
        { path: field, message: "unknown user" },
      ]);
  }

  return {
    async create(q: Queryable, ctx: AuditContext, input: z.infer<typeof incidentInput>) {
      await ensureUser(q, input.ownerUserId, "ownerUserId");
      const reportIds = [...new Set(input.reportIds)];
      if (reportIds.length) {
        const found = await reports.summaries(q, reportIds);
        const missing = reportIds.filter((id) => !found.some((r) => r.id === id));
        if (missing.length)
          throw unprocessable(
            "incident.unknown_report",
            "Some reports do not exist",
            missing.map((id) => ({ path: `reportIds.${reportIds.indexOf(id)}`, message: "unknown report" })),
          );
      }
      const id = ulid();
      const reference = await nextReference(q, "incident_reference_seq", "INC");
      await q.query(
        `INSERT INTO incidents (id, reference, title, summary, severity, owner_user_id, people_involved, created_by,
           acknowledged_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8, CASE WHEN $6::text IS NOT NULL THEN now() END)`,
        [
          id,
          reference,
          input.title,
          input.summary,
          input.severity,
          input.ownerUserId ?? null,
          input.peopleInvolved,
          ctx.actorId ?? null,
        ],
      );
      await addTimeline(q, id, ctx, "created", `Incident opened as ${input.severity}`, {
        severity: input.severity,
      });
      for (const r of reportIds) {
        await q.query("INSERT INTO incident_reports (incident_id, report_id) VALUES ($1,$2)", [id, r]);
      }
      if (reportIds.length) {
        await reports.markEscalated(q, reportIds, id, ctx);
        await addTimeline(q, id, ctx, "reports", `${reportIds.length} report(s) attached`, { reportIds });
      }
      if (input.playbookId) await applyPlaybook(q, ctx, notifier, id, input.playbookId);
      await appendAudit(q, ctx, {
        action: "incident.created",
        targetType: "incident",
        targetId: id,
        details: {
          reference,
          severity: input.severity,
          reports: reportIds,
          playbookId: input.playbookId ?? null,
        },
      });
      const row = await getIncident(q, id);
      await alert(q, row, "created");
      return toIncident(row);
    },

    async patch(q: Queryable, ctx: AuditContext, id: string, input: z.infer<typeof incidentPatch>) {
      const before = await getIncident(q, id, true);
      if (before.status === "closed")
        throw conflict("incident.closed", "A closed incident cannot be changed");
      await ensureUser(q, input.ownerUserId, "ownerUserId");
      const changed: string[] = [];
      const set = (col: string, v: unknown, label: string, old: unknown): [string, unknown] | null => {
        if (v === undefined || v === old) return null;
        changed.push(label);
        return [col, v];
      };
      const updates = [
        set("title", input.title, "title", before.title),
        set("summary", input.summary, "summary", before.summary),
        set("severity", input.severity, "severity", before.severity),
        set("people_involved", input.peopleInvolved, "peopleInvolved", before.people_involved),
        set("owner_user_id", input.ownerUserId, "owner", before.owner_user_id),
      ].filter((u): u is [string, unknown] => !!u);
      if (!updates.length) return toIncident(before);
      const cols = updates.map(([c], i) => `${c} = $${i + 2}`).join(", ");
      await q.query(
        `UPDATE incidents SET ${cols}, version = version + 1, updated_at = now(),
           acknowledged_at = COALESCE(acknowledged_at, CASE WHEN owner_user_id IS NOT NULL THEN now() END)
         WHERE id = $1`,
        [id, ...updates.map(([, v]) => v)],
      );
      for (const [col, v] of updates) {
        const text =
          col === "severity"
            ? `Severity changed from ${before.severity} to ${v}`
            : col === "owner_user_id"
              ? v
                ? "Owner assigned"
                : "Owner removed"
              : `${col.replace("_", " ")} changed`;
        await addTimeline(q, id, ctx, col === "severity" ? "severity" : "changed", text, {
          field: col,
          to: col === "summary" ? undefined : v,
        });
      }
      await appendAudit(q, ctx, {
        action: "incident.updated",
        targetType: "incident",
        targetId: id,
        details: { changed },
      });
      const after = await getIncident(q, id);
      const rank = (s: Severity) => Number(s.slice(3));
      if (input.severity && rank(input.severity) < rank(before.severity) && isHigh(input.severity))
        await alert(q, after, "escalated");
      if (input.ownerUserId && input.ownerUserId !== before.owner_user_id) {
        await notifier.notify(q, {
          kind: "incident.assigned",
          severity: isHigh(after.severity) ? "critical" : "normal",
          title: `You own ${after.reference}: ${after.title}`,
          link: `/incidents/${id}`,
          to: { userIds: [input.ownerUserId] },
        });
      }
      return toIncident(after);
    },

    async acknowledge(q: Queryable, ctx: AuditContext, id: string) {
      const i = await getIncident(q, id, true);
      if (i.acknowledged_at) return toIncident(i);
      await q.query(
        "UPDATE incidents SET acknowledged_at = now(), updated_at = now(), version = version + 1 WHERE id = $1",
        [id],
      );
      await addTimeline(q, id, ctx, "acknowledged", "Incident acknowledged");
      await appendAudit(q, ctx, { action: "incident.acknowledged", targetType: "incident", targetId: id });
      return toIncident(await getIncident(q, id));
    },

    async setStatus(q: Queryable, ctx: AuditContext, id: string, status: Status, note?: string) {
      const i = await getIncident(q, id, true);
      if (i.status === status) return toIncident(i);
      if (!NEXT[i.status].includes(status))
        throw new AppError(
          409,
          "incident.bad_transition",
          `An incident that is ${i.status} cannot become ${status}`,
          [{ path: "status", message: `allowed: ${NEXT[i.status].join(", ") || "none"}` }],
        );
      if (status === "closed" && isHigh(i.severity)) {
        const pm = await q.query(
          "SELECT 1 FROM incident_postmortems WHERE incident_id = $1 AND completed_at IS NOT NULL",
          [id],
        );
        if (!pm.rowCount)
          throw new AppError(
            409,
            "incident.postmortem_required",
            "A sev1 or sev2 incident closes only after its blameless post-mortem is completed",
            [{ path: "status", message: "complete the post-mortem first" }],
          );
      }
      const stamp = { contained: "contained_at", resolved: "resolved_at", closed: "closed_at", open: null }[
        status
      ];
      await q.query(
        `UPDATE incidents SET status = $2, version = version + 1, updated_at = now(),
           acknowledged_at = COALESCE(acknowledged_at, now())
           ${stamp ? `, ${stamp} = COALESCE(${stamp}, now())` : ""}
         WHERE id = $1`,
        [id, status],
      );
      await addTimeline(
        q,
        id,
        ctx,
        "status",
        `Status changed from ${i.status} to ${status}${note ? `: ${note}` : ""}`,
        {
          from: i.status,
          to: status,
        },
      );
      await appendAudit(q, ctx, {
        action: "incident.status_changed",
        targetType: "incident",
        targetId: id,
        details: { from: i.status, to: status },
      });
      if (status === "closed") {
        await q.query(
          "UPDATE incident_tasks SET status = 'cancelled' WHERE incident_id = $1 AND status = 'open'",
          [id],
        );
      }
      return toIncident(await getIncident(q, id));
    },

    async message(q: Queryable, ctx: AuditContext, id: string, text: string) {
      await getIncident(q, id);
      await addTimeline(q, id, ctx, "message", text);
      await appendAudit(q, ctx, { action: "incident.message", targetType: "incident", targetId: id });
    },

    async decide(q: Queryable, ctx: AuditContext, id: string, decision: string, rationale: string) {
      const i = await getIncident(q, id);
      if (i.status === "closed") throw conflict("incident.closed", "A closed incident cannot be changed");
      const did = ulid();
      await q.query(
        "INSERT INTO incident_decisions (id, incident_id, decision, rationale, decided_by) VALUES ($1,$2,$3,$4,$5)",
        [did, id, decision, rationale, ctx.actorId ?? null],
      );
      await addTimeline(q, id, ctx, "decision", decision, { decisionId: did, rationale });
      await appendAudit(q, ctx, {
        action: "incident.decision",
        targetType: "incident",
        targetId: id,
        details: { decisionId: did },
      });
      return did;
    },

    async link(q: Queryable, ctx: AuditContext, id: string, otherId: string) {
      if (id === otherId)
        throw unprocessable("incident.self_link", "An incident cannot link to itself", [
          { path: "otherId", message: "same incident" },
        ]);
      const a = await getIncident(q, id);
      const b = await getIncident(q, otherId).catch(() => {
        throw unprocessable("incident.unknown_incident", "No such incident", [
          { path: "otherId", message: "unknown incident" },
        ]);
      });
      await q.query(
        "INSERT INTO incident_links (incident_id, other_id) VALUES ($1,$2),($2,$1) ON CONFLICT DO NOTHING",
        [id, otherId],
      );
      await addTimeline(q, id, ctx, "link", `Linked to ${b.reference}`, { otherId });
      await addTimeline(q, otherId, ctx, "link", `Linked to ${a.reference}`, { otherId: id });
      await appendAudit(q, ctx, {
        action: "incident.linked",
        targetType: "incident",
        targetId: id,
        details: { otherId },
      });
    },

    async unlink(q: Queryable, ctx: AuditContext, id: string, otherId: string) {
      await getIncident(q, id);
      const r = await q.query(
        "DELETE FROM incident_links WHERE (incident_id = $1 AND other_id = $2) OR (incident_id = $2 AND other_id = $1)",
        [id, otherId],
      );
      if (!r.rowCount) return;
      await addTimeline(q, id, ctx, "link", "Link removed", { otherId });
      await addTimeline(q, otherId, ctx, "link", "Link removed", { otherId: id });
      await appendAudit(q, ctx, {
        action: "incident.unlinked",
        targetType: "incident",
        targetId: id,
        details: { otherId },
      });
    },

    /** Folds `id` into `intoId`: its reports and open tasks move; it closes as merged. */
    async merge(q: Queryable, ctx: AuditContext, id: string, intoId: string) {
      if (id === intoId)
        throw unprocessable("incident.self_merge", "An incident cannot merge into itself", [
          { path: "intoId", message: "same incident" },
        ]);
      const src = await getIncident(q, id, true);
      const dst = await findIncidentOr422(q, intoId);
      if (src.status === "closed")
        throw conflict("incident.closed", "A closed incident cannot be merged", "id");
      if (dst.status === "closed")
        throw conflict("incident.closed", "Cannot merge into a closed incident", "intoId");
      await q.query(
        `INSERT INTO incident_reports (incident_id, report_id) SELECT $2, report_id FROM incident_reports WHERE incident_id = $1
         ON CONFLICT DO NOTHING`,
        [id, intoId],
      );
      const moved = await q.query(
        "UPDATE incident_tasks SET incident_id = $2 WHERE incident_id = $1 AND status = 'open'",
        [id, intoId],
      );
      await q.query(
        `UPDATE incidents SET status = 'closed', merged_into = $2, closed_at = now(), version = version + 1, updated_at = now(),
           acknowledged_at = COALESCE(acknowledged_at, now()) WHERE id = $1`,
        [id, intoId],
      );
      await q.query(
        "INSERT INTO incident_links (incident_id, other_id) VALUES ($1,$2),($2,$1) ON CONFLICT DO NOTHING",
        [id, intoId],
      );
      await addTimeline(q, id, ctx, "merged", `Merged into ${dst.reference}`, { intoId });
      await addTimeline(
        q,
        intoId,
        ctx,
        "merged",
        `${src.reference} merged into this incident (${moved.rowCount} open task(s) moved)`,
        {
          fromId: id,
        },
      );
      await appendAudit(q, ctx, {
        action: "incident.merged",
        targetType: "incident",
        targetId: id,
        details: { intoId, tasksMoved: moved.rowCount },
      });
      return toIncident(await getIncident(q, intoId));
    },
  };
}

async function findIncidentOr422(q: Queryable, id: string) {
  try {
    return await getIncident(q, id, true);
  } catch {
    throw unprocessable("incident.unknown_incident", "No such incident", [
      { path: "intoId", message: "unknown incident" },
    ]);
  }
}

export type IncidentService = ReturnType<typeof createIncidentService>;
