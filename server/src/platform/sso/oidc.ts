import * as oidc from "openid-client";
import type { SsoSettings } from "./settings.js";

const cache = new Map<string, { at: number; config: oidc.Configuration }>();

/** Discovers the provider (cached five minutes per issuer + client). */
export async function providerConfig(s: SsoSettings): Promise<oidc.Configuration> {
  const key = `${s.issuer}|${s.clientId}|${s.clientSecret ?? ""}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < 5 * 60_000) return hit.config;
  const url = new URL(s.issuer);
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  const config = await oidc.discovery(
    url,
    s.clientId,
    s.clientSecret ?? undefined,
    s.clientSecret ? undefined : oidc.None(),
    // Plain http is accepted for a provider on this machine only (development and tests).
    loopback && url.protocol === "http:"
      ? { execute: [oidc.allowInsecureRequests], timeout: 10 }
      : { timeout: 10 },
  );
  cache.set(key, { at: Date.now(), config });
  return config;
}

export function clearProviderCache() {
  cache.clear();
}

export { oidc };
