import { Attribute, Change, type Entry, type Filter, FilterParser, OrFilter, PresenceFilter } from "ldapts";
import {
  type Account,
  type AccountMatch,
  type AccountPatch,
  type AccountSpec,
  type Connector,
  ConnectorError,
  type ConnectorMeta,
  type Entitlement,
  type TestConnectionResult,
} from "../kit.js";
import { guidToBytes, isUuid, PPOLICY_ADMIN_LOCK, uacChange } from "./attributes.js";
import type { LdapConfig } from "./config.js";
import { childDn, formatDn, isWithin, leafRdn, normalizeDn, parseDn } from "./dn.js";
import {
  accountAttributes,
  fieldAttributes,
  first,
  newEntryAttributes,
  rdnValue,
  toAccount,
} from "./entry.js";
import { LDAP, resultCode, toConnectorError } from "./errors.js";
import { LdapGroups } from "./groups.js";
import { and, eq, LdapSession } from "./session.js";

export const LDAP_META: ConnectorMeta = {
  type: "ldap",
  label: "LDAP / Active Directory",
  capabilities: {
    create: true,
    update: true,
    disable: true,
    delete: true,
    grant: true,
    revoke: true,
    revokeSessions: false,
    listEntitlements: true,
  },
};

/** An LDAP v3 directory (OpenLDAP, Active Directory, …) over one bound connection. */
export class LdapConnector implements Connector {
  readonly meta = LDAP_META;
  private readonly s: LdapSession;
  private readonly groups: LdapGroups;
  private readonly attrs: string[];
  private readonly userFilter: Filter;

  constructor(
    private readonly cfg: LdapConfig,
    password: string,
  ) {
    this.s = new LdapSession(cfg, password);
    this.groups = new LdapGroups(this.s, cfg);
    this.attrs = accountAttributes(cfg);
    this.userFilter = cfg.userFilter
      ? FilterParser.parseString(cfg.userFilter)
      : eq("objectClass", cfg.userObjectClasses[cfg.userObjectClasses.length - 1]!);
  }

  // --- reads -------------------------------------------------------------------------------

  private async entryById(externalId: string): Promise<Entry | null> {
    if (!isUuid(externalId)) return null;
    const id =
      this.cfg.idAttribute === "objectGUID"
        ? eq("objectGUID", guidToBytes(externalId))
        : eq("entryUUID", externalId.toLowerCase());
    const found = await this.s.search(this.cfg.baseDn, {
      scope: "sub",
      filter: and(this.userFilter, id),
      attributes: this.attrs,
      sizeLimit: 2,
    });
    return found[0] ?? null;
  }

  /**
   * The entries of many accounts with one search (ids that are not UUIDs name no entry),
   * keyed by the id as asked.
   */
  private async entriesById(externalIds: readonly string[]): Promise<Map<string, Entry>> {
    const out = new Map<string, Entry>();
    const ids = [...new Set(externalIds.filter(isUuid))];
    if (ids.length === 0) return out;
    const idFilter = (id: string) =>
      this.cfg.idAttribute === "objectGUID"
        ? eq("objectGUID", guidToBytes(id))
        : eq("entryUUID", id.toLowerCase());
    const found = await this.s.search(this.cfg.baseDn, {
      scope: "sub",
      filter: and(this.userFilter, new OrFilter({ filters: ids.map(idFilter) })),
      attributes: this.attrs,
      sizeLimit: ids.length * 2,
    });
    const byId = new Map(found.map((e) => [toAccount(this.cfg, e, []).externalId.toLowerCase(), e]));
    for (const id of ids) {
      const e = byId.get(id.toLowerCase());
      if (e) out.set(id, e);
    }
    return out;
  }

  private async requireEntry(externalId: string, what: string): Promise<Entry> {
    const entry = await this.entryById(externalId);
    if (!entry) throw new ConnectorError("not_found", `${what}: no account ${externalId}`);
    return entry;
  }

  private async entryByDn(dn: string): Promise<Entry | null> {
    try {
      const found = await this.s.search(dn, {
        scope: "base",
        filter: this.userFilter,
        attributes: this.attrs,
      });
      return found[0] ?? null;
    } catch (err) {
      if (resultCode(err) === LDAP.noSuchObject) return null;
      throw err;
    }
  }

  private async account(entry: Entry): Promise<Account> {
    return toAccount(this.cfg, entry, await this.groups.of(entry.dn));
  }

