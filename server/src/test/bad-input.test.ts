import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Res, startTestApp, TEST_PASSWORD, type TestApp, type TestClient } from "./harness.js";

/** Bad input gets a 4xx problem naming the field; nothing half-written stays behind. */

const BODY_LIMIT = 2048;

let h: TestApp;
let admin: TestClient & { userId: string; email: string };
beforeAll(async () => {
  h = await startTestApp({ TANDEM_BODY_LIMIT_BYTES: String(BODY_LIMIT) });
  admin = await h.signedIn(["admin"]);
});
afterAll(() => h.close());

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: { path: string; message: string }[];
}

/** Every error is problem+json with a stable code, its status, and the request id of its header. */
function expectProblem(res: Res, status: number, code: string): ProblemBody {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers["content-type"])).toMatch(/^application\/problem\+json/);
  const body = res.json<ProblemBody>();
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  expect(typeof body.title).toBe("string");
  expect(body.requestId).toBeTruthy();
  expect(body.requestId).toBe(res.headers["x-request-id"]);
  expect(res.body).not.toMatch(/\n\s+at /);
  return body;
}

const counts = async () => {
  const r = await h.t.db.query<{ users: string; audit: string }>(
    "SELECT (SELECT count(*) FROM users)::text AS users, (SELECT count(*) FROM audit_log)::text AS audit",
  );
  return r.rows[0];
};

describe("malformed requests", () => {
  it("malformed JSON is 400 request.malformed_json", async () => {
    const res = await admin.request({
      method: "POST",
      url: "/api/v1/users",
      payload: '{"email": "a@b.test", ',
      headers: { "content-type": "application/json" },
    });
    expectProblem(res, 400, "request.malformed_json");
  });

  it("wrong types and unknown fields are 400 request.invalid naming each field", async () => {
    const res = await admin.post("/api/v1/users", {
      email: "x",
      displayName: 1,
      roles: ["nope"],
      extra: true,
    });
    const body = expectProblem(res, 400, "request.invalid");
    const paths = (body.errors ?? []).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(["body.email", "body.displayName", "body.roles.0", "body.extra"]),
    );
    expect(body.errors?.find((e) => e.path === "body.extra")?.message).toBe("unknown field");
  });

  it("bad query parameters name the parameter", async () => {
    const res = await admin.get("/api/v1/users?limit=zero&sort=name");
    const paths = (expectProblem(res, 400, "request.invalid").errors ?? []).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["querystring.limit", "querystring.sort"]));
  });

  it("a body over TANDEM_BODY_LIMIT_BYTES is 413 request.too_large", async () => {
    const res = await admin.post("/api/v1/users", {
      email: "big@example.test",
      displayName: "x".repeat(BODY_LIMIT + 100),
    });
    expectProblem(res, 413, "request.too_large");
    expect((await h.t.db.query("SELECT 1 FROM users WHERE email = 'big@example.test'")).rowCount).toBe(0);
  });

  it("an unsupported content type is 415", async () => {
    const res = await admin.request({
      method: "POST",
      url: "/api/v1/users",
      payload: "<user><email>a@b.test</email></user>",
      headers: { "content-type": "application/xml" },
    });
    expectProblem(res, 415, "request.unsupported_media_type");
  });

  it("a bad cursor is 400 request.bad_cursor", async () => {
    expectProblem(await admin.get("/api/v1/users?cursor=not-a-cursor"), 400, "request.bad_cursor");
    // Well-formed base64 JSON of the wrong shape (another list's cursor) is refused too.
    const foreign = Buffer.from(JSON.stringify({ s: 5 })).toString("base64url");
    const body = expectProblem(await admin.get(`/api/v1/users?cursor=${foreign}`), 400, "request.bad_cursor");
    expect(body.errors?.[0]?.path).toBe("cursor");
    expectProblem(await admin.get("/api/v1/audit?cursor=%7B%7D"), 400, "request.bad_cursor");
  });

  it("an unknown route is a 404 problem", async () => {
    expectProblem(await admin.get("/api/v1/no-such-thing"), 404, "route.not_found");
    expectProblem(await h.client().post("/api/v2/users", {}), 404, "route.not_found");
  });

  it("a missing record is a 404 problem with its own code", async () => {
    expectProblem(await admin.get("/api/v1/users/01J00000000000000000000000"), 404, "user.not_found");
  });
});

