import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSlapd, type TestSlapd } from "../../test/slapd.js";
import { connectorFailure } from "../contract.js";
import { ConnectorError, instantiate } from "../kit.js";
import { filetimeToIso, generalizedTimeToIso, guidFromBytes, guidToBytes } from "./attributes.js";
import { escapeDnValue, isWithin, leafRdn, normalizeDn, parseDn } from "./dn.js";
import { type LdapConfigInput, ldapConfigSchema, ldapConnector } from "./index.js";

const base: LdapConfigInput = {
  url: "ldaps://ldap.example.com",
  bindDn: "cn=tandem,ou=system,dc=example,dc=com",
  baseDn: "dc=example,dc=com",
  usersOu: "ou=people,dc=example,dc=com",
  groupsOu: "ou=groups,dc=example,dc=com",
};
const problem = (over: Record<string, unknown>) => {
  const r = ldapConfigSchema.safeParse({ ...base, ...over });
  return r.success ? null : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
};

describe("LDAP connector settings", () => {
  it("fills safe defaults: TLS verification on, ppolicy, entryUUID, OpenLDAP attribute names", () => {
    const c = ldapConfigSchema.parse(base);
    expect(c.tls.verify).toBe(true);
    expect(c.disableMode).toBe("ppolicy");
    expect(c.idAttribute).toBe("entryUUID");
    expect(c.membershipAttribute).toBe("member");
    expect(c.attributes).toMatchObject({
      rdn: "uid",
      username: "uid",
      email: "mail",
      employeeNumber: "employeeNumber",
    });
  });

  it("allows ldaps:// anywhere, ldap:// to another host only with StartTLS, and ldap:// on loopback", () => {
    expect(problem({})).toBeNull();
    expect(problem({ url: "ldap://ldap.example.com:389" })).toMatch(/^url: .*clear/);
    expect(problem({ url: "ldap://ldap.example.com:389", startTls: true })).toBeNull();
    expect(problem({ url: "ldap://ldap.example.com", allowPlaintext: true })).toBeNull();
    expect(problem({ url: "ldap://127.0.0.1:3890" })).toBeNull();
    expect(problem({ url: "ldaps://ldap.example.com", startTls: true })).toMatch(/^startTls/);
  });

  it("refuses other schemes, paths, and credentials in the URL", () => {
    expect(problem({ url: "http://ldap.example.com" })).toMatch(
      /^url: URL must start with ldap:\/\/ or ldaps:\/\//,
    );
    expect(problem({ url: "ldaps://ldap.example.com/dc=example,dc=com" })).toMatch(
      /scheme:\/\/host:port only/,
    );
    expect(problem({ url: "ldaps://admin:pw@ldap.example.com" })).toMatch(/credentials/);
    expect(problem({ url: "not a url" })).toMatch(/not a URL/);
  });

  it("checks DNs, their place under baseDn, and the disabled OU for move_ou", () => {
    expect(problem({ usersOu: "people" })).toMatch(/^usersOu: must be a distinguished name/);
    expect(problem({ groupsOu: "ou=groups,dc=other,dc=org" })).toMatch(/^groupsOu: must lie under baseDn/);
    expect(problem({ disableMode: "move_ou" })).toMatch(/^disabledOu: is needed/);
    expect(problem({ disableMode: "move_ou", disabledOu: "ou=old,ou=people,dc=example,dc=com" })).toMatch(
      /must not overlap/,
    );
    expect(problem({ disableMode: "move_ou", disabledOu: "ou=disabled,dc=example,dc=com" })).toBeNull();
  });

  it("refuses attribute names and filters that could smuggle in filter syntax", () => {
    expect(problem({ attributes: { username: "uid)(objectClass=*" } })).toMatch(/^attributes.username/);
    expect(problem({ userObjectClasses: ["inetOrgPerson)(x"] })).toMatch(/^userObjectClasses/);
    expect(problem({ userFilter: "(&(objectClass=person)" })).toMatch(/^userFilter/);
    expect(problem({ userFilter: "(&(objectCategory=person)(objectClass=user))" })).toBeNull();
  });

  it("instantiate() names the bad field and a missing secret as invalid_config", () => {
    const bad = (() => {
      try {
        instantiate(ldapConnector, { ...base, url: "ftp://x" }, { bindPassword: "x" });
      } catch (e) {
        return e;
      }
    })();
    expect(bad).toBeInstanceOf(ConnectorError);
    expect(bad).toMatchObject({ kind: "invalid_config", retryable: false });
    expect(String((bad as Error).message)).toMatch(/url/);
    expect(() => instantiate(ldapConnector, base, {})).toThrow(/bindPassword is not set/);
    expect(() => instantiate(ldapConnector, base, { bindPassword: "" })).toThrow(/bindPassword is not set/);
  });
});

