import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app.js";
import { hashPassword, insertUser } from "../platform/auth/index.js";
import { loadConfig } from "../platform/config/index.js";
import { createLogger } from "../platform/log/index.js";
import { groupsOf, ldapEntry, ldapSystemInput } from "../test/access.js";
import { CliWorld } from "../test/cli.js";
import { TEST_PASSWORD, TestClient } from "../test/harness.js";
import { startSlapd, type TestSlapd } from "../test/slapd.js";

/** `tandem offboard` as an operator runs it, against a real slapd. */

const LOCK = "000001010000Z";

const world = new CliWorld("offboard", { TANDEM_AUDIT_CHECKPOINT_MINUTES: "0" });
let slapd: TestSlapd;
const person = { employeeNumber: "OFF-1", workEmail: "olive.off@corp.test" };
const tandem = (args: string[]) => world.run(args);

beforeAll(async () => {
  slapd = await startSlapd();
  await world.setup();
  // A Tandem with a directory, a profile and one person whose account exists.
  const t = await buildApp(loadConfig({ ...world.env(), TANDEM_JOBS: "false" }), {
    log: createLogger("silent"),
  });
  try {
    await insertUser(t.db, {
      email: "ops@corp.test",
      displayName: "ops",
      roles: ["admin", "hr", "security"],
      passwordHash: await hashPassword(TEST_PASSWORD),
    });
    const c = new TestClient(t);
    expect((await c.login("ops@corp.test", TEST_PASSWORD)).statusCode).toBe(200);
    const sys = (await c.post("/api/v1/access/systems", ldapSystemInput(slapd, { name: "Directory" }))).json<{
      id: string;
    }>();
    expect((await c.post(`/api/v1/access/systems/${sys.id}/sync`)).statusCode).toBe(200);
    const ents = (await c.get(`/api/v1/access/systems/${sys.id}/entitlements`)).json<{
      items: { id: string; name: string }[];
    }>();
    const vpn = ents.items.find((e) => e.name === "vpn")?.id;
    const profile = await c.post("/api/v1/access/profiles", {
      name: "Everyone",
      entitlements: [{ systemId: sys.id }, { systemId: sys.id, entitlementId: vpn }],
    });
    expect(profile.statusCode, profile.body).toBe(201);
    const p = await c.post("/api/v1/people", { ...person, legalName: "Olive Off", status: "active" });
    expect(p.statusCode, p.body).toBe(201);
    const applied = await c.post(`/api/v1/access/people/${p.json<{ id: string }>().id}/apply`, {});
    expect(applied.statusCode, applied.body).toBe(202);
    await t.access.drain();
  } finally {
    await t.close();
  }
}, 240_000);

afterAll(async () => {
  await slapd?.stop();
  await world.teardown();
});

describe("tandem offboard", () => {
  it("--dry-run shows the leaver plan and changes nothing; without it, revokes everything now", async () => {
    const admin = await slapd.admin();
    try {
      const before = await ldapEntry(admin, slapd, person.workEmail);
      expect(before).toBeTruthy();
      expect(await groupsOf(admin, slapd, before?.dn as string)).toEqual(["vpn"]);

      const dry = await tandem(["offboard", person.workEmail, "--dry-run"]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/Olive Off \(OFF-1, active\): leaver plan — dry run, nothing changed/);
      expect(dry.stdout).toMatch(/Directory\s+disable account/);
      expect(dry.stdout).toMatch(/Directory\s+revoke\s+vpn/);
      expect(dry.stdout).toMatch(/task for a person\s+Collect the laptop/);
      const still = await ldapEntry(admin, slapd, person.workEmail);
      expect(String(still?.pwdAccountLockedTime ?? "")).not.toBe(LOCK);

      const run = await tandem(["offboard", person.employeeNumber, "--reason", "walked out"]);
      expect(run.code, run.stderr + run.stdout).toBe(0);
      expect(run.stdout).toMatch(/access revoked now/);
      expect(run.stdout).toMatch(/disable account.*\[verified\]/);
      const after = await ldapEntry(admin, slapd, person.workEmail);
      expect(String(after?.pwdAccountLockedTime)).toBe(LOCK);
      expect(await groupsOf(admin, slapd, after?.dn as string)).toEqual([]);

      const unknown = await tandem(["offboard", "NOBODY-9", "--dry-run"]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/no person with employee number or email NOBODY-9/);
    } finally {
      await admin.unbind();
    }
  }, 240_000);
});
