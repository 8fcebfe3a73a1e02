import { randomUUID } from "node:crypto";
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
import type { ManualConfig } from "./config.js";
import {
  MANUAL_TEMPLATES,
  type ManualAction,
  type ManualTask,
  type ManualTaskState,
  type ManualTemplate,
  type ManualTemplateKey,
  type TaskSink,
} from "./tasks.js";

export const MANUAL_META: ConnectorMeta = {
  type: "manual",
  label: "Manual tasks",
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

export interface ManualDeps {
  sink: TaskSink;
  /** The system the tasks belong to (passed to the sink). */
  systemId?: string;
  now?: () => Date;
}

/**
 * The operation is waiting for a person: its task is open. Retryable: calling the same
 * operation again returns once the task is attested done (and reuses the open task).
 */
export class ManualTaskPendingError extends ConnectorError {
  readonly taskId: string;
  readonly action: ManualAction;
  readonly dueAt: string;
  readonly assignee: string;

  constructor(
    task: { id: string; action: ManualAction; dueAt: string; assignee: string; title: string },
    now: Date,
  ) {
    const untilDue = Date.parse(task.dueAt) - now.getTime();
    super(
      "remote",
      `waiting for ${task.assignee} to attest task ${task.id} (${task.title}), due ${task.dueAt}`,
      {
        retryable: true,
        retryAfterMs: Math.min(Math.max(untilDue, 60_000), 15 * 60_000),
      },
    );
    this.name = "ManualTaskPendingError";
    this.taskId = task.id;
    this.action = task.action;
    this.dueAt = task.dueAt;
    this.assignee = task.assignee;
  }
}

export const isManualTaskPending = (e: unknown): e is ManualTaskPendingError =>
  e instanceof ManualTaskPendingError;

interface AccountState {
  account: Account;
  order: number;
}

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * A system without an API: every operation becomes a task for a person, and what the
 * system looks like is what people attested. An account exists once its create task is
 * done; it is disabled once a disable task is done; and so on.
 */
export class ManualConnector implements Connector {
  readonly meta = MANUAL_META;
  private readonly now: () => Date;

  constructor(
    private readonly cfg: ManualConfig,
    private readonly deps: ManualDeps,
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  // --- the sink ----------------------------------------------------------------------------

  private async sink<T>(what: string, fn: (sink: TaskSink) => Promise<T>): Promise<T> {
    try {
      return await fn(this.deps.sink);
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      throw new ConnectorError("unreachable", `${what}: the task store failed (${(err as Error).message})`, {
        cause: err,
      });
    }
  }

  private tasks(what: string): Promise<ManualTask[]> {
    return this.sink(what, (s) =>
      s.listTasks(this.deps.systemId === undefined ? {} : { systemId: this.deps.systemId }),
    );
  }

  /** The state task by task: every done task applied in the order it was attested. */
  private async accounts(what: string): Promise<Map<string, AccountState>> {
    const done = (await this.tasks(what))
      .map((task, i) => ({ task, i }))
      .filter(({ task }) => task.status === "done")
      .sort((a, b) => {
        const at = (x: ManualTask) => Date.parse(x.attestation?.at ?? x.openedAt);
        return at(a.task) - at(b.task) || a.i - b.i;
      });
    const state = new Map<string, AccountState>();
    let order = 0;
    for (const { task } of done) {
      const current = state.get(task.accountRef)?.account;
      const stamp = (a: Account) => {
        a.raw = { lastTaskId: task.id, attestedBy: task.attestation?.by, attestedAt: task.attestation?.at };
      };
      if (task.action === "create") {
        if (current) continue;
        const c = task.change ?? {};
        const account: Account = {
          externalId: task.accountRef,
          username: c.username ?? task.accountRef,
          enabled: c.enabled !== false,
          entitlements: [],
        };
        if (c.email) account.email = c.email;
        if (c.displayName) account.displayName = c.displayName;
        if (c.employeeNumber) account.employeeNumber = c.employeeNumber;
        stamp(account);
        state.set(task.accountRef, { account, order: order++ });
        continue;
      }
      if (!current) continue;
      switch (task.action) {
        case "update": {
          const c = task.change ?? {};
          if (c.username) current.username = c.username;
          if (c.email !== undefined) current.email = c.email;
          if (c.displayName !== undefined) current.displayName = c.displayName;
          if (c.employeeNumber !== undefined) current.employeeNumber = c.employeeNumber;
          if (c.enabled !== undefined) current.enabled = c.enabled;
          break;
        }
        case "disable":
        case "enable":
          current.enabled = task.action === "enable";
          break;
        case "delete":
          state.delete(task.accountRef);
          continue;
        case "grant":
        case "revoke": {
          const ent = task.entitlementRef;
          if (!ent) break;
          const held = new Set(current.entitlements);
          if (task.action === "grant") held.add(ent);
          else held.delete(ent);
          current.entitlements = [...held].sort();
          break;
        }
      }
      stamp(current);
    }
    return state;
  }

  private async require(externalId: string, what: string): Promise<Account> {
    const a = (await this.accounts(what)).get(externalId)?.account;
    if (!a) throw new ConnectorError("not_found", `${what}: no account ${externalId}`);
    return a;
  }

  private entitlement(id: string, what: string) {
    const e = this.cfg.entitlements.find((x) => x.id === id);
    if (!e) throw new ConnectorError("not_found", `${what}: ${this.cfg.systemName} has no entitlement ${id}`);
    return e;
  }

  /**
   * Asks for `action` on the account: reuses the open task asking the same, or opens one.
   * Returns when the task is done; throws ManualTaskPendingError while it is open.
   */
  private async request(
    action: ManualAction,
    account: { externalId: string; username: string; displayName?: string },
    opts: { entitlementRef?: string; change?: AccountPatch; template?: ManualTemplateKey } = {},
  ): Promise<void> {
    const what = `${action} (manual)`;
    const key = opts.template ?? this.cfg.templates[action];
    const change = opts.change === undefined ? undefined : JSON.stringify(opts.change);
    const open = (await this.tasks(what)).find(
      (t) =>
        t.status === "open" &&
        t.action === action &&
        t.accountRef === account.externalId &&
        t.entitlementRef === opts.entitlementRef &&
        (t.change === undefined ? undefined : JSON.stringify(t.change)) === change,
    );
    let task: { id: string; action: ManualAction; dueAt: string; assignee: string; title: string };
    if (open) {
      task = open;
    } else {
      const template: ManualTemplate = MANUAL_TEMPLATES[key];
      const entitlementName = opts.entitlementRef
        ? this.cfg.entitlements.find((e) => e.id === opts.entitlementRef)?.name
        : undefined;
      const text = {
        system: this.cfg.systemName,
        username: account.username,
        ...(account.displayName ? { displayName: account.displayName } : {}),
        ...(entitlementName ? { entitlement: entitlementName } : {}),
        ...(opts.change ? { change: opts.change } : {}),
      };
      const minutes = this.cfg.dueMinutes[key] ?? template.dueMinutes;
      const request = {
        ...(this.deps.systemId === undefined ? {} : { systemId: this.deps.systemId }),
        action,
        template: key,
        accountRef: account.externalId,
        ...(opts.entitlementRef ? { entitlementRef: opts.entitlementRef } : {}),
        ...(opts.change ? { change: opts.change } : {}),
        assignee: this.cfg.owner,
        title: template.title(text),
        instructions: [template.instructions(text), this.cfg.instructions].filter(Boolean).join("\n\n"),
        dueAt: new Date(this.now().getTime() + minutes * 60_000).toISOString(),
      };
      const id = await this.sink(what, (s) => s.openTask(request));
      task = { ...request, id };
    }
    const state = await this.sink(what, (s) => s.taskState(task.id));
    if (state?.status === "done") return;
    if (state?.status === "rejected") {
      const a = state.attestation;
      throw new ConnectorError(
        "remote",
        `${what}: task ${task.id} was rejected${a ? ` by ${a.by}${a.note ? `: ${a.note}` : ""}` : ""}`,
      );
    }
    throw new ManualTaskPendingError(task, this.now());
  }

  // --- manual-specific ---------------------------------------------------------------------

  /** A task's status and attestation (for the engine to follow a pending step). */
  taskState(taskId: string): Promise<ManualTaskState | null> {
    return this.sink("task state", (s) => s.taskState(taskId));
  }

  /** The tasks still open for this system. */
  async openTasks(): Promise<ManualTask[]> {
    return (await this.tasks("open tasks")).filter((t) => t.status === "open");
  }

  // --- reads -------------------------------------------------------------------------------

  async testConnection(): Promise<TestConnectionResult> {
    try {
      const tasks = await this.tasks("test connection");
      const open = tasks.filter((t) => t.status === "open").length;
      return {
        ok: true,
        detail: `${this.cfg.systemName}: tasks go to ${this.cfg.owner}; ${tasks.length} recorded, ${open} open`,
      };
    } catch (err) {
      const e = err instanceof ConnectorError ? err : new ConnectorError("remote", String(err));
      return { ok: false, detail: e.message, kind: e.kind };
    }
  }

  async *listAccounts(_opts: { pageSize?: number } = {}): AsyncIterable<Account> {
    const all = [...(await this.accounts("list accounts")).values()].sort((a, b) => a.order - b.order);
    for (const { account } of all) yield account;
  }

  async getAccount(externalId: string): Promise<Account | null> {
    return (await this.accounts("get account")).get(externalId)?.account ?? null;
  }

  private static find(accounts: Iterable<AccountState>, match: AccountMatch): Account | null {
    const list = [...accounts].map((s) => s.account);
    const tries: [keyof AccountMatch, (a: Account) => string | undefined][] = [
      ["employeeNumber", (a) => a.employeeNumber],
      ["username", (a) => a.username],
      ["email", (a) => a.email],
    ];
    for (const [field, get] of tries) {
      const want = match[field]?.trim();
      if (!want) continue;
      const found = list.filter((a) => same(get(a), want));
      if (found.length > 1) throw new ConnectorError("conflict", `more than one account has this ${field}`);
      if (found[0]) return found[0];
    }
    return null;
  }

  async findAccount(match: AccountMatch): Promise<Account | null> {
    return ManualConnector.find((await this.accounts("find account")).values(), match);
  }

  async listEntitlements(): Promise<Entitlement[]> {
    return this.cfg.entitlements.map((e) => ({
      externalId: e.id,
      name: e.name,
      kind: e.kind,
      ...(e.description ? { description: e.description } : {}),
    }));
  }

  // --- writes ------------------------------------------------------------------------------

  async createAccount(spec: AccountSpec): Promise<Account> {
    const existing = ManualConnector.find((await this.accounts("create account")).values(), spec);
    if (existing) return existing;
    // An open create task for the same login is the same request: reuse its account id.
    const pending = (await this.tasks("create account")).find(
      (t) => t.status === "open" && t.action === "create" && same(t.change?.username, spec.username),
    );
    const externalId = pending?.accountRef ?? randomUUID();
    const change: AccountPatch = {
      username: spec.username,
      email: spec.email,
      displayName: spec.displayName,
      employeeNumber: spec.employeeNumber,
      ...(spec.givenName ? { givenName: spec.givenName } : {}),
      ...(spec.familyName ? { familyName: spec.familyName } : {}),
      enabled: spec.enabled,
    };
    await this.request(
      "create",
      { externalId, username: spec.username, displayName: spec.displayName },
      { change: pending?.change ?? change },
    );
    return this.require(externalId, "create account");
  }

  async updateAccount(externalId: string, patch: AccountPatch): Promise<Account> {
    const a = await this.require(externalId, "update account");
    const change = Object.fromEntries(
      Object.entries(patch).filter(([k, v]) => v !== undefined && a[k as keyof Account] !== v),
    ) as AccountPatch;
    if (Object.keys(change).length) await this.request("update", a, { change });
    return this.require(externalId, "update account");
  }

  private async setEnabled(externalId: string, enabled: boolean): Promise<void> {
    const what = enabled ? "enable account" : "disable account";
    const a = await this.require(externalId, what);
    if (a.enabled !== enabled) await this.request(enabled ? "enable" : "disable", a);
  }

  disableAccount(externalId: string): Promise<void> {
    return this.setEnabled(externalId, false);
  }

  enableAccount(externalId: string): Promise<void> {
    return this.setEnabled(externalId, true);
  }

  async deleteAccount(externalId: string): Promise<void> {
    await this.request("delete", await this.require(externalId, "delete account"));
  }

  async grant(externalId: string, entitlementId: string): Promise<void> {
    const e = this.entitlement(entitlementId, "grant");
    const a = await this.require(externalId, "grant");
    if (a.entitlements.includes(entitlementId)) return;
    await this.request("grant", a, {
      entitlementRef: entitlementId,
      ...(e.grantTemplate ? { template: e.grantTemplate } : {}),
    });
  }

  async revoke(externalId: string, entitlementId: string): Promise<void> {
    const e = this.entitlement(entitlementId, "revoke");
    const a = await this.require(externalId, "revoke");
    if (!a.entitlements.includes(entitlementId)) return;
    await this.request("revoke", a, {
      entitlementRef: entitlementId,
      ...(e.revokeTemplate ? { template: e.revokeTemplate } : {}),
    });
  }

  async close(): Promise<void> {}
}
