import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBatch } from "../../modules/access/execute.js";
import type { RunnableStep } from "../../modules/access/verify.js";
import { ENTERPRISE, startScimServer, type TestScimServer } from "../../test/scim-server.js";
import { unusedPort } from "../../test/slapd.js";
import { type ContractSetup, collect, connectorFailure, runConnectorContract } from "../contract.js";
import { type Connector, ConnectorError, instantiate } from "../kit.js";
import { type ScimAppConfigInput, scimAppConnector } from "./index.js";

const connect = (server: TestScimServer, over: Partial<ScimAppConfigInput> = {}, token = server.token) =>
  instantiate(scimAppConnector, { baseUrl: server.baseUrl, ...over }, { bearerToken: token });

function contractSetup(over: Partial<ScimAppConfigInput>, userGroups = true) {
  return async (): Promise<ContractSetup> => {
    const server = await startScimServer({ userGroups });
    const engineering = server.addGroup("app-engineering");
    const vpn = server.addGroup("app-vpn");
    server.addGroup("other-team");
    const connector = connect(server, over);
    return {
      connector,
      entitlementIds: [engineering, vpn],
      withBadCredentials: () => connect(server, over, `${server.token}x`),
      unreachable: async () =>
        instantiate(
          scimAppConnector,
          { baseUrl: `http://127.0.0.1:${await unusedPort()}/scim/v2`, ...over },
          { bearerToken: "x" },
        ),
      cleanup: async () => {
        await connector.close();
        await server.stop();
      },
    };
  };
}

runConnectorContract("scim-app on SCIMMY (groups read from the user)", contractSetup({}));
runConnectorContract(
  "scim-app on SCIMMY (groups read from Group members, managed groups filtered)",
  contractSetup({ groups: { membership: "members", filter: 'displayName sw "app-"' } }, false),
);

