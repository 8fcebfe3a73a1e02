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
import { WebhookClient } from "./client.js";
import type { WebhookConfig } from "./config.js";
import {
  accountsPageSchema,
  entitlementsSchema,
  operationResultSchema,
  read,
  toAccount,
  toEntitlements,
  wireAccountSchema,
} from "./wire.js";

export const WEBHOOK_TYPE = "webhook";
export const WEBHOOK_LABEL = "Webhook (custom system)";

export type WebhookOperation =
  | "create"
  | "update"
  | "disable"
  | "enable"
  | "delete"
  | "grant"
  | "revoke"
  | "revoke_sessions";

const MAX_PAGES = 100_000;

/** A custom system that takes signed operations over HTTP and answers read-backs. */
export class WebhookConnector implements Connector {
  readonly meta: ConnectorMeta;
  readonly revokeSessions?: (externalId: string) => Promise<void>;
  private readonly client: WebhookClient;

  constructor(
    private readonly cfg: WebhookConfig,
    secret: string,
  ) {
    this.client = new WebhookClient(cfg, secret);
    this.meta = {
      type: WEBHOOK_TYPE,
      label: WEBHOOK_LABEL,
      capabilities: {
        create: true,
        update: true,
        disable: true,
        delete: true,
        grant: true,
        revoke: true,
        revokeSessions: cfg.revokeSessions,
        listEntitlements: true,
      },
    };
    if (cfg.revokeSessions) {
      this.revokeSessions = async (externalId) => {
        await this.require(externalId, "revoke sessions");
        await this.operation("revoke sessions", "revoke_sessions", { id: externalId });
      };
    }
  }

  // --- reads -------------------------------------------------------------------------------

  async testConnection(): Promise<TestConnectionResult> {
    try {
      const page = await this.client.call("test connection", "GET", "/accounts", { query: { limit: "1" } });
      read(accountsPageSchema, page.body, "test connection");
      const ents = await this.listEntitlements();
      return {
        ok: true,
        detail: `${new URL(this.cfg.baseUrl).host} accepted Tandem's signature; ${ents.length} entitlements`,
      };
    } catch (err) {
      const e = err instanceof ConnectorError ? err : new ConnectorError("remote", String(err));
      return { ok: false, detail: e.message, kind: e.kind };
    }
  }

