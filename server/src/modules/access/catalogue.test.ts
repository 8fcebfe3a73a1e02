import { Writable } from "node:stream";
import type { Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../platform/log/index.js";
import {
  buildProfile,
  buildRole,
  buildSystem,
  countRows,
  entitlementId,
  ldapSystemInput,
  syncSystem,
} from "../../test/access.js";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { startSlapd, type TestSlapd } from "../../test/slapd.js";

/** The systems catalogue and access profiles against a real slapd: secrets, validation, reads. */

let h: TestApp;
let slapd: TestSlapd;
let admin: Client;
let sec: Awaited<ReturnType<TestApp["signedIn"]>>;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let logged = "";

beforeAll(async () => {
  slapd = await startSlapd();
  admin = await slapd.admin();
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logged += chunk.toString();
      cb();
    },
  });
  h = await startTestApp({}, { log: createLogger("trace", sink) });
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
});
afterAll(async () => {
  await admin?.unbind();
  await h?.close();
  await slapd?.stop();
});

async function addLdapUser(uid: string, extra: Record<string, string> = {}) {
  const dn = `uid=${uid},${slapd.peopleOu}`;
  await admin.add(dn, {
    objectClass: ["top", "person", "organizationalPerson", "inetOrgPerson"],
    uid,
    cn: uid,
    sn: uid,
    mail: `${uid}@corp.test`,
    ...extra,
  });
  return dn;
}

describe("who may use the catalogue", () => {
  it("401 anonymous, 403 for roles without access, read-only for auditors", async () => {
    expect((await h.client().get("/api/v1/access/systems")).statusCode).toBe(401);
    for (const role of ["employee", "hr", "legal", "manager"]) {
      const c = await h.signedIn([role]);
      const res = await c.get("/api/v1/access/systems");
      expect(res.statusCode, role).toBe(403);
      expect(res.json().code).toBe("auth.forbidden");
      expect((await c.post("/api/v1/access/systems", ldapSystemInput(slapd))).statusCode, role).toBe(403);
    }
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.get("/api/v1/access/systems")).statusCode).toBe(200);
    expect((await auditor.post("/api/v1/access/systems", ldapSystemInput(slapd))).statusCode).toBe(403);
    for (const role of ["it", "admin"]) {
      const c = await h.signedIn([role]);
      expect((await c.post("/api/v1/access/systems", ldapSystemInput(slapd))).statusCode, role).toBe(201);
    }
  });
});