describe("scim-app connector on a SCIMMY server", () => {
  let server: TestScimServer;
  let scim: Connector;
  let group: string;
  let n = 0;
  const spec = (over: Record<string, unknown> = {}) => {
    n++;
    return {
      username: `person${n}`,
      email: `person${n}@example.test`,
      displayName: `Test Person ${n}`,
      employeeNumber: `EMP-${n}`,
      givenName: "Test",
      familyName: `Person ${n}`,
      enabled: true,
      ...over,
    };
  };
  const statuses = (from: number) => server.requests.slice(from).map((r) => r.status);

  beforeAll(async () => {
    server = await startScimServer();
    group = server.addGroup("app-sales");
    scim = connect(server);
  });
  afterAll(async () => {
    await scim?.close();
    await server?.stop();
  });

  it("writes what the app's own store shows: a disabled user is active=false, a grant is a Group member", async () => {
    const a = await scim.createAccount(spec());
    const stored = server.users.get(a.externalId)!;
    expect(stored).toMatchObject({
      userName: a.username,
      active: true,
      emails: [{ value: a.email, type: "work", primary: true }],
      name: { givenName: "Test" },
      [ENTERPRISE]: { employeeNumber: a.employeeNumber },
    });
    await scim.disableAccount(a.externalId);
    expect(server.users.get(a.externalId)?.active).toBe(false);
    await scim.grant(a.externalId, group);
    expect(server.groups.get(group)?.members.map((m) => m.value)).toContain(a.externalId);
    await scim.revoke(a.externalId, group);
    expect(server.groups.get(group)?.members.map((m) => m.value)).not.toContain(a.externalId);
    await scim.updateAccount(a.externalId, { employeeNumber: "EMP-NEW", username: `${a.username}-renamed` });
    expect(server.users.get(a.externalId)).toMatchObject({
      userName: `${a.username}-renamed`,
      [ENTERPRISE]: { employeeNumber: "EMP-NEW" },
    });
  });

  it("a 409 on create links to the account that holds the userName when it can be the same person", async () => {
    const byNumber = connect(server, { matchAttribute: "employeeNumber" });
    try {
      const want = spec();
      // Made by someone else in the app, without an employee number: the lookup by
      // employeeNumber misses it, the create collides on userName.
      const theirs = server.addUser({ userName: want.username, active: true });
      const before = server.users.size;
      const from = server.requests.length;
      const linked = await byNumber.createAccount(want);
      expect(linked.externalId).toBe(theirs);
      expect(server.users.size).toBe(before);
      expect(statuses(from)).toContain(409);
    } finally {
      await byNumber.close();
    }
  });

  it("a 409 on create is a conflict, and no twin, when the holder is a different person", async () => {
    const byNumber = connect(server, { matchAttribute: "employeeNumber" });
    try {
      const want = spec();
      server.addUser({ userName: want.username, [ENTERPRISE]: { employeeNumber: "SOMEONE-ELSE" } });
      const before = server.users.size;
      const e = await connectorFailure(byNumber.createAccount(want));
      expect(e).toMatchObject({ kind: "conflict", retryable: false });
      expect(e.message).toMatch(/employeeNumber differs/);
      expect(server.users.size).toBe(before);
    } finally {
      await byNumber.close();
    }
  });

  it("finds accounts case-insensitively by userName and email, and calls two matches a conflict", async () => {
    const a = await scim.createAccount(spec());
    expect((await scim.findAccount({ username: a.username.toUpperCase() }))?.externalId).toBe(a.externalId);
    expect((await scim.findAccount({ email: a.email!.toUpperCase() }))?.externalId).toBe(a.externalId);
    server.addUser({ userName: `twin-of-${a.username}`, emails: [{ value: a.email, primary: true }] });
    expect((await connectorFailure(scim.findAccount({ email: a.email }))).kind).toBe("conflict");
  });

  it("waits out a 429 storm as the Retry-After says, within its bounds", async () => {
    const a = await scim.createAccount(spec());
    server.throttle(2, 1);
    let from = server.requests.length;
    expect((await scim.getAccount(a.externalId))?.externalId).toBe(a.externalId);
    expect(statuses(from).slice(0, 3)).toEqual([429, 429, 200]);

    // More 429s than retries: rate_limited, retryable, with the server's wait.
    const impatient = connect(server, { rateLimit: { maxRetries: 1 } });
    try {
      server.throttle(5, 1);
      from = server.requests.length;
      const e = await connectorFailure(impatient.getAccount(a.externalId));
      expect(e).toMatchObject({ kind: "rate_limited", retryable: true, retryAfterMs: 1000 });
      expect(statuses(from)).toEqual([429, 429]);
    } finally {
      server.throttle(0);
      await impatient.close();
    }

    // A Retry-After beyond maxWaitSeconds is not waited for at all.
    server.throttle(1, 3600);
    from = server.requests.length;
    const e = await connectorFailure(scim.disableAccount(a.externalId));
    expect(e).toMatchObject({ kind: "rate_limited", retryAfterMs: 3_600_000 });
    expect(statuses(from)).toEqual([429]);
    expect((await scim.getAccount(a.externalId))?.enabled).toBe(true);
  });

  it("grants only groups that exist (and are managed, with a group filter)", async () => {
    const a = await scim.createAccount(spec());
    expect((await connectorFailure(scim.grant(a.externalId, "no-such-group"))).kind).toBe("not_found");
    const other = server.addGroup("other-team");
    const managed = connect(server, { groups: { filter: 'displayName sw "app-"' } });
    try {
      expect((await managed.listEntitlements()).map((e) => e.externalId)).toEqual([group]);
      expect((await connectorFailure(managed.grant(a.externalId, other))).kind).toBe("not_found");
      expect(server.groups.get(other)?.members).toEqual([]);
      // Memberships outside the managed groups are not reported.
      await scim.grant(a.externalId, other);
      await scim.grant(a.externalId, group);
      expect((await managed.getAccount(a.externalId))?.entitlements).toEqual([group]);
      expect((await scim.getAccount(a.externalId))?.entitlements.sort()).toEqual([group, other].sort());
    } finally {
      await managed.close();
    }
  });

  it("pages through more users than one page holds", async () => {
    const small = connect(server, { pageSize: 3 });
    try {
      for (let i = 0; i < 7; i++) await small.createAccount(spec());
      const from = server.requests.length;
      const all = await collect(small.listAccounts());
      expect(all.length).toBe(server.users.size);
      expect(server.requests.slice(from).filter((r) => r.path.includes("/Users?")).length).toBeGreaterThan(2);
    } finally {
      await small.close();
    }
  });
});

