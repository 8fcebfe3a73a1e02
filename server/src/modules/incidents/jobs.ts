/**
 * Scheduled work of incident response: clock jobs at their moment, and a sweep every
 * 15 minutes that reminds task assignees before the due date, escalates overdue tasks to
 * the incident owner, reminds owners of overdue post-mortem actions (once a day), and
 * escalates any clock whose own job was lost. HR cases past retention are purged daily.
 */
import { appendAudit } from "../../platform/audit/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import { CLOCK_JOB, fireClock, overdueClocks } from "./clocks.js";
import { SYSTEM } from "./context.js";
import type { HrCases } from "./hr-cases.js";
import { addTimeline } from "./repo.js";
import type { DepartmentRole } from "./schemas.js";
import { ROLE_AUDIENCE } from "./tasks.js";

const SWEEP = "incidents.sweep";
const PURGE = "incidents.hr_cases.purge";
/** A task is reminded this long before it is due. */
const REMIND_BEFORE_MS = 2 * 3_600_000;

export function defineIncidentJobs(deps: { db: Db; jobs: Jobs; notifier: Notifier; hrCases: HrCases }) {
  const { db, jobs, notifier } = deps;
  jobs.define<{ clockId: string; slot: string }>({
    name: CLOCK_JOB,
    retryLimit: 8,
    handler: (j) => fireClock(db, notifier, j.clockId, j.slot),
  });
  jobs.define({
    name: SWEEP,
    batchSize: 1,
    retryLimit: 2,
    handler: async () => void (await sweep(db, notifier)),
  });
  jobs.schedule(SWEEP, "*/15 * * * *");
  jobs.define({
    name: PURGE,
    batchSize: 1,
    retryLimit: 3,
    handler: async () => void (await deps.hrCases.purge()),
  });
  jobs.schedule(PURGE, "30 3 * * *");
}

export interface SweepResult {
  reminded: number;
  escalated: number;
  actions: number;
  clocks: number;
}

export async function sweep(db: Db, notifier: Notifier, now = new Date()): Promise<SweepResult> {
  const out: SweepResult = { reminded: 0, escalated: 0, actions: 0, clocks: 0 };
  const tasks = await db.query<{
    id: string;
    incident_id: string;
    title: string;
    department_role: DepartmentRole;
    assignee_user_id: string | null;
    due_at: Date;
    reminded_at: Date | null;
    reference: string;
    owner_user_id: string | null;
  }>(
    `SELECT t.*, i.reference, i.owner_user_id FROM incident_tasks t JOIN incidents i ON i.id = t.incident_id
     WHERE t.status = 'open' AND t.due_at IS NOT NULL AND i.status <> 'closed'
       AND ((t.reminded_at IS NULL AND t.due_at <= $1) OR (t.escalated_at IS NULL AND t.due_at <= $2))
     ORDER BY t.due_at`,
    [new Date(now.getTime() + REMIND_BEFORE_MS), now],
  );
  for (const t of tasks.rows) {
    const overdue = new Date(t.due_at).getTime() <= now.getTime();
    const who = t.assignee_user_id
      ? { userIds: [t.assignee_user_id] }
      : { roles: ROLE_AUDIENCE[t.department_role] };
    await db.tx(async (q) => {
      if (overdue) {
        const r = await q.query(
          "UPDATE incident_tasks SET escalated_at = $2, reminded_at = COALESCE(reminded_at, $2) WHERE id = $1 AND escalated_at IS NULL",
          [t.id, now],
        );
        if (!r.rowCount) return;
        await addTimeline(q, t.incident_id, SYSTEM, "task", `Task overdue, escalated: ${t.title}`, {
          taskId: t.id,
        });
        await appendAudit(q, SYSTEM, {
          action: "incident.task_escalated",
          targetType: "incident",
          targetId: t.incident_id,
          details: { taskId: t.id },
        });
        await notifier.notify(q, {
          kind: "incident.task_overdue",
          severity: "critical",
          title: `${t.reference}: task overdue: ${t.title}`,
          link: `/incidents/${t.incident_id}`,
          to: {
            userIds: [t.owner_user_id, t.assignee_user_id].filter((x): x is string => !!x),
            roles: t.owner_user_id ? [] : ["security"],
          },
          sourceKey: `task:${t.id}:overdue:${new Date(t.due_at).toISOString()}`,
        });
        out.escalated++;
      } else {
        const r = await q.query(
          "UPDATE incident_tasks SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL",
          [t.id, now],
        );
        if (!r.rowCount) return;
        await notifier.notify(q, {
          kind: "incident.task",
          severity: "high",
          title: `${t.reference}: task due soon: ${t.title}`,
          link: `/incidents/${t.incident_id}`,
          to: who,
          sourceKey: `task:${t.id}:due_soon:${new Date(t.due_at).toISOString()}`,
        });
        out.reminded++;
      }
    });
  }
  const day = now.toISOString().slice(0, 10);
  const actions = await db.query<{
    id: string;
    incident_id: string;
    title: string;
    owner_user_id: string;
    reference: string;
  }>(
    `SELECT a.id, a.incident_id, a.title, a.owner_user_id, i.reference FROM incident_actions a
     JOIN incidents i ON i.id = a.incident_id
     WHERE a.status <> 'done' AND a.due_at < $1 AND a.owner_user_id IS NOT NULL
       AND (a.reminded_on IS NULL OR a.reminded_on < $2::date)`,
    [now, day],
  );
  for (const a of actions.rows) {
    await db.tx(async (q) => {
      await q.query("UPDATE incident_actions SET reminded_on = $2::date WHERE id = $1", [a.id, day]);
      await notifier.notify(q, {
        kind: "incident.action",
        severity: "high",
        title: `${a.reference}: post-mortem action overdue: ${a.title}`,
        link: `/incidents/${a.incident_id}`,
        to: { userIds: [a.owner_user_id] },
        sourceKey: `action:${a.id}:overdue:${day}`,
      });
      await appendAudit(q, SYSTEM, {
        action: "incident.action_reminder",
        targetType: "incident",
        targetId: a.incident_id,
        details: { actionId: a.id },
      });
    });
    out.actions++;
  }
  for (const id of await overdueClocks(db, now)) {
    await fireClock(db, notifier, id, "due", now);
    out.clocks++;
  }
  return out;
}
