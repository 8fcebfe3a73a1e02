/**
 * A real OpenLDAP slapd for tests: a throw-away directory on 127.0.0.1 with an ephemeral
 * port, the mdb backend, the ppolicy overlay (with a default policy, so an administrative
 * lock stops binds) and the lastbind overlay (authTimestamp), seeded with
 * ou=people, ou=groups, ou=disabled and a few groups.
 *
 * Needs Debian's packages slapd and ldap-utils (CI installs them).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "ldapts";

export const SLAPD_SUFFIX = "dc=tandem,dc=test";

const SLAPD_CANDIDATES = [process.env.TANDEM_SLAPD, "/usr/sbin/slapd"].filter(Boolean) as string[];
const MODULE_DIRS = ["/usr/lib/ldap", "/usr/lib/x86_64-linux-gnu/ldap", "/usr/lib/aarch64-linux-gnu/ldap"];
const SCHEMA_DIR = "/etc/ldap/schema";
const MISSING = "Debian packages: slapd, ldap-utils (apt-get install -y slapd ldap-utils)";

export interface SlapdOptions {
  /**
   * Add Active Directory's sAMAccountName, userAccountControl and lastLogonTimestamp and an
   * auxiliary class `tandemAdAccount` carrying them, so AD-style accounts can be written
   * to inetOrgPerson entries.
   */
  adSchema?: boolean;
  /** Also listen on ldaps:// with a fresh self-signed certificate for 127.0.0.1 (uses openssl). */
  tls?: boolean;
  /** Groups to create in ou=groups (cn values); default engineering, finance, vpn. */
  groups?: string[];
}

export interface TestSlapd {
  url: string;
  /** With `tls`: the ldaps:// URL and the certificate (PEM) to trust. */
  ldapsUrl?: string;
  certificatePem?: string;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  peopleOu: string;
  groupsOu: string;
  disabledOu: string;
  /** cn → DN of the seeded groups. */
  groups: Record<string, string>;
  /** The DN every seeded group lists as a placeholder member (groupOfNames needs one). */
  placeholderDn: string;
  /** A client bound as the directory manager, for a test's own checks. */
  admin: () => Promise<Client>;
  stop: () => Promise<void>;
}

function findBinary(): string {
  const found = SLAPD_CANDIDATES.find((p) => fs.existsSync(p));
  if (!found)
    throw new Error(
      `OpenLDAP slapd was not found at ${SLAPD_CANDIDATES.join(", ")}. Install the ${MISSING}.`,
    );
  return found;
}

function findModuleDir(): string {
  const dir = MODULE_DIRS.find((d) => fs.existsSync(path.join(d, "back_mdb.so")));
  if (!dir)
    throw new Error(
      `slapd's modules (back_mdb.so) were not found in ${MODULE_DIRS.join(", ")}. Install the ${MISSING}.`,
    );
  return dir;
}

/** A port on 127.0.0.1 that nothing listens on (for "unreachable server" tests). */
export const unusedPort = () => freePort();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Test only: Active Directory's account attributes (with AD's OIDs) and an auxiliary class
 * that lets inetOrgPerson entries carry them.
 */
const AD_SCHEMA = `attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.1696 NAME 'lastLogonTimestamp'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.11.99.1 NAME 'tandemAdAccount'
  DESC 'Tandem test: Active Directory account attributes'
  SUP top AUXILIARY MAY ( sAMAccountName $ userAccountControl $ lastLogonTimestamp ) )
`;

function slapdConf(
  dir: string,
  moduleDir: string,
  password: string,
  opts: SlapdOptions,
  tls: boolean,
): string {
  const schemas = ["core", "cosine", "inetorgperson", "nis"];
  const lines = [
    ...schemas.map((s) => `include ${path.join(SCHEMA_DIR, `${s}.schema`)}`),
    ...(opts.adSchema ? [`include ${path.join(dir, "tandem-ad.schema")}`] : []),
    `modulepath ${moduleDir}`,
    "moduleload back_mdb",
    "moduleload ppolicy",
    "moduleload lastbind",
    `pidfile ${path.join(dir, "slapd.pid")}`,
    `argsfile ${path.join(dir, "slapd.args")}`,
    ...(tls
      ? [
          `TLSCertificateFile ${path.join(dir, "cert.pem")}`,
          `TLSCertificateKeyFile ${path.join(dir, "key.pem")}`,
        ]
      : []),
    "database mdb",
    "maxsize 67108864",
    `suffix "${SLAPD_SUFFIX}"`,
    `rootdn "cn=admin,${SLAPD_SUFFIX}"`,
    `rootpw ${password}`,
    `directory ${path.join(dir, "db")}`,
    "index objectClass,entryUUID eq",
    "index uid,mail,employeeNumber,member,uniqueMember eq",
    "overlay ppolicy",
    `ppolicy_default "cn=default,ou=policies,${SLAPD_SUFFIX}"`,
    "overlay lastbind",
    "",
  ];
  return lines.join("\n");
}