describe("the test SCIM server's store", () => {
  it("keeps its indexes in step: userName renamed, groups deleted, users deleted, id filters", async () => {
    const server = await startScimServer();
    const c = connect(server);
    try {
      const group = server.addGroup("app-indexed");
      const get = async (query: string) => {
        const res = await fetch(`${server.baseUrl}${query}`, {
          headers: { authorization: `Bearer ${server.token}` },
        });
        expect(res.status, query).toBe(200);
        return ((await res.json()) as { Resources: { id: string }[] }).Resources.map((r) => r.id).sort();
      };
      const want = { email: "i1@example.test", displayName: "I One", employeeNumber: "I-1", enabled: true };
      const a = await c.createAccount({ ...want, username: "indexed-one" });
      await c.updateAccount(a.externalId, { username: "Indexed-Renamed" });
      // The old name is free again, the new one taken (case-insensitively).
      expect(await c.findAccount({ username: "indexed-one" })).toBeNull();
      expect((await c.findAccount({ username: "indexed-renamed" }))?.externalId).toBe(a.externalId);
      expect(() => server.addUser({ userName: "INDEXED-RENAMED" })).toThrow(/taken/);
      const b = await c.createAccount({ ...want, email: "i2@example.test", username: "indexed-one" });
      expect(b.externalId).not.toBe(a.externalId);
      expect(
        await get(
          `/Users?filter=${encodeURIComponent(`id eq "${a.externalId}" or id eq "${b.externalId}"`)}`,
        ),
      ).toEqual([a.externalId, b.externalId].sort());

      await c.grant(a.externalId, group);
      await c.grant(b.externalId, group);
      expect(await get(`/Users?filter=${encodeURIComponent(`groups[value eq "${group}"]`)}`)).toEqual(
        [a.externalId, b.externalId].sort(),
      );
      await c.deleteAccount(b.externalId);
      expect(server.groups.get(group)?.members).toEqual([{ value: a.externalId }]);
      const removed = await fetch(`${server.baseUrl}/Groups/${group}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${server.token}` },
      });
      expect(removed.status).toBe(204);
      expect((await c.getAccount(a.externalId))?.entitlements).toEqual([]);
    } finally {
      await c.close();
      await server.stop();
    }
  });

  it("pages an unfiltered list as asked, with the total, whether it builds one page or every user", async () => {
    const server = await startScimServer();
    try {
      const group = server.addGroup("app-paged");
      const ids = Array.from({ length: 7 }, (_, i) => server.addUser({ userName: `paged-${i}` }));
      const page = async (query: string) => {
        const res = await fetch(`${server.baseUrl}/Users?${query}`, {
          headers: { authorization: `Bearer ${server.token}` },
        });
        expect(res.status, query).toBe(200);
        const body = (await res.json()) as {
          totalResults: number;
          startIndex: number;
          Resources: { id: string; groups?: unknown[] }[];
        };
        return {
          total: body.totalResults,
          ids: body.Resources.map((r) => r.id),
          groups: body.Resources[0]?.groups,
        };
      };
      // Page after page (the page alone is built).
      expect(await page("startIndex=1&count=3")).toMatchObject({ total: 7, ids: ids.slice(0, 3) });
      expect(await page("startIndex=4&count=3")).toMatchObject({ total: 7, ids: ids.slice(3, 6) });
      expect(await page("startIndex=7&count=3")).toMatchObject({ total: 7, ids: ids.slice(6) });
      expect(await page("startIndex=1&count=0")).toMatchObject({ total: 7, ids: [] });
      // An offset inside the first page's length (every user is built, SCIMMY pages).
      expect(await page("startIndex=2&count=3")).toMatchObject({ total: 7, ids: ids.slice(1, 4) });
      // What a page holds is the user as read: groups included.
      const res = await fetch(`${server.baseUrl}/Groups/${group}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${server.token}`, "content-type": "application/scim+json" },
        body: JSON.stringify({
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "add", path: "members", value: [{ value: ids[3] }] }],
        }),
      });
      expect(res.status).toBe(200);
      expect((await page("startIndex=4&count=3")).groups).toEqual([
        expect.objectContaining({ value: group, display: "app-paged" }),
      ]);
    } finally {
      await server.stop();
    }
  });
});

/** Engine settings for driving executeBatch directly. */
const ENGINE = {
  moverGraceHours: 0,
  retryLimit: 3,
  retrySeconds: 1,
  breakerWindowMinutes: 60,
  batchSize: 200,
  concurrency: 8,
};

