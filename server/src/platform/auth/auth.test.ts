import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, TEST_PASSWORD, type TestApp } from "../../test/harness.js";
import { totpNow } from "./totp.js";

let h: TestApp;
beforeAll(async () => {
  h = await startTestApp({ TANDEM_LOCKOUT_THRESHOLD: "3" });
});
afterAll(() => h.close());

async function lastAudit(action: string) {
  const r = await h.t.db.query<{ outcome: string; actor_label: string; details: Record<string, unknown> }>(
    "SELECT outcome, actor_label, details FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT 1",
    [action],
  );
  return r.rows[0];
}

describe("password sign-in", () => {
  it("signs in, reports the session, and signs out", async () => {
    const c = await h.signedIn(["hr"]);
    const s = await c.get("/api/v1/auth/session");
    expect(s.statusCode).toBe(200);
    expect(s.json<{ user: { roles: string[] } }>().user.roles).toEqual(["hr"]);
    expect(s.headers["set-cookie"]).toBeUndefined();
    expect((await c.post("/api/v1/auth/logout")).statusCode).toBe(204);
    expect((await c.get("/api/v1/auth/session")).statusCode).toBe(401);
  });

  it("sets an httpOnly SameSite session cookie", async () => {
    const c = h.client();
    const res = await c.get("/api/v1/auth/csrf");
    const cookie = String(res.headers["set-cookie"]);
    expect(cookie).toMatch(/tandem_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it("refuses a wrong password with 401 and audits the failure", async () => {
    const ok = await h.signedIn(["employee"]);
    const c = h.client();
    const res = await c.login(ok.email, "wrong password entirely");
    expect(res.statusCode).toBe(401);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.json().code).toBe("auth.invalid_credentials");
    const a = await lastAudit("auth.sign_in");
    expect(a?.outcome).toBe("failure");
    expect(a?.actor_label).toBe(ok.email);
  });

  it("locks the account after repeated failures (429 with Retry-After), even for the right password", async () => {
    const victim = await h.signedIn(["employee"]);
    const c = h.client();
    for (let i = 0; i < 3; i++) expect((await c.login(victim.email, "nope nope nope")).statusCode).toBe(401);
    const locked = await c.login(victim.email, TEST_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0);
    expect(locked.json().code).toBe("auth.locked");
  });

  it("needs the pre-sign-in CSRF token to log in", async () => {
    const c = h.client();
    const res = await c.post("/api/v1/auth/login", { email: "a@b.test", password: "x" });
    expect(res.statusCode).toBe(403);
    const pre = await c.get("/api/v1/auth/csrf");
    expect(pre.statusCode).toBe(200);
    const noHeader = await c.post("/api/v1/auth/login", { email: "a@b.test", password: "x" });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().code).toBe("auth.csrf");
  });

  it("refuses a state change without the CSRF header (403) and audits it", async () => {
    const c = await h.signedIn(["admin"]);
    const res = await c.post("/api/v1/auth/logout", undefined, { "x-csrf-token": "forged" });
    expect(res.statusCode).toBe(403);
    expect((await lastAudit("authz.denied"))?.details).toMatchObject({ reason: "csrf" });
  });

  it("signs out everywhere", async () => {
    const a = await h.signedIn(["employee"]);
    const b = h.client();
    await b.login(a.email, TEST_PASSWORD);
    expect((await b.get("/api/v1/auth/session")).statusCode).toBe(200);
    expect((await a.post("/api/v1/auth/logout-all")).statusCode).toBe(204);
    expect((await b.get("/api/v1/auth/session")).statusCode).toBe(401);
    expect((await a.get("/api/v1/auth/session")).statusCode).toBe(401);
  });
});

describe("TOTP", () => {
  it("enrols with a QR code, then needs a code; each code and recovery code works once", async () => {
    const c = await h.signedIn(["employee"]);
    const enrol = await c.post("/api/v1/me/mfa/enrol");
    expect(enrol.statusCode).toBe(200);
    const { secret, qrDataUrl } = enrol.json<{ secret: string; qrDataUrl: string }>();
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
    const confirm = await c.post("/api/v1/me/mfa/confirm", { code: totpNow(secret) });
    expect(confirm.statusCode).toBe(200);
    const { recoveryCodes } = confirm.json<{ recoveryCodes: string[] }>();
    expect(recoveryCodes).toHaveLength(10);

    // The secret is stored encrypted, never in clear.
    const row = await h.t.db.query<{ mfa_secret_enc: string }>(
      "SELECT mfa_secret_enc FROM users WHERE id = $1",
      [c.userId],
    );
    expect(row.rows[0]?.mfa_secret_enc).toMatch(/^v1\./);
    expect(row.rows[0]?.mfa_secret_enc).not.toContain(secret);

    const d = h.client();
    const step1 = await d.login(c.email, TEST_PASSWORD);
    expect(step1.json().status).toBe("mfa_required");
    d.csrf = step1.json<{ csrfToken: string }>().csrfToken;
    expect((await d.get("/api/v1/auth/session")).statusCode).toBe(401);
    // The code used at enrolment cannot be used again.
    const reused = await d.post("/api/v1/auth/login/mfa", { code: totpNow(secret) });
    expect(reused.statusCode).toBe(401);
    const rc = recoveryCodes[0]!;
    const viaRecovery = await d.post("/api/v1/auth/login/mfa", { code: rc });
    expect(viaRecovery.statusCode).toBe(200);
    d.csrf = viaRecovery.json<{ csrfToken: string }>().csrfToken;
    expect((await d.get("/api/v1/auth/session")).statusCode).toBe(200);

    const e = h.client();
    const s = await e.login(c.email, TEST_PASSWORD);
    e.csrf = s.json<{ csrfToken: string }>().csrfToken;
    expect((await e.post("/api/v1/auth/login/mfa", { code: rc })).statusCode).toBe(401);
  });
});

describe("setup links", () => {
  it("an admin-created user sets a password once through the link", async () => {
    const admin = await h.signedIn(["admin"]);
    const created = await admin.post("/api/v1/users", {
      email: "New.Person@Example.test",
      displayName: "New",
      roles: ["it"],
    });
    expect(created.statusCode).toBe(201);
    const { setupUrl, user } = created.json<{ setupUrl: string; user: { email: string } }>();
    expect(user.email).toBe("new.person@example.test");
    const token = new URL(setupUrl).searchParams.get("token")!;
    const c = h.client();
    await c.get("/api/v1/auth/csrf");
    c.csrf = (await c.get("/api/v1/auth/csrf")).json<{ csrfToken: string }>().csrfToken;
    const weak = await c.post("/api/v1/auth/setup", { token, password: "short" });
    expect(weak.statusCode).toBe(400);
    expect(weak.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("password");
    // A weak password did not use up the link.
    const ok = await c.post("/api/v1/auth/setup", { token, password: "a long enough passphrase" });
    expect(ok.statusCode).toBe(200);
    const again = h.client();
    again.csrf = (await again.get("/api/v1/auth/csrf")).json<{ csrfToken: string }>().csrfToken;
    expect(
      (await again.post("/api/v1/auth/setup", { token, password: "another long passphrase" })).statusCode,
    ).toBe(400);
  });
});