  async testConnection(): Promise<TestConnectionResult> {
    const places: [string, string][] = [
      ["baseDn", this.cfg.baseDn],
      ["usersOu", this.cfg.usersOu],
      ["groupsOu", this.cfg.groupsOu],
    ];
    if (this.cfg.disableMode === "move_ou") places.push(["disabledOu", this.cfg.disabledOu!]);
    try {
      await this.s.op("test connection", async () => {
        for (const [name, dn] of places) {
          const filter = new PresenceFilter({ attribute: "objectClass" });
          await this.s.search(dn, { scope: "base", filter, attributes: ["1.1"] }).catch((err) => {
            if (resultCode(err) !== LDAP.noSuchObject) throw err;
            throw new ConnectorError("not_found", `${name} ${dn} does not exist`);
          });
        }
      });
      return { ok: true, detail: `bound as ${this.cfg.bindDn}; ${places.map(([n]) => n).join(", ")} exist` };
    } catch (err) {
      const e = toConnectorError(err, "test connection");
      return { ok: false, detail: e.message, kind: e.kind };
    }
  }

  async *listAccounts(opts: { pageSize?: number } = {}): AsyncIterable<Account> {
    const pageSize = Math.min(Math.max(Math.trunc(opts.pageSize ?? 500), 1), 1000);
    const memberships = await this.s.op("list accounts", () => this.groups.index());
    const pages = this.s.pages(
      this.cfg.baseDn,
      { scope: "sub", filter: this.userFilter, attributes: this.attrs },
      pageSize,
    );
    for (;;) {
      let page: IteratorResult<Entry[]>;
      try {
        page = await pages.next();
      } catch (err) {
        throw toConnectorError(err, "list accounts");
      }
      if (page.done) return;
      for (const entry of page.value) {
        yield toAccount(this.cfg, entry, memberships.get(normalizeDn(entry.dn)) ?? []);
      }
    }
  }

  getAccount(externalId: string): Promise<Account | null> {
    return this.s.op("get account", async () => {
      const entry = await this.entryById(externalId);
      return entry ? this.account(entry) : null;
    });
  }

  /** Many accounts: one search for the entries, then their groups, asked side by side. */
  getAccounts(externalIds: readonly string[]): Promise<Map<string, Account | null>> {
    return this.s.op("get accounts", async () => {
      const entries = await this.entriesById(externalIds);
      const out = new Map<string, Account | null>(externalIds.map((id) => [id, null]));
      await Promise.all([...entries].map(async ([id, entry]) => out.set(id, await this.account(entry))));
      return out;
    });
  }

  findAccount(match: AccountMatch): Promise<Account | null> {
    return this.s.op("find account", async () => {
      const entry = await this.findEntry(match);
      return entry ? this.account(entry) : null;
    });
  }

  /** The entry matching the first of username, employeeNumber, email that matches anything. */
  private async findEntry(match: AccountMatch): Promise<Entry | null> {
    const a = this.cfg.attributes;
    const tries: [string, string | undefined][] = [
      [a.username, match.username],
      [a.employeeNumber, match.employeeNumber],
      [a.email, match.email],
    ];
    for (const [attribute, value] of tries) {
      if (!value?.trim()) continue;
      const found = await this.s.search(this.cfg.baseDn, {
        scope: "sub",
        filter: and(this.userFilter, eq(attribute, value.trim())),
        attributes: this.attrs,
        sizeLimit: 2,
      });
      if (found.length > 1)
        throw new ConnectorError("conflict", `more than one account has this ${attribute}`);
      if (found[0]) return found[0];
    }
    return null;
  }

  listEntitlements(): Promise<Entitlement[]> {
    return this.s.op("list groups", () => this.groups.list());
  }

  // --- writes ------------------------------------------------------------------------------

  createAccount(spec: AccountSpec): Promise<Account> {
    return this.s.op("create account", async () => {
      const existing = await this.findEntry(spec);
      if (existing) return this.account(existing);
      const rdn = rdnValue(this.cfg, spec);
      if (!rdn)
        throw new ConnectorError(
          "invalid_config",
          `no value for the RDN attribute ${this.cfg.attributes.rdn}`,
        );
      const parent =
        !spec.enabled && this.cfg.disableMode === "move_ou" ? this.cfg.disabledOu! : this.cfg.usersOu;
      const dn = childDn(this.cfg.attributes.rdn, rdn, parent);
      try {
        await this.s.client.add(dn, newEntryAttributes(this.cfg, spec));
      } catch (err) {
        if (resultCode(err) !== LDAP.entryAlreadyExists) throw err;
        // Created meanwhile under the same name: link when it is the same login.
        const there = await this.entryByDn(dn);
        const username = there && first(there, this.cfg.attributes.username);
        if (there && username?.toLowerCase() === spec.username.trim().toLowerCase())
          return this.account(there);
        throw new ConnectorError("conflict", `${dn} exists and belongs to another account`, { cause: err });
      }
      let entry = await this.entryByDn(dn);
      if (!entry) throw new ConnectorError("remote", `the new entry ${dn} cannot be read back`);
      if (!spec.enabled && this.cfg.disableMode === "ppolicy") {
        await this.setEnabled(entry, false);
        entry = (await this.entryByDn(dn)) ?? entry;
      }
      return this.account(entry);
    });
  }

