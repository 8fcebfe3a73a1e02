import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, TEST_PASSWORD, type TestApp, type TestClient } from "../../test/harness.js";
import { sha256 } from "../crypto/index.js";

let h: TestApp;
let admin: TestClient & { userId: string; email: string };
beforeAll(async () => {
  h = await startTestApp();
  admin = await h.signedIn(["admin"], "first.admin@example.test");
});
afterAll(() => h.close());

interface UserBody {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  disabled: boolean;
  mfaEnabled: boolean;
  hasPassword: boolean;
}
interface TokenBody {
  id: string;
  name: string;
  scopes: string[];
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

async function lastAudit(action: string, targetId: string) {
  const r = await h.t.db.query<{ details: Record<string, unknown>; actor_id: string }>(
    "SELECT details, actor_id FROM audit_log WHERE action = $1 AND target_id = $2 ORDER BY seq DESC LIMIT 1",
    [action, targetId],
  );
  return r.rows[0];
}

const setupToken = (url: string) => new URL(url).searchParams.get("token") as string;

/** Uses a setup link in a fresh client, as the person receiving it would. */
async function useSetupLink(url: string, password = "a long enough passphrase") {
  const c = h.client();
  c.csrf = (await c.get("/api/v1/auth/csrf")).json<{ csrfToken: string }>().csrfToken;
  const res = await c.post("/api/v1/auth/setup", { token: setupToken(url), password });
  if (res.statusCode === 200) c.csrf = res.json<{ csrfToken: string }>().csrfToken;
  return { c, res };
}

describe("users API", () => {
  it("creates a user with a one-time setup link and audits it", async () => {
    const res = await admin.post("/api/v1/users", {
      email: "  Zoe.Khumalo@Example.test ",
      displayName: "Zoe Khumalo",
      roles: ["hr", "manager"],
    });
    expect(res.statusCode).toBe(201);
    const { user, setupUrl } = res.json<{ user: UserBody; setupUrl: string }>();
    expect(user).toMatchObject({
      email: "zoe.khumalo@example.test",
      displayName: "Zoe Khumalo",
      roles: ["hr", "manager"],
      disabled: false,
      hasPassword: false,
      mfaEnabled: false,
    });
    expect(setupUrl).toMatch(/\/setup\?token=/);
    expect((await lastAudit("user.created", user.id))?.details).toMatchObject({ roles: ["hr", "manager"] });
    // Only the link's hash is stored.
    const stored = await h.t.db.query<{ token_hash: string }>(
      "SELECT token_hash FROM one_time_tokens WHERE user_id = $1",
      [user.id],
    );
    expect(stored.rows.map((r) => r.token_hash)).toEqual([sha256(setupToken(setupUrl))]);
    const { res: used } = await useSetupLink(setupUrl);
    expect(used.statusCode).toBe(200);
  });

  it("defaults a new user to the employee role", async () => {
    const res = await admin.post("/api/v1/users", { email: "plain@example.test", displayName: "Plain" });
    expect(res.json<{ user: UserBody }>().user.roles).toEqual(["employee"]);
  });

  it("lists with search and cursor pagination: every user once, none missing", async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await admin.post("/api/v1/users", {
        email: `pager${i}.${i % 2 ? "odd" : "even"}@paging.test`,
        displayName: `Pager ${i}`,
      });
      expect(res.statusCode).toBe(201);
      made.push(res.json<{ user: UserBody }>().user.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/api/v1/users?q=paging.test&limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await admin.get(q);
      expect(res.statusCode).toBe(200);
      const body = res.json<{ items: UserBody[]; nextCursor: string | null }>();
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((u) => u.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...made].sort());

    // Search matches the name too, case-insensitively; the list is ordered by email.
    const odd = await admin.get("/api/v1/users?q=ODD");
    const oddEmails = odd.json<{ items: UserBody[] }>().items.map((u) => u.email);
    expect(oddEmails).toEqual(["pager1.odd@paging.test", "pager3.odd@paging.test", "pager5.odd@paging.test"]);
    const byName = await admin.get("/api/v1/users?q=pager%204");
    expect(byName.json<{ items: UserBody[] }>().items.map((u) => u.email)).toEqual([
      "pager4.even@paging.test",
    ]);
    // Wildcards in the search are taken literally.
    const wild = await admin.get("/api/v1/users?q=%25");
    expect(wild.json<{ items: UserBody[] }>().items).toEqual([]);
  });

  it("gets one user, 404 for an unknown id", async () => {
    const res = await admin.get(`/api/v1/users/${admin.userId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json<UserBody>()).toMatchObject({ email: admin.email, roles: ["admin"], hasPassword: true });
    const missing = await admin.get("/api/v1/users/01J00000000000000000000000");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("user.not_found");
  });

  it("renames a user", async () => {
    const u = await h.signedIn(["employee"]);
    const res = await admin.patch(`/api/v1/users/${u.userId}`, { displayName: "Renamed Person" });
    expect(res.statusCode).toBe(200);
    expect(res.json<UserBody>().displayName).toBe("Renamed Person");
    expect((await admin.get(`/api/v1/users/${u.userId}`)).json<UserBody>().displayName).toBe(
      "Renamed Person",
    );
    expect((await lastAudit("user.updated", u.userId))?.details).toMatchObject({ changed: ["displayName"] });
  });

  it("disabling ends the user's sessions and revokes their tokens; they cannot sign in", async () => {
    const u = await h.signedIn(["security"]);
    const made = await u.post("/api/v1/tokens", {
      name: "script",
      scopes: ["audit:read"],
      expiresInDays: 30,
    });
    expect(made.statusCode).toBe(201);
    const bot = Object.assign(h.client(), { bearer: made.json<{ secret: string }>().secret });
    expect((await bot.get("/api/v1/audit")).statusCode).toBe(200);

    const res = await admin.patch(`/api/v1/users/${u.userId}`, { disabled: true });
    expect(res.statusCode).toBe(200);
    expect(res.json<UserBody>().disabled).toBe(true);
    expect((await u.get("/api/v1/auth/session")).statusCode).toBe(401);
    const denied = await bot.get("/api/v1/audit");
    expect(denied.statusCode).toBe(401);
    expect(denied.json().code).toBe("auth.invalid_token");
    expect((await h.client().login(u.email, TEST_PASSWORD)).statusCode).toBe(401);
    const revoked = await h.t.db.query("SELECT 1 FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL", [
      u.userId,
    ]);
    expect(revoked.rowCount).toBe(0);

    // Enabling again lets them sign in; the old token stays revoked.
    expect((await admin.patch(`/api/v1/users/${u.userId}`, { disabled: false })).statusCode).toBe(200);
    expect((await h.client().login(u.email, TEST_PASSWORD)).statusCode).toBe(200);
    expect((await bot.get("/api/v1/audit")).statusCode).toBe(401);
  });

  it("an admin cannot disable themselves", async () => {
    const res = await admin.patch(`/api/v1/users/${admin.userId}`, { disabled: true });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("user.cannot_disable_self");
    expect((await admin.get("/api/v1/auth/session")).statusCode).toBe(200);
  });

  it("sets roles, audited with from and to; the new roles apply at once", async () => {
    const u = await h.signedIn(["employee"]);
    expect((await u.get("/api/v1/audit")).statusCode).toBe(403);
    const res = await admin.put(`/api/v1/users/${u.userId}/roles`, { roles: ["auditor", "employee"] });
    expect(res.statusCode).toBe(200);
    expect(res.json<UserBody>().roles).toEqual(["auditor", "employee"]);
    expect((await lastAudit("user.roles_changed", u.userId))?.details).toEqual({
      from: ["employee"],
      to: ["auditor", "employee"],
    });
    expect((await u.get("/api/v1/audit")).statusCode).toBe(200);
    const bad = await admin.put(`/api/v1/users/${u.userId}/roles`, { roles: ["superuser"] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("body.roles.0");
  });

  it("the last admin cannot drop their own admin role; with a second admin they can", async () => {
    // The only admins so far are this file's first admin; make sure of it.
    const admins = await h.t.db.query<{ user_id: string }>(
      "SELECT user_id FROM user_roles WHERE role = 'admin'",
    );
    expect(admins.rows.map((r) => r.user_id)).toEqual([admin.userId]);
    const res = await admin.put(`/api/v1/users/${admin.userId}/roles`, { roles: ["hr"] });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("user.last_admin");
    expect(res.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("roles");
    expect((await admin.get(`/api/v1/users/${admin.userId}`)).json<UserBody>().roles).toEqual(["admin"]);

    const second = await h.signedIn(["admin"]);
    const dropped = await second.put(`/api/v1/users/${second.userId}/roles`, { roles: ["it"] });
    expect(dropped.statusCode, dropped.body).toBe(200);
    expect((await second.get("/api/v1/users")).statusCode).toBe(403);
  });

  it("reset-password returns a new link, clears the password and ends the user's sessions", async () => {
    const u = await h.signedIn(["legal"]);
    const res = await admin.post(`/api/v1/users/${u.userId}/reset-password`);
    expect(res.statusCode).toBe(200);
    const { setupUrl } = res.json<{ setupUrl: string }>();
    expect(setupUrl).toMatch(/\/setup\?token=/);
    expect((await u.get("/api/v1/auth/session")).statusCode).toBe(401);
    expect((await h.client().login(u.email, TEST_PASSWORD)).statusCode).toBe(401);
    expect((await admin.get(`/api/v1/users/${u.userId}`)).json<UserBody>().hasPassword).toBe(false);
    expect(await lastAudit("user.password_reset", u.userId)).toBeDefined();

    // A second reset replaces the first link.
    const newer = (await admin.post(`/api/v1/users/${u.userId}/reset-password`)).json<{ setupUrl: string }>();
    expect((await useSetupLink(setupUrl)).res.statusCode).toBe(400);
    const { c, res: used } = await useSetupLink(newer.setupUrl, "a fresh long passphrase");
    expect(used.statusCode).toBe(200);
    expect((await c.get("/api/v1/auth/session")).statusCode).toBe(200);
  });

  it("reset-mfa removes the user's MFA and ends their sessions", async () => {
    const { totpNow } = await import("./totp.js");
    const u = await h.signedIn(["it"]);
    const { secret } = (await u.post("/api/v1/me/mfa/enrol")).json<{ secret: string }>();
    expect((await u.post("/api/v1/me/mfa/confirm", { code: totpNow(secret) })).statusCode).toBe(200);
    expect((await h.client().login(u.email, TEST_PASSWORD)).json().status).toBe("mfa_required");

    const res = await admin.post(`/api/v1/users/${u.userId}/reset-mfa`);
    expect(res.statusCode).toBe(204);
    expect((await u.get("/api/v1/auth/session")).statusCode).toBe(401);
    expect((await admin.get(`/api/v1/users/${u.userId}`)).json<UserBody>().mfaEnabled).toBe(false);
    expect((await h.client().login(u.email, TEST_PASSWORD)).json().status).toBe("ok");
    const codes = await h.t.db.query("SELECT 1 FROM recovery_codes WHERE user_id = $1", [u.userId]);
    expect(codes.rowCount).toBe(0);
    expect(await lastAudit("mfa.reset_by_admin", u.userId)).toBeDefined();
  });

  it("404 for each write on an unknown user", async () => {
    const id = "01J00000000000000000000000";
    for (const res of [
      await admin.patch(`/api/v1/users/${id}`, { displayName: "x" }),
      await admin.put(`/api/v1/users/${id}/roles`, { roles: [] }),
      await admin.post(`/api/v1/users/${id}/reset-password`),
      await admin.post(`/api/v1/users/${id}/reset-mfa`),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe("user.not_found");
    }
  });
});

describe("tokens API", () => {
  it("creates a token whose secret is shown once and stored only as its sha256", async () => {
    const u = await h.signedIn(["auditor"]);
    const res = await u.post("/api/v1/tokens", {
      name: "export job",
      scopes: ["audit:read"],
      expiresInDays: 7,
    });
    expect(res.statusCode).toBe(201);
    const { token, secret } = res.json<{ token: TokenBody; secret: string }>();
    expect(secret).toMatch(/^tdm_[A-Za-z0-9_-]{20,}$/);
    expect(token).toMatchObject({
      name: "export job",
      scopes: ["audit:read"],
      lastUsedAt: null,
      revokedAt: null,
    });
    const days = (new Date(token.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);

    // The database holds the hash, never the secret (in any column of any row).
    const row = await h.t.db.query<{ token_hash: string }>(
      "SELECT token_hash FROM api_tokens WHERE id = $1",
      [token.id],
    );
    expect(row.rows[0]?.token_hash).toBe(sha256(secret));
    const anywhere = await h.t.db.query(
      "SELECT 1 FROM api_tokens t WHERE t::text LIKE $1 UNION ALL SELECT 1 FROM audit_log a WHERE a::text LIKE $1",
      [`%${secret.slice(4)}%`],
    );
    expect(anywhere.rowCount).toBe(0);
    // The list never shows it either.
    const list = await u.get("/api/v1/tokens");
    expect(list.body).not.toContain(secret.slice(4));
    expect(list.json<{ items: TokenBody[] }>().items.map((t) => t.id)).toEqual([token.id]);
  });

  it("works with Bearer and without CSRF, records lastUsedAt, and is limited to its scopes", async () => {
    const u = await h.signedIn(["admin"]);
    const { token, secret } = (
      await u.post("/api/v1/tokens", { name: "ci", scopes: ["users:read", "users:write"], expiresInDays: 1 })
    ).json<{ token: TokenBody; secret: string }>();
    const bot = Object.assign(h.client(), { bearer: secret });
    expect((await bot.get("/api/v1/users")).statusCode).toBe(200);
    // A state change with no cookie and no CSRF header.
    const created = await bot.post("/api/v1/users", {
      email: "via.token@example.test",
      displayName: "Via token",
    });
    expect(created.statusCode).toBe(201);
    const audit = await lastAudit("user.created", created.json<{ user: UserBody }>().user.id);
    expect(audit?.actor_id).toBe(u.userId);
    // Outside its scopes the token is refused, though its owner holds the permission.
    const outside = await bot.get("/api/v1/audit");
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe("auth.forbidden");

    const listed = (await u.get("/api/v1/tokens"))
      .json<{ items: TokenBody[] }>()
      .items.find((t) => t.id === token.id);
    expect(listed?.lastUsedAt).not.toBeNull();
  });

  it("can only carry scopes its holder has (403 token.scope_not_held), and only known scopes", async () => {
    const u = await h.signedIn(["hr"]);
    const scopes = (await u.get("/api/v1/tokens/scopes")).json<{ scopes: string[] }>().scopes;
    expect(scopes).toContain("tokens:manage");
    expect(scopes).not.toContain("users:write");
    const res = await u.post("/api/v1/tokens", {
      name: "grab",
      scopes: ["tokens:manage", "users:write"],
      expiresInDays: 1,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("token.scope_not_held");
    expect(res.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("scopes");
    expect((await u.get("/api/v1/tokens")).json<{ items: unknown[] }>().items).toEqual([]);
    const unknown = await u.post("/api/v1/tokens", { name: "x", scopes: ["everything"], expiresInDays: 1 });
    expect(unknown.statusCode).toBe(400);
    const tooLong = await u.post("/api/v1/tokens", {
      name: "x",
      scopes: ["tokens:manage"],
      expiresInDays: 3650,
    });
    expect(tooLong.statusCode).toBe(400);
  });

  it("loses permissions its holder loses", async () => {
    const u = await h.signedIn(["auditor"]);
    const { secret } = (
      await u.post("/api/v1/tokens", { name: "r", scopes: ["audit:read"], expiresInDays: 1 })
    ).json<{ secret: string }>();
    const bot = Object.assign(h.client(), { bearer: secret });
    expect((await bot.get("/api/v1/audit")).statusCode).toBe(200);
    expect((await admin.put(`/api/v1/users/${u.userId}/roles`, { roles: ["employee"] })).statusCode).toBe(
      200,
    );
    expect((await bot.get("/api/v1/audit")).statusCode).toBe(403);
  });

  it("revoking makes it 401; only the owner can revoke it", async () => {
    const u = await h.signedIn(["it"]);
    const other = await h.signedIn(["it"]);
    const { token, secret } = (
      await u.post("/api/v1/tokens", { name: "temp", scopes: ["jobs:read"], expiresInDays: 1 })
    ).json<{ token: TokenBody; secret: string }>();
    const bot = Object.assign(h.client(), { bearer: secret });
    expect((await bot.get("/api/v1/auth/session")).statusCode).toBe(200);

    const stolen = await other.delete(`/api/v1/tokens/${token.id}`);
    expect(stolen.statusCode).toBe(404);
    expect((await bot.get("/api/v1/auth/session")).statusCode).toBe(200);

    expect((await u.delete(`/api/v1/tokens/${token.id}`)).statusCode).toBe(204);
    const after = await bot.get("/api/v1/auth/session");
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe("auth.invalid_token");
    expect((await u.delete(`/api/v1/tokens/${token.id}`)).statusCode).toBe(404);
    const listed = (await u.get("/api/v1/tokens")).json<{ items: TokenBody[] }>().items[0];
    expect(listed?.revokedAt).not.toBeNull();
    expect(await lastAudit("token.revoked", token.id)).toBeDefined();
  });

  it("an expired token is 401", async () => {
    const u = await h.signedIn(["security"]);
    const { token, secret } = (
      await u.post("/api/v1/tokens", { name: "short", scopes: ["audit:read"], expiresInDays: 1 })
    ).json<{ token: TokenBody; secret: string }>();
    const bot = Object.assign(h.client(), { bearer: secret });
    expect((await bot.get("/api/v1/audit")).statusCode).toBe(200);
    await h.t.db.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [
      token.id,
    ]);
    const res = await bot.get("/api/v1/audit");
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("auth.invalid_token");
  });

  it("a token cannot manage tokens beyond its own scopes", async () => {
    const u = await h.signedIn(["admin"]);
    const { secret } = (
      await u.post("/api/v1/tokens", { name: "mint", scopes: ["tokens:manage"], expiresInDays: 1 })
    ).json<{ secret: string }>();
    const bot = Object.assign(h.client(), { bearer: secret });
    const res = await bot.post("/api/v1/tokens", {
      name: "wider",
      scopes: ["users:write"],
      expiresInDays: 1,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("token.scope_not_held");
  });
});
