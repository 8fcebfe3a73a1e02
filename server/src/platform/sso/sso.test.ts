import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";
import { startOidcProvider, type TestOidcProvider } from "../../test/oidc-provider.js";

// Tandem runs through app.inject, so nothing listens here; the browser's trip back from the
// identity provider is replayed onto the test client instead.
const PUBLIC_URL = "http://127.0.0.1:39917";
const CALLBACK = `${PUBLIC_URL}/api/v1/auth/sso/callback`;

let idp: TestOidcProvider;
let h: TestApp;
let admin: TestClient;

beforeAll(async () => {
  idp = await startOidcProvider({
    redirectUris: [CALLBACK],
    accounts: [
      { sub: "ada", email: "ada@example.test", name: "Ada Lovelace" },
      { sub: "grace", email: "grace@example.test", name: "Grace Hopper" },
      { sub: "pat", email: "Pat.Linked@example.test", name: "Pat Linked" },
      { sub: "mallory", email: "mallory@elsewhere.test", name: "Mallory" },
      { sub: "replay", email: "replay@example.test" },
      { sub: "unverified", email: "unverified@example.test", email_verified: false },
      { sub: "silent", email: "silent@example.test", email_verified: "omit" },
      { sub: "imposter", email: "ada@example.test", name: "Not Ada" },
      { sub: "sleeper", email: "sleeper@example.test" },
    ],
  });
  h = await startTestApp({ TANDEM_PUBLIC_URL: PUBLIC_URL });
  admin = await h.signedIn(["admin"], "admin@example.test");
});
afterAll(async () => {
  await h?.close();
  await idp?.close();
});

interface SsoSettingsBody {
  enabled: boolean;
  label: string;
  issuer: string;
  clientId: string;
  clientSecret?: string;
  defaultRoles: string[];
  allowedDomains: string[];
}

function settings(over: Partial<SsoSettingsBody> = {}): SsoSettingsBody {
  return {
    enabled: true,
    label: "Sign in with Example ID",
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    defaultRoles: ["employee"],
    allowedDomains: [],
    ...over,
  };
}

async function configure(over: Partial<SsoSettingsBody> = {}) {
  const res = await admin.put("/api/v1/settings/sso", settings(over));
  expect(res.statusCode, res.body).toBe(200);
  return res;
}

/**
 * Plays the browser at the identity provider: follows its redirects with real HTTP,
 * keeps its cookies, signs `login` in on the interaction page, and stops at the first
 * redirect back to Tandem. Returns that callback URL.
 */
async function throughProvider(
  authorizationUrl: string,
  login: string,
  to: { issuer: string; callback: string } = { issuer: idp.issuer, callback: CALLBACK },
): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < 10; hop++) {
    if (url.href.startsWith(`${to.callback}?`)) return url;
    expect(url.origin).toBe(to.issuer);
    if (url.pathname.startsWith("/interaction/") && !url.searchParams.has("login")) {
      url.searchParams.set("login", login);
    }
    const res = await fetch(url, {
      redirect: "manual",
      headers: jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } : {},
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expires = attrs.find((a) => /^\s*expires=/i.test(a));
      const gone = !value || (expires && new Date(expires.split("=")[1] ?? "").getTime() < Date.now());
      if (gone) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`identity provider answered ${res.status} at ${url.pathname}: ${await res.text()}`);
    }
    url = new URL(location, url);
  }
  throw new Error("too many redirects at the identity provider");
}

/** Starts SSO on Tandem, signs in at the provider, and hands the callback to Tandem. */
async function ssoSignIn(login: string, c: TestClient = h.client()) {
  const start = await c.get("/api/v1/auth/sso/start");
  expect(start.statusCode).toBe(302);
  const callback = await throughProvider(String(start.headers.location), login);
  const res = await c.get(`${callback.pathname}${callback.search}`);
  return { c, res, callback };
}

async function session(c: TestClient) {
  const res = await c.get("/api/v1/auth/session");
  return {
    status: res.statusCode,
    user:
      res.statusCode === 200
        ? res.json<{ user: { id: string; email: string; roles: string[] } }>().user
        : null,
  };
}

