import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unusedPort } from "../../test/slapd.js";
import { startWebhookSystem, type TestWebhookSystem } from "../../test/webhook-system.js";
import { type ContractSetup, collect, connectorFailure, runConnectorContract } from "../contract.js";
import { type Connector, ConnectorError, instantiate } from "../kit.js";
import { type WebhookConfigInput, webhookConnector } from "./index.js";

const connect = (system: TestWebhookSystem, over: Partial<WebhookConfigInput> = {}, secret = system.secret) =>
  instantiate(webhookConnector, { baseUrl: system.baseUrl, ...over }, { signingSecret: secret });

function contractSetup(over: Partial<WebhookConfigInput>) {
  return async (): Promise<ContractSetup> => {
    const system = await startWebhookSystem();
    const connector = connect(system, over);
    return {
      connector,
      entitlementIds: ["engineering", "vpn"],
      withBadCredentials: () => connect(system, over, `${system.secret}-wrong`),
      unreachable: async () =>
        instantiate(
          webhookConnector,
          { baseUrl: `http://127.0.0.1:${await unusedPort()}/tandem`, ...over },
          { signingSecret: "a-secret-of-enough-length" },
        ),
      cleanup: async () => {
        await connector.close();
        await system.stop();
      },
    };
  };
}

runConnectorContract("webhook on a signed HTTP system", contractSetup({}));
runConnectorContract(
  "webhook on a signed HTTP system, with session revocation",
  contractSetup({ revokeSessions: true }),
);

