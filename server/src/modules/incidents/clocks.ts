/**
 * Regulatory clocks. Legal marks a personal-data breach with the moment the organisation
 * became aware of it and the jurisdictions concerned; each jurisdiction's duty (authority,
 * and data subjects where it applies) becomes a clock with a deadline. Reminders before and
 * an escalation at the deadline are durable jobs scheduled for their moment (they survive a
 * restart); the sweep in jobs.ts catches any clock whose job was lost.
 */

import { z } from "zod";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import { conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import { iso, SYSTEM } from "./context.js";
import type { JurisdictionRow } from "./jurisdictions.js";
import { addTimeline, getIncident } from "./repo.js";
import { audienceOf } from "./service.js";

export const CLOCK_JOB = "incidents.clock";
const HOUR = 3_600_000;

export const clockSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  jurisdictionId: z.string(),
  jurisdiction: z.string(),
  law: z.string(),
  authority: z.string(),
  audience: z.enum(["authority", "subjects"]),
  awareAt: z.string(),
  dueAt: z.string(),
  state: z.enum(["running", "notified", "not_required"]),
  notifiedAt: z.string().nullable(),
  evidence: z.string().nullable(),
  met: z.boolean().nullable(),
  overdue: z.boolean(),
  remindersSent: z.array(z.string()),
  escalatedAt: z.string().nullable(),
});

interface ClockRow {
  id: string;
  incident_id: string;
  jurisdiction_id: string;
  audience: "authority" | "subjects";
  aware_at: Date;
  due_at: Date;
  state: "running" | "notified" | "not_required";
  notified_at: Date | null;
  evidence: string | null;
  reminders_sent: string[];
  escalated_at: Date | null;
  j_name: string;
  law: string;
  authority: string;
  remind_before_hours: number[];
}

const CLOCKS = `SELECT c.*, j.name AS j_name, j.law, j.authority, j.remind_before_hours
  FROM incident_clocks c JOIN incident_jurisdictions j ON j.id = c.jurisdiction_id`;

function toClock(c: ClockRow, now = Date.now()) {
  const due = new Date(c.due_at).getTime();
  return {
    id: c.id,
    incidentId: c.incident_id,
    jurisdictionId: c.jurisdiction_id,
    jurisdiction: c.j_name,
    law: c.law,
    authority: c.audience === "authority" ? c.authority : "Data subjects",
    audience: c.audience,
    awareAt: iso(c.aware_at) as string,
    dueAt: iso(c.due_at) as string,
    state: c.state,
    notifiedAt: iso(c.notified_at),
    evidence: c.evidence,
    met:
      c.state === "notified" && c.notified_at
        ? new Date(c.notified_at).getTime() <= due
        : c.state === "running"
          ? null
          : true,
    overdue: c.state === "running" && due < now,
    remindersSent: c.reminders_sent,
    escalatedAt: iso(c.escalated_at),
  };
}

export async function listClocks(q: Queryable, incidentId: string) {
  const r = await q.query<ClockRow>(`${CLOCKS} WHERE c.incident_id = $1 ORDER BY c.due_at, c.id`, [
    incidentId,
  ]);
  return r.rows.map((c) => toClock(c));
}

