import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SCIM_ENTERPRISE_USER,
  SCIM_GROUP,
  SCIM_USER,
  ScimClient,
  ScimClientError,
  type ScimUser,
} from "../../../connectors/scim/index.js";
import { startTestApp, type TestApp } from "../../../test/harness.js";

/**
 * The SCIM 2.0 server driven over real HTTP on a loopback port by Tandem's own SCIM client,
 * plus raw requests for what a client library would never send.
 */

const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const E = SCIM_ENTERPRISE_USER;

let h: TestApp;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let origin: string;
let base: string;
let token: string;
let scim: ScimClient;
let n = 0;

async function mintToken(scopes: string[]) {
  const owner = await h.signedIn(["admin", "hr"]);
  const r = await owner.post("/api/v1/tokens", { name: "scim test", scopes, expiresInDays: 1 });
  expect(r.statusCode, r.body).toBe(201);
  return r.json<{ secret: string }>().secret;
}

beforeAll(async () => {
  h = await startTestApp();
  origin = await h.t.app.listen({ host: "127.0.0.1", port: 0 });
  base = `${origin}/scim/v2`;
  hr = await h.signedIn(["hr"]);
  for (const name of ["Finance", "Engineering"]) {
    expect((await hr.post("/api/v1/departments", { name })).statusCode).toBe(201);
  }
  token = await mintToken(["people:scim"]);
  scim = new ScimClient({ baseUrl: base, token, pageSize: 10 });
});
afterAll(() => h.close());

function user(extra: Partial<ScimUser> & Record<string, unknown> = {}) {
  n++;
  return {
    schemas: [SCIM_USER, E],
    userName: `user${n}@corp.test`,
    name: { givenName: "Given", familyName: `Family${n}` },
    active: true,
    emails: [{ value: `user${n}@corp.test`, type: "work", primary: true }],
    [E]: { employeeNumber: `S${1000 + n}`, department: "Finance" },
    ...extra,
  };
}

async function scimError(p: Promise<unknown>): Promise<ScimClientError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ScimClientError);
  return e as ScimClientError;
}