  updateAccount(externalId: string, patch: AccountPatch): Promise<Account> {
    return this.s.op("update account", async () => {
      let entry = await this.requireEntry(externalId, "update account");
      const fields = fieldAttributes(this.cfg, patch);
      const rdnAttr = this.cfg.attributes.rdn.toLowerCase();
      const rdnKey = [...fields.keys()].find((k) => k.toLowerCase() === rdnAttr);
      const newRdn = rdnKey ? fields.get(rdnKey)?.[0] : undefined;
      if (rdnKey) fields.delete(rdnKey);
      const [current, ...parent] = parseDn(entry.dn);
      if (newRdn && !(current?.length === 1 && current[0]!.value === newRdn)) {
        // The naming attribute changes through a rename, which also rewrites the attribute.
        const moved = childDn(this.cfg.attributes.rdn, newRdn, formatDn(parent));
        await this.s.client.modifyDN(entry.dn, moved);
        await this.groups.rename(entry.dn, moved);
        entry = await this.requireEntry(externalId, "update account");
      }
      const changes = [...fields].map(
        ([type, values]) =>
          new Change({ operation: "replace", modification: new Attribute({ type, values }) }),
      );
      if (changes.length) await this.s.client.modify(entry.dn, changes);
      if (patch.enabled !== undefined) await this.setEnabled(entry, patch.enabled);
      return this.account(await this.requireEntry(externalId, "update account"));
    });
  }

  disableAccount(externalId: string): Promise<void> {
    return this.s.op("disable account", async () => {
      await this.setEnabled(await this.requireEntry(externalId, "disable account"), false);
    });
  }

  enableAccount(externalId: string): Promise<void> {
    return this.s.op("enable account", async () => {
      await this.setEnabled(await this.requireEntry(externalId, "enable account"), true);
    });
  }

  private async setEnabled(entry: Entry, enabled: boolean): Promise<void> {
    switch (this.cfg.disableMode) {
      case "ppolicy": {
        const locked = first(entry, "pwdAccountLockedTime");
        if (!enabled && locked !== PPOLICY_ADMIN_LOCK) {
          await this.s.modify(entry.dn, "replace", "pwdAccountLockedTime", [PPOLICY_ADMIN_LOCK]);
        } else if (enabled && locked !== undefined) {
          await this.s.modify(entry.dn, "delete", "pwdAccountLockedTime", []).catch((err) => {
            if (resultCode(err) !== LDAP.noSuchAttribute) throw err;
          });
        }
        return;
      }
      case "ad_uac": {
        const change = uacChange(first(entry, "userAccountControl"), enabled);
        if (change.value !== null)
          await this.s.modify(entry.dn, "replace", "userAccountControl", [change.value]);
        return;
      }
      case "move_ou": {
        const target = enabled ? this.cfg.usersOu : this.cfg.disabledOu!;
        if (isWithin(entry.dn, target)) return;
        const moved = `${leafRdn(entry.dn)},${formatDn(parseDn(target))}`;
        await this.s.client.modifyDN(entry.dn, moved);
        await this.groups.rename(entry.dn, moved);
        return;
      }
    }
  }

  deleteAccount(externalId: string): Promise<void> {
    return this.s.op("delete account", async () => {
      const entry = await this.requireEntry(externalId, "delete account");
      // Take the account out of its groups first: a later account with the same DN must not
      // inherit them (directories without referential integrity keep the old member values).
      for (const group of await this.groups.of(entry.dn)) await this.groups.remove(group, entry.dn);
      await this.s.client.del(entry.dn);
    });
  }

  grant(externalId: string, entitlementId: string): Promise<void> {
    return this.s.op("grant", async () => {
      const group = this.groups.managed(entitlementId, "grant");
      const entry = await this.requireEntry(externalId, "grant");
      await this.groups.add(group, entry.dn);
    });
  }

  revoke(externalId: string, entitlementId: string): Promise<void> {
    return this.s.op("revoke", async () => {
      const group = this.groups.managed(entitlementId, "revoke");
      const entry = await this.requireEntry(externalId, "revoke");
      await this.groups.remove(group, entry.dn);
    });
  }

  /** One search finds the accounts; one modify of the group removes them all. */
  revokeMany(entitlementId: string, externalIds: readonly string[]): Promise<Map<string, ConnectorError>> {
    return this.s.op("revoke", async () => {
      const group = this.groups.managed(entitlementId, "revoke");
      const entries = await this.entriesById(externalIds);
      const out = new Map<string, ConnectorError>();
      for (const id of externalIds)
        if (!entries.has(id)) out.set(id, new ConnectorError("not_found", `revoke: no account ${id}`));
      await this.groups.removeMany(group, [...new Set([...entries.values()].map((e) => e.dn))]);
      return out;
    });
  }

  close(): Promise<void> {
    return this.s.close();
  }
}
