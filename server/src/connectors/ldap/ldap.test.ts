import { Attribute, Change, Client, InvalidCredentialsError } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSlapd, type TestSlapd, unusedPort } from "../../test/slapd.js";
import { type ContractSetup, collect, connectorFailure, runConnectorContract } from "../contract.js";
import { type Connector, instantiate } from "../kit.js";
import { type LdapConfigInput, ldapConfigSchema, ldapConnector, uacChange, uacEnabled } from "./index.js";

const change = (operation: "add" | "delete" | "replace", type: string, value: string) =>
  new Change({ operation, modification: new Attribute({ type, values: [value] }) });
const replace = (type: string, value: string) => change("replace", type, value);

function configFor(slapd: TestSlapd, over: Partial<LdapConfigInput> = {}) {
  return ldapConfigSchema.parse({
    url: slapd.url,
    bindDn: slapd.bindDn,
    baseDn: slapd.baseDn,
    usersOu: slapd.peopleOu,
    groupsOu: slapd.groupsOu,
    disabledOu: slapd.disabledOu,
    ...over,
  });
}

function contractSetup(over: Partial<LdapConfigInput>, adSchema = false) {
  return async (): Promise<ContractSetup> => {
    const slapd = await startSlapd({ adSchema });
    const config = configFor(slapd, over);
    const connector = instantiate(ldapConnector, config, { bindPassword: slapd.bindPassword });
    return {
      connector,
      entitlementIds: [slapd.groups.engineering!, slapd.groups.vpn!],
      withBadCredentials: () =>
        instantiate(ldapConnector, config, { bindPassword: `${slapd.bindPassword}x` }),
      unreachable: async () =>
        instantiate(
          ldapConnector,
          { ...config, url: `ldap://127.0.0.1:${await unusedPort()}` },
          { bindPassword: "x" },
        ),
      cleanup: async () => {
        await connector.close();
        await slapd.stop();
      },
    };
  };
}

runConnectorContract("ldap on OpenLDAP (ppolicy)", contractSetup({ disableMode: "ppolicy" }));
runConnectorContract("ldap on OpenLDAP (move_ou)", contractSetup({ disableMode: "move_ou" }));
runConnectorContract(
  "ldap, Active Directory attributes (ad_uac, sAMAccountName, cn as RDN)",
  contractSetup(
    {
      disableMode: "ad_uac",
      userObjectClasses: ["top", "person", "organizationalPerson", "inetOrgPerson", "tandemAdAccount"],
      userFilter: "(objectClass=tandemAdAccount)",
      attributes: { rdn: "cn", username: "sAMAccountName", displayName: "displayName" },
    },
    true,
  ),
);

