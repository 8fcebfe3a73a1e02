/**
 * Overdue assignments escalate one step at a time: the person is reminded, then their
 * manager is told, then HR. Each assignment keeps its escalation level, raised with a
 * compare-and-set in the transaction that raises the notification, so a step is never sent
 * twice however often (or on however many nodes) the job runs.
 */
import type { Db, Queryable } from "../../platform/db/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import { applyRules } from "./assign.js";
import { DAY_MS, type EscalationSettings, SYSTEM } from "./context.js";

const BATCH = 500;

interface Due {
  id: string;
  person_id: string;
  person_name: string;
  user_id: string | null;
  manager_id: string | null;
  manager_user_id: string | null;
  title: string;
  item_type: string;
  due_at: Date;
}

export interface EscalationResult {
  reminded: number;
  managersTold: number;
  hrTold: number;
}

/** Raises every overdue open assignment that has reached its next step by one level. */
export async function escalate(
  db: Db,
  notifier: Notifier,
  settings: EscalationSettings,
  now = new Date(),
): Promise<EscalationResult> {
  const out: EscalationResult = { reminded: 0, managersTold: 0, hrTold: 0 };
  const steps: [1 | 2 | 3, number][] = [
    [3, settings.hrAfterDays],
    [2, settings.managerAfterDays],
    [1, settings.remindAfterDays],
  ];
  // Highest step first, so an assignment moves at most one level per run.
  const moved = new Set<string>();
  for (const [level, days] of steps) {
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    for (;;) {
      const n = await db.tx(async (q) => {
        const due = await q.query<Due>(
          `SELECT a.id, a.person_id, COALESCE(p.preferred_name, p.legal_name) AS person_name, p.user_id,
             p.manager_id, m.user_id AS manager_user_id, a.item_type, a.due_at,
             COALESCE((SELECT title FROM awareness_policies WHERE id = a.item_id AND a.item_type = 'policy'),
                      (SELECT title FROM awareness_modules WHERE id = a.item_id AND a.item_type = 'module'), '') AS title
           FROM awareness_assignments a JOIN people p ON p.id = a.person_id LEFT JOIN people m ON m.id = p.manager_id
           WHERE a.status = 'open' AND a.due_at <= $1 AND a.escalation_level = $2 - 1 AND NOT (a.id = ANY($3::text[]))
           ORDER BY a.due_at, a.id LIMIT ${BATCH} FOR UPDATE OF a SKIP LOCKED`,
          [cutoff, level, [...moved]],
        );
        if (!due.rows.length) return 0;
        const ids = due.rows.map((r) => r.id);
        await q.query(
          `UPDATE awareness_assignments SET escalation_level = $2, escalated_at = now()
           WHERE id = ANY($1::text[]) AND escalation_level = $2 - 1`,
          [ids, level],
        );
        for (const id of ids) moved.add(id);
        if (level === 1) out.reminded += await remind(q, notifier, due.rows);
        if (level === 2) out.managersTold += await tellManagers(q, notifier, due.rows);
        if (level === 3) out.hrTold += await tellHr(q, notifier, due.rows);
        return due.rows.length;
      });
      if (n < BATCH) break;
    }
  }
  return out;
}

const what = (r: Due) =>
  r.item_type === "policy" ? `acknowledge "${r.title}"` : `complete the training "${r.title}"`;

async function remind(q: Queryable, notifier: Notifier, rows: Due[]): Promise<number> {
  let n = 0;
  for (const r of rows) {
    if (!r.user_id) continue;
    const id = await notifier.notify(q, {
      kind: "awareness.reminder",
      severity: "normal",
      title: `Reminder: please ${what(r)}`,
      body: `It was due on ${r.due_at.toISOString().slice(0, 10)}.`,
      link: "/awareness",
      to: { userIds: [r.user_id] },
      sourceKey: `awareness:${r.id}:1`,
    });
    if (id) n++;
  }
  return n;
}

async function tellManagers(q: Queryable, notifier: Notifier, rows: Due[]): Promise<number> {
  const byManager = new Map<string, Due[]>();
  for (const r of rows)
    if (r.manager_user_id) byManager.set(r.manager_user_id, [...(byManager.get(r.manager_user_id) ?? []), r]);
  let n = 0;
  for (const [userId, items] of byManager) {
    const names = [...new Set(items.map((i) => i.person_name))];
    const id = await notifier.notify(q, {
      kind: "awareness.team_overdue",
      severity: "normal",
      title: `${items.length} overdue awareness item(s) in your team`,
      body: items.map((i) => `${i.person_name}: ${what(i)}`).join("\n"),
      link: "/awareness/team",
      to: { userIds: [userId] },
    });
    if (id) n += names.length;
  }
  return n;
}

async function tellHr(q: Queryable, notifier: Notifier, rows: Due[]): Promise<number> {
  const id = await notifier.notify(q, {
    kind: "awareness.hr_overdue",
    severity: "high",
    title: `${rows.length} awareness item(s) still overdue after the manager was told`,
    body: rows
      .slice(0, 50)
      .map((i) => `${i.person_name}: ${what(i)}`)
      .join("\n"),
    link: "/awareness/compliance",
    to: { roles: ["hr"] },
  });
  return id ? rows.length : 0;
}

/** The annual refresher: the enabled annual rules, once per person per calendar year. */
export async function annualRefresh(db: Db, now = new Date()): Promise<number> {
  const year = String(now.getUTCFullYear());
  return db.tx((q) =>
    applyRules(q, SYSTEM, "annual", {
      occasion: year,
      reason: `annual refresher ${year}`,
      dueFrom: now,
      // Someone who had it in the last half year (a joiner, a follow-up) is not asked again yet.
      skipRecentDays: 180,
    }),
  );
}