/** Legal marks a personal-data breach: the clocks start from the awareness time. */
export async function markBreach(
  q: Queryable,
  ctx: AuditContext,
  jobs: Jobs,
  incidentId: string,
  input: { awareAt: string; jurisdictionIds: string[] },
) {
  const incident = await getIncident(q, incidentId, true);
  if (incident.status === "closed") throw conflict("incident.closed", "A closed incident cannot be changed");
  const awareAt = new Date(input.awareAt);
  if (awareAt.getTime() > Date.now() + 60_000)
    throw unprocessable("incident.aware_in_future", "The awareness time cannot be in the future", [
      { path: "awareAt", message: "in the future" },
    ]);
  if (incident.aware_at && new Date(incident.aware_at).getTime() !== awareAt.getTime())
    throw conflict(
      "incident.aware_at_set",
      "The awareness time is already recorded; clocks run from it",
      "awareAt",
    );
  const js = await q.query<JurisdictionRow>(
    "SELECT * FROM incident_jurisdictions WHERE id = ANY($1::text[]) AND active",
    [input.jurisdictionIds],
  );
  const missing = input.jurisdictionIds.filter((id) => !js.rows.some((j) => j.id === id));
  if (missing.length)
    throw unprocessable(
      "incident.unknown_jurisdiction",
      "No such active jurisdiction",
      missing.map((id) => ({
        path: `jurisdictionIds.${input.jurisdictionIds.indexOf(id)}`,
        message: "unknown jurisdiction",
      })),
    );
  await q.query(
    "UPDATE incidents SET personal_data_breach = true, aware_at = $2, version = version + 1, updated_at = now() WHERE id = $1",
    [incidentId, awareAt],
  );
  let started = 0;
  for (const j of js.rows) {
    const duties: ["authority" | "subjects", number][] = [["authority", j.deadline_hours]];
    if (j.notify_subjects && j.subjects_deadline_hours) duties.push(["subjects", j.subjects_deadline_hours]);
    for (const [audience, hours] of duties) {
      const id = ulid();
      const due = new Date(awareAt.getTime() + hours * HOUR);
      const ins = await q.query(
        `INSERT INTO incident_clocks (id, incident_id, jurisdiction_id, audience, aware_at, due_at)
         VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (incident_id, jurisdiction_id, audience) DO NOTHING`,
        [id, incidentId, j.id, audience, awareAt, due],
      );
      if (!ins.rowCount) continue;
      started++;
      for (const h of j.remind_before_hours) {
        const at = due.getTime() - h * HOUR;
        if (at > Date.now())
          await jobs.send(
            q,
            CLOCK_JOB,
            { clockId: id, slot: `${h}h` },
            { startAfter: new Date(at), singletonKey: `${id}:${h}h` },
          );
      }
      await jobs.send(
        q,
        CLOCK_JOB,
        { clockId: id, slot: "due" },
        { startAfter: due, singletonKey: `${id}:due` },
      );
      await addTimeline(
        q,
        incidentId,
        ctx,
        "clock",
        `${j.law}: notify ${audience === "authority" ? j.authority : "data subjects"} by ${due.toISOString()}`,
        { clockId: id, dueAt: due.toISOString() },
      );
    }
  }
  await appendAudit(q, ctx, {
    action: "incident.breach_marked",
    targetType: "incident",
    targetId: incidentId,
    details: {
      awareAt: awareAt.toISOString(),
      jurisdictions: js.rows.map((j) => j.code),
      clocksStarted: started,
    },
  });
  return listClocks(q, incidentId);
}

/** Records that the authority or data subjects were notified (or that notification is not required). */
export async function recordClockOutcome(
  q: Queryable,
  ctx: AuditContext,
  incidentId: string,
  clockId: string,
  input: { outcome: "notified" | "not_required"; at?: string; evidence: string },
) {
  const r = await q.query<ClockRow>(`${CLOCKS} WHERE c.id = $1 AND c.incident_id = $2 FOR UPDATE OF c`, [
    clockId,
    incidentId,
  ]);
  const c = r.rows[0];
  if (!c) throw notFound("incident.clock_not_found", "No such clock on this incident");
  if (c.state !== "running") throw conflict("incident.clock_stopped", "This clock was already stopped");
  const at = input.at ? new Date(input.at) : new Date();
  if (at.getTime() > Date.now() + 60_000)
    throw unprocessable("incident.notified_in_future", "The notification time cannot be in the future", [
      { path: "at", message: "in the future" },
    ]);
  await q.query(
    "UPDATE incident_clocks SET state = $2, notified_at = $3, notified_by = $4, evidence = $5 WHERE id = $1",
    [clockId, input.outcome, at, ctx.actorId ?? null, input.evidence],
  );
  const met = at.getTime() <= new Date(c.due_at).getTime();
  const who = c.audience === "authority" ? c.authority : "data subjects";
  await addTimeline(
    q,
    incidentId,
    ctx,
    "clock",
    input.outcome === "notified"
      ? `${c.law}: ${who} notified ${met ? "within" : "after"} the deadline`
      : `${c.law}: notifying ${who} is not required: ${input.evidence}`,
    { clockId, met, outcome: input.outcome },
  );
  await appendAudit(q, ctx, {
    action: "incident.clock_stopped",
    targetType: "incident",
    targetId: incidentId,
    details: { clockId, outcome: input.outcome, at: at.toISOString(), met },
  });
  const after = await q.query<ClockRow>(`${CLOCKS} WHERE c.id = $1`, [clockId]);
  return toClock(after.rows[0] as ClockRow);
}

