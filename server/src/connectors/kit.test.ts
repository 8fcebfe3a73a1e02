import net from "node:net";
import { describe, expect, it } from "vitest";
import {
  ConnectorError,
  checkUrl,
  httpsUrlSchema,
  isLoopbackHost,
  tlsOptions,
  tlsSchema,
  transportError,
} from "./kit.js";

describe("connector kit", () => {
  it("ConnectorError: unreachable and rate_limited retry by default, the rest do not", () => {
    expect(new ConnectorError("unreachable", "x").retryable).toBe(true);
    expect(new ConnectorError("rate_limited", "x", { retryAfterMs: 2000 })).toMatchObject({
      retryable: true,
      retryAfterMs: 2000,
    });
    for (const kind of [
      "auth",
      "not_found",
      "conflict",
      "invalid_config",
      "unsupported",
      "remote",
    ] as const) {
      expect(new ConnectorError(kind, "x").retryable).toBe(false);
    }
    expect(new ConnectorError("remote", "x", { retryable: true }).retryable).toBe(true);
    expect(new ConnectorError("auth", "x")).toBeInstanceOf(Error);
  });

  it("knows loopback hosts", () => {
    for (const h of ["localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]", "api.localhost"]) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of [
      "example.com",
      "10.0.0.1",
      "128.0.0.1",
      "localhost.example.com",
      "127.0.0.1.example.com",
    ]) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });

  it("allows https anywhere and http only to this machine", () => {
    const https = { schemes: ["https"], loopbackOnly: ["http"] };
    expect(checkUrl("https://scim.example.com/v2", https)).toBeNull();
    expect(checkUrl("http://127.0.0.1:8080/scim", https)).toBeNull();
    expect(checkUrl("http://scim.example.com", https)).toMatch(/only for this machine/);
    expect(checkUrl("ftp://example.com", https)).toMatch(/must start with https:\/\/ or http:\/\//);
    expect(checkUrl("https://user:pw@example.com", https)).toMatch(/credentials/);
    expect(checkUrl("https://example.com/#x", https)).toMatch(/fragment/);
    expect(httpsUrlSchema().safeParse("http://localhost:3000").success).toBe(true);
    expect(httpsUrlSchema().safeParse("http://example.com").success).toBe(false);
  });

  it("verifies TLS unless told otherwise", () => {
    expect(tlsOptions(tlsSchema.parse(undefined))).toEqual({ rejectUnauthorized: true });
    expect(tlsOptions(tlsSchema.parse({ ca: "PEM", serverName: "ldap.internal" }))).toEqual({
      rejectUnauthorized: true,
      ca: "PEM",
      servername: "ldap.internal",
    });
    expect(tlsOptions(tlsSchema.parse({ verify: false })).rejectUnauthorized).toBe(false);
  });

  it("turns a refused connection into unreachable, and leaves other errors alone", async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const { port } = srv.address() as net.AddressInfo;
    await new Promise((r) => srv.close(r));
    const err = await new Promise<Error>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.on("error", resolve);
    });
    expect(transportError(err, "connect")).toMatchObject({ kind: "unreachable", retryable: true });
    expect(transportError(new Error("something else"), "connect")).toBeNull();
    expect(transportError(Object.assign(new Error("x"), { code: "CERT_HAS_EXPIRED" }), "tls")).toMatchObject({
      kind: "invalid_config",
    });
  });
});