/** Leaver steps as a runner claims them: a disable, or a revoke of `group`. */
function leaverStep(group: string) {
  let seq = 0;
  return (action: "disable" | "revoke", ref: string): RunnableStep => ({
    id: `step-${++seq}`,
    plan_id: "plan",
    seq,
    system_id: "system",
    action,
    account_id: null,
    account_ref: ref,
    entitlement_ref: action === "revoke" ? group : null,
    spec: {},
    state: "pending",
    attempts: 0,
    depends_on: null,
    dep_account_ref: null,
    person_id: null,
    reason: "leaver",
    hr_event_at: null,
  });
}

describe("scim-app disableMany", () => {
  const servers: TestScimServer[] = [];
  const connectors: Connector[] = [];
  const start = async (opts: Parameters<typeof startScimServer>[0] = {}) => {
    const server = await startScimServer(opts);
    servers.push(server);
    return server;
  };
  const connectTo = (server: TestScimServer, over: Partial<ScimAppConfigInput> = {}) => {
    const c = connect(server, over);
    connectors.push(c);
    return c;
  };
  const people = (server: TestScimServer, n: number) =>
    Array.from({ length: n }, () => server.addUser({ userName: `many-${randomUUID()}`, active: true }));
  /** The requests since `from`, with user ids left out. */
  const calls = (server: TestScimServer, from: number) =>
    server.requests
      .slice(from)
      .map(
        (r) =>
          `${r.method} ${r.path.replace(/^\/scim\/v2/, "").replace(/\/Users\/[^/?]+/, "/Users/:id")} ${r.status}`,
      );
  const active = (server: TestScimServer, ids: string[]) => ids.map((id) => server.users.get(id)?.active);

  afterAll(async () => {
    await Promise.allSettled(connectors.map((c) => c.close()));
    await Promise.allSettled(servers.map((s) => s.stop()));
  });

  it("with SCIM Bulk: one Bulk request, each operation's outcome reported for its own account", async () => {
    const server = await start();
    const c = connectTo(server);
    const ids = people(server, 5);
    // A record the app itself cannot read back, so it refuses to change it (400).
    const broken = server.addUser({ userName: `broken-${randomUUID()}`, active: true, emails: "not a list" });
    const gone = randomUUID();
    let from = server.requests.length;
    const refused = await c.disableMany!([...ids, gone, broken, ids[0]!]);
    expect([...refused.keys()].sort()).toEqual([gone, broken].sort());
    expect(refused.get(gone)).toMatchObject({ kind: "not_found", retryable: false });
    expect(refused.get(broken)).toMatchObject({ kind: "remote", retryable: false });
    expect(refused.get(broken)?.message).toMatch(/emails/);
    expect(active(server, ids)).toEqual(ids.map(() => false));
    expect(server.users.get(broken)?.active).toBe(true);
    expect(calls(server, from)).toEqual(["GET /ServiceProviderConfig 200", "POST /Bulk 200"]);

    // Idempotent, and the app's settings are read once per connector.
    from = server.requests.length;
    expect((await c.disableMany!(ids)).size).toBe(0);
    expect(active(server, ids)).toEqual(ids.map(() => false));
    expect(calls(server, from)).toEqual(["POST /Bulk 200"]);
  });

  it("keeps every Bulk request within the app's maxOperations and maxPayloadSize", async () => {
    const few = await start({ bulk: { maxOperations: 3 } });
    const ids = people(few, 7);
    let from = few.requests.length;
    expect((await connectTo(few).disableMany!(ids)).size).toBe(0);
    expect(active(few, ids)).toEqual(ids.map(() => false));
    expect(calls(few, from)).toEqual([
      "GET /ServiceProviderConfig 200",
      "POST /Bulk 200",
      "POST /Bulk 200",
      "POST /Bulk 200",
    ]);

    // About three operations fit in 700 bytes; the server answers 413 to a larger request.
    const small = await start({ bulk: { maxPayloadSize: 700 } });
    const more = people(small, 7);
    from = small.requests.length;
    expect((await connectTo(small).disableMany!(more)).size).toBe(0);
    expect(active(small, more)).toEqual(more.map(() => false));
    const sent = calls(small, from);
    expect(sent.filter((x) => x.startsWith("POST /Bulk")).length).toBeGreaterThan(2);
    expect(sent.every((x) => x === "GET /ServiceProviderConfig 200" || x === "POST /Bulk 200")).toBe(true);
  });

  it("without SCIM Bulk: one PATCH per account, none read first", async () => {
    const server = await start({ bulk: false });
    const c = connectTo(server);
    const ids = people(server, 4);
    const gone = randomUUID();
    const from = server.requests.length;
    const refused = await c.disableMany!([...ids, gone]);
    expect([...refused.keys()]).toEqual([gone]);
    expect(refused.get(gone)).toMatchObject({ kind: "not_found", retryable: false });
    expect(active(server, ids)).toEqual(ids.map(() => false));
    const sent = calls(server, from);
    expect(sent[0]).toBe("GET /ServiceProviderConfig 200");
    expect(sent.slice(1).sort()).toEqual(
      [...ids.map(() => "PATCH /Users/:id 200"), "PATCH /Users/:id 404"].sort(),
    );
    // The server refuses Bulk requests as it says it would.
    const res = await fetch(`${server.baseUrl}/Bulk`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        Operations: [],
      }),
    });
    expect(res.status).toBe(501);
    expect((await connectTo(server).disableMany!(ids)).size).toBe(0);
  });

  it("waits out a 429 on the Bulk request as on any request, within its bounds", async () => {
    const server = await start();
    const c = connectTo(server);
    const ids = people(server, 3);
    await c.disableMany!(people(server, 1)); // the app's settings are read now
    server.throttle(1, 1);
    let from = server.requests.length;
    expect((await c.disableMany!(ids)).size).toBe(0);
    expect(calls(server, from)).toEqual(["POST /Bulk 429", "POST /Bulk 200"]);
    expect(active(server, ids)).toEqual([false, false, false]);

    // More 429s than retries: the call fails as a whole, rate_limited with the app's wait.
    const impatient = connectTo(server, { rateLimit: { maxRetries: 0 } });
    await impatient.disableMany!(people(server, 1));
    const more = people(server, 2);
    server.throttle(1, 1);
    from = server.requests.length;
    const e = await connectorFailure(impatient.disableMany!(more));
    expect(e).toMatchObject({ kind: "rate_limited", retryable: true, retryAfterMs: 1000 });
    expect(calls(server, from)).toEqual(["POST /Bulk 429"]);

    // A Retry-After beyond maxWaitSeconds is not waited for at all.
    server.throttle(1, 3600);
    from = server.requests.length;
    expect(await connectorFailure(c.disableMany!(more))).toMatchObject({
      kind: "rate_limited",
      retryAfterMs: 3_600_000,
    });
    expect(calls(server, from)).toEqual(["POST /Bulk 429"]);
    expect(active(server, more)).toEqual([true, true]);
  });

  it("the engine sends a batch's disables and revokes in one call each, and verifies every step", async () => {
    const server = await start();
    const group = server.addGroup("app-leavers");
    const c = connectTo(server);
    const ids = people(server, 3);
    for (const id of ids) await c.grant(id, group);
    const gone = randomUUID();
    const step = leaverStep(group);
    const steps = [...ids.flatMap((id) => [step("revoke", id), step("disable", id)]), step("disable", gone)];
    const from = server.requests.length;
    const outcomes = await executeBatch(c, steps, ENGINE);
    expect(outcomes.map((o) => [o.step.id, o.state, o.error]).sort()).toEqual(
      steps.map((s) => [s.id, "verified", null]).sort(),
    );
    expect(active(server, ids)).toEqual([false, false, false]);
    expect(server.groups.get(group)?.members).toEqual([]);
    const writes = calls(server, from).filter((x) => !x.startsWith("GET"));
    expect(writes).toEqual(["POST /Bulk 200", `PATCH /Groups/${group} 200`]);
  });

  it("disables first: when the group change then gets no answer, the disables are still verified", async () => {
    const server = await start();
    const group = server.addGroup("app-slow");
    const c = connectTo(server);
    const ids = people(server, 3);
    for (const id of ids) await c.grant(id, group);
    const step = leaverStep(group);
    const steps = ids.flatMap((id) => [step("revoke", id), step("disable", id)]);
    // The group's PATCH is dropped unanswered (every attempt the client makes).
    server.dropNext(10, (method, path) => method === "PATCH" && path.includes("/Groups/"));
    const outcomes = await executeBatch(c, steps, ENGINE);
    const byAction = (a: string) => outcomes.filter((o) => o.step.action === a);
    expect(byAction("disable").map((o) => o.state)).toEqual(["verified", "verified", "verified"]);
    expect(active(server, ids)).toEqual([false, false, false]);
    for (const o of byAction("revoke")) {
      expect(o.state).toBe("pending");
      expect(o.error).toMatch(/not attempted|answer|connection/i);
    }
    expect(
      server.groups
        .get(group)
        ?.members.map((m) => m.value)
        .sort(),
    ).toEqual([...ids].sort());
  });
});