/** A reminder slot or the deadline of one clock came due (a job, or the sweep). */
export async function fireClock(db: Db, notifier: Notifier, clockId: string, slot: string, now = new Date()) {
  await db.tx(async (q) => {
    const r = await q.query<ClockRow>(`${CLOCKS} WHERE c.id = $1 FOR UPDATE OF c`, [clockId]);
    const c = r.rows[0];
    if (!c) return;
    if (c.state !== "running") return;
    const incident = await getIncident(q, c.incident_id);
    const who = c.audience === "authority" ? c.authority : "data subjects";
    const due = new Date(c.due_at);
    if (slot === "due") {
      if (c.escalated_at || now < due) return;
      await q.query("UPDATE incident_clocks SET escalated_at = $2 WHERE id = $1", [clockId, now]);
      await addTimeline(
        q,
        c.incident_id,
        SYSTEM,
        "clock",
        `${c.law}: the deadline to notify ${who} has passed`,
        { clockId },
      );
      await appendAudit(q, SYSTEM, {
        action: "incident.clock_escalated",
        targetType: "incident",
        targetId: c.incident_id,
        details: { clockId, dueAt: due.toISOString() },
      });
      await notifier.notify(q, {
        kind: "incident.clock",
        severity: "critical",
        title: `${incident.reference}: ${c.law} deadline to notify ${who} has passed`,
        body: `The deadline was ${due.toISOString()}. Record the notification, or why it is not required.`,
        link: `/incidents/${c.incident_id}`,
        to: {
          roles: ["legal", ...audienceOf(incident)],
          userIds: incident.owner_user_id ? [incident.owner_user_id] : [],
        },
        sourceKey: `clock:${clockId}:due`,
      });
      return;
    }
    if (c.reminders_sent.includes(slot)) return;
    await q.query(
      "UPDATE incident_clocks SET reminders_sent = array_append(reminders_sent, $2) WHERE id = $1",
      [clockId, slot],
    );
    const last = slot === `${Math.min(...c.remind_before_hours)}h`;
    await addTimeline(q, c.incident_id, SYSTEM, "clock", `${c.law}: ${slot} left to notify ${who}`, {
      clockId,
      slot,
    });
    await appendAudit(q, SYSTEM, {
      action: "incident.clock_reminder",
      targetType: "incident",
      targetId: c.incident_id,
      details: { clockId, slot },
    });
    await notifier.notify(q, {
      kind: "incident.clock",
      severity: last ? "critical" : "high",
      title: `${incident.reference}: ${slot} left to notify ${who} (${c.law})`,
      body: `Deadline: ${due.toISOString()}.`,
      link: `/incidents/${c.incident_id}`,
      to: { roles: ["legal"], userIds: incident.owner_user_id ? [incident.owner_user_id] : [] },
      sourceKey: `clock:${clockId}:${slot}`,
    });
  });
}

/** Running clocks past their deadline that were never escalated (their job was lost). */
export async function overdueClocks(q: Queryable, now: Date): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    "SELECT id FROM incident_clocks WHERE state = 'running' AND due_at <= $1 AND escalated_at IS NULL ORDER BY due_at",
    [now],
  );
  return r.rows.map((x) => x.id);
}