describe("ldap connector on a real slapd", () => {
  let slapd: TestSlapd;
  let admin: Client;
  let ldap: Connector;
  let moving: Connector;
  let n = 0;
  const spec = (username?: string) => {
    n++;
    return {
      username: username ?? `person${n}`,
      email: `person${n}@example.test`,
      displayName: `Test Person ${n}`,
      employeeNumber: `EMP-${n}`,
      enabled: true,
    };
  };
  const dnOf = async (c: Connector, id: string) => String((await c.getAccount(id))?.raw?.dn);
  const canBind = async (dn: string, password: string) => {
    const user = new Client({ url: slapd.url });
    try {
      await user.bind(dn, password);
      return true;
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return false;
      throw err;
    } finally {
      await user.unbind();
    }
  };
  const membersOf = async (group: string) => {
    const r = await admin.search(group, { scope: "base", attributes: ["member"] });
    const m = r.searchEntries[0]?.member;
    return (Array.isArray(m) ? m : [m]).map(String);
  };

  beforeAll(async () => {
    slapd = await startSlapd();
    admin = await slapd.admin();
    ldap = instantiate(ldapConnector, configFor(slapd), { bindPassword: slapd.bindPassword });
    moving = instantiate(ldapConnector, configFor(slapd, { disableMode: "move_ou" }), {
      bindPassword: slapd.bindPassword,
    });
  });
  afterAll(async () => {
    await ldap?.close();
    await moving?.close();
    await admin?.unbind();
    await slapd?.stop();
  });

  it("ppolicy: a disabled account shows the administrative lock and cannot bind; enabling lets it bind again", async () => {
    const a = await ldap.createAccount(spec());
    const dn = await dnOf(ldap, a.externalId);
    await admin.modify(dn, replace("userPassword", "s3cret-pass"));
    expect(await canBind(dn, "s3cret-pass")).toBe(true);
    // The lastbind overlay records the sign-in; it reads back as lastLoginAt.
    const seen = await ldap.getAccount(a.externalId);
    expect(Date.parse(String(seen?.lastLoginAt))).toBeGreaterThan(Date.now() - 3_600_000);

    await ldap.disableAccount(a.externalId);
    const off = await ldap.getAccount(a.externalId);
    expect(off).toMatchObject({ enabled: false, raw: { pwdAccountLockedTime: "000001010000Z" } });
    expect(await canBind(dn, "s3cret-pass")).toBe(false);

    await ldap.enableAccount(a.externalId);
    expect((await ldap.getAccount(a.externalId))?.enabled).toBe(true);
    expect(await canBind(dn, "s3cret-pass")).toBe(true);
  });

  it("move_ou: disabling moves the entry to the disabled OU and keeps its group memberships pointing at it", async () => {
    const a = await moving.createAccount(spec());
    const vpn = slapd.groups.vpn!;
    await moving.grant(a.externalId, vpn);
    const before = await dnOf(moving, a.externalId);
    expect(before.toLowerCase()).toContain("ou=people");

    await moving.disableAccount(a.externalId);
    const after = await dnOf(moving, a.externalId);
    expect(after.toLowerCase()).toBe(`uid=${a.username},${slapd.disabledOu}`.toLowerCase());
    const gone = await admin.search(slapd.peopleOu, { scope: "one", filter: `(uid=${a.username})` });
    expect(gone.searchEntries).toHaveLength(0);
    const members = (await membersOf(vpn)).map((m) => m.toLowerCase());
    expect(members).toContain(after.toLowerCase());
    expect(members).not.toContain(before.toLowerCase());
    expect(await moving.getAccount(a.externalId)).toMatchObject({ enabled: false, entitlements: [vpn] });

    await moving.enableAccount(a.externalId);
    expect((await dnOf(moving, a.externalId)).toLowerCase()).toBe(before.toLowerCase());
    expect(await moving.getAccount(a.externalId)).toMatchObject({ enabled: true, entitlements: [vpn] });
  });

  it("escapes filter values: a username full of filter syntax matches only itself", async () => {
    const plain = await ldap.createAccount(spec());
    const evil = await ldap.createAccount(spec("*)(uid=*"));
    expect(evil.externalId).not.toBe(plain.externalId);
    expect(evil.username).toBe("*)(uid=*");
    expect(await ldap.findAccount({ username: "*" })).toBeNull();
    expect((await ldap.findAccount({ username: "*)(uid=*" }))?.externalId).toBe(evil.externalId);
    expect(await ldap.findAccount({ email: "*)(|(mail=*" })).toBeNull();
    // A second call links rather than matching some other account through a wildcard.
    expect((await ldap.createAccount(spec("*)(uid=*"))).externalId).toBe(evil.externalId);
  });

  it("escapes DN values: commas, plus, quotes, backslashes and # stay inside the RDN", async () => {
    const names = ["doe, john", "a+b=c", 'say "hi"; <ok>', "back\\slash", "ends\\", "#hash", "x,ou=people"];
    for (const username of names) {
      const a = await moving.createAccount(spec(username));
      expect(a.username).toBe(username);
      const dn = await dnOf(moving, a.externalId);
      // The entry sits directly in ou=people: its own RDN swallowed every special character.
      const direct = await admin.search(slapd.peopleOu, {
        scope: "one",
        filter: "(objectClass=inetOrgPerson)",
      });
      expect(direct.searchEntries.map((e) => e.dn.toLowerCase())).toContain(dn.toLowerCase());
      // And it survives a move (modifyDN splits the new DN on commas).
      await moving.grant(a.externalId, slapd.groups.finance!);
      await moving.disableAccount(a.externalId);
      expect(await moving.getAccount(a.externalId)).toMatchObject({
        username,
        enabled: false,
        entitlements: [slapd.groups.finance],
      });
      await moving.enableAccount(a.externalId);
      expect((await moving.getAccount(a.externalId))?.enabled).toBe(true);
    }
  });

  it("refuses entitlements outside groupsOu, and names that are not DNs", async () => {
    const a = await ldap.createAccount(spec());
    for (const bad of [
      `cn=admin,${slapd.baseDn}`,
      slapd.groupsOu,
      "not a dn",
      `cn=x)(member=*,${slapd.baseDn}`,
    ]) {
      expect((await connectorFailure(ldap.grant(a.externalId, bad))).kind).toBe("not_found");
    }
    const missing = `cn=nosuch,${slapd.groupsOu}`;
    expect((await connectorFailure(ldap.grant(a.externalId, missing))).kind).toBe("not_found");
  });

  it("deleting an account takes it out of its groups first", async () => {
    const a = await ldap.createAccount(spec());
    await ldap.grant(a.externalId, slapd.groups.finance!);
    const dn = await dnOf(ldap, a.externalId);
    await ldap.deleteAccount(a.externalId);
    expect((await membersOf(slapd.groups.finance!)).map((m) => m.toLowerCase())).not.toContain(
      dn.toLowerCase(),
    );
  });

  it("revoking the last member of a groupOfNames fails with a clear message and changes nothing", async () => {
    const a = await ldap.createAccount(spec());
    const g = slapd.groups.engineering!;
    await ldap.grant(a.externalId, g);
    await admin.modify(g, change("delete", "member", slapd.placeholderDn));
    try {
      const e = await connectorFailure(ldap.revoke(a.externalId, g));
      expect(e.kind).toBe("remote");
      expect(e.message).toMatch(/placeholder member/);
      expect((await ldap.getAccount(a.externalId))?.entitlements).toEqual([g]);
    } finally {
      await admin.modify(g, change("add", "member", slapd.placeholderDn));
    }
  });

  it("finding an account by a field two accounts share is a conflict, not a guess", async () => {
    const a = await ldap.createAccount({ ...spec(), email: "shared@example.test" });
    // Creating through the connector would link to the first account; a second entry with the
    // same mail arrives some other way.
    await admin.add(`uid=twin${n},${slapd.peopleOu}`, {
      objectClass: "inetOrgPerson",
      uid: `twin${n}`,
      cn: "Twin",
      sn: "Twin",
      mail: "shared@example.test",
    });
    expect(
      (await connectorFailure(ldap.createAccount({ ...spec(), email: "shared@example.test" }))).kind,
    ).toBe("conflict");
    expect((await ldap.findAccount({ username: a.username }))?.externalId).toBe(a.externalId);
    const e = await connectorFailure(ldap.findAccount({ email: "shared@example.test" }));
    expect(e.kind).toBe("conflict");
  });

  it("a listing that loses the server part-way throws; it never ends as a shorter list", async () => {
    const own = await startSlapd();
    const c = instantiate(ldapConnector, configFor(own), { bindPassword: own.bindPassword });
    try {
      for (let i = 0; i < 30; i++) await c.createAccount(spec(`pager${i}`));
      const seen: string[] = [];
      const e = await connectorFailure(
        (async () => {
          for await (const a of c.listAccounts({ pageSize: 5 })) {
            seen.push(a.externalId);
            if (seen.length === 5) await own.stop();
          }
        })(),
      );
      expect(e.kind).toBe("unreachable");
      expect(e.retryable).toBe(true);
      expect(seen.length).toBeLessThan(30);
    } finally {
      await c.close();
      await own.stop();
    }
  });
});

