/** Group membership: the managed groups (under groupsOu) and who they list. */
import { Attribute, Change, Control } from "ldapts";

/** LDAP_SERVER_PERMISSIVE_MODIFY_OID: deleting an absent value (or adding a present one) is no error. */
const PERMISSIVE_MODIFY = "1.2.840.113556.1.4.1413";

import { ConnectorError, type Entitlement } from "../kit.js";
import type { LdapConfig } from "./config.js";
import { isWithin, normalizeDn, parseDn, sameDn } from "./dn.js";
import { first, values } from "./entry.js";
import { LDAP, resultCode } from "./errors.js";
import { and, eq, type LdapSession } from "./session.js";

export class LdapGroups {
  constructor(
    private readonly s: LdapSession,
    private readonly cfg: LdapConfig,
  ) {}

  private get classFilter() {
    return eq("objectClass", this.cfg.groupObjectClass);
  }

  /** DNs of the managed groups that list `dn` as a member. */
  async of(dn: string): Promise<string[]> {
    const found = await this.s.search(this.cfg.groupsOu, {
      scope: "sub",
      filter: and(this.classFilter, eq(this.cfg.membershipAttribute, dn)),
      attributes: ["1.1"],
    });
    return found.map((g) => g.dn);
  }

  /** member DN (normalized) → DNs of the managed groups listing it. */
  async index(): Promise<Map<string, string[]>> {
    const index = new Map<string, string[]>();
    const opts = {
      scope: "sub" as const,
      filter: this.classFilter,
      attributes: [this.cfg.membershipAttribute],
    };
    for await (const page of this.s.pages(this.cfg.groupsOu, opts, 500)) {
      for (const group of page) {
        for (const member of values(group, this.cfg.membershipAttribute)) {
          let key: string;
          try {
            key = normalizeDn(member);
          } catch {
            continue; // a value that is not a DN names no account
          }
          index.set(key, [...(index.get(key) ?? []), group.dn]);
        }
      }
    }
    return index;
  }

  async list(): Promise<Entitlement[]> {
    const out: Entitlement[] = [];
    const opts = { scope: "sub" as const, filter: this.classFilter, attributes: ["cn", "description"] };
    for await (const page of this.s.pages(this.cfg.groupsOu, opts, 500)) {
      for (const g of page) {
        const description = first(g, "description");
        out.push({
          externalId: g.dn,
          name: first(g, "cn") ?? parseDn(g.dn)[0]?.[0]?.value ?? g.dn,
          kind: "group",
          ...(description ? { description } : {}),
        });
      }
    }
    return out;
  }

  /** The entitlement id as a group DN inside groupsOu; anything else is refused. */
  managed(entitlementId: string, what: string): string {
    let ok = false;
    try {
      ok = isWithin(entitlementId, this.cfg.groupsOu) && !sameDn(entitlementId, this.cfg.groupsOu);
    } catch {
      ok = false;
    }
    if (!ok) throw new ConnectorError("not_found", `${what}: ${entitlementId} is not a group under groupsOu`);
    return entitlementId;
  }

  /** Idempotent: adding a member that is there succeeds. */
  async add(group: string, member: string): Promise<void> {
    await this.s.modify(group, "add", this.cfg.membershipAttribute, [member]).catch((err) => {
      if (resultCode(err) === LDAP.typeOrValueExists) return;
      if (resultCode(err) === LDAP.noSuchObject) throw new ConnectorError("not_found", `no group ${group}`);
      throw err;
    });
  }

  /** Idempotent: removing a member that is not there succeeds. */
  async remove(group: string, member: string): Promise<void> {
    await this.s.modify(group, "delete", this.cfg.membershipAttribute, [member]).catch((err) => {
      const code = resultCode(err);
      if (code === LDAP.noSuchAttribute) return;
      if (code === LDAP.noSuchObject) throw new ConnectorError("not_found", `no group ${group}`);
      if (code === LDAP.objectClassViolation) {
        throw new ConnectorError(
          "remote",
          `${group} would have no members left, which its object class forbids; give the group a placeholder member`,
          { cause: err },
        );
      }
      throw err;
    });
  }

  /**
   * Removes many members with one modify. The "permissive modify" control (honoured by
   * OpenLDAP and Active Directory) lets values that are not there pass; a directory without
   * it refuses the whole change, and the members are then removed one by one.
   */
  async removeMany(group: string, members: readonly string[]): Promise<void> {
    if (members.length === 0) return;
    if (members.length === 1) return this.remove(group, members[0] as string);
    try {
      await this.s.client.modify(
        group,
        new Change({
          operation: "delete",
          modification: new Attribute({ type: this.cfg.membershipAttribute, values: [...members] }),
        }),
        new Control(PERMISSIVE_MODIFY, { critical: false }),
      );
    } catch (err) {
      const code = resultCode(err);
      if (code === LDAP.noSuchObject) throw new ConnectorError("not_found", `no group ${group}`);
      if (code !== LDAP.noSuchAttribute && code !== LDAP.objectClassViolation) throw err;
      for (const member of members) await this.remove(group, member);
    }
  }

  /** After a rename or move, points the managed groups that listed `from` at `to`. */
  async rename(from: string, to: string): Promise<void> {
    if (sameDn(from, to)) return;
    const type = this.cfg.membershipAttribute;
    for (const group of await this.of(from)) {
      try {
        await this.s.client.modify(group, [
          new Change({ operation: "add", modification: new Attribute({ type, values: [to] }) }),
          new Change({ operation: "delete", modification: new Attribute({ type, values: [from] }) }),
        ]);
      } catch (err) {
        // The directory (e.g. a referential-integrity overlay) may have added the new name already.
        if (resultCode(err) !== LDAP.typeOrValueExists) throw err;
        await this.remove(group, from);
      }
    }
  }
}
