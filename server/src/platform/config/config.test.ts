import { randomBytes } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./index.js";

/** Loads the config and returns the ConfigError it throws (failing the test if none). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe("loadConfig", () => {
  it("has working defaults with an empty environment", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      TANDEM_HOST: "127.0.0.1",
      TANDEM_PORT: 3000,
      TANDEM_LOG_LEVEL: "info",
      TANDEM_SESSION_TTL_HOURS: 12,
      TANDEM_SESSION_IDLE_MINUTES: 60,
      TANDEM_BODY_LIMIT_BYTES: 1048576,
      TANDEM_LOCKOUT_THRESHOLD: 5,
      TANDEM_LOCKOUT_MINUTES: 15,
      TANDEM_AUDIT_CHECKPOINT_MINUTES: 60,
      TANDEM_JOBS: true,
      publicUrl: "http://127.0.0.1:3000",
      secureCookies: false,
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.TANDEM_MASTER_KEY).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve("./data"));
    expect(c.auditSigningKeyFile).toBe(path.join(path.resolve("./data"), "audit-signing.key"));
  });

  it("treats empty variables as unset and ignores variables it does not know", () => {
    const c = loadConfig({ TANDEM_PORT: "", DATABASE_URL: "", TANDEM_SOMETHING_ELSE: "x", PATH: "/bin" });
    expect(c.TANDEM_PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it("parses and derives values", () => {
    const key = randomBytes(32).toString("base64");
    const c = loadConfig({
      TANDEM_DATA_DIR: "/srv/tandem",
      TANDEM_PORT: "8080",
      TANDEM_PUBLIC_URL: "https://tandem.example.test/",
      DATABASE_URL: "postgresql://tandem@db.example.test/tandem",
      TANDEM_MASTER_KEY: key,
      TANDEM_JOBS: "no",
      TANDEM_AUDIT_SIGNING_KEY_FILE: "/etc/tandem/signing.key",
      TANDEM_AUDIT_CHECKPOINT_SYSLOG: "tcp://logs.example.test:6514",
      TANDEM_OIDC_ISSUER: "https://idp.example.test",
      TANDEM_OIDC_CLIENT_ID: "tandem",
    });
    expect(c).toMatchObject({
      TANDEM_PORT: 8080,
      TANDEM_JOBS: false,
      TANDEM_MASTER_KEY: key,
      dataDir: "/srv/tandem",
      publicUrl: "https://tandem.example.test",
      secureCookies: true,
      auditSigningKeyFile: "/etc/tandem/signing.key",
    });
    expect(
      loadConfig({ TANDEM_PUBLIC_URL: "https://x.example.test", TANDEM_SECURE_COOKIES: "false" }),
    ).toMatchObject({ secureCookies: false });
    expect(loadConfig({ TANDEM_JOBS: "1" }).TANDEM_JOBS).toBe(true);
    expect(loadConfig({ TANDEM_HOST: "0.0.0.0", TANDEM_PORT: "0" }).publicUrl).toBe("http://0.0.0.0:0");
    expect(loadConfig({}, { TANDEM_JOBS: false }).TANDEM_JOBS).toBe(false);
  });

  it.each([
    ["TANDEM_PORT", "abc"],
    ["TANDEM_PORT", "70000"],
    ["TANDEM_PORT", "80.5"],
    ["TANDEM_PUBLIC_URL", "not a url"],
    ["DATABASE_URL", "mysql://db/tandem"],
    ["TANDEM_MASTER_KEY", "short"],
    ["TANDEM_MASTER_KEY", "A".repeat(44)],
    ["TANDEM_MASTER_KEY", randomBytes(24).toString("base64")],
    ["TANDEM_LOG_LEVEL", "loud"],
    ["TANDEM_SESSION_TTL_HOURS", "0"],
    ["TANDEM_SESSION_IDLE_MINUTES", "2"],
    ["TANDEM_SECURE_COOKIES", "maybe"],
    ["TANDEM_BODY_LIMIT_BYTES", "10"],
    ["TANDEM_LOCKOUT_THRESHOLD", "1"],
    ["TANDEM_LOCKOUT_MINUTES", "0"],
    ["TANDEM_RATE_LIMIT_PER_MINUTE", "0"],
    ["TANDEM_AUTH_RATE_LIMIT_PER_MINUTE", "-5"],
    ["TANDEM_AUDIT_CHECKPOINT_MINUTES", "-1"],
    ["TANDEM_AUDIT_CHECKPOINT_MINUTES", "5000"],
    ["TANDEM_AUDIT_CHECKPOINT_URL", "nowhere"],
    ["TANDEM_AUDIT_CHECKPOINT_SYSLOG", "logs.example.test:514"],
    ["TANDEM_OIDC_ISSUER", "idp"],
    ["TANDEM_OIDC_LABEL", "x".repeat(61)],
    ["TANDEM_JOBS", "sometimes"],
  ])("names %s when it is %j", (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
  });

  it("names every bad variable at once, in a message an operator can read", () => {
    try {
      loadConfig({ TANDEM_PORT: "abc", TANDEM_LOG_LEVEL: "loud", TANDEM_JOBS: "sometimes" });
      expect.unreachable();
    } catch (e) {
      const err = e as ConfigError;
      expect(err.name).toBe("ConfigError");
      expect(err.problems.map((p) => p.split(":")[0])).toEqual([
        "TANDEM_PORT",
        "TANDEM_LOG_LEVEL",
        "TANDEM_JOBS",
      ]);
      expect(err.message).toMatch(/^Invalid configuration:\n {2}- TANDEM_PORT: /);
      expect(err.message).toContain("\n  - TANDEM_LOG_LEVEL: ");
    }
  });

  it("refuses a half-configured OIDC sign-in", () => {
    const halves: Record<string, string>[] = [
      { TANDEM_OIDC_ISSUER: "https://idp.example.test" },
      { TANDEM_OIDC_CLIENT_ID: "tandem" },
      { TANDEM_OIDC_CLIENT_ID: "tandem", TANDEM_OIDC_CLIENT_SECRET: "s3cret" },
      { TANDEM_OIDC_CLIENT_SECRET: "s3cret" },
    ];
    for (const env of halves) {
      const problems = problemsOf(env);
      expect(problems[0]).toMatch(/TANDEM_OIDC_ISSUER and TANDEM_OIDC_CLIENT_ID must be set together/);
    }
    expect(problemsOf({ TANDEM_OIDC_CLIENT_SECRET: "s3cret" })[0]).toMatch(/TANDEM_OIDC_CLIENT_SECRET/);
    const ok = loadConfig({
      TANDEM_OIDC_ISSUER: "https://idp.example.test",
      TANDEM_OIDC_CLIENT_ID: "tandem",
      TANDEM_OIDC_CLIENT_SECRET: "s3cret",
    });
    expect(ok.TANDEM_OIDC_CLIENT_SECRET).toBe("s3cret");
  });
});
