/**
 * The contract every connector passes against a real server it talks to. A connector's
 * test file calls `runConnectorContract(name, setup)`; `setup` starts (or points at) the
 * real peer and returns a connector bound to it.
 *
 * Test-only code: imported by *.test.ts files, never by the server.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type AccountSpec,
  type Connector,
  type ConnectorCapabilities,
  ConnectorError,
  type ConnectorErrorKind,
} from "./kit.js";

export interface ContractSetup {
  connector: Connector;
  /** Entitlements (at least one) the suite may grant and revoke on accounts it creates. */
  entitlementIds: string[];
  /** The same system, with a wrong password or token (needed unless `remote: false`). */
  withBadCredentials?: () => Connector | Promise<Connector>;
  /** The same kind of connector pointed at a closed port on 127.0.0.1 (needed unless `remote: false`). */
  unreachable?: () => Connector | Promise<Connector>;
  /** Stops the peer and closes `connector`. */
  cleanup: () => Promise<void>;
}

/** The error `p` rejects with; fails the test when it resolves or throws something else. */
export async function connectorFailure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorError);
    return err as ConnectorError;
  }
  throw new Error("expected the operation to fail with a ConnectorError, but it succeeded");
}

export async function collect(accounts: AsyncIterable<Account>): Promise<Account[]> {
  const out: Account[] = [];
  for await (const a of accounts) out.push(a);
  return out;
}

export interface ContractOptions {
  /**
   * The connector reaches its system over a network with credentials (default true). A
   * connector without a remote peer (manual tasks done by people) sets false: the checks
   * for refused credentials and a closed port do not apply to it and are not registered.
   */
  remote?: boolean;
}