describe("webhook connector against a system that checks signatures", () => {
  let system: TestWebhookSystem;
  let hook: Connector;
  let n = 0;
  const spec = () => {
    n++;
    return {
      username: `hook${n}`,
      email: `hook${n}@example.test`,
      displayName: `Hook Person ${n}`,
      employeeNumber: `H-${n}`,
      enabled: true,
    };
  };
  const since = (from: number) => system.requests.slice(from);
  const posts = (from: number) => since(from).filter((r) => r.method === "POST");
  /** A request signed by hand, the way a custom system's own docs would show it. */
  const signedFetch = (
    method: "GET" | "POST",
    path: string,
    o: { body?: string; secret?: string; timestamp?: number; signedBody?: string; key?: string } = {},
  ) => {
    const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
    const url = new URL(`${system.baseUrl}${path}`);
    const text =
      method === "GET" ? `${ts}.GET ${url.pathname}${url.search}` : `${ts}.${o.signedBody ?? o.body}`;
    const sig = `sha256=${createHmac("sha256", o.secret ?? system.secret)
      .update(text)
      .digest("hex")}`;
    return fetch(url, {
      method,
      headers: {
        "x-tandem-timestamp": ts,
        "x-tandem-signature": sig,
        "content-type": "application/json",
        "idempotency-key": o.key ?? crypto.randomUUID(),
      },
      ...(o.body === undefined ? {} : { body: o.body }),
    });
  };

  beforeAll(async () => {
    system = await startWebhookSystem();
    hook = connect(system, { retry: { baseDelayMs: 50 } });
  });
  afterAll(async () => {
    await hook?.close();
    await system?.stop();
  });

  it("the system refuses unsigned, wrongly signed, tampered and stale requests", async () => {
    const a = await hook.createAccount(spec());
    const op = JSON.stringify({ operation: "disable", account: { id: a.externalId } });
    expect((await fetch(`${system.baseUrl}/accounts/${a.externalId}`)).status).toBe(401);
    expect((await signedFetch("GET", `/accounts/${a.externalId}`, { secret: "not-the-secret" })).status).toBe(
      401,
    );
    // A signature for one body does not carry another.
    const other = JSON.stringify({ operation: "enable", account: { id: a.externalId } });
    expect((await signedFetch("POST", "/operations", { body: op, signedBody: other })).status).toBe(401);
    expect(
      (
        await signedFetch("POST", "/operations", {
          body: op,
          timestamp: Math.floor(Date.now() / 1000) - 3600,
        })
      ).status,
    ).toBe(401);
    // A signed read does not open another URL.
    const res = await fetch(`${system.baseUrl}/entitlements`, {
      headers: Object.fromEntries(
        (() => {
          const ts = String(Math.floor(Date.now() / 1000));
          const text = `${ts}.GET /tandem/accounts/${a.externalId}`;
          return [
            ["x-tandem-timestamp", ts],
            [
              "x-tandem-signature",
              `sha256=${createHmac("sha256", system.secret).update(text).digest("hex")}`,
            ],
          ];
        })(),
      ),
    });
    expect(res.status).toBe(401);
    expect(system.accounts.get(a.externalId)?.enabled).toBe(true);
    // And the same request, rightly signed, is taken.
    expect((await signedFetch("POST", "/operations", { body: op })).status).toBe(200);
    expect(system.accounts.get(a.externalId)?.enabled).toBe(false);
  });

  it("sends one idempotency key per operation and keeps it across retries", async () => {
    const a = await hook.createAccount(spec());
    let from = system.requests.length;
    system.failNext(1, 503, undefined, "POST");
    await hook.grant(a.externalId, "vpn");
    const [failed, retried] = since(from).filter((r) => r.path.endsWith("/operations"));
    expect(failed?.status).toBe(503);
    expect(retried).toMatchObject({ status: 200, idempotencyKey: failed?.idempotencyKey });

    // The system did the work but its answer was lost: the retry is answered from its
    // idempotency cache, not applied twice.
    from = system.requests.length;
    system.loseNextAnswer();
    const made = await hook.createAccount(spec());
    const ops = posts(from);
    expect(ops.map((r) => r.status)).toEqual([502, 201]);
    expect(ops[1]).toMatchObject({ replayed: true, idempotencyKey: ops[0]?.idempotencyKey });
    expect([...system.accounts.values()].filter((x) => x.username === made.username)).toHaveLength(1);

    // Separate operations get separate keys.
    from = system.requests.length;
    await hook.disableAccount(a.externalId);
    await hook.enableAccount(a.externalId);
    const keys = posts(from).map((r) => r.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
  });

  it("retries 429 and 5xx a bounded number of times, and never a 4xx", async () => {
    const a = await hook.createAccount(spec());
    let from = system.requests.length;
    system.failNext(1, 429, 1);
    expect((await hook.getAccount(a.externalId))?.externalId).toBe(a.externalId);
    expect(since(from).map((r) => r.status)).toEqual([429, 200]);

    from = system.requests.length;
    system.failNext(10, 500);
    const e500 = await connectorFailure(hook.disableAccount(a.externalId));
    expect(e500).toMatchObject({ kind: "remote", retryable: true });
    expect(since(from).map((r) => r.status)).toEqual([500, 500, 500, 500]);
    system.failNext(0, 500);

    from = system.requests.length;
    system.failNext(1, 400);
    const e400 = await connectorFailure(hook.getAccount(a.externalId));
    expect(e400).toMatchObject({ kind: "remote", retryable: false });
    expect(since(from)).toHaveLength(1);

    from = system.requests.length;
    system.failNext(1, 429, 3600);
    const e429 = await connectorFailure(hook.getAccount(a.externalId));
    expect(e429).toMatchObject({ kind: "rate_limited", retryable: true, retryAfterMs: 3_600_000 });
    expect(since(from)).toHaveLength(1);
    expect((await hook.getAccount(a.externalId))?.enabled).toBe(true);
  });

  it("gives up on a system that does not answer within the timeout", async () => {
    const a = await hook.createAccount(spec());
    const quick = connect(system, { timeoutMs: 200 });
    try {
      system.stallNext(1500);
      const e = await connectorFailure(quick.getAccount(a.externalId));
      expect(e).toMatchObject({ kind: "unreachable", retryable: true });
      expect(e.message).toMatch(/timeout/);
    } finally {
      await quick.close();
    }
  });

  it("follows a redirect on the same host and refuses one to another host", async () => {
    const a = await hook.createAccount(spec());
    system.redirectNext(`${system.baseUrl}/accounts/${a.externalId}`);
    expect((await hook.getAccount("old-id"))?.externalId).toBe(a.externalId);

    let reached = 0;
    const elsewhere = http.createServer((_req, res) => {
      reached++;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((r) => elsewhere.listen(0, "127.0.0.1", r));
    try {
      const { port } = elsewhere.address() as AddressInfo;
      // localhost is another host name than 127.0.0.1, even on the same machine.
      system.redirectNext(`http://localhost:${port}/tandem/operations`, 308);
      const e = await connectorFailure(hook.disableAccount(a.externalId));
      expect(e.kind).toBe("invalid_config");
      expect(e.message).toMatch(/another host/);
      expect(reached).toBe(0);
      expect(system.accounts.get(a.externalId)?.enabled).toBe(true);
    } finally {
      await new Promise((r) => elsewhere.close(r));
    }
  });

  it("revokes sessions when the system has them", async () => {
    const withSessions = connect(system, { revokeSessions: true });
    try {
      const a = await withSessions.createAccount(spec());
      expect(withSessions.meta.capabilities.revokeSessions).toBe(true);
      await withSessions.revokeSessions!(a.externalId);
      expect(system.sessionsRevoked).toContain(a.externalId);
      expect(hook.revokeSessions).toBeUndefined();
    } finally {
      await withSessions.close();
    }
  });

  it("refuses an answer of the wrong shape instead of believing it", async () => {
    const bogus = http.createServer((_req, res) => {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ accounts: [{ id: "x" }] }));
    });
    await new Promise<void>((r) => bogus.listen(0, "127.0.0.1", r));
    const { port } = bogus.address() as AddressInfo;
    const c = instantiate(
      webhookConnector,
      { baseUrl: `http://127.0.0.1:${port}` },
      { signingSecret: "a-secret-of-enough-length" },
    );
    try {
      const e = await connectorFailure(collect(c.listAccounts()));
      expect(e.kind).toBe("remote");
      expect(e.message).toMatch(/accounts\.0\.username/);
    } finally {
      await c.close();
      await new Promise((r) => bogus.close(r));
    }
  });
});