async function lastAudit(action: string) {
  const r = await h.t.db.query<{
    outcome: string;
    actor_id: string | null;
    actor_label: string | null;
    target_id: string | null;
    details: Record<string, unknown>;
  }>(
    "SELECT outcome, actor_id, actor_label, target_id, details FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT 1",
    [action],
  );
  return r.rows[0];
}

async function userByEmail(email: string) {
  const r = await h.t.db.query<{ id: string; oidc_subject: string | null }>(
    "SELECT id, oidc_subject FROM users WHERE lower(email) = lower($1)",
    [email],
  );
  return r.rows;
}

const ssoError = (res: { statusCode: number; headers: Record<string, unknown> }) => {
  expect(res.statusCode).toBe(302);
  const location = new URL(String(res.headers.location), PUBLIC_URL);
  expect(location.pathname).toBe("/signin");
  return location.searchParams.get("sso_error");
};

describe("SSO settings", () => {
  it("only an admin reads or changes them", async () => {
    expect((await h.client().get("/api/v1/settings/sso")).statusCode).toBe(401);
    const hr = await h.signedIn(["hr"]);
    expect((await hr.get("/api/v1/settings/sso")).statusCode).toBe(403);
    expect((await hr.put("/api/v1/settings/sso", settings())).statusCode).toBe(403);
  });

  it("refuses to enable SSO without an issuer, and bad domains, naming the field", async () => {
    const noIssuer = await admin.put("/api/v1/settings/sso", settings({ issuer: "" }));
    expect(noIssuer.statusCode).toBe(400);
    expect(noIssuer.body).toMatch(/issuer/);
    const badDomain = await admin.put("/api/v1/settings/sso", settings({ allowedDomains: ["not a domain"] }));
    expect(badDomain.statusCode).toBe(400);
    expect(badDomain.body).toMatch(/allowedDomains/);
  });

  it("stores the client secret encrypted and never returns it", async () => {
    const before = await h.client().get("/api/v1/auth/sso");
    expect(before.json()).toEqual({ enabled: false, label: "Single sign-on" });

    const saved = await configure();
    expect(saved.body).not.toContain(idp.clientSecret);
    expect(saved.json()).toMatchObject({ clientSecretSet: true, source: "database", redirectUri: CALLBACK });
    expect(saved.json()).not.toHaveProperty("clientSecret");

    const read = await admin.get("/api/v1/settings/sso");
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain(idp.clientSecret);
    expect(read.json()).toEqual({
      enabled: true,
      label: "Sign in with Example ID",
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecretSet: true,
      defaultRoles: ["employee"],
      allowedDomains: [],
      redirectUri: CALLBACK,
      source: "database",
    });

    const row = await h.t.db.query<{ value: Record<string, unknown>; secret_enc: string }>(
      "SELECT value, secret_enc FROM settings WHERE key = 'sso'",
    );
    expect(row.rows[0]?.secret_enc).toMatch(/^v1\./);
    expect(row.rows[0]?.secret_enc).not.toContain(idp.clientSecret);
    expect(JSON.stringify(row.rows[0]?.value)).not.toContain(idp.clientSecret);

    const audit = await lastAudit("settings.sso_changed");
    expect(audit?.details).toMatchObject({ enabled: true, clientSecretChanged: true });
    expect(JSON.stringify(audit?.details)).not.toContain(idp.clientSecret);

    const pub = await h.client().get("/api/v1/auth/sso");
    expect(pub.json()).toEqual({ enabled: true, label: "Sign in with Example ID" });
  });

  it("keeps the stored secret when saved with a blank one, and sign-in still works", async () => {
    await configure();
    const { clientSecret: _omit, ...rest } = settings({ label: "Company SSO" });
    const res = await admin.put("/api/v1/settings/sso", rest);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ clientSecretSet: true, label: "Company SSO" });
    expect((await lastAudit("settings.sso_changed"))?.details).toMatchObject({ clientSecretChanged: false });
    const { res: cb, c } = await ssoSignIn("grace");
    expect(cb.statusCode).toBe(302);
    expect(cb.headers.location).toBe("/");
    expect((await session(c)).user?.email).toBe("grace@example.test");
  });
});

