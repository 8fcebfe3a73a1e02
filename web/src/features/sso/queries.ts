import { queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";

export const ssoSettingsQuery = queryOptions({
  queryKey: ["settings", "sso"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/settings/sso")),
});
