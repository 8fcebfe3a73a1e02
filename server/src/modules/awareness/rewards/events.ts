/**
 * Where points come from: domain events, subscribed by name (the Reporting module is not
 * imported). Every handler is idempotent: the ledger keeps one entry per (person, kind,
 * source), so a second delivery of the same event adds nothing.
 */
import type { Db } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import { findPersonBy } from "../../people/index.js";
import { SYSTEM } from "../context.js";
import { award, type Kind } from "./ledger.js";

/** The event names this part listens to. */
export const REWARD_SOURCES = {
  trainingCompleted: "awareness.training_completed",
  policyAcknowledged: "awareness.policy_acknowledged",
  phishReported: "awareness.phish_reported",
  reportReceived: "reports.received",
} as const;

/** Subscriber names (each is its own durable queue, `event.<name>`). */
export const REWARD_SUBSCRIBERS = {
  training: "awareness.rewards_training",
  policy: "awareness.rewards_policy",
  phish: "awareness.rewards_phish",
  report: "awareness.rewards_report",
} as const;

/** Report categories that count as a reported phishing mail. */
const PHISHING_CATEGORIES = ["phishing", "phishing_email"];

interface TrainingCompleted {
  personId: string;
  moduleId: string;
  attemptId: string;
}
interface PolicyAcknowledged {
  personId: string;
  policyId: string;
  version: number;
}
interface PhishReported {
  personId: string;
  campaignId: string;
  recipientId: string;
  reportId?: string;
}
interface ReportReceived {
  reportId: string;
  category: string;
  reporterUserId?: string | null;
  simulated?: boolean;
}

/** The kind a report earns, or null when it earns nothing. */
export function reportKind(p: ReportReceived): Kind | null {
  // A report of a simulated mail is credited through the phishing part's own event.
  if (p.simulated) return null;
  if (PHISHING_CATEGORIES.includes(p.category)) return "phish_real";
  if (p.category === "near_miss") return "near_miss";
  return null;
}

export function subscribeRewardEvents(events: Events, db: Db) {
  events.subscribe<TrainingCompleted>(
    REWARD_SOURCES.trainingCompleted,
    REWARD_SUBSCRIBERS.training,
    async (e) => {
      const { personId, moduleId, attemptId } = e.payload;
      await db.tx(async (q) => {
        const m = await q.query<{ title: string }>("SELECT title FROM awareness_modules WHERE id = $1", [
          moduleId,
        ]);
        await award(q, SYSTEM, {
          personId,
          kind: "training",
          sourceId: attemptId,
          label: m.rows[0]?.title ?? "Training",
        });
      });
    },
  );

  events.subscribe<PolicyAcknowledged>(
    REWARD_SOURCES.policyAcknowledged,
    REWARD_SUBSCRIBERS.policy,
    async (e) => {
      const { personId, policyId, version } = e.payload;
      await db.tx(async (q) => {
        const p = await q.query<{ title: string }>("SELECT title FROM awareness_policies WHERE id = $1", [
          policyId,
        ]);
        await award(q, SYSTEM, {
          personId,
          kind: "policy",
          sourceId: `${policyId}:v${version}`,
          label: `${p.rows[0]?.title ?? "Policy"} (version ${version})`,
        });
      });
    },
  );

  events.subscribe<PhishReported>(REWARD_SOURCES.phishReported, REWARD_SUBSCRIBERS.phish, async (e) => {
    const { personId, recipientId } = e.payload;
    await db.tx((q) =>
      award(q, SYSTEM, {
        personId,
        kind: "phish_simulated",
        sourceId: recipientId,
        label: "Spotted and reported a practice phishing mail",
      }).then(() => undefined),
    );
  });

  events.subscribe<ReportReceived>(REWARD_SOURCES.reportReceived, REWARD_SUBSCRIBERS.report, async (e) => {
    const kind = reportKind(e.payload);
    // Anonymous reports have no reporter: there is nobody to credit.
    if (!kind || !e.payload.reporterUserId) return;
    const userId = e.payload.reporterUserId;
    await db.tx(async (q) => {
      const person = await findPersonBy(q, { userId });
      if (!person) return;
      await award(q, SYSTEM, {
        personId: person.id,
        kind,
        sourceId: e.payload.reportId,
        label: kind === "near_miss" ? "Reported a near miss" : "Reported a suspicious mail",
      });
    });
  });
}