function makeCertificate(dir: string): string {
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
  } catch (err) {
    throw new Error(`openssl could not make a test certificate (Debian package: openssl): ${String(err)}`);
  }
  return fs.readFileSync(path.join(dir, "cert.pem"), "utf8");
}

async function waitForBind(
  url: string,
  dn: string,
  password: string,
  child: ChildProcess,
  stderr: () => string,
) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`slapd exited (${child.exitCode ?? child.signalCode}): ${stderr().slice(-2000)}`);
    }
    const c = new Client({ url, connectTimeout: 1000, timeout: 2000 });
    try {
      await c.bind(dn, password);
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`slapd did not accept a bind in time: ${String(err)}; ${stderr()}`);
    } finally {
      await c.unbind().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function seed(admin: Client, groups: string[], placeholderDn: string): Promise<Record<string, string>> {
  const add = (dn: string, attrs: Record<string, string | string[]>) => admin.add(dn, attrs);
  await add(SLAPD_SUFFIX, { objectClass: ["dcObject", "organization"], dc: "tandem", o: "Tandem test" });
  for (const ou of ["policies", "people", "groups", "disabled", "system"]) {
    await add(`ou=${ou},${SLAPD_SUFFIX}`, { objectClass: "organizationalUnit", ou });
  }
  await add(`cn=default,ou=policies,${SLAPD_SUFFIX}`, {
    objectClass: ["organizationalRole", "pwdPolicy"],
    cn: "default",
    pwdAttribute: "userPassword",
    pwdLockout: "TRUE",
  });
  await add(placeholderDn, { objectClass: "organizationalRole", cn: "placeholder" });
  const out: Record<string, string> = {};
  for (const cn of groups) {
    const dn = `cn=${cn},ou=groups,${SLAPD_SUFFIX}`;
    await add(dn, { objectClass: "groupOfNames", cn, description: `${cn} group`, member: placeholderDn });
    out[cn] = dn;
  }
  return out;
}

/** Starts a fresh slapd; call `stop()` in afterAll. */
export async function startSlapd(opts: SlapdOptions = {}): Promise<TestSlapd> {
  const binary = findBinary();
  const moduleDir = findModuleDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-slapd-"));
  fs.mkdirSync(path.join(dir, "db"));
  const bindPassword = randomBytes(12).toString("hex");
  const bindDn = `cn=admin,${SLAPD_SUFFIX}`;
  if (opts.adSchema) fs.writeFileSync(path.join(dir, "tandem-ad.schema"), AD_SCHEMA);
  const certificatePem = opts.tls ? makeCertificate(dir) : undefined;
  const conf = path.join(dir, "slapd.conf");
  fs.writeFileSync(conf, slapdConf(dir, moduleDir, bindPassword, opts, Boolean(opts.tls)), { mode: 0o600 });

  let child: ChildProcess | undefined;
  let url = "";
  let ldapsUrl: string | undefined;
  const cleanupOnExit = () => child?.kill("SIGKILL");
  process.once("exit", cleanupOnExit);
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      url = `ldap://127.0.0.1:${port}`;
      const listen = [`${url}/`];
      if (opts.tls) {
        ldapsUrl = `ldaps://127.0.0.1:${await freePort()}`;
        listen.push(`${ldapsUrl}/`);
      }
      let stderr = "";
      // -d 0 keeps slapd in the foreground (so it dies with the test) without debug output.
      child = spawn(binary, ["-h", listen.join(" "), "-f", conf, "-d", "0"], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      child.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      try {
        await waitForBind(url, bindDn, bindPassword, child, () => stderr);
        break;
      } catch (err) {
        await stopChild(child);
        // Another process may have taken the port between our probe and slapd's bind.
        if (attempt >= 3) throw err;
      }
    }
    const placeholderDn = `cn=placeholder,ou=system,${SLAPD_SUFFIX}`;
    const admin = async () => {
      const c = new Client({ url, timeout: 10_000 });
      await c.bind(bindDn, bindPassword);
      return c;
    };
    const seeder = await admin();
    let groups: Record<string, string>;
    try {
      groups = await seed(seeder, opts.groups ?? ["engineering", "finance", "vpn"], placeholderDn);
    } finally {
      await seeder.unbind();
    }
    const running = child!;
    return {
      url,
      ...(ldapsUrl ? { ldapsUrl } : {}),
      ...(certificatePem ? { certificatePem } : {}),
      bindDn,
      bindPassword,
      baseDn: SLAPD_SUFFIX,
      peopleOu: `ou=people,${SLAPD_SUFFIX}`,
      groupsOu: `ou=groups,${SLAPD_SUFFIX}`,
      disabledOu: `ou=disabled,${SLAPD_SUFFIX}`,
      groups,
      placeholderDn,
      admin,
      stop: async () => {
        await stopChild(running);
        process.removeListener("exit", cleanupOnExit);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child) await stopChild(child);
    process.removeListener("exit", cleanupOnExit);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