describe("scim-app TLS and transport", () => {
  let tls: TestScimServer;
  beforeAll(async () => {
    tls = await startScimServer({ tls: true });
  });
  afterAll(async () => {
    await tls?.stop();
  });

  it("refuses an untrusted certificate and trusts a given CA", async () => {
    expect(tls.baseUrl).toMatch(/^https:/);
    const strict = connect(tls);
    const trusting = connect(tls, { tls: { ca: tls.certificatePem! } });
    try {
      const r = await strict.testConnection();
      expect(r).toMatchObject({ ok: false, kind: "invalid_config" });
      expect(r.detail).toMatch(/certificate/);
      expect((await connectorFailure(strict.getAccount("x"))).kind).toBe("invalid_config");
      expect(await trusting.testConnection()).toMatchObject({ ok: true });
      const a = await trusting.createAccount({
        username: "tls-person",
        email: "tls@example.test",
        displayName: "TLS Person",
        employeeNumber: "T-1",
        enabled: true,
      });
      expect(tls.users.get(a.externalId)?.userName).toBe("tls-person");
    } finally {
      await strict.close();
      await trusting.close();
    }
  });

  it("does not follow a redirect (the token stays with the configured host)", async () => {
    let leaked = 0;
    const elsewhere = http.createServer((_req, res) => {
      leaked++;
      res.end("{}");
    });
    const redirecting = http.createServer((_req, res) => {
      const { port } = elsewhere.address() as AddressInfo;
      res.writeHead(307, { location: `http://localhost:${port}/scim/v2/Users` }).end();
    });
    await new Promise<void>((r) => elsewhere.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => redirecting.listen(0, "127.0.0.1", r));
    const { port } = redirecting.address() as AddressInfo;
    const c = instantiate(
      scimAppConnector,
      { baseUrl: `http://127.0.0.1:${port}/scim/v2` },
      { bearerToken: "t" },
    );
    try {
      const e = await connectorFailure(collect(c.listAccounts()));
      expect(e.kind).toBe("invalid_config");
      expect(e.message).toMatch(/redirect/);
      expect(leaked).toBe(0);
    } finally {
      await c.close();
      await new Promise((r) => redirecting.close(r));
      await new Promise((r) => elsewhere.close(r));
    }
  });
});

