import { type AwarenessDeps, escalationSettings, SYSTEM } from "./context.js";
import { annualRefresh, escalate } from "./escalation.js";
import { subscribeAwarenessEvents } from "./events.js";
import "./policy.js";
import { registerPhishing } from "./phishing/index.js";
import { registerRewards } from "./rewards/index.js";
import { meRoutes } from "./routes-me.js";
import { moduleRoutes } from "./routes-modules.js";
import { policyRoutes } from "./routes-policies.js";
import { workRoutes } from "./routes-work.js";
import { seedStarterContent } from "./starter.js";

export { assignFollowUpTraining } from "./assign.js";
export type { AwarenessDeps } from "./context.js";
export { type AwarenessDemoResult, seedAwarenessDemo } from "./demo.js";
export type { EscalationResult } from "./escalation.js";
export { renderMarkdown } from "./markdown.js";
export { PHISHING_EVENTS, SIMULATION_HEADER } from "./phishing/index.js";
export { type StarterResult, seedStarterContent } from "./starter.js";

/** Domain events this module publishes (for points and dashboards to subscribe to). */
export const AWARENESS_EVENTS = {
  /** { policyId, version } */
  policyPublished: "awareness.policy_published",
  /** { personId, policyId, version } */
  policyAcknowledged: "awareness.policy_acknowledged",
  /** { personId, moduleId, attemptId, score } */
  trainingCompleted: "awareness.training_completed",
} as const;

const DAILY = "awareness.daily";

const KINDS: [string, string][] = [
  ["awareness.reminder", "Reminders of my overdue policies and training"],
  ["awareness.team_overdue", "Overdue policies and training in my team"],
  ["awareness.hr_overdue", "Awareness items still overdue after the manager was told"],
];

/**
 * Registers awareness: policies, training, rules, assignments, compliance, the daily job
 * (annual refresher and escalations) and the lifecycle subscribers.
 */
export function registerAwareness(deps: AwarenessDeps) {
  const { app, db, events, jobs, notifier, config } = deps;
  for (const [kind, label] of KINDS) notifier.registerKind(kind, label);
  const routeDeps = { app, db, events };
  policyRoutes(routeDeps);
  moduleRoutes(routeDeps);
  workRoutes(routeDeps);
  meRoutes(routeDeps);
  subscribeAwarenessEvents(events, db, config.TANDEM_AWARENESS_TRAINING_OUTCOMES);
  const settings = escalationSettings(config);
  const daily = async (now = new Date()) => {
    const refreshed = await annualRefresh(db, now);
    const escalated = await escalate(db, notifier, settings, now);
    return { refreshed, ...escalated };
  };
  jobs.define({ name: DAILY, retryLimit: 3, batchSize: 1, handler: async () => void (await daily()) });
  if (config.TANDEM_AWARENESS_CRON !== "off") jobs.schedule(DAILY, config.TANDEM_AWARENESS_CRON);
  const phishing = registerPhishing(deps);
  const rewards = registerRewards(deps);
  return {
    phishing,
    rewards,
    /** The annual refresher and one escalation step for everything due (what the daily job runs). */
    daily,
    seedStarter: () => seedStarterContent(db, events, SYSTEM),
  };
}

export type Awareness = ReturnType<typeof registerAwareness>;
