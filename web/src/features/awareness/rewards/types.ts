import type { paths } from "../../../api/schema";
import type { Body, Ok } from "../../../api/types";

/** Types of the Rewards API, derived from the generated OpenAPI `paths`. */
export type MyRewards = Ok<"/api/v1/awareness/me/rewards", "get">;
export type MyObjective = MyRewards["objectives"][number];
export type PointEntry = MyRewards["history"][number];
export type Leaderboard = Ok<"/api/v1/awareness/rewards/leaderboard", "get">;
export type LeaderboardQuery = NonNullable<
  paths["/api/v1/awareness/rewards/leaderboard"]["get"]["parameters"]["query"]
>;
export type PointValue = Ok<"/api/v1/awareness/rewards/point-values", "get">["items"][number];
export type PointValuesBody = Body<"/api/v1/awareness/rewards/point-values", "put">;
export type Objective = Ok<"/api/v1/awareness/rewards/objectives", "get">["items"][number];
export type ObjectiveBody = Body<"/api/v1/awareness/rewards/objectives", "post">;