describe("API tokens that do not work", () => {
  it("an unknown, malformed, revoked or expired token is 401 auth.invalid_token", async () => {
    const bearer = (secret: string) => h.client().get("/api/v1/users", { authorization: `Bearer ${secret}` });
    expectProblem(await bearer("tdm_thisisnotarealtoken"), 401, "auth.invalid_token");
    expectProblem(await bearer("not-even-our-format"), 401, "auth.invalid_token");

    const created = await admin.post("/api/v1/tokens", {
      name: "doomed",
      scopes: ["users:read"],
      expiresInDays: 1,
    });
    const { token, secret } = created.json<{ token: { id: string }; secret: string }>();
    expect((await bearer(secret)).statusCode).toBe(200);
    expect((await admin.delete(`/api/v1/tokens/${token.id}`)).statusCode).toBe(204);
    expectProblem(await bearer(secret), 401, "auth.invalid_token");

    const other = await admin.post("/api/v1/tokens", {
      name: "old",
      scopes: ["users:read"],
      expiresInDays: 1,
    });
    const old = other.json<{ token: { id: string }; secret: string }>();
    expect((await bearer(old.secret)).statusCode).toBe(200);
    await h.t.db.query("UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1", [
      old.token.id,
    ]);
    expectProblem(await bearer(old.secret), 401, "auth.invalid_token");
  });

  it("a malformed Authorization header is 401, not a server error", async () => {
    const res = await h.client().get("/api/v1/users", { authorization: "Basic YWRtaW46YWRtaW4=" });
    expectProblem(res, 401, "auth.invalid_token");
  });
});

describe("nothing half-written", () => {
  it("a duplicate email is 409 user.email_in_use and changes neither users nor the audit log", async () => {
    const first = await admin.post("/api/v1/users", { email: "dup@example.test", displayName: "Dup" });
    expect(first.statusCode).toBe(201);
    const before = await counts();
    const again = await admin.post("/api/v1/users", {
      email: "DUP@example.test",
      displayName: "Dup again",
      roles: ["hr"],
    });
    const body = expectProblem(again, 409, "user.email_in_use");
    expect(body.errors?.[0]?.path).toBe("email");
    expect(await counts()).toEqual(before);
  });

  it("a failure midway through a request is a 500 without internals, and rolls the whole change back", async () => {
    const victim = await h.signedIn(["employee"]);
    const before = await counts();
    // Take away the table the reset writes last, so the request fails after its first writes.
    await h.t.db.exec("ALTER TABLE one_time_tokens RENAME TO one_time_tokens_away");
    let res: Res;
    try {
      res = await admin.post(`/api/v1/users/${victim.userId}/reset-password`);
    } finally {
      await h.t.db.exec("ALTER TABLE one_time_tokens_away RENAME TO one_time_tokens");
    }
    const body = expectProblem(res, 500, "server.error");
    expect(res.body).not.toMatch(/one_time_tokens|relation|does not exist|stack|\.ts:\d+/);
    expect(Object.keys(body).sort()).toEqual([
      "code",
      "detail",
      "instance",
      "requestId",
      "status",
      "title",
      "type",
    ]);
    // The password was not cleared and the session not ended: the transaction rolled back.
    expect(await counts()).toEqual(before);
    expect((await victim.get("/api/v1/auth/session")).statusCode).toBe(200);
    const row = await h.t.db.query<{ has: boolean }>(
      "SELECT password_hash IS NOT NULL AS has FROM users WHERE id = $1",
      [victim.userId],
    );
    expect(row.rows[0]?.has).toBe(true);
    const again = h.client();
    expect((await again.login(victim.email, TEST_PASSWORD)).statusCode).toBe(200);
  });
});

describe("every error response", () => {
  it("is problem+json with code, status and the request id, for the usual failures", async () => {
    const anon = h.client();
    expectProblem(await anon.get("/api/v1/users"), 401, "auth.unauthenticated");
    const employee = await h.signedIn(["employee"]);
    expectProblem(await employee.get("/api/v1/users"), 403, "auth.forbidden");
    expectProblem(
      await employee.post("/api/v1/auth/logout", undefined, { "x-csrf-token": "wrong" }),
      403,
      "auth.csrf",
    );
    expectProblem(await anon.login("nobody@example.test", "wrong password"), 401, "auth.invalid_credentials");
  });
});