describe("webhook TLS", () => {
  let system: TestWebhookSystem;
  beforeAll(async () => {
    system = await startWebhookSystem({ tls: true });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("refuses an untrusted certificate and trusts a given CA", async () => {
    const strict = connect(system);
    const trusting = connect(system, { tls: { ca: system.certificatePem! } });
    try {
      expect(await strict.testConnection()).toMatchObject({ ok: false, kind: "invalid_config" });
      expect(await trusting.testConnection()).toMatchObject({ ok: true });
      const a = await trusting.createAccount({
        username: "tls-hook",
        email: "tls-hook@example.test",
        displayName: "TLS Hook",
        employeeNumber: "TH-1",
        enabled: true,
      });
      expect(system.accounts.get(a.externalId)?.username).toBe("tls-hook");
    } finally {
      await strict.close();
      await trusting.close();
    }
  });
});

describe("webhook settings", () => {
  const refused = (
    config: unknown,
    secrets: Record<string, string> = { signingSecret: "a-secret-of-enough-length" },
  ) => {
    try {
      instantiate(webhookConnector, config, secrets);
    } catch (err) {
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).kind).toBe("invalid_config");
      return (err as ConnectorError).message;
    }
    throw new Error("expected the settings to be refused");
  };

  it("names the field that is wrong", () => {
    expect(refused({ baseUrl: "http://hooks.example.com" })).toMatch(
      /baseUrl: URL http:\/\/ is allowed only/,
    );
    expect(refused({ baseUrl: "https://hooks.example.com", timeoutMs: 5 })).toMatch(/timeoutMs/);
    expect(refused({ baseUrl: "https://hooks.example.com", retry: { maxRetries: -1 } })).toMatch(
      /retry\.maxRetries/,
    );
    expect(refused({ baseUrl: "https://hooks.example.com" }, {})).toMatch(/secret signingSecret is not set/);
    expect(refused({ baseUrl: "https://hooks.example.com" }, { signingSecret: "short" })).toMatch(
      /signingSecret must be at least 16/,
    );
  });

  it("verifies TLS by default", () => {
    expect(webhookConnector.configSchema.parse({ baseUrl: "https://hooks.example.com" }).tls.verify).toBe(
      true,
    );
  });
});
