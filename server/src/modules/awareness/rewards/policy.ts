import { registerPermissions } from "../../../platform/authz/index.js";

/**
 * Who may do what with rewards. HR and Security (and admins) set point values and security
 * objectives; only HR and admins export a review period for performance evaluations. Every
 * signed-in person sees their own points and the leaderboards (aggregates and the names of
 * people who opted in): those routes need no permission.
 */
registerPermissions({
  "rewards:manage": ["hr", "security", "admin"],
  "rewards:export": ["hr", "admin"],
});

export const REWARDS_MANAGE = { permission: "rewards:manage" } as const;
export const REWARDS_EXPORT = { permission: "rewards:export" } as const;