describe("distinguished names", () => {
  it("escapes every special character of RFC 4514", () => {
    expect(escapeDnValue("doe, john")).toBe("doe\\, john");
    expect(escapeDnValue('a+b="c";<d>')).toBe('a\\+b\\=\\"c\\"\\;\\<d\\>');
    expect(escapeDnValue("back\\slash")).toBe("back\\5cslash");
    expect(escapeDnValue("#lead")).toBe("\\#lead");
    expect(escapeDnValue("mid#dle")).toBe("mid#dle");
    expect(escapeDnValue(" both ")).toBe("\\ both\\ ");
    expect(escapeDnValue("nul\0")).toBe("nul\\00");
  });

  it("parses what it escapes back to the same value", () => {
    for (const v of ["doe, john", "a+b=c", "back\\slash", "ends\\", "#x", " sp ", "é ü", 'q"uote']) {
      const [rdn] = parseDn(`uid=${escapeDnValue(v)},ou=people,dc=x`);
      expect(rdn).toEqual([{ type: "uid", value: v }]);
    }
  });

  it("compares DNs the way a directory does", () => {
    expect(normalizeDn("UID=Foo, OU=People,dc=X")).toBe(normalizeDn("uid=foo,ou=people,dc=x"));
    expect(normalizeDn("cn=a\\2cb,dc=x")).toBe(normalizeDn("cn=a\\,b,dc=x"));
    expect(normalizeDn("cn=a+sn=b,dc=x")).toBe(normalizeDn("sn=b+cn=a,dc=x"));
    expect(normalizeDn("cn=a\\,b,dc=x")).not.toBe(normalizeDn("cn=a,b=c,dc=x"));
    expect(isWithin("uid=a,ou=people,dc=x", "ou=People,dc=x")).toBe(true);
    expect(isWithin("uid=a,ou=people2,dc=x", "ou=people,dc=x")).toBe(false);
    expect(isWithin("cn=x\\,ou=people,dc=x", "ou=people,dc=x")).toBe(false);
    expect(leafRdn("uid=doe\\, john,ou=people,dc=x")).toBe("uid=doe\\, john");
    expect(() => parseDn("not a dn")).toThrow();
  });
});

describe("directory value conversions", () => {
  it("reads objectGUID bytes in Active Directory's mixed byte order, both ways", () => {
    const bytes = Buffer.from("67452301ab89efcd0123456789abcdef", "hex");
    expect(guidFromBytes(bytes)).toBe("01234567-89ab-cdef-0123-456789abcdef");
    expect(guidToBytes("01234567-89AB-CDEF-0123-456789ABCDEF").equals(bytes)).toBe(true);
  });

  it("reads Windows FILETIME and LDAP GeneralizedTime as ISO 8601 UTC", () => {
    expect(filetimeToIso("116444736000000000")).toBe("1970-01-01T00:00:00.000Z");
    expect(filetimeToIso("133500000000000000")).toBe("2024-01-17T21:20:00.000Z");
    expect(filetimeToIso("0")).toBeNull();
    expect(filetimeToIso("9223372036854775807")).toBeNull();
    expect(generalizedTimeToIso("20240102030405Z")).toBe("2024-01-02T03:04:05.000Z");
    expect(generalizedTimeToIso("20240102030405.25Z")).toBe("2024-01-02T03:04:05.250Z");
    expect(generalizedTimeToIso("yesterday")).toBeUndefined();
  });
});

describe("TLS against a real slapd", () => {
  let slapd: TestSlapd;
  beforeAll(async () => {
    slapd = await startSlapd({ tls: true });
  });
  afterAll(async () => {
    await slapd?.stop();
  });
  const connect = (over: Partial<LdapConfigInput>) =>
    instantiate(
      ldapConnector,
      {
        url: slapd.ldapsUrl,
        bindDn: slapd.bindDn,
        baseDn: slapd.baseDn,
        usersOu: slapd.peopleOu,
        groupsOu: slapd.groupsOu,
        ...over,
      },
      { bindPassword: slapd.bindPassword },
    );

  it("refuses a certificate it does not trust by default (ldaps://)", async () => {
    const c = connect({});
    try {
      expect(await c.testConnection()).toMatchObject({ ok: false, kind: "invalid_config" });
      const e = await connectorFailure(c.getAccount("00000000-0000-4000-8000-000000000000"));
      expect(e).toMatchObject({ kind: "invalid_config", retryable: false });
      expect(e.message).toMatch(/not trusted/);
    } finally {
      await c.close();
    }
  });

  it("works over ldaps:// with the server's CA given, and creates and reads an account", async () => {
    const c = connect({ tls: { ca: slapd.certificatePem } });
    try {
      expect(await c.testConnection()).toMatchObject({ ok: true });
      const a = await c.createAccount({
        username: "tls.user",
        email: "tls.user@example.test",
        displayName: "Tls User",
        employeeNumber: "T1",
        enabled: true,
      });
      expect(await c.getAccount(a.externalId)).toMatchObject({ username: "tls.user", enabled: true });
    } finally {
      await c.close();
    }
  });

  it("upgrades ldap:// with StartTLS, verifying the certificate", async () => {
    const trusted = connect({ url: slapd.url, startTls: true, tls: { ca: slapd.certificatePem } });
    const untrusted = connect({ url: slapd.url, startTls: true });
    try {
      expect(await trusted.testConnection()).toMatchObject({ ok: true });
      expect((await trusted.findAccount({ username: "tls.user" }))?.username).toBe("tls.user");
      expect(await untrusted.testConnection()).toMatchObject({ ok: false, kind: "invalid_config" });
    } finally {
      await trusted.close();
      await untrusted.close();
    }
  });
});