describe("systems", () => {
  it("keeps secrets write-only: never in a response, the database in clear, the audit log or the logs", async () => {
    const sys = await buildSystem(sec, slapd);
    expect(sys.secretsSet).toEqual({ bindPassword: true });
    const read = await sec.get(`/api/v1/access/systems/${sys.id}`);
    const list = await sec.get("/api/v1/access/systems");
    for (const body of [JSON.stringify(sys), read.body, list.body]) {
      expect(body).not.toContain(slapd.bindPassword);
      expect(body).not.toMatch(/"bindPassword":\s*"/);
    }
    const rotated = await sec.patch(`/api/v1/access/systems/${sys.id}`, {
      secrets: { bindPassword: "another-password-entirely" },
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.body).not.toContain("another-password-entirely");
    const row = await h.t.db.query<{ secrets_enc: string }>("SELECT secrets_enc FROM systems WHERE id = $1", [
      sys.id,
    ]);
    expect(row.rows[0]?.secrets_enc).toMatch(/^v1\./);
    expect(row.rows[0]?.secrets_enc).not.toContain("another-password-entirely");
    const audit = await h.t.db.query<{ details: unknown }>("SELECT details FROM audit_log");
    expect(JSON.stringify(audit.rows)).not.toContain(slapd.bindPassword);
    expect(JSON.stringify(audit.rows)).not.toContain("another-password-entirely");
    expect(logged.length).toBeGreaterThan(0);
    expect(logged).not.toContain(slapd.bindPassword);
    expect(logged).not.toContain("another-password-entirely");
    // The rotated (wrong) password is what the connector now uses.
    const test = await sec.post(`/api/v1/access/systems/${sys.id}/test`);
    expect(test.json()).toMatchObject({ ok: false, kind: "auth" });
  });

  it("checks the config with the connector's schema: 400 naming the field, nothing written", async () => {
    const before = await countRows(h, "systems");
    const badUrl = await sec.post(
      "/api/v1/access/systems",
      ldapSystemInput(slapd, { config: { ...ldapSystemInput(slapd).config, url: "http://example.test" } }),
    );
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().code).toBe("access.invalid_config");
    expect(badUrl.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain(
      "body.config.url",
    );
    const { bindDn: _drop, ...noBind } = ldapSystemInput(slapd).config;
    const missing = await sec.post("/api/v1/access/systems", ldapSystemInput(slapd, { config: noBind }));
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain(
      "body.config.bindDn",
    );
    const type = await sec.post(
      "/api/v1/access/systems",
      ldapSystemInput(slapd, { connectorType: "telnet" }),
    );
    expect(type.statusCode).toBe(400);
    expect(type.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("body.connectorType");
    const secret = await sec.post(
      "/api/v1/access/systems",
      ldapSystemInput(slapd, { secrets: { bindPassword: "x", apiKey: "y" } }),
    );
    expect(secret.statusCode).toBe(400);
    expect(secret.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("body.secrets.apiKey");
    expect(await countRows(h, "systems")).toBe(before);
    const sys = await buildSystem(sec, slapd);
    const patch = await sec.patch(`/api/v1/access/systems/${sys.id}`, {
      config: { ...ldapSystemInput(slapd).config, disableMode: "move_ou", disabledOu: undefined },
    });
    expect(patch.statusCode).toBe(400);
    expect(patch.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain(
      "body.config.disabledOu",
    );
  });

  it("tests the connection against the real directory", async () => {
    const sys = await buildSystem(sec, slapd);
    const ok = await sec.post(`/api/v1/access/systems/${sys.id}/test`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true });
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.post(`/api/v1/access/systems/${sys.id}/test`)).statusCode).toBe(403);
  });

  it("reads accounts and groups into the actual state and links accounts to people by employee number or email", async () => {
    const sys = await buildSystem(sec, slapd, { name: "Main directory" });
    const byNumber = (
      await hr.post("/api/v1/people", {
        employeeNumber: "CAT-1",
        legalName: "Grace Number",
        workEmail: "grace.number@corp.test",
        status: "active",
      })
    ).json<{ id: string }>();
    const byMail = (
      await hr.post("/api/v1/people", {
        employeeNumber: "CAT-2",
        legalName: "Mary Mail",
        workEmail: "mary@corp.test",
        status: "active",
      })
    ).json<{ id: string }>();
    const dn = await addLdapUser("gnumber", { employeeNumber: "CAT-1" });
    await admin.modify(slapd.groups.vpn as string, [
      new (await import("ldapts")).Change({
        operation: "add",
        modification: new (await import("ldapts")).Attribute({ type: "member", values: [dn] }),
      }),
    ]);
    await addLdapUser("mary");
    await addLdapUser("orphan");
    const r = await syncSystem(sec, sys.id);
    expect(r).toMatchObject({ accounts: 3, entitlements: 3, linked: 2 });
    const accounts = (await sec.get(`/api/v1/access/systems/${sys.id}/accounts?limit=2`)).json<{
      items: { username: string; personId: string | null; entitlements: string[] }[];
      nextCursor: string | null;
    }>();
    expect(accounts.items).toHaveLength(2);
    const rest = await sec.get(`/api/v1/access/systems/${sys.id}/accounts?cursor=${accounts.nextCursor}`);
    const all = [...accounts.items, ...rest.json<{ items: typeof accounts.items }>().items];
    const by = (u: string) => all.find((a) => a.username === u);
    expect(by("gnumber")?.personId).toBe(byNumber.id);
    expect(by("gnumber")?.entitlements).toEqual([slapd.groups.vpn]);
    expect(by("mary")?.personId).toBe(byMail.id);
    expect(by("orphan")?.personId).toBeNull();
    const ents = (await sec.get(`/api/v1/access/systems/${sys.id}/entitlements`)).json<{
      items: { name: string }[];
    }>();
    expect(ents.items.map((e) => e.name).sort()).toEqual(["engineering", "finance", "vpn"]);
  });

  it("a read that fails or comes back empty keeps the accounts known before", async () => {
    const other = await startSlapd();
    try {
      const sys = await buildSystem(sec, other);
      const a = await other.admin();
      for (const uid of ["one", "two"]) {
        await a.add(`uid=${uid},${other.peopleOu}`, {
          objectClass: ["top", "person", "organizationalPerson", "inetOrgPerson"],
          uid,
          cn: uid,
          sn: uid,
        });
      }
      expect((await syncSystem(sec, sys.id)).accounts).toBe(2);
      for (const uid of ["one", "two"]) await a.del(`uid=${uid},${other.peopleOu}`);
      await a.unbind();
      const empty = await sec.post(`/api/v1/access/systems/${sys.id}/sync`);
      expect(empty.statusCode).toBe(502);
      expect(empty.json().code).toBe("access.sync_failed");
      expect((await sec.get(`/api/v1/access/systems/${sys.id}`)).json()).toMatchObject({
        accounts: 2,
        lastSyncError: expect.stringMatching(/no accounts/),
      });
      await other.stop();
      const down = await sec.post(`/api/v1/access/systems/${sys.id}/sync`);
      expect(down.statusCode).toBe(502);
      expect(down.json().code).toBe("access.system_unreachable");
      expect((await sec.get(`/api/v1/access/systems/${sys.id}`)).json()).toMatchObject({ accounts: 2 });
    } finally {
      await other.stop();
    }
  });

  it("deletes a system nothing depends on, refuses one a profile uses (409)", async () => {
    const loose = await buildSystem(sec, slapd);
    expect((await sec.delete(`/api/v1/access/systems/${loose.id}`)).statusCode).toBe(204);
    expect((await sec.get(`/api/v1/access/systems/${loose.id}`)).statusCode).toBe(404);
    const used = await buildSystem(sec, slapd);
    await buildProfile(sec, { name: `Uses ${used.id}`, entitlements: [{ systemId: used.id }] });
    const res = await sec.delete(`/api/v1/access/systems/${used.id}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("access.system_in_use");
  });
});

describe("access profiles", () => {
  it("gives a role an account and groups; unknown or foreign entitlements are refused naming them", async () => {
    const sys = await buildSystem(sec, slapd);
    await syncSystem(sec, sys.id);
    const other = await buildSystem(sec, slapd);
    await syncSystem(sec, other.id);
    const role = await buildRole(hr, "Platform engineer");
    const eng = await entitlementId(sec, sys.id, "engineering");
    const id = await buildProfile(sec, {
      name: "Platform engineers",
      jobRoleId: role,
      entitlements: [{ systemId: sys.id }, { systemId: sys.id, entitlementId: eng }],
    });
    const got = (await sec.get(`/api/v1/access/profiles/${id}`)).json<{
      jobRoleId: string;
      entitlements: { entitlementName: string | null }[];
    }>();
    expect(got.jobRoleId).toBe(role);
    expect(got.entitlements.map((e) => e.entitlementName)).toEqual([null, "engineering"]);

    const unknown = await sec.post("/api/v1/access/profiles", {
      name: "Broken",
      entitlements: [{ systemId: sys.id, entitlementId: "01JNOSUCHENTITLEMENT000000" }],
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe("access.unknown_entitlement");
    expect(unknown.json<{ errors: { path: string; message: string }[] }>().errors[0]).toMatchObject({
      path: "entitlements.0.entitlementId",
      message: expect.stringContaining("01JNOSUCHENTITLEMENT000000"),
    });
    const foreign = await sec.post("/api/v1/access/profiles", {
      name: "Foreign",
      entitlements: [{ systemId: other.id, entitlementId: eng }],
    });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json<{ errors: { message: string }[] }>().errors[0]?.message).toMatch(/another system/);
    const badRole = await sec.post("/api/v1/access/profiles", {
      name: "No role",
      jobRoleId: "01JNOSUCHROLE0000000000000",
      entitlements: [],
    });
    expect(badRole.statusCode).toBe(422);
    expect(badRole.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("jobRoleId");
    const dup = await sec.post("/api/v1/access/profiles", { name: "platform ENGINEERS", entitlements: [] });
    expect(dup.statusCode).toBe(409);
    expect(
      (await h.t.db.query("SELECT 1 FROM access_profiles WHERE name IN ('Broken','Foreign','No role')"))
        .rowCount,
    ).toBe(0);
  });
});
