import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