describe("scim-app settings", () => {
  const bad = (config: unknown, secrets: Record<string, string> = { bearerToken: "t" }) => {
    try {
      instantiate(scimAppConnector, config, secrets);
    } catch (err) {
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).kind).toBe("invalid_config");
      return (err as ConnectorError).message;
    }
    throw new Error("expected the settings to be refused");
  };

  it("names the field that is wrong", () => {
    expect(bad({ baseUrl: "http://scim.example.com/v2" })).toMatch(/baseUrl: URL http:\/\/ is allowed only/);
    expect(bad({ baseUrl: "ftp://x" })).toMatch(/baseUrl: URL must start with https/);
    expect(bad({ baseUrl: "https://app.example.com/scim", groups: { filter: "displayName sw" } })).toMatch(
      /groups\.filter: must be a SCIM filter/,
    );
    expect(
      bad({
        baseUrl: "https://app.example.com/scim",
        matchAttribute: "employeeNumber",
        enterpriseExtension: false,
      }),
    ).toMatch(/matchAttribute: employeeNumber needs enterpriseExtension/);
    expect(bad({ baseUrl: "https://app.example.com/scim", rateLimit: { maxRetries: 50 } })).toMatch(
      /rateLimit\.maxRetries/,
    );
    expect(bad({ baseUrl: "https://app.example.com/scim" }, {})).toMatch(/secret bearerToken is not set/);
  });

  it("fills safe defaults: TLS verified, match by userName, groups from the user", () => {
    const c = scimAppConnector.configSchema.parse({ baseUrl: "https://app.example.com/scim/v2" });
    expect(c).toMatchObject({
      tls: { verify: true },
      matchAttribute: "userName",
      enterpriseExtension: true,
      groups: { membership: "user" },
      rateLimit: { maxRetries: 3, maxWaitSeconds: 30 },
    });
  });
});
