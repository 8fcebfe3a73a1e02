import { type HttpTransport, httpTransport } from "../http/index.js";
import {
  type Account,
  type AccountMatch,
  type AccountPatch,
  type AccountSpec,
  type Connector,
  ConnectorError,
  type ConnectorMeta,
  type Entitlement,
  isConnectorError,
  type TestConnectionResult,
} from "../kit.js";
import {
  bulkStatus,
  SCIM_BULK_REQUEST,
  type ScimBulkOperation,
  type ScimBulkResult,
} from "../scim/client.js";
import {
  SCIM_PATCH_OP,
  ScimClient,
  ScimClientError,
  type ScimGroup,
  type ScimPatchOp,
  type ScimUser,
  scimString,
} from "../scim/index.js";
import type { ScimAppConfig } from "./config.js";
import { isStatus, scimOp, toConnectorError } from "./errors.js";
import { fieldOf, newUser, patchOps, toAccount, userFilter, userGroups } from "./mapping.js";

export const SCIM_APP_META: ConnectorMeta = {
  type: "scim-app",
  label: "SCIM 2.0 app",
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

type Field = "userName" | "email" | "employeeNumber";

/** What the app's ServiceProviderConfig allows in one Bulk request. */
interface BulkLimits {
  maxOperations: number;
  maxPayloadSize: number;
}

/** Operations per Bulk request at most, whatever the app allows. */
const BULK_MAX_OPERATIONS = 1000;
/** When the app announces Bulk without its limits (RFC 7644 requires them). */
const BULK_DEFAULT_OPERATIONS = 100;
const BULK_DEFAULT_PAYLOAD = 1_048_576;
/** Requests in flight at once when the app is asked account by account. */
const IN_FLIGHT = 8;
const DEACTIVATE: ScimPatchOp[] = [{ op: "replace", path: "active", value: false }];

/** Runs `fn` over the items, at most `limit` at a time. */
async function pooled<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A positive integer setting of the app's, or the fallback. */
const limitOf = (value: unknown, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

/** A SaaS app's SCIM 2.0 service provider (RFC 7643/7644): Users are accounts, Groups are entitlements. */
export class ScimAppConnector implements Connector {
  readonly meta = SCIM_APP_META;
  private readonly http: HttpTransport;
  private readonly scim: ScimClient;
  /** The app's Bulk limits (null: no Bulk), read from its ServiceProviderConfig once. */
  private bulk?: Promise<BulkLimits | null>;

  constructor(
    private readonly cfg: ScimAppConfig,
    token: string,
  ) {
    this.http = httpTransport(cfg.tls, cfg.timeoutMs);
    this.scim = new ScimClient({
      baseUrl: cfg.baseUrl,
      token,
      fetch: this.http.fetch,
      timeoutMs: cfg.timeoutMs,
      pageSize: cfg.pageSize,
      maxRetries: cfg.rateLimit.maxRetries,
      maxRetryAfterSeconds: cfg.rateLimit.maxWaitSeconds,
    });
  }

  // --- groups (entitlements) ---------------------------------------------------------------

  private withGroupFilter(filter?: string): string | undefined {
    const managed = this.cfg.groups.filter;
    if (!managed) return filter;
    return filter ? `(${managed}) and ${filter}` : managed;
  }

  /** The managed groups (ids and names). */
  private managedGroups(): Promise<ScimGroup[]> {
    return this.scim.groups.list({ filter: this.withGroupFilter(), attributes: ["displayName"] });
  }

  /** Throws not_found unless `groupId` is a group Tandem manages. */
  private async requireGroup(groupId: string, what: string): Promise<void> {
    if (this.cfg.groups.filter) {
      const found = await this.scim.groups.page({
        filter: this.withGroupFilter(`id eq ${scimString(groupId)}`),
        attributes: ["displayName"],
        count: 2,
      });
      if (!found.Resources?.some((g) => g.id === groupId)) {
        throw new ConnectorError("not_found", `${what}: no managed group ${groupId}`);
      }
      return;
    }
    try {
      await this.scim.groups.get(groupId, { attributes: ["displayName"] });
    } catch (err) {
      if (isStatus(err, 404)) throw new ConnectorError("not_found", `${what}: no group ${groupId}`);
      throw err;
    }
  }

  /** The managed groups `user` is a member of. */
  private async groupsOf(user: ScimUser): Promise<string[]> {
    if (this.cfg.groups.membership === "members") {
      const groups = await this.scim.groups.list({
        filter: this.withGroupFilter(`members[value eq ${scimString(user.id)}]`),
        attributes: ["displayName"],
      });
      return groups.map((g) => g.id);
    }
    const held = userGroups(user);
    if (!this.cfg.groups.filter || held.length === 0) return held;
    const managed = new Set((await this.managedGroups()).map((g) => g.id));
    return held.filter((id) => managed.has(id));
  }

  // --- reads -------------------------------------------------------------------------------

  private async userById(id: string): Promise<ScimUser | null> {
    try {
      return await this.scim.users.get(id);
    } catch (err) {
      if (isStatus(err, 404)) return null;
      throw err;
    }
  }

  private async requireUser(id: string, what: string): Promise<ScimUser> {
    const user = await this.userById(id);
    if (!user) throw new ConnectorError("not_found", `${what}: no account ${id}`);
    return user;
  }

  private async account(user: ScimUser): Promise<Account> {
    return toAccount(this.cfg, user, await this.groupsOf(user));
  }

  /** The one user whose `field` is `value`; two is a conflict, never a guess. */
  private async userBy(field: Field, value: string | undefined): Promise<ScimUser | null> {
    if (!value) return null;
    const page = await this.scim.users.page({ filter: userFilter(field, value), count: 2 });
    const found = page.Resources ?? [];
    if (found.length > 1) throw new ConnectorError("conflict", `more than one account has this ${field}`);
    return found[0] ?? null;
  }

  async testConnection(): Promise<TestConnectionResult> {
    try {
      const users = await scimOp("test connection", () => this.scim.users.page({ count: 1 }));
      const groups = await scimOp("test connection", () =>
        this.scim.groups.page({ count: 1, filter: this.withGroupFilter(), attributes: ["displayName"] }),
      );
      return {
        ok: true,
        detail: `signed in to ${new URL(this.cfg.baseUrl).host}: ${users.totalResults} users, ${groups.totalResults} managed groups`,
      };
    } catch (err) {
      const e = toConnectorError(err, "test connection");
      return { ok: false, detail: e.message, kind: e.kind };
    }
  }

  async *listAccounts(opts: { pageSize?: number } = {}): AsyncIterable<Account> {
    const count = Math.min(Math.max(Math.trunc(opts.pageSize ?? this.cfg.pageSize), 1), 1000);
    let memberships: Map<string, string[]> | undefined;
    let managed: Set<string> | undefined;
    try {
      if (this.cfg.groups.membership === "members") {
        memberships = new Map();
        for (const g of await this.scim.groups.list({ filter: this.withGroupFilter() })) {
          for (const m of g.members ?? []) {
            memberships.set(m.value, [...(memberships.get(m.value) ?? []), g.id]);
          }
        }
      } else if (this.cfg.groups.filter) {
        managed = new Set((await this.managedGroups()).map((g) => g.id));
      }
    } catch (err) {
      throw toConnectorError(err, "list accounts");
    }
    const seen = new Set<string>();
    const pages = this.scim.users.pages({ count });
    for (;;) {
      let page: IteratorResult<{ Resources: ScimUser[] }>;
      try {
        page = await pages.next();
      } catch (err) {
        throw toConnectorError(err, "list accounts");
      }
      if (page.done) return;
      for (const user of page.value.Resources ?? []) {
        // A list that shifts while it is paged may repeat a user; report each once.
        if (seen.has(user.id)) continue;
        seen.add(user.id);
        const groups = memberships
          ? (memberships.get(user.id) ?? [])
          : userGroups(user).filter((id) => !managed || managed.has(id));
        yield toAccount(this.cfg, user, groups);
      }
    }
  }

  getAccount(externalId: string): Promise<Account | null> {
    return scimOp("get account", async () => {
      const user = await this.userById(externalId);
      return user ? this.account(user) : null;
    });
  }

  findAccount(match: AccountMatch): Promise<Account | null> {
    return scimOp("find account", async () => {
      const user =
        (await this.userBy(
          "employeeNumber",
          this.cfg.enterpriseExtension ? fieldOf("employeeNumber", match) : undefined,
        )) ??
        (await this.userBy("userName", fieldOf("userName", match))) ??
        (await this.userBy("email", fieldOf("email", match)));
      return user ? this.account(user) : null;
    });
  }

  listEntitlements(): Promise<Entitlement[]> {
    return scimOp("list groups", async () =>
      (await this.managedGroups()).map((g) => ({
        externalId: g.id,
        name: g.displayName || g.id,
        kind: "group" as const,
      })),
    );
  }

  // --- writes ------------------------------------------------------------------------------

  createAccount(spec: AccountSpec): Promise<Account> {
    return scimOp("create account", async () => {
      const match = this.cfg.matchAttribute;
      const existing = await this.userBy(match, fieldOf(match, spec));
      if (existing) return this.account(existing);
      let created: ScimUser;
      try {
        created = await this.scim.users.create(newUser(this.cfg, spec));
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
        return this.account(await this.holderOfTaken(spec, err));
      }
      return this.account(await this.requireUser(created.id, "create account"));
    });
  }

  /**
   * After a 409 (a unique value is taken): the account holding it, when it can be the same
   * person (its matching attribute is empty or equal). Anything else is a conflict.
   */
  private async holderOfTaken(spec: AccountSpec, cause: unknown): Promise<ScimUser> {
    const match = this.cfg.matchAttribute;
    const want = fieldOf(match, spec)?.toLowerCase();
    const fields: Field[] = this.cfg.enterpriseExtension
      ? ["userName", "email", "employeeNumber"]
      : ["userName", "email"];
    for (const field of fields) {
      const holder = await this.userBy(field, fieldOf(field, spec));
      if (!holder) continue;
      const theirs = fieldOf(match, toAccount(this.cfg, holder, []))?.toLowerCase();
      if (theirs && want && theirs !== want) {
        throw new ConnectorError(
          "conflict",
          `create account: the ${field} is taken by another account (${holder.id}) whose ${match} differs`,
          { cause },
        );
      }
      return holder;
    }
    throw new ConnectorError(
      "conflict",
      "create account: the app reports the account exists but none can be found",
      {
        cause,
      },
    );
  }

  updateAccount(externalId: string, patch: AccountPatch): Promise<Account> {
    return scimOp("update account", async () => {
      const ops = patchOps(this.cfg, patch);
      await this.requireUser(externalId, "update account");
      if (ops.length) await this.patchUser(externalId, ops, "update account");
      return this.account(await this.requireUser(externalId, "update account"));
    });
  }

  private async patchUser(id: string, ops: ReturnType<typeof patchOps>, what: string): Promise<void> {
    try {
      await this.scim.users.patch(id, ops);
    } catch (err) {
      if (isStatus(err, 404)) throw new ConnectorError("not_found", `${what}: no account ${id}`);
      throw err;
    }
  }

  /** The engine reads every account back after a change, so a change is not read twice here. */
  private setActive(externalId: string, active: boolean, what: string): Promise<void> {
    return scimOp(what, async () => {
      const user = await this.requireUser(externalId, what);
      if ((user.active !== false) === active) return;
      await this.patchUser(externalId, [{ op: "replace", path: "active", value: active }], what);
    });
  }

  disableAccount(externalId: string): Promise<void> {
    return this.setActive(externalId, false, "disable account");
  }

  /**
   * Where the app offers SCIM Bulk (its ServiceProviderConfig says so), the PATCHes setting
   * active=false go in as few Bulk requests as its limits allow, each operation answered on
   * its own; otherwise one PATCH per account, a few at a time. Nothing is read first: a
   * PATCH that sets active=false is harmless on an account already disabled, and the engine
   * reads every account back afterwards.
   */
  async disableMany(externalIds: readonly string[]): Promise<Map<string, ConnectorError>> {
    const what = "disable account";
    const refused = new Map<string, ConnectorError>();
    let ids = [...new Set(externalIds)];
    if (ids.length === 0) return refused;
    const limits = await scimOp(what, () => this.bulkLimits());
    if (limits) ids = await this.disableInBulk(ids, limits, refused);
    await this.disableEach(ids, refused);
    return refused;
  }

  /** The app's Bulk limits, or null when it has no Bulk; read once, again after a failed read. */
  private bulkLimits(): Promise<BulkLimits | null> {
    if (!this.bulk) {
      this.bulk = this.readBulkLimits();
      this.bulk.catch(() => {
        this.bulk = undefined;
      });
    }
    return this.bulk;
  }

  private async readBulkLimits(): Promise<BulkLimits | null> {
    let config: Record<string, unknown>;
    try {
      config = await this.scim.serviceProviderConfig();
    } catch (err) {
      // An app without the endpoint offers nothing beyond the basics.
      if (isStatus(err, 404) || isStatus(err, 501)) return null;
      throw err;
    }
    const bulk = config?.bulk as { supported?: unknown; maxOperations?: unknown; maxPayloadSize?: unknown };
    if (bulk?.supported !== true) return null;
    return {
      maxOperations: Math.min(limitOf(bulk.maxOperations, BULK_DEFAULT_OPERATIONS), BULK_MAX_OPERATIONS),
      maxPayloadSize: limitOf(bulk.maxPayloadSize, BULK_DEFAULT_PAYLOAD),
    };
  }

  /**
   * Sends the disables in Bulk requests within `limits`, recording what each operation
   * reports in `refused`. Returns the ids still to be done one by one: an operation too
   * large for a Bulk request on its own, or all that were left when the app turned out not
   * to take Bulk requests after all. Throws when a request fails as a whole before any has
   * been answered; after that, a failed request's accounts (and the rest) are refused with
   * its error.
   */
  private async disableInBulk(
    ids: string[],
    limits: BulkLimits,
    refused: Map<string, ConnectorError>,
  ): Promise<string[]> {
    const what = "disable account";
    // The request's size in bytes: the envelope, then each operation and its comma.
    const envelope = Buffer.byteLength(JSON.stringify({ schemas: [SCIM_BULK_REQUEST], Operations: [] }));
    const single: string[] = [];
    const chunks: { ids: string[]; ops: ScimBulkOperation[] }[] = [];
    let chunk = { ids: [] as string[], ops: [] as ScimBulkOperation[] };
    let size = envelope;
    for (const id of ids) {
      const op: ScimBulkOperation = {
        method: "PATCH",
        path: `/Users/${encodeURIComponent(id)}`,
        data: { schemas: [SCIM_PATCH_OP], Operations: DEACTIVATE },
      };
      const opSize = Buffer.byteLength(JSON.stringify(op)) + 1;
      if (envelope + opSize > limits.maxPayloadSize) {
        single.push(id);
        continue;
      }
      if (chunk.ops.length >= limits.maxOperations || size + opSize > limits.maxPayloadSize) {
        chunks.push(chunk);
        chunk = { ids: [], ops: [] };
        size = envelope;
      }
      chunk.ids.push(id);
      chunk.ops.push(op);
      size += opSize;
    }
    if (chunk.ops.length) chunks.push(chunk);

    let answered = false;
    for (const [n, c] of chunks.entries()) {
      let results: ScimBulkResult[];
      try {
        results = (await this.scim.bulk(c.ops)).Operations ?? [];
      } catch (err) {
        if (isStatus(err, 501) || isStatus(err, 404) || isStatus(err, 405)) {
          // The app has no Bulk after all (its settings changed): ask account by account.
          this.bulk = Promise.resolve(null);
          return [...single, ...chunks.slice(n).flatMap((x) => x.ids)];
        }
        if (isStatus(err, 413)) {
          single.push(...c.ids);
          continue;
        }
        const e = toConnectorError(err, `${what} (bulk)`);
        if (!answered) throw e;
        for (const id of chunks.slice(n).flatMap((x) => x.ids)) refused.set(id, e);
        return single;
      }
      answered = true;
      this.bulkOutcomes(c.ids, results, refused);
    }
    return single;
  }

  /** Each operation's outcome, matched to its account by location, else by position. */
  private bulkOutcomes(ids: string[], results: ScimBulkResult[], refused: Map<string, ConnectorError>): void {
    const what = "disable account";
    const open = new Set(ids);
    const byPosition = results.length === ids.length;
    for (const [i, r] of results.entries()) {
      const last = r.location?.split(/[?#]/)[0]?.split("/").pop();
      let id: string | undefined;
      if (last !== undefined) {
        try {
          id = decodeURIComponent(last);
        } catch {
          id = last;
        }
      }
      if (id === undefined || !open.has(id)) id = byPosition ? ids[i] : undefined;
      const status = bulkStatus(r);
      // Without a status that reads as one, the outcome is unknown: left for the end.
      if (id === undefined || !open.has(id) || status === 0) continue;
      open.delete(id);
      if (status >= 200 && status < 300) continue;
      const body = (r.response ?? {}) as { detail?: unknown; scimType?: unknown };
      const cause = new ScimClientError(
        status,
        typeof body.detail === "string" ? body.detail : `the operation failed (status ${status})`,
        typeof body.scimType === "string" ? body.scimType : undefined,
        undefined,
        r.response,
      );
      refused.set(
        id,
        status === 404
          ? new ConnectorError("not_found", `${what}: no account ${id}`, { cause })
          : toConnectorError(cause, what),
      );
    }
    for (const id of open) {
      refused.set(
        id,
        new ConnectorError("remote", `${what}: the app's Bulk response gives no outcome for it`, {
          retryable: true,
        }),
      );
    }
  }

  /**
   * One PATCH per account, IN_FLIGHT at a time. An unreachable app or refused credentials
   * stop the call (it throws); any other refusal is recorded against its account.
   */
  private async disableEach(ids: string[], refused: Map<string, ConnectorError>): Promise<void> {
    const what = "disable account";
    let stop: ConnectorError | undefined;
    await pooled(ids, IN_FLIGHT, async (id) => {
      if (stop) return;
      try {
        await this.scim.users.patch(id, DEACTIVATE);
      } catch (err) {
        const e = isStatus(err, 404)
          ? new ConnectorError("not_found", `${what}: no account ${id}`, { cause: err })
          : toConnectorError(err, what);
        if (e.kind === "unreachable" || e.kind === "auth") stop ??= e;
        else refused.set(id, e);
      }
    });
    if (stop) throw stop;
  }

  enableAccount(externalId: string): Promise<void> {
    return this.setActive(externalId, true, "enable account");
  }

  deleteAccount(externalId: string): Promise<void> {
    return scimOp("delete account", async () => {
      try {
        await this.scim.users.delete(externalId);
      } catch (err) {
        if (isStatus(err, 404))
          throw new ConnectorError("not_found", `delete account: no account ${externalId}`);
        throw err;
      }
    });
  }

  private membership(externalId: string, groupId: string, member: boolean, what: string): Promise<void> {
    return scimOp(what, async () => {
      // Only groups Tandem manages are touched; without a filter every group is, and the
      // PATCH itself says when a group does not exist.
      if (this.cfg.groups.filter) await this.requireGroup(groupId, what);
      const user = await this.requireUser(externalId, what);
      if ((await this.groupsOf(user)).includes(groupId) === member) return;
      try {
        await this.scim.groups.patch(groupId, [
          member
            ? { op: "add", path: "members", value: [{ value: externalId }] }
            : { op: "remove", path: `members[value eq ${scimString(externalId)}]` },
        ]);
      } catch (err) {
        if (isStatus(err, 404)) throw new ConnectorError("not_found", `${what}: no group ${groupId}`);
        throw err;
      }
    });
  }

  /**
   * One PATCH of the group removes every listed member. An app that refuses the request
   * as a whole (a member it does not list, say) is asked member by member instead.
   */
  async revokeMany(
    entitlementId: string,
    externalIds: readonly string[],
  ): Promise<Map<string, ConnectorError>> {
    const refused = new Map<string, ConnectorError>();
    const ids = [...new Set(externalIds)];
    if (ids.length === 0) return refused;
    const whole = await scimOp("revoke", async () => {
      await this.requireGroup(entitlementId, "revoke");
      try {
        await this.scim.groups.patch(
          entitlementId,
          ids.map((id) => ({ op: "remove" as const, path: `members[value eq ${scimString(id)}]` })),
        );
        return true;
      } catch (err) {
        if (isStatus(err, 400)) return false;
        throw err;
      }
    });
    if (whole) return refused;
    for (const id of ids) {
      try {
        await this.revoke(id, entitlementId);
      } catch (err) {
        if (!isConnectorError(err)) throw err;
        refused.set(id, err);
      }
    }
    return refused;
  }

  grant(externalId: string, entitlementId: string): Promise<void> {
    return this.membership(externalId, entitlementId, true, "grant");
  }

  revoke(externalId: string, entitlementId: string): Promise<void> {
    return this.membership(externalId, entitlementId, false, "revoke");
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
