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

/** Who signed in, as the provider vouches for it. */
export interface SsoIdentity {
  /** `iss|sub`: stable per provider, unlike the email. */
  subject: string;
  email: string;
  /** undefined when the provider says nothing about it. */
  emailVerified: boolean | undefined;
  name: string;
}

/**
 * Reads the person from the ID token, or from the UserInfo endpoint when the ID token
 * carries no email: with the code flow a provider may return the claims of the `email`
 * and `profile` scopes only there (OpenID Connect Core 5.4).
 */
export async function identityOf(
  provider: oidc.Configuration,
  tokens: { access_token: string; claims: () => oidc.IDToken | undefined },
): Promise<SsoIdentity> {
  const idToken = tokens.claims();
  if (!idToken) throw new Error("the token response has no ID token");
  let claims: Record<string, unknown> = idToken;
  if (typeof idToken.email !== "string") {
    // fetchUserInfo checks that the UserInfo `sub` is the ID token's.
    claims = await oidc.fetchUserInfo(provider, tokens.access_token, idToken.sub);
  }
  // Some providers send the flag as a string.
  const verified = claims.email_verified;
  return {
    subject: `${idToken.iss}|${idToken.sub}`,
    email: typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "",
    emailVerified:
      typeof verified === "boolean"
        ? verified
        : verified === "true" || verified === "false"
          ? verified === "true"
          : undefined,
    name: typeof claims.name === "string" ? claims.name.trim() : "",
  };
}