describe("SSO sign-in against a real OpenID Connect provider", () => {
  it("redirects to the provider with PKCE (S256), state and nonce", async () => {
    await configure();
    const start = await h.client().get("/api/v1/auth/sso/start");
    expect(start.statusCode).toBe(302);
    const to = new URL(String(start.headers.location));
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get("client_id")).toBe(idp.clientId);
    expect(to.searchParams.get("redirect_uri")).toBe(CALLBACK);
    expect(to.searchParams.get("response_type")).toBe("code");
    expect(to.searchParams.get("code_challenge_method")).toBe("S256");
    expect(to.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get("nonce")).toBeTruthy();
    const state = to.searchParams.get("state") ?? "";
    const row = await h.t.db.query("SELECT 1 FROM oidc_logins WHERE state = $1", [state]);
    expect(row.rows).toHaveLength(1);
  });

  it("creates the user on first sign-in with the default roles and a full session", async () => {
    await configure({ defaultRoles: ["employee", "manager"] });
    expect(await userByEmail("ada@example.test")).toHaveLength(0);
    const { c, res } = await ssoSignIn("ada");
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/");
    expect(String(res.headers["set-cookie"])).toMatch(/tandem_session=.*HttpOnly/);

    const s = await session(c);
    expect(s.status).toBe(200);
    expect(s.user).toMatchObject({ email: "ada@example.test", roles: ["employee", "manager"] });
    const [row] = await userByEmail("ada@example.test");
    expect(row?.id).toBe(s.user?.id);
    expect(row?.oidc_subject).toBe(`${idp.issuer}|ada`);

    const created = await lastAudit("user.created");
    expect(created).toMatchObject({ outcome: "success", target_id: s.user?.id });
    expect(created?.details).toMatchObject({ via: "sso" });
    const signIn = await lastAudit("auth.sign_in");
    expect(signIn).toMatchObject({ outcome: "success", actor_id: s.user?.id, target_id: s.user?.id });
    expect(signIn?.details).toMatchObject({ method: "sso" });
  });

  it("links a second sign-in to the same user by subject, even after the email changed", async () => {
    await configure();
    const first = await ssoSignIn("ada");
    const firstUser = (await session(first.c)).user;
    expect(firstUser).not.toBeNull();

    idp.addAccount({ sub: "ada", email: "ada.byron@example.test", name: "Ada Byron" });
    try {
      const second = await ssoSignIn("ada");
      expect(second.res.statusCode).toBe(302);
      expect(second.res.headers.location).toBe("/");
      const again = await session(second.c);
      expect(again.user?.id).toBe(firstUser?.id);
      expect(await userByEmail("ada.byron@example.test")).toHaveLength(0);
      expect(await userByEmail("ada@example.test")).toHaveLength(1);
    } finally {
      idp.addAccount({ sub: "ada", email: "ada@example.test", name: "Ada Lovelace" });
    }
  });

  it("links an existing password user with the same verified email and keeps their roles", async () => {
    await configure({ defaultRoles: ["employee"] });
    const pw = await h.signedIn(["hr"], "pat.linked@example.test");
    expect((await userByEmail(pw.email))[0]?.oidc_subject).toBeNull();
    const { c, res } = await ssoSignIn("pat");
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/");
    const s = await session(c);
    expect(s.user).toMatchObject({ id: pw.userId, roles: ["hr"] });
    expect(await userByEmail(pw.email)).toEqual([{ id: pw.userId, oidc_subject: `${idp.issuer}|pat` }]);
  });

  it("refuses an email whose domain is not allowed, and audits the failure", async () => {
    await configure({ allowedDomains: ["example.test"] });
    const { c, res } = await ssoSignIn("mallory");
    expect(ssoError(res)).toBeTruthy();
    expect((await session(c)).status).toBe(401);
    expect(await userByEmail("mallory@elsewhere.test")).toHaveLength(0);
    const audit = await lastAudit("auth.sign_in");
    expect(audit).toMatchObject({ outcome: "failure", actor_label: "mallory@elsewhere.test" });
    expect(audit?.details).toMatchObject({ method: "sso", reason: "domain_not_allowed" });

    // An allowed domain still gets in under the same settings.
    const ok = await ssoSignIn("grace");
    expect(ok.res.headers.location).toBe("/");
  });

  it("refuses an email the provider says is not verified", async () => {
    await configure();
    const { c, res } = await ssoSignIn("unverified");
    expect(ssoError(res)).toBeTruthy();
    expect((await session(c)).status).toBe(401);
    expect(await userByEmail("unverified@example.test")).toHaveLength(0);
    const audit = await lastAudit("auth.sign_in");
    expect(audit).toMatchObject({ outcome: "failure" });
    expect(audit?.details).toMatchObject({ method: "sso", reason: "no_verified_email" });
  });

  it("never links an existing account on an email the provider does not vouch for", async () => {
    await configure();
    const pw = await h.signedIn(["admin"], "silent@example.test");
    const { c, res } = await ssoSignIn("silent");
    expect(ssoError(res)).toBeTruthy();
    expect((await session(c)).status).toBe(401);
    expect((await userByEmail(pw.email))[0]?.oidc_subject).toBeNull();
    const audit = await lastAudit("auth.sign_in");
    expect(audit).toMatchObject({ outcome: "failure", target_id: pw.userId });
    expect(audit?.details).toMatchObject({ method: "sso", reason: "email_not_verified_for_linking" });
  });

  it("refuses a second identity that claims the email of an account already linked to another", async () => {
    await configure();
    const ada = await ssoSignIn("ada");
    const adaUser = (await session(ada.c)).user;
    expect(adaUser).not.toBeNull();
    const { c, res } = await ssoSignIn("imposter");
    expect(ssoError(res)).toBeTruthy();
    expect((await session(c)).status).toBe(401);
    expect((await userByEmail("ada@example.test"))[0]?.oidc_subject).toBe(`${idp.issuer}|ada`);
    const audit = await lastAudit("auth.sign_in");
    expect(audit).toMatchObject({ outcome: "failure", target_id: adaUser?.id });
    expect(audit?.details).toMatchObject({ method: "sso", reason: "linked_to_another_identity" });
  });

  it("refuses a disabled user", async () => {
    await configure();
    const first = await ssoSignIn("sleeper");
    const user = (await session(first.c)).user;
    expect(user).not.toBeNull();
    await h.t.db.query("UPDATE users SET disabled = true WHERE id = $1", [user?.id]);
    const { c, res } = await ssoSignIn("sleeper");
    expect(ssoError(res)).toBeTruthy();
    expect((await session(c)).status).toBe(401);
    expect((await lastAudit("auth.sign_in"))?.details).toMatchObject({ method: "sso", reason: "disabled" });
  });

  it("refuses a tampered or unknown state", async () => {
    await configure();
    const c = h.client();
    const start = await c.get("/api/v1/auth/sso/start");
    const callback = await throughProvider(String(start.headers.location), "grace");
    const tampered = new URL(callback);
    tampered.searchParams.set("state", `${callback.searchParams.get("state")}x`);
    const res = await c.get(`${tampered.pathname}${tampered.search}`);
    expect(ssoError(res)).toBeTruthy();
    expect((await session(c)).status).toBe(401);

    const none = await c.get("/api/v1/auth/sso/callback?code=abc");
    expect(ssoError(none)).toBeTruthy();
    expect((await session(c)).status).toBe(401);
  });

  it("refuses a replayed callback (same code and state twice)", async () => {
    await configure();
    const { res, callback, c } = await ssoSignIn("replay");
    expect(res.headers.location).toBe("/");
    expect((await session(c)).status).toBe(200);

    const thief = h.client();
    const again = await thief.get(`${callback.pathname}${callback.search}`);
    expect(ssoError(again)).toBeTruthy();
    expect((await session(thief)).status).toBe(401);
  });

  it("refuses a code issued for another sign-in attempt (state swapped)", async () => {
    await configure();
    const victim = h.client();
    const attacker = h.client();
    const vStart = await victim.get("/api/v1/auth/sso/start");
    const aStart = await attacker.get("/api/v1/auth/sso/start");
    const aState = new URL(String(aStart.headers.location)).searchParams.get("state") ?? "";
    // The attacker's code, presented with the victim's pending state: PKCE and nonce no longer match.
    const vCallback = await throughProvider(String(vStart.headers.location), "grace");
    const swapped = new URL(vCallback);
    swapped.searchParams.set("state", aState);
    const res = await attacker.get(`${swapped.pathname}${swapped.search}`);
    expect(ssoError(res)).toBeTruthy();
    expect((await session(attacker)).status).toBe(401);
    const audit = await lastAudit("auth.sign_in");
    expect(audit).toMatchObject({ outcome: "failure" });
    expect(audit?.details).toMatchObject({ method: "sso", reason: "code_exchange_failed" });
  });

  it("reports an error from the provider instead of signing in", async () => {
    await configure();
    const c = h.client();
    const start = await c.get("/api/v1/auth/sso/start");
    const state = new URL(String(start.headers.location)).searchParams.get("state") ?? "";
    const res = await c.get(
      `/api/v1/auth/sso/callback?error=access_denied&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(idp.issuer)}`,
    );
    expect(ssoError(res)).toBeTruthy();
    expect((await session(c)).status).toBe(401);
  });

  it("sends the browser back with an error when SSO is off", async () => {
    await configure({ enabled: false });
    const c = h.client();
    const start = await c.get("/api/v1/auth/sso/start");
    expect(ssoError(start)).toBeTruthy();
    expect((await h.client().get("/api/v1/auth/sso")).json()).toMatchObject({ enabled: false });
  });
});

