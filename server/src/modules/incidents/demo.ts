/**
 * Demo data for incident response: an open sev2 phishing compromise with running regulatory
 * clocks and playbook tasks, a closed payment-fraud incident with its completed post-mortem
 * and actions, and a confidential HR case. Everything goes through the module's services.
 */
import type { AuditContext } from "../../platform/audit/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Identity } from "../../platform/http/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Notifier } from "../../platform/notify/index.js";
import { markBreach, recordClockOutcome } from "./clocks.js";
import type { HrCases } from "./hr-cases.js";
import { applyPlaybook } from "./playbooks.js";
import { addAction, savePostmortem, updateAction } from "./postmortem.js";
import type { IncidentService } from "./service.js";

export interface IncidentsDemoDeps {
  db: Db;
  jobs: Jobs;
  notifier: Notifier;
  incidents: { service: IncidentService; hrCases: HrCases };
}

export interface IncidentsDemoResult {
  alreadySeeded: boolean;
  openIncident: string | null;
  closedIncident: string | null;
  hrCase: string | null;
}

const HOUR = 3_600_000;

async function firstWith(db: Db, role: string): Promise<string | null> {
  const r = await db.query<{ user_id: string }>(
    `SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id
     WHERE r.role = $1 AND NOT u.disabled ORDER BY u.created_at, u.id LIMIT 1`,
    [role],
  );
  return r.rows[0]?.user_id ?? null;
}

/**
 * Seeds once. A Security user (or the first admin) owns the incidents, an HR user opens the
 * case; `reportIds` become the open incident's reports.
 */
export async function seedIncidentsDemo(
  deps: IncidentsDemoDeps,
  opts: { ctx: AuditContext; reportIds?: string[] },
): Promise<IncidentsDemoResult> {
  const { db, notifier } = deps;
  const { service } = deps.incidents;
  const ownerUserId = (await firstWith(db, "security")) ?? (await firstWith(db, "admin"));
  if (!ownerUserId) throw new Error("the incidents demo needs a Security user or an admin");
  const hrUserId = await firstWith(db, "hr");
  const seeded = await db.query("SELECT 1 FROM incidents LIMIT 1");
  if (seeded.rowCount) return { alreadySeeded: true, openIncident: null, closedIncident: null, hrCase: null };
  const ctx = opts.ctx;

  const open = await db.tx(async (q) => {
    const i = await service.create(q, ctx, {
      title: "Credentials entered on a fake Microsoft 365 sign-in page",
      summary:
        "Two people in Finance entered their passwords on a look-alike sign-in page linked from an invoice e-mail. One mailbox shows a new forwarding rule.",
      severity: "sev2",
      peopleInvolved: true,
      ownerUserId,
      reportIds: opts.reportIds ?? [],
    });
    await applyPlaybook(q, ctx, notifier, i.id, "01PLAYPHISH000000000000000");
    await service.setStatus(
      q,
      ctx,
      i.id,
      "contained",
      "Passwords reset, sessions revoked, forwarding rule removed",
    );
    await service.decide(
      q,
      ctx,
      i.id,
      "Treat as a personal-data breach until shown otherwise",
      "The forwarded mailbox holds customer correspondence.",
    );
    await markBreach(q, ctx, deps.jobs, i.id, {
      awareAt: new Date(Date.now() - 20 * HOUR).toISOString(),
      jurisdictionIds: ["01JURISZA00000000000000000", "01JURISEU00000000000000000"],
    });
    return i;
  });

  const closed = await db.tx(async (q) => {
    const i = await service.create(q, ctx, {
      title: "Supplier bank details changed by a spoofed e-mail",
      summary:
        "A request to change a supplier's bank account was caught by the call-back check before payment.",
      severity: "sev2",
      peopleInvolved: false,
      ownerUserId,
      reportIds: [],
    });
    await applyPlaybook(q, ctx, notifier, i.id, "01PLAYPAYFRAUD000000000000");
    await q.query("UPDATE incident_tasks SET status = 'done', done_at = now() WHERE incident_id = $1", [
      i.id,
    ]);
    await service.setStatus(q, ctx, i.id, "contained");
    await service.setStatus(q, ctx, i.id, "resolved");
    await savePostmortem(q, ctx, i.id, {
      whatHappened:
        "An e-mail that looked like it came from a regular supplier asked Finance to pay into a new account.",
      timelineSummary:
        "Received Monday 09:12; reported 09:40; call-back to the supplier 10:05 confirmed fraud; sender blocked 10:20.",
      contributingFactors:
        "The look-alike domain differed by one letter; the mail gateway does not flag newly registered domains; the request came at month end.",
      changes:
        "Flag newly registered sender domains; keep the call-back rule for every bank detail change; share the example in training.",
      complete: true,
    });
    const due = new Date(Date.now() + 14 * 24 * HOUR).toISOString();
    await addAction(q, ctx, notifier, i.id, {
      title: "Flag newly registered domains in the mail gateway",
      ownerUserId,
      dueAt: due,
    });
    const pm = await addAction(q, ctx, notifier, i.id, {
      title: "Add this example to the finance awareness module",
      ownerUserId,
      dueAt: due,
    });
    const last = pm.actions[pm.actions.length - 1];
    if (last) await updateAction(q, ctx, i.id, last.id, { status: "done" });
    await service.setStatus(q, ctx, i.id, "closed");
    return i;
  });

  // The HR case is created by HR and stays visible to HR only.
  const hr: Identity = {
    userId: hrUserId ?? ownerUserId,
    email: "",
    displayName: "HR",
    roles: ["hr"],
    mfaEnabled: false,
    permissions: new Set(["hr_cases:manage"]),
    via: "session",
  };
  const hrCase = await db.tx(async (q) => {
    const c = await deps.incidents.hrCases.create(q, ctx, {
      title: "Repeated sharing of customer files to a personal address",
      details: "Found while handling the phishing incident; needs a conversation, not a conclusion.",
      source: "incident",
      sourceId: open.id,
      memberUserIds: [],
    });
    await deps.incidents.hrCases.addNote(
      q,
      ctx,
      hr,
      c.id,
      "First conversation planned with the line manager present.",
    );
    return c;
  });

  // One clock already met, so the dashboard shows both sides.
  const clocks = await db.query<{ id: string }>(
    "SELECT id FROM incident_clocks WHERE incident_id = $1 AND audience = 'authority' ORDER BY due_at LIMIT 1",
    [open.id],
  );
  const first = clocks.rows[0];
  if (first)
    await db.tx((q) =>
      recordClockOutcome(q, ctx, open.id, first.id, {
        outcome: "notified",
        evidence: "Regulator portal submission reference DEMO-2291",
      }),
    );
  return {
    alreadySeeded: false,
    openIncident: open.reference,
    closedIncident: closed.reference,
    hrCase: hrCase.reference,
  };
}