  async *listAccounts(opts: { pageSize?: number } = {}): AsyncIterable<Account> {
    const limit = String(Math.min(Math.max(Math.trunc(opts.pageSize ?? this.cfg.pageSize), 1), 1000));
    const seen = new Set<string>();
    const cursors = new Set<string>();
    let cursor: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const res = await this.client.call("list accounts", "GET", "/accounts", { query: { limit, cursor } });
      const page = read(accountsPageSchema, res.body, "list accounts");
      for (const w of page.accounts) {
        if (seen.has(w.id)) continue;
        seen.add(w.id);
        yield toAccount(w);
      }
      if (!page.next) return;
      if (cursors.has(page.next)) {
        throw new ConnectorError("remote", "list accounts: the system sent the same page cursor twice");
      }
      cursors.add(page.next);
      cursor = page.next;
    }
    throw new ConnectorError("remote", `list accounts: stopped after ${MAX_PAGES} pages`);
  }

  async getAccount(externalId: string): Promise<Account | null> {
    const res = await this.client.call("get account", "GET", `/accounts/${encodeURIComponent(externalId)}`, {
      accept: [404],
    });
    if (res.status === 404) return null;
    return toAccount(read(wireAccountSchema, res.body, "get account"));
  }

  private async require(externalId: string, what: string): Promise<Account> {
    const a = await this.getAccount(externalId);
    if (!a) throw new ConnectorError("not_found", `${what}: no account ${externalId}`);
    return a;
  }

  async findAccount(match: AccountMatch): Promise<Account | null> {
    const tries: [string, string | undefined][] = [
      ["employeeNumber", match.employeeNumber],
      ["username", match.username],
      ["email", match.email],
    ];
    for (const [field, value] of tries) {
      if (!value?.trim()) continue;
      const res = await this.client.call("find account", "GET", "/accounts", {
        query: { [field]: value.trim(), limit: "2" },
      });
      const found = read(accountsPageSchema, res.body, "find account").accounts;
      if (found.length > 1) throw new ConnectorError("conflict", `more than one account has this ${field}`);
      if (found[0]) return toAccount(found[0]);
    }
    return null;
  }

  async listEntitlements(): Promise<Entitlement[]> {
    const res = await this.client.call("list entitlements", "GET", "/entitlements");
    return toEntitlements(read(entitlementsSchema, res.body, "list entitlements"));
  }

  // --- writes ------------------------------------------------------------------------------

  /** POSTs one operation: { operation, account, entitlement }. */
  private async operation(
    what: string,
    operation: WebhookOperation,
    account: Record<string, unknown>,
    entitlementId?: string,
  ): Promise<Account | null> {
    const body = {
      operation,
      account,
      ...(entitlementId === undefined ? {} : { entitlement: { id: entitlementId } }),
    };
    const res = await this.client.call(what, "POST", "/operations", { body });
    if (res.body === undefined) return null;
    const result = read(operationResultSchema, res.body, what);
    return result.account ? toAccount(result.account) : null;
  }

  async createAccount(spec: AccountSpec): Promise<Account> {
    const existing = await this.findAccount(spec);
    if (existing) return existing;
    let made: Account | null;
    try {
      made = await this.operation("create account", "create", { ...spec });
    } catch (err) {
      if (!(err instanceof ConnectorError) || err.kind !== "conflict") throw err;
      // Created meanwhile (or known under another field): link to it.
      const now = await this.findAccount(spec);
      if (now) return now;
      throw err;
    }
    const back = made ? await this.getAccount(made.externalId) : await this.findAccount(spec);
    if (!back) throw new ConnectorError("remote", "create account: the new account does not read back");
    return back;
  }

  async updateAccount(externalId: string, patch: AccountPatch): Promise<Account> {
    await this.require(externalId, "update account");
    const fields = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(fields).length)
      await this.operation("update account", "update", { ...fields, id: externalId });
    return this.require(externalId, "update account");
  }

  private async setEnabled(externalId: string, enabled: boolean): Promise<void> {
    const what = enabled ? "enable account" : "disable account";
    const a = await this.require(externalId, what);
    if (a.enabled === enabled) return;
    await this.operation(what, enabled ? "enable" : "disable", { id: externalId });
    if ((await this.require(externalId, what)).enabled !== enabled) {
      throw new ConnectorError(
        "remote",
        `${what}: the system accepted it but the account does not read back so`,
      );
    }
  }

  disableAccount(externalId: string): Promise<void> {
    return this.setEnabled(externalId, false);
  }

  enableAccount(externalId: string): Promise<void> {
    return this.setEnabled(externalId, true);
  }

  async deleteAccount(externalId: string): Promise<void> {
    await this.require(externalId, "delete account");
    await this.operation("delete account", "delete", { id: externalId });
    if (await this.getAccount(externalId)) {
      throw new ConnectorError(
        "remote",
        "delete account: the system accepted it but the account still reads back",
      );
    }
  }

  private async membership(externalId: string, entitlementId: string, held: boolean): Promise<void> {
    const what = held ? "grant" : "revoke";
    const a = await this.require(externalId, what);
    if (a.entitlements.includes(entitlementId) === held) return;
    await this.operation(what, held ? "grant" : "revoke", { id: externalId }, entitlementId);
    if ((await this.require(externalId, what)).entitlements.includes(entitlementId) !== held) {
      throw new ConnectorError(
        "remote",
        `${what}: the system accepted it but ${entitlementId} does not read back so`,
      );
    }
  }

  grant(externalId: string, entitlementId: string): Promise<void> {
    return this.membership(externalId, entitlementId, true);
  }

  revoke(externalId: string, entitlementId: string): Promise<void> {
    return this.membership(externalId, entitlementId, false);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
