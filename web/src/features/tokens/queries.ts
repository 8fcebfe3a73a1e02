import { queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";

export const tokensKey = ["tokens"] as const;

export const tokensQuery = queryOptions({
  queryKey: [...tokensKey, "list"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/tokens")).items,
});

export const scopesQuery = queryOptions({
  queryKey: [...tokensKey, "scopes"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/tokens/scopes")).scopes,
  staleTime: 10 * 60_000,
});