describe("Active Directory userAccountControl", () => {
  it("sets and clears only bit 2 (ACCOUNTDISABLE), keeping every other flag", () => {
    expect(uacChange("512", false)).toEqual({ value: "514", enabled: false });
    expect(uacChange("514", true)).toEqual({ value: "512", enabled: true });
    // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD (0x10200) keeps its password flag.
    expect(uacChange("66048", false).value).toBe(String(0x10202));
    expect(uacChange(0x10202, true).value).toBe(String(0x10200));
    // Already in the wanted state: nothing to write.
    expect(uacChange("514", false).value).toBeNull();
    expect(uacChange("512", true).value).toBeNull();
    // Unknown current value: start from NORMAL_ACCOUNT.
    expect(uacChange(undefined, false).value).toBe("514");
    expect(uacChange("garbage", true).value).toBe("512");
    expect(uacEnabled("512")).toBe(true);
    expect(uacEnabled("514")).toBe(false);
    expect(uacEnabled(String(0x10202))).toBe(false);
  });

  it("writes userAccountControl over the wire and keeps the other flags (slapd with AD attributes)", async () => {
    const slapd = await startSlapd({ adSchema: true });
    const c = instantiate(
      ldapConnector,
      configFor(slapd, {
        disableMode: "ad_uac",
        userObjectClasses: ["top", "person", "organizationalPerson", "inetOrgPerson", "tandemAdAccount"],
        attributes: { rdn: "cn", username: "sAMAccountName", displayName: "displayName" },
      }),
      { bindPassword: slapd.bindPassword },
    );
    const admin = await slapd.admin();
    try {
      const a = await c.createAccount({
        username: "jdoe",
        email: "jdoe@example.test",
        displayName: "Jane Doe",
        employeeNumber: "E1",
        enabled: true,
      });
      const dn = String(a.raw?.dn);
      expect(dn.toLowerCase()).toBe(`cn=jane doe,${slapd.peopleOu}`);
      const uac = async () =>
        String((await admin.search(dn, { scope: "base" })).searchEntries[0]?.userAccountControl);
      expect(await uac()).toBe("512");
      await admin.modify(dn, replace("userAccountControl", "66048"));
      await c.disableAccount(a.externalId);
      expect(await uac()).toBe(String(0x10202));
      expect((await c.getAccount(a.externalId))?.enabled).toBe(false);
      await c.enableAccount(a.externalId);
      expect(await uac()).toBe(String(0x10200));
      expect((await collect(c.listAccounts())).find((x) => x.externalId === a.externalId)?.enabled).toBe(
        true,
      );
    } finally {
      await admin.unbind();
      await c.close();
      await slapd.stop();
    }
  });
});
