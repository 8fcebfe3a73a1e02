/**
 * Rewards and performance: points for what people do for security, leaderboards by
 * department and team (individuals only when they opt in), security objectives per review
 * period, and the export of a period for performance evaluations.
 */
import type { AuditContext } from "../../../platform/audit/index.js";
import type { AwarenessDeps } from "../context.js";
import { subscribeRewardEvents } from "./events.js";
import { buildExport, exportCsv } from "./export.js";
import "./policy.js";
import { rewardsRoutes } from "./routes.js";

export { type RewardsDemoResult, seedRewardsDemo } from "./demo.js";
export { REWARD_SOURCES, REWARD_SUBSCRIBERS } from "./events.js";

export function registerRewards(deps: Pick<AwarenessDeps, "app" | "db" | "events">) {
  const { app, db, events } = deps;
  rewardsRoutes({ app, db, events });
  subscribeRewardEvents(events, db);
  return {
    /** A review period's export (what the API and `tandem rewards export` give), audited. */
    exportPeriod: async (ctx: AuditContext, period: string, format: "csv" | "json", exportedBy: string) => {
      const out = await db.tx((q) => buildExport(q, ctx, period, exportedBy, format));
      return format === "csv" ? exportCsv(out) : `${JSON.stringify(out, null, 2)}\n`;
    },
  };
}