const person = async (id: string) => {
  const r = await hr.get(`/api/v1/people/${id}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json<{
    status: string;
    legalName: string;
    preferredName: string | null;
    workEmail: string;
    employeeNumber: string;
    departmentName: string | null;
    managerId: string | null;
    userId: string | null;
  }>();
};

const raw = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
  });

describe("discovery", () => {
  it("answers ServiceProviderConfig, Schemas and ResourceTypes", async () => {
    const spc = await scim.serviceProviderConfig();
    expect(spc).toMatchObject({
      patch: { supported: true },
      filter: { supported: true, maxResults: 200 },
      etag: { supported: true },
      bulk: { supported: false },
    });
    const schemas = await scim.schemas();
    expect(schemas.Resources.map((s) => s.id).sort()).toEqual([SCIM_GROUP, SCIM_USER, E].sort());
    const types = await scim.resourceTypes();
    expect(types.Resources.find((t) => t.id === "User")).toMatchObject({
      endpoint: "/Users",
      schemaExtensions: [{ schema: E, required: false }],
    });
    const one = await raw(`/Schemas/${encodeURIComponent(E)}`);
    expect(one.status).toBe(200);
    expect(one.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(
      ((await one.json()) as { attributes: { name: string }[] }).attributes.map((a) => a.name),
    ).toContain("employeeNumber");
  });
});

describe("Users", () => {
  it("creates a person with the enterprise extension, visible through the People API and audited", async () => {
    const mgr = await scim.users.create(user({ externalId: "okta-mgr" }));
    const body = user({ externalId: "okta-1", nickName: "Gigi" });
    (body[E] as Record<string, unknown>).manager = { value: mgr.id };
    const created = await scim.users.create(body);
    expect(created.id).toBeTruthy();
    expect(created.userName).toBe(body.userName);
    expect(created.externalId).toBe("okta-1");
    expect(created.meta?.version).toMatch(/^W\/"\d+"$/);
    expect(created[E]).toMatchObject({
      employeeNumber: (body[E] as { employeeNumber: string }).employeeNumber,
      department: "Finance",
      manager: { value: mgr.id },
    });
    const p = await person(created.id);
    expect(p).toMatchObject({
      status: "active",
      legalName: `Given Family${n}`,
      preferredName: "Gigi",
      workEmail: body.userName,
      departmentName: "Finance",
      managerId: mgr.id,
    });
    const audit = await h.t.db.query<{ actor_label: string; details: { source: string } }>(
      "SELECT actor_label, details FROM audit_log WHERE action = 'person.created' AND target_id = $1",
      [created.id],
    );
    expect(audit.rows[0]?.details.source).toBe("scim");
    expect(audit.rows[0]?.actor_label).toMatch(/\(token\)$/);
    const fetched = await scim.users.get(created.id);
    expect(fetched.name).toEqual({
      formatted: `Given Family${n}`,
      givenName: "Given",
      familyName: `Family${n}`,
    });
  });

  it("answers POST with 201, Location and ETag", async () => {
    const res = await raw("/Users", {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body: JSON.stringify(user()),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; meta: { version: string } };
    expect(res.headers.get("location")).toMatch(new RegExp(`/scim/v2/Users/${body.id}$`));
    expect(res.headers.get("etag")).toBe(body.meta.version);
    expect(res.headers.get("content-type")).toMatch(/^application\/scim\+json/);
  });

  it("refuses a duplicate userName or employeeNumber with 409 uniqueness", async () => {
    const first = user();
    await scim.users.create(first);
    const sameEmail = user({ userName: first.userName.toUpperCase() });
    const e1 = await scimError(scim.users.create(sameEmail));
    expect([e1.status, e1.scimType]).toEqual([409, "uniqueness"]);
    expect(e1.detail).toMatch(/userName/);
    const sameNumber = user();
    (sameNumber[E] as Record<string, unknown>).employeeNumber = (
      first[E] as { employeeNumber: string }
    ).employeeNumber;
    const e2 = await scimError(scim.users.create(sameNumber));
    expect([e2.status, e2.scimType]).toEqual([409, "uniqueness"]);
    expect(e2.detail).toMatch(/employeeNumber/);
  });

  it("refuses an unknown department naming it, and a missing employeeNumber", async () => {
    const bad = user();
    (bad[E] as Record<string, unknown>).department = "Astrology";
    const e = await scimError(scim.users.create(bad));
    expect([e.status, e.scimType]).toEqual([400, "invalidValue"]);
    expect(e.detail).toContain("Astrology");
    const none = user({ [E]: { department: "Finance" } });
    const e2 = await scimError(scim.users.create(none));
    expect([e2.status, e2.scimType]).toEqual([400, "invalidValue"]);
    expect(e2.detail).toMatch(/employeeNumber/);
    const count = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM people WHERE work_email = $1",
      [bad.userName],
    );
    expect(count.rows[0]?.n).toBe(0);
  });

  it("filters with eq, co, sw, ew, pr, and/or/not, the enterprise extension, emails[type eq work] and meta.lastModified", async () => {
    const mk = async (local: string, extra: Record<string, unknown> = {}) => {
      const u = user({
        userName: `${local}@filter.test`,
        emails: [{ value: `${local}@filter.test`, type: "work" }],
      });
      Object.assign(u, extra);
      return scim.users.create(u);
    };
    const ann = await mk("ann.lee", { nickName: "Annie" });
    const bob = await mk("bob.kay");
    const cat = await mk("cat.lee", { externalId: "ext-cat" });
    (cat[E] as Record<string, unknown>).department = "Engineering";
    await scim.users.replace(cat.id, { ...cat, schemas: [SCIM_USER, E] });
    const ids = async (filter: string) => (await scim.users.list({ filter })).map((u) => u.id).sort();
    const sorted = (...xs: { id: string }[]) => xs.map((x) => x.id).sort();

    expect(await ids(`userName eq "ANN.LEE@filter.test"`)).toEqual([ann.id]);
    expect(await ids(`userName co "lee@filter"`)).toEqual(sorted(ann, cat));
    expect(await ids(`userName sw "bob."`)).toEqual([bob.id]);
    expect(await ids(`userName ew "@filter.test" and nickName pr`)).toEqual([ann.id]);
    expect(await ids(`userName eq "ann.lee@filter.test" or userName eq "bob.kay@filter.test"`)).toEqual(
      sorted(ann, bob),
    );
    expect(await ids(`userName ew "@filter.test" and not (userName sw "ann")`)).toEqual(sorted(bob, cat));
    expect(
      await ids(`${E}:employeeNumber eq "${(bob[E] as { employeeNumber: string }).employeeNumber}"`),
    ).toEqual([bob.id]);
    expect(await ids(`userName ew "@filter.test" and ${E}:department eq "engineering"`)).toEqual([cat.id]);
    expect(await ids(`emails[type eq "work"].value eq "bob.kay@filter.test"`)).toEqual([bob.id]);
    expect(await ids(`emails[type eq "work" and value sw "cat."]`)).toEqual([cat.id]);
    expect(await ids(`externalId eq "ext-cat"`)).toEqual([cat.id]);
    const stamp = (await scim.users.get(cat.id)).meta?.lastModified as string;
    expect(await ids(`userName ew "@filter.test" and meta.lastModified gt "${stamp}"`)).toEqual([]);
    expect(await ids(`userName ew "@filter.test" and meta.lastModified lt "${stamp}"`)).toEqual(
      sorted(ann, bob),
    );
    expect(await ids(`userName ew "@filter.test" and active eq true`)).toEqual(sorted(ann, bob, cat));
    expect(await ids(`userName eq "nobody@filter.test"`)).toEqual([]);
  });

  it("pages 25 users with count=10: totalResults, startIndex and every page through the client", async () => {
    for (let i = 0; i < 25; i++) {
      await scim.users.create(
        user({
          userName: `p${String(i).padStart(2, "0")}@pages.test`,
          emails: [{ value: `p${i}@pages.test` }],
        }),
      );
    }
    const filter = `userName ew "@pages.test"`;
    const first = await scim.users.page({ filter, count: 10 });
    expect([first.totalResults, first.startIndex, first.itemsPerPage]).toEqual([25, 1, 10]);
    const last = await scim.users.page({ filter, count: 10, startIndex: 21 });
    expect([last.totalResults, last.startIndex, last.itemsPerPage]).toEqual([25, 21, 5]);
    const beyond = await scim.users.page({ filter, count: 10, startIndex: 40 });
    expect([beyond.totalResults, beyond.Resources.length]).toEqual([25, 0]);
    const sizes: number[] = [];
    for await (const page of scim.users.pages({ filter })) sizes.push(page.Resources.length);
    expect(sizes).toEqual([10, 10, 5]);
    const all = await scim.users.list({ filter });
    expect(new Set(all.map((u) => u.id)).size).toBe(25);
    expect(all.map((u) => u.userName).sort()[0]).toBe("p00@pages.test");
    const zero = await scim.users.page({ filter, count: 0 });
    expect([zero.totalResults, zero.Resources.length]).toEqual([25, 0]);
  });

  it("PATCHes with add, replace and remove, with and without paths", async () => {
    const mgr = await scim.users.create(user());
    const body = user({ externalId: "to-remove" });
    (body[E] as Record<string, unknown>).manager = { value: mgr.id };
    const u = await scim.users.create(body);
    const patched = await scim.users.patch(u.id, [
      { op: "replace", path: "name.familyName", value: "Renamed" },
      { op: "add", path: "nickName", value: "Nick" },
      { op: "replace", path: `${E}:department`, value: "Engineering" },
      { op: "remove", path: `${E}:manager` },
      { op: "remove", path: "externalId" },
    ]);
    expect(patched?.name?.familyName).toBe("Renamed");
    expect(patched?.externalId).toBeUndefined();
    let p = await person(u.id);
    expect(p).toMatchObject({
      legalName: "Given Renamed",
      preferredName: "Nick",
      departmentName: "Engineering",
      managerId: null,
    });
    const events = (await hr.get(`/api/v1/people/${u.id}/events`)).json<{
      items: { type: string; source: string }[];
    }>();
    expect(events.items).toContainEqual(expect.objectContaining({ type: "transfer", source: "scim" }));

    await scim.users.patch(u.id, [
      { op: "replace", value: { displayName: "Display", [E]: { department: "Finance" } } },
      { op: "replace", path: `emails[type eq "work"].value`, value: "moved@corp.test" },
    ]);
    p = await person(u.id);
    expect(p).toMatchObject({
      preferredName: "Display",
      departmentName: "Finance",
      workEmail: "moved@corp.test",
    });
    const again = await scim.users.get(u.id);
    expect(again.userName).toBe("moved@corp.test");

    await scim.users.patch(u.id, [
      { op: "remove", path: "nickName" },
      { op: "remove", path: "displayName" },
    ]);
    expect((await person(u.id)).preferredName).toBeNull();

    const bad = await scimError(scim.users.patch(u.id, [{ op: "remove", path: `${E}:employeeNumber` }]));
    expect([bad.status, bad.scimType]).toEqual([400, "invalidValue"]);
    const badPath = await scimError(scim.users.patch(u.id, [{ op: "replace", path: "emails[", value: "x" }]));
    expect([badPath.status, badPath.scimType]).toEqual([400, "invalidPath"]);
    const noPath = await scimError(scim.users.patch(u.id, [{ op: "remove" }]));
    expect([noPath.status, noPath.scimType]).toEqual([400, "noTarget"]);
  });

  it("active=false terminates: the person becomes a leaver and their Tandem sessions end; rehire is refused", async () => {
    const email = "leaving@corp.test";
    const employee = await h.signedIn(["employee"], email);
    const u = await scim.users.create(user({ userName: email, emails: [{ value: email, type: "work" }] }));
    expect((await person(u.id)).userId).toBe(employee.userId);
    expect((await employee.get("/api/v1/auth/session")).statusCode).toBe(200);

    const after = await scim.users.patch(u.id, [{ op: "replace", path: "active", value: false }]);
    expect(after?.active).toBe(false);
    expect((await person(u.id)).status).toBe("leaver");
    expect((await employee.get("/api/v1/auth/session")).statusCode).toBe(401);
    const disabled = await h.t.db.query<{ disabled: boolean }>("SELECT disabled FROM users WHERE id = $1", [
      employee.userId,
    ]);
    expect(disabled.rows[0]?.disabled).toBe(true);

    const rehire = await scimError(scim.users.patch(u.id, [{ op: "replace", value: { active: true } }]));
    expect([rehire.status, rehire.scimType]).toEqual([400, "invalidValue"]);
    expect(rehire.detail).toMatch(/rehire/);
    expect((await person(u.id)).status).toBe("leaver");
  });

  it("accepts Entra-style string booleans and a candidate made active starts working", async () => {
    const u = await scim.users.create(user({ active: false }));
    expect((await person(u.id)).status).toBe("candidate");
    expect(u.active).toBe(false);
    await scim.users.patch(u.id, [{ op: "replace", path: "active", value: "True" }]);
    expect((await person(u.id)).status).toBe("active");
  });

  it("DELETE terminates and keeps the HR record; the User is then gone for SCIM", async () => {
    const u = await scim.users.create(user());
    await scim.users.delete(u.id);
    expect((await person(u.id)).status).toBe("leaver");
    const gone = await scimError(scim.users.get(u.id));
    expect(gone.status).toBe(404);
    expect(await scim.users.list({ filter: `userName eq "${u.userName}"` })).toEqual([]);
    expect((await scimError(scim.users.delete(u.id))).status).toBe(404);
  });

  it("answers 404 in the SCIM error schema for an unknown id", async () => {
    const e = await scimError(scim.users.get("01J00000000000000000000000"));
    expect(e.status).toBe(404);
    const res = await raw("/Users/01J00000000000000000000000");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.schemas).toEqual([ERROR]);
    expect(body.status).toBe("404");
    expect(typeof body.detail).toBe("string");
    const unknownEndpoint = await raw("/Widgets");
    expect(unknownEndpoint.status).toBe(404);
    expect(((await unknownEndpoint.json()) as { schemas: string[] }).schemas).toEqual([ERROR]);
  });

  it("uses ETags: 412 on a stale If-Match, success on the current one", async () => {
    const u = await scim.users.create(user());
    const v1 = u.meta?.version as string;
    const v2 = (
      await scim.users.patch(u.id, [{ op: "replace", path: "nickName", value: "One" }], { ifMatch: v1 })
    )?.meta?.version as string;
    expect(v2).not.toBe(v1);
    const stale = await scimError(
      scim.users.patch(u.id, [{ op: "replace", path: "nickName", value: "Two" }], { ifMatch: v1 }),
    );
    expect(stale.status).toBe(412);
    const stalePut = await scimError(scim.users.replace(u.id, { ...u, nickName: "Two" }, { ifMatch: v1 }));
    expect(stalePut.status).toBe(412);
    expect((await scimError(scim.users.delete(u.id, { ifMatch: v1 }))).status).toBe(412);
    expect((await person(u.id)).preferredName).toBe("One");
    const ok = await scim.users.replace(u.id, { ...u, nickName: "Two" }, { ifMatch: v2 });
    expect(ok.nickName).toBe("Two");
    const res = await raw(`/Users/${u.id}`, { headers: { "if-none-match": ok.meta?.version as string } });
    expect(res.status).toBe(304);
  });

  it("returns only the requested attributes, or all but the excluded ones", async () => {
    const u = await scim.users.create(user());
    const only = await scim.users.get(u.id, { attributes: ["userName", `${E}:department`] });
    // The client keeps the ETag header as meta.version; the server sent nothing else.
    expect(Object.keys(only).sort()).toEqual([E, "id", "meta", "schemas", "userName"].sort());
    expect(only.meta).toEqual({ version: u.meta?.version });
    expect(only[E]).toEqual({ department: "Finance" });
    const page = await scim.users.page({
      filter: `id eq "${u.id}"`,
      excludedAttributes: ["emails", "name.givenName", "meta"],
    });
    const r = page.Resources[0] as ScimUser;
    expect(r.emails).toBeUndefined();
    expect(r.meta).toBeUndefined();
    expect(r.name).toEqual({ formatted: expect.any(String), familyName: expect.any(String) });
  });
});

describe("Groups", () => {
  it("creates a group, patches its members, filters, refuses duplicates and deletes", async () => {
    const [a, b, c] = [
      await scim.users.create(user()),
      await scim.users.create(user()),
      await scim.users.create(user()),
    ];
    const g = await scim.groups.create({
      schemas: [SCIM_GROUP],
      displayName: "Finance Team",
      members: [{ value: a.id }, { value: b.id }],
    });
    expect(g.members?.map((m) => m.value).sort()).toEqual([a.id, b.id].sort());
    const dup = await scimError(scim.groups.create({ schemas: [SCIM_GROUP], displayName: "finance team" }));
    expect([dup.status, dup.scimType]).toEqual([409, "uniqueness"]);

    const patched = await scim.groups.patch(g.id, [
      { op: "add", path: "members", value: [{ value: c.id }] },
      { op: "remove", path: `members[value eq "${a.id}"]` },
      { op: "replace", path: "displayName", value: "Finance People" },
    ]);
    expect(patched?.displayName).toBe("Finance People");
    expect(patched?.members?.map((m) => m.value).sort()).toEqual([b.id, c.id].sort());
    const rows = await h.t.db.query<{ person_id: string }>(
      "SELECT person_id FROM scim_group_members WHERE group_id = $1 ORDER BY person_id",
      [g.id],
    );
    expect(rows.rows.map((r) => r.person_id)).toEqual([b.id, c.id].sort());

    expect((await scim.groups.list({ filter: `members[value eq "${c.id}"]` })).map((x) => x.id)).toEqual([
      g.id,
    ]);
    expect((await scim.groups.list({ filter: `displayName sw "finance"` })).map((x) => x.id)).toEqual([g.id]);
    expect(await scim.groups.list({ filter: `members.value eq "${a.id}"` })).toEqual([]);

    const unknown = await scimError(
      scim.groups.patch(g.id, [{ op: "add", path: "members", value: [{ value: "nope" }] }]),
    );
    expect([unknown.status, unknown.scimType]).toEqual([400, "invalidValue"]);
    expect(unknown.detail).toContain("nope");

    const audit = await h.t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_id = $1 ORDER BY seq",
      [g.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(["scim.group_created", "scim.group_updated"]);
    await scim.groups.delete(g.id);
    expect((await scimError(scim.groups.get(g.id))).status).toBe(404);
  });
});

describe("authentication and bad requests", () => {
  it("401 without a token, 403 with a token lacking people:scim (SCIM errors when asked for scim+json)", async () => {
    const anon = await fetch(`${base}/Users`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const other = await mintToken(["people:read"]);
    const denied = await scimError(new ScimClient({ baseUrl: base, token: other }).users.list());
    expect(denied.status).toBe(403);
    const asScim = await fetch(`${base}/Users`, {
      headers: { authorization: `Bearer ${other}`, accept: "application/scim+json" },
    });
    expect(asScim.status).toBe(403);
    expect(asScim.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(await asScim.json()).toMatchObject({ schemas: [ERROR], status: "403" });
    const unknownToken = await scimError(new ScimClient({ baseUrl: base, token: "tdm_nope" }).users.list());
    expect(unknownToken.status).toBe(401);
  });

  it("malformed JSON is 400 invalidSyntax; a bad or unsupported filter is 400 invalidFilter", async () => {
    const malformed = await raw("/Users", {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body: '{"userName": ',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      schemas: [ERROR],
      status: "400",
      scimType: "invalidSyntax",
    });
    for (const filter of [
      "userName eq",
      'userName zz "x"',
      'shoeSize eq "42"',
      'meta.lastModified gt "yesterday"',
    ]) {
      const res = await raw(`/Users?filter=${encodeURIComponent(filter)}`);
      expect(res.status, filter).toBe(400);
      expect(await res.json(), filter).toMatchObject({ status: "400", scimType: "invalidFilter" });
    }
    const notPatch = await raw(`/Users/01J00000000000000000000000`, {
      method: "PATCH",
      headers: { "content-type": "application/scim+json" },
      body: JSON.stringify({ Operations: [{ op: "replace", path: "nickName", value: "x" }] }),
    });
    expect(notPatch.status).toBe(400);
    expect(await notPatch.json()).toMatchObject({ scimType: "invalidSyntax" });
    const notObject = await raw("/Users", {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body: "[1, 2]",
    });
    expect(notObject.status).toBe(400);
    expect(await notObject.json()).toMatchObject({ schemas: [ERROR], status: "400" });
  });
});

describe("the client's Retry-After handling", () => {
  /** A loopback proxy in front of Tandem that answers 429 for the first `busy` requests. */
  async function throttlingProxy(busy: number, retryAfter: string) {
    let seen = 0;
    const server = http.createServer((req, res) => {
      seen++;
      if (seen <= busy) {
        res.writeHead(429, { "retry-after": retryAfter, "content-type": "application/scim+json" });
        res.end(JSON.stringify({ schemas: [ERROR], status: "429", detail: "slow down" }));
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", async () => {
        const up = await fetch(`${origin}${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        });
        res.writeHead(up.status, Object.fromEntries(up.headers));
        res.end(Buffer.from(await up.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    return {
      base: `http://127.0.0.1:${port}/scim/v2`,
      seen: () => seen,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it("retries 429 after Retry-After, within its bound", async () => {
    const proxy = await throttlingProxy(2, "0");
    try {
      const c = new ScimClient({ baseUrl: proxy.base, token, maxRetries: 3 });
      const spc = await c.serviceProviderConfig();
      expect(spc.patch).toEqual({ supported: true });
      expect(proxy.seen()).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it("gives up after maxRetries, and at once when Retry-After is longer than it will wait", async () => {
    const always = await throttlingProxy(100, "0");
    try {
      const e = await scimError(new ScimClient({ baseUrl: always.base, token, maxRetries: 2 }).users.list());
      expect([e.status, e.detail]).toEqual([429, "slow down"]);
      expect(always.seen()).toBe(3);
    } finally {
      await always.close();
    }
    const long = await throttlingProxy(100, "120");
    try {
      const e = await scimError(
        new ScimClient({ baseUrl: long.base, token, maxRetryAfterSeconds: 5 }).users.list(),
      );
      expect([e.status, e.retryAfterSeconds]).toEqual([429, 120]);
      expect(long.seen()).toBe(1);
    } finally {
      await long.close();
    }
  });
});