describe("SSO configured by environment variables", () => {
  let envApp: TestApp;
  const ENV_URL = "http://127.0.0.1:39918";
  let envIdp: TestOidcProvider;

  beforeAll(async () => {
    envIdp = await startOidcProvider({
      redirectUris: [`${ENV_URL}/api/v1/auth/sso/callback`],
      accounts: [{ sub: "env-user", email: "env.user@example.test", name: "Env User" }],
    });
    envApp = await startTestApp({
      TANDEM_PUBLIC_URL: ENV_URL,
      TANDEM_OIDC_ISSUER: envIdp.issuer,
      TANDEM_OIDC_CLIENT_ID: envIdp.clientId,
      TANDEM_OIDC_CLIENT_SECRET: envIdp.clientSecret,
      TANDEM_OIDC_LABEL: "Corporate login",
    });
  });
  afterAll(async () => {
    await envApp?.close();
    await envIdp?.close();
  });

  it("shows the environment's settings, refuses changes with 409, and signs in", async () => {
    const envAdmin = await envApp.signedIn(["admin"], "env.admin@example.test");
    const read = await envAdmin.get("/api/v1/settings/sso");
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain(envIdp.clientSecret);
    expect(read.json()).toMatchObject({
      enabled: true,
      label: "Corporate login",
      issuer: envIdp.issuer,
      clientSecretSet: true,
      source: "environment",
    });
    const put = await envAdmin.put("/api/v1/settings/sso", {
      ...settings({ issuer: envIdp.issuer }),
      label: "Changed",
    });
    expect(put.statusCode).toBe(409);
    expect(put.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(put.json().code).toBe("sso.configured_by_environment");
    expect((await envApp.client().get("/api/v1/auth/sso")).json()).toEqual({
      enabled: true,
      label: "Corporate login",
    });

    const c = envApp.client();
    const start = await c.get("/api/v1/auth/sso/start");
    expect(start.statusCode).toBe(302);
    const to = new URL(String(start.headers.location));
    expect(to.origin).toBe(envIdp.issuer);
    const callback = await throughProvider(to.href, "env-user", {
      issuer: envIdp.issuer,
      callback: `${ENV_URL}/api/v1/auth/sso/callback`,
    });
    const res = await c.get(`${callback.pathname}${callback.search}`);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/");
    const s = await c.get("/api/v1/auth/session");
    expect(s.statusCode).toBe(200);
    expect(s.json<{ user: { email: string; roles: string[] } }>().user).toMatchObject({
      email: "env.user@example.test",
      roles: ["employee"],
    });
  });
});
