import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../../api/client";
import type { LeaderboardQuery } from "./types";

/** Every rewards query lives under this key, so a change invalidates them together. */
export const rewardsKey = ["awareness", "rewards"] as const;

/** The half-year review period of today, e.g. "2026-H2". */
export function currentPeriod(now = new Date()): string {
  return `${now.getUTCFullYear()}-H${now.getUTCMonth() < 6 ? 1 : 2}`;
}

export const PERIOD_HINT = "A year (2026), a half (2026-H2) or a quarter (2026-Q3)";
export const isPeriod = (p: string) => /^\d{4}(-(H[12]|Q[1-4]))?$/.test(p);

export const myRewardsQuery = (period: string) =>
  queryOptions({
    queryKey: [...rewardsKey, "me", period] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/awareness/me/rewards", { params: { query: { period } } })),
    placeholderData: keepPreviousData,
  });

export const leaderboardQuery = (q: LeaderboardQuery) =>
  queryOptions({
    queryKey: [...rewardsKey, "leaderboard", q] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/awareness/rewards/leaderboard", { params: { query: q } })),
    placeholderData: keepPreviousData,
  });

export const pointValuesQuery = queryOptions({
  queryKey: [...rewardsKey, "point-values"] as const,
  queryFn: async () => (await expectData(await api.GET("/api/v1/awareness/rewards/point-values"))).items,
});

export const objectivesQuery = (period: string) =>
  queryOptions({
    queryKey: [...rewardsKey, "objectives", period] as const,
    queryFn: async () =>
      (
        await expectData(
          await api.GET("/api/v1/awareness/rewards/objectives", { params: { query: { period } } }),
        )
      ).items,
    placeholderData: keepPreviousData,
  });