/** Registers the contract suite for one connector. */
export function runConnectorContract(
  name: string,
  setup: () => Promise<ContractSetup>,
  options: ContractOptions = {},
): void {
  describe(`connector contract: ${name}`, () => {
    let s: ContractSetup;
    let c: Connector;
    let caps: ConnectorCapabilities;
    const run = randomBytes(4).toString("hex");
    let n = 0;
    const spec = (over: Partial<AccountSpec> = {}): AccountSpec => {
      n++;
      return {
        username: `ct${run}u${n}`,
        email: `ct${run}.u${n}@example.test`,
        displayName: `Contract Person${n}`,
        employeeNumber: `E${run}-${n}`,
        givenName: "Contract",
        familyName: `Person${n}`,
        enabled: true,
        ...over,
      };
    };
    const count = async () => (await collect(c.listAccounts())).length;
    const read = async (id: string) => {
      const a = await c.getAccount(id);
      expect(a, `account ${id} reads back`).not.toBeNull();
      return a!;
    };
    const unsupported = async (p: Promise<unknown>) =>
      expect((await connectorFailure(p)).kind).toBe("unsupported");

    beforeAll(async () => {
      s = await setup();
      c = s.connector;
      caps = c.meta.capabilities;
      expect(s.entitlementIds.length).toBeGreaterThan(0);
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    it("declares its type, label and capabilities", () => {
      expect(c.meta.type).toMatch(/^[a-z][a-z0-9_-]*$/);
      expect(c.meta.label.length).toBeGreaterThan(0);
      for (const key of [
        "create",
        "update",
        "disable",
        "delete",
        "grant",
        "revoke",
        "revokeSessions",
      ] as const) {
        expect(typeof caps[key]).toBe("boolean");
      }
      expect(caps.create).toBe(true);
      expect(typeof c.revokeSessions === "function").toBe(caps.revokeSessions);
    });

    it("testConnection succeeds with the right settings", async () => {
      const r = await c.testConnection();
      expect(r.detail.length).toBeGreaterThan(0);
      expect(r).toMatchObject({ ok: true });
    });

    it("creates an account and reads it back", async () => {
      const want = spec();
      const made = await c.createAccount(want);
      expect(made.externalId.length).toBeGreaterThan(0);
      const got = await read(made.externalId);
      expect(got).toMatchObject({
        externalId: made.externalId,
        username: want.username,
        email: want.email,
        displayName: want.displayName,
        employeeNumber: want.employeeNumber,
        enabled: true,
        entitlements: [],
      });
    });

    it("creates an account disabled when the spec says so", async () => {
      const made = await c.createAccount(spec({ enabled: false }));
      expect((await read(made.externalId)).enabled).toBe(false);
    });

    it("creating an existing account links to it: same externalId, no twin", async () => {
      const want = spec();
      const first = await c.createAccount(want);
      const before = await count();
      const again = await c.createAccount(want);
      expect(again.externalId).toBe(first.externalId);
      expect(await count()).toBe(before);
      // Found by each identifying field alone.
      for (const match of [
        { username: want.username },
        { email: want.email },
        { employeeNumber: want.employeeNumber },
      ]) {
        expect((await c.findAccount(match))?.externalId).toBe(first.externalId);
      }
      expect(await c.findAccount({ username: `${want.username}-nobody` })).toBeNull();
    });

    it("grants an entitlement, idempotently, and reads it back", async () => {
      const a = await c.createAccount(spec());
      const ent = s.entitlementIds[0]!;
      if (!caps.grant) return unsupported(c.grant(a.externalId, ent));
      await c.grant(a.externalId, ent);
      expect((await read(a.externalId)).entitlements).toEqual([ent]);
      await c.grant(a.externalId, ent);
      expect((await read(a.externalId)).entitlements).toEqual([ent]);
    });

    it("revokes an entitlement, idempotently, and reads it back", async () => {
      const a = await c.createAccount(spec());
      const [ent, other] = s.entitlementIds;
      if (!caps.revoke) return unsupported(c.revoke(a.externalId, ent!));
      await c.grant(a.externalId, ent!);
      if (other) await c.grant(a.externalId, other);
      await c.revoke(a.externalId, ent!);
      const after = await read(a.externalId);
      expect(after.entitlements).not.toContain(ent);
      if (other) expect(after.entitlements).toEqual([other]);
      await c.revoke(a.externalId, ent!);
      expect((await read(a.externalId)).entitlements).not.toContain(ent);
    });

    it("batch forms, where offered, agree with the single ones", async () => {
      const a = await c.createAccount(spec());
      const b = await c.createAccount(spec());
      const gone = await c.createAccount(spec());
      const ent = s.entitlementIds[0]!;
      await c.grant(a.externalId, ent);
      await c.grant(b.externalId, ent);
      if (caps.delete) await c.deleteAccount(gone.externalId);
      if (c.getAccounts) {
        const ids = [a.externalId, b.externalId, ...(caps.delete ? [gone.externalId] : [])];
        const many = await c.getAccounts(ids);
        expect([...many.keys()].sort()).toEqual([...ids].sort());
        for (const id of ids) expect(many.get(id), id).toEqual(await c.getAccount(id));
        if (caps.delete) expect(many.get(gone.externalId)).toBeNull();
      }
      if (c.revokeMany) {
        const refused = await c.revokeMany(ent, [a.externalId, b.externalId]);
        expect([...refused.keys()]).toEqual([]);
        expect((await read(a.externalId)).entitlements).not.toContain(ent);
        expect((await read(b.externalId)).entitlements).not.toContain(ent);
        // Idempotent: nobody holds it any more, and asking again changes nothing.
        const again = await c.revokeMany(ent, [a.externalId, b.externalId]);
        expect([...again.values()].filter((e) => e.kind !== "not_found")).toEqual([]);
        expect((await read(b.externalId)).entitlements).not.toContain(ent);
      }
      if (c.disableMany) {
        const refused = await c.disableMany([a.externalId, b.externalId]);
        expect([...refused.keys()]).toEqual([]);
        expect((await read(a.externalId)).enabled).toBe(false);
        expect((await read(b.externalId)).enabled).toBe(false);
        // Idempotent: both are disabled already, and asking again is no error.
        expect([...(await c.disableMany([a.externalId, b.externalId])).entries()]).toEqual([]);
        expect((await read(b.externalId)).enabled).toBe(false);
        // An account the system does not know is not_found; the others in the call are still done.
        const more = await c.createAccount(spec());
        const unknown = caps.delete ? [gone.externalId] : [];
        const mixed = await c.disableMany([...unknown, more.externalId]);
        expect([...mixed.keys()]).toEqual(unknown);
        for (const id of unknown) expect(mixed.get(id)?.kind).toBe("not_found");
        expect((await read(more.externalId)).enabled).toBe(false);
      }
    });

    it("disables and enables an account (each idempotent) and reads it back", async () => {
      const a = await c.createAccount(spec());
      if (!caps.disable) return unsupported(c.disableAccount(a.externalId));
      await c.grant(a.externalId, s.entitlementIds[0]!);
      await c.disableAccount(a.externalId);
      const off = await read(a.externalId);
      expect(off.enabled).toBe(false);
      expect(off.username).toBe(a.username);
      await c.disableAccount(a.externalId);
      expect((await read(a.externalId)).enabled).toBe(false);
      await c.enableAccount(a.externalId);
      const on = await read(a.externalId);
      expect(on.enabled).toBe(true);
      expect(on.entitlements).toEqual([s.entitlementIds[0]]);
      await c.enableAccount(a.externalId);
      expect((await read(a.externalId)).enabled).toBe(true);
    });

    it("updates an account's fields and reads them back", async () => {
      const a = await c.createAccount(spec());
      const patch = { email: `ct${run}.renamed${n}@example.test`, displayName: `Renamed Person${n}` };
      if (!caps.update) return unsupported(c.updateAccount(a.externalId, patch));
      const updated = await c.updateAccount(a.externalId, patch);
      expect(updated).toMatchObject({ externalId: a.externalId, ...patch });
      expect(await read(a.externalId)).toMatchObject({ ...patch, username: a.username });
    });

    it("deletes an account: it no longer reads back", async () => {
      const want = spec();
      const a = await c.createAccount(want);
      if (!caps.delete) return unsupported(c.deleteAccount(a.externalId));
      await c.grant(a.externalId, s.entitlementIds[0]!);
      await c.deleteAccount(a.externalId);
      expect(await c.getAccount(a.externalId)).toBeNull();
      expect(await c.findAccount({ username: want.username })).toBeNull();
      expect((await collect(c.listAccounts())).map((x) => x.externalId)).not.toContain(a.externalId);
    });

    it("raises not_found for operations on a missing account", async () => {
      const gone = await c.createAccount(spec());
      await c.deleteAccount(gone.externalId);
      expect(await c.getAccount(gone.externalId)).toBeNull();
      const id = gone.externalId;
      const ent = s.entitlementIds[0]!;
      const ops: [string, () => Promise<unknown>][] = [
        ["update", () => c.updateAccount(id, { displayName: "Nobody" })],
        ["disable", () => c.disableAccount(id)],
        ["enable", () => c.enableAccount(id)],
        ["delete", () => c.deleteAccount(id)],
        ["grant", () => c.grant(id, ent)],
        ["revoke", () => c.revoke(id, ent)],
      ];
      for (const [what, op] of ops) {
        const e = await connectorFailure(op());
        expect(e.kind, what).toBe("not_found");
        expect(e.retryable, what).toBe(false);
      }
    });

    it("lists every account across pages without duplicates", async () => {
      const made: string[] = [];
      for (let i = 0; i < 25; i++) made.push((await c.createAccount(spec())).externalId);
      const all = await collect(c.listAccounts({ pageSize: 10 }));
      const ids = all.map((a) => a.externalId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of made) expect(ids).toContain(id);
      const listed = all.find((a) => a.externalId === made[0]);
      expect(listed).toEqual(await c.getAccount(made[0]!));
    });

    it("lists the entitlements the suite uses", async () => {
      if (!caps.listEntitlements) return unsupported(c.listEntitlements());
      const ents = await c.listEntitlements();
      for (const id of s.entitlementIds) expect(ents.map((e) => e.externalId)).toContain(id);
      for (const e of ents) {
        expect(e.name.length).toBeGreaterThan(0);
        expect(["group", "role", "licence"]).toContain(e.kind);
      }
    });

    it("revokes sessions where the system has them", async () => {
      const a = await c.createAccount(spec());
      if (caps.revokeSessions) await expect(c.revokeSessions!(a.externalId)).resolves.toBeUndefined();
      else expect(c.revokeSessions).toBeUndefined();
    });

    if (options.remote === false) return;

    it("reports refused credentials as auth, never as an empty system", async () => {
      if (!s.withBadCredentials) throw new Error("the contract setup must give withBadCredentials");
      const bad = await s.withBadCredentials();
      try {
        const r = await bad.testConnection();
        expect(r.ok).toBe(false);
        expect(r.kind).toBe("auth");
        const kinds: ConnectorErrorKind[] = [];
        kinds.push((await connectorFailure(collect(bad.listAccounts()))).kind);
        kinds.push((await connectorFailure(bad.getAccount("00000000-0000-4000-8000-000000000000"))).kind);
        kinds.push((await connectorFailure(bad.createAccount(spec()))).kind);
        kinds.push((await connectorFailure(bad.listEntitlements())).kind);
        expect(kinds).toEqual(["auth", "auth", "auth", "auth"]);
        expect((await connectorFailure(bad.findAccount({ username: "x" }))).retryable).toBe(false);
      } finally {
        await bad.close();
      }
    });

    it("reports an unreachable server as unreachable and retryable", async () => {
      if (!s.unreachable) throw new Error("the contract setup must give unreachable");
      const down = await s.unreachable();
      try {
        const r = await down.testConnection();
        expect(r).toMatchObject({ ok: false, kind: "unreachable" });
        for (const p of [
          collect(down.listAccounts()),
          down.getAccount("00000000-0000-4000-8000-000000000000"),
        ]) {
          const e = await connectorFailure(p);
          expect(e.kind).toBe("unreachable");
          expect(e.retryable).toBe(true);
        }
      } finally {
        await down.close();
      }
    });
  });
}
