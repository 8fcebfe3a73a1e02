import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContractSetup, collect, connectorFailure, runConnectorContract } from "../contract.js";
import { ConnectorError, instantiate } from "../kit.js";
import {
  type Attestation,
  isManualTaskPending,
  type ManualConfigInput,
  ManualConnector,
  type ManualTask,
  type ManualTaskRequest,
  type ManualTaskState,
  manualConnector,
  manualConnectorWith,
  type TaskSink,
} from "./index.js";

/**
 * The peer of the manual connector: an in-memory task list where the test plays the
 * owner who attests (or rejects) each task. `attestAtOnce` is an owner who does every task
 * the moment it is opened.
 */
class MemoryTaskSink implements TaskSink {
  readonly tasks: ManualTask[] = [];
  down = false;
  constructor(private readonly opts: { attestAtOnce?: string } = {}) {}

  private check() {
    if (this.down) throw new Error("task store: connection refused");
  }
  async openTask(request: ManualTaskRequest): Promise<string> {
    this.check();
    const id = `task-${this.tasks.length + 1}`;
    this.tasks.push({ ...structuredClone(request), id, openedAt: new Date().toISOString(), status: "open" });
    if (this.opts.attestAtOnce)
      this.finish(id, "done", { by: this.opts.attestAtOnce, at: new Date().toISOString() });
    return id;
  }
  async taskState(taskId: string): Promise<ManualTaskState | null> {
    this.check();
    const t = this.tasks.find((x) => x.id === taskId);
    return t
      ? structuredClone({ status: t.status, ...(t.attestation ? { attestation: t.attestation } : {}) })
      : null;
  }
  async listTasks(query: { systemId?: string }): Promise<ManualTask[]> {
    this.check();
    return structuredClone(
      this.tasks.filter((t) => query.systemId === undefined || t.systemId === query.systemId),
    );
  }
  /** The owner says the task is done (or refuses it). */
  finish(taskId: string, status: "done" | "rejected", attestation: Attestation) {
    const t = this.tasks.find((x) => x.id === taskId);
    if (t?.status !== "open") throw new Error(`no open task ${taskId}`);
    t.status = status;
    t.attestation = attestation;
  }
  open() {
    return this.tasks.filter((t) => t.status === "open");
  }
}

const config = (over: Partial<ManualConfigInput> = {}) =>
  manualConnector.configSchema.parse({
    systemName: "Door badges (head office)",
    owner: "Facilities desk",
    entitlements: [
      { id: "zone-office", name: "Office floors" },
      { id: "zone-server-room", name: "Server room" },
    ],
    ...over,
  });

runConnectorContract(
  "manual (an owner who attests every task at once)",
  async (): Promise<ContractSetup> => {
    const sink = new MemoryTaskSink({ attestAtOnce: "facilities@example.test" });
    const connector = instantiate(manualConnectorWith({ sink, systemId: "badges" }), config(), {});
    return {
      connector,
      entitlementIds: ["zone-office", "zone-server-room"],
      cleanup: () => connector.close(),
    };
  },
  { remote: false },
);

describe("manual connector: operations wait for the owner's attestation", () => {
  let sink: MemoryTaskSink;
  let manual: ManualConnector;
  let clock = Date.parse("2030-03-04T09:00:00.000Z");
  const now = () => new Date(clock);
  let n = 0;
  const spec = () => {
    n++;
    return {
      username: `badge${n}`,
      email: `badge${n}@example.test`,
      displayName: `Badge Holder ${n}`,
      employeeNumber: `B-${n}`,
      enabled: true,
    };
  };
  const pending = async (p: Promise<unknown>) => {
    const e = await connectorFailure(p);
    expect(isManualTaskPending(e), e.message).toBe(true);
    expect(e.retryable).toBe(true);
    return e as ConnectorError & { taskId: string; dueAt: string };
  };
  const attest = (taskId: string, note?: string) =>
    sink.finish(taskId, "done", {
      by: "facilities@example.test",
      at: now().toISOString(),
      ...(note ? { note } : {}),
    });
  /** Creates an account and has the owner attest it. */
  const made = async () => {
    const want = spec();
    const p = await pending(manual.createAccount(want));
    attest(p.taskId);
    return manual.createAccount(want);
  };

  beforeAll(() => {
    sink = new MemoryTaskSink();
    manual = new ManualConnector(config(), { sink, systemId: "badges", now });
  });
  afterAll(async () => {
    await manual?.close();
  });

  it("create opens one task, the account appears only once the owner attests it", async () => {
    const want = spec();
    const first = await pending(manual.createAccount(want));
    expect(first.dueAt).toBe(new Date(clock + 24 * 3_600_000).toISOString());
    expect(await manual.findAccount({ username: want.username })).toBeNull();
    expect(await collect(manual.listAccounts())).toEqual([]);
    const [task] = sink.open();
    expect(task).toMatchObject({
      id: first.taskId,
      systemId: "badges",
      action: "create",
      template: "create_account",
      assignee: "Facilities desk",
      change: { username: want.username, email: want.email, enabled: true },
    });
    expect(task?.title).toContain(want.username);
    expect(task?.instructions).toContain("Door badges (head office)");

    // Asking again while the task is open reuses it: no second task.
    expect((await pending(manual.createAccount(want))).taskId).toBe(first.taskId);
    expect(sink.tasks).toHaveLength(1);

    attest(first.taskId, "badge 4411 issued");
    const account = await manual.createAccount(want);
    expect(account.externalId).toBe(task?.accountRef);
    expect(await manual.getAccount(account.externalId)).toMatchObject({
      username: want.username,
      employeeNumber: want.employeeNumber,
      enabled: true,
      entitlements: [],
      raw: { attestedBy: "facilities@example.test", lastTaskId: first.taskId },
    });
    expect(sink.tasks).toHaveLength(1);
  });

  it("disable stays pending until attested; then the account reads back disabled", async () => {
    const a = await made();
    const p = await pending(manual.disableAccount(a.externalId));
    expect(p.dueAt).toBe(new Date(clock + 4 * 3_600_000).toISOString());
    expect((await manual.getAccount(a.externalId))?.enabled).toBe(true);
    expect((await manual.taskState(p.taskId))?.status).toBe("open");
    attest(p.taskId);
    expect((await manual.getAccount(a.externalId))?.enabled).toBe(false);
    const before = sink.tasks.length;
    await manual.disableAccount(a.externalId);
    expect(sink.tasks.length).toBe(before);
  });

  it("a rejected task changes nothing, and says who refused and why", async () => {
    const a = await made();
    const p = await pending(manual.grant(a.externalId, "zone-server-room"));
    sink.finish(p.taskId, "rejected", {
      by: "facilities@example.test",
      at: now().toISOString(),
      note: "no approval",
    });
    expect(await manual.taskState(p.taskId)).toMatchObject({
      status: "rejected",
      attestation: { by: "facilities@example.test", note: "no approval" },
    });
    expect((await manual.getAccount(a.externalId))?.entitlements).toEqual([]);
    // Asking again is a new request for the owner.
    const again = await pending(manual.grant(a.externalId, "zone-server-room"));
    expect(again.taskId).not.toBe(p.taskId);
    attest(again.taskId);
    expect((await manual.getAccount(a.externalId))?.entitlements).toEqual(["zone-server-room"]);
  });

  it("an owner who refuses at once makes the operation fail, not wait", async () => {
    const refusing: TaskSink = {
      openTask: async (r) =>
        sink.openTask(r).then((id) => {
          sink.finish(id, "rejected", {
            by: "facilities@example.test",
            at: now().toISOString(),
            note: "not ours",
          });
          return id;
        }),
      taskState: (id) => sink.taskState(id),
      listTasks: (q) => sink.listTasks(q),
    };
    const a = await made();
    const strict = new ManualConnector(config(), { sink: refusing, systemId: "badges", now });
    const e = await connectorFailure(strict.deleteAccount(a.externalId));
    expect(e).toMatchObject({ kind: "remote", retryable: false });
    expect(e.message).toMatch(/rejected by facilities@example.test: not ours/);
    expect(await manual.getAccount(a.externalId)).not.toBeNull();
  });

  it("uses the catalogue: badge, wipe, laptop return and credential rotation with their due times", async () => {
    const devices = new ManualConnector(
      config({
        systemName: "Company devices",
        owner: "IT service desk",
        templates: { disable: "remote_wipe_device", delete: "return_laptop_and_phone" },
        entitlements: [
          { id: "badge", name: "Building badge", revokeTemplate: "disable_badge" },
          { id: "vault-finance", name: "Finance shared vault", revokeTemplate: "rotate_shared_credentials" },
        ],
        dueMinutes: { rotate_shared_credentials: 120 },
      }),
      { sink, systemId: "devices", now },
    );
    const want = spec();
    attest((await pending(devices.createAccount(want))).taskId);
    const a = await devices.createAccount(want);
    for (const ent of ["badge", "vault-finance"])
      attest((await pending(devices.grant(a.externalId, ent))).taskId);

    const due = async (p: Promise<unknown>) => {
      const e = await pending(p);
      const task = sink.tasks.find((t) => t.id === e.taskId)!;
      return {
        template: task.template,
        hours: (Date.parse(task.dueAt) - clock) / 3_600_000,
        title: task.title,
      };
    };
    expect(await due(devices.revoke(a.externalId, "badge"))).toMatchObject({
      template: "disable_badge",
      hours: 1,
    });
    expect(await due(devices.revoke(a.externalId, "vault-finance"))).toMatchObject({
      template: "rotate_shared_credentials",
      hours: 2,
      title: expect.stringContaining("Finance shared vault"),
    });
    expect(await due(devices.disableAccount(a.externalId))).toMatchObject({
      template: "remote_wipe_device",
      hours: 1,
    });
    expect(await due(devices.deleteAccount(a.externalId))).toMatchObject({
      template: "return_laptop_and_phone",
      hours: 72,
    });
    // Tasks are kept per system: the badge system does not see the device accounts.
    expect((await collect(manual.listAccounts())).map((x) => x.externalId)).not.toContain(a.externalId);
    expect((await devices.openTasks()).length).toBe(4);
  });

  it("reads back tasks in the order they were attested, not opened", async () => {
    const a = await made();
    const first = await pending(manual.updateAccount(a.externalId, { displayName: "Name One" }));
    const second = await pending(manual.updateAccount(a.externalId, { displayName: "Name Two" }));
    expect(second.taskId).not.toBe(first.taskId);
    clock += 60_000;
    attest(second.taskId);
    clock += 60_000;
    attest(first.taskId);
    expect((await manual.getAccount(a.externalId))?.displayName).toBe("Name One");
  });

  it("reports a failing task store as unreachable, never as an empty system", async () => {
    const a = await made();
    sink.down = true;
    try {
      expect(await manual.testConnection()).toMatchObject({ ok: false, kind: "unreachable" });
      for (const p of [collect(manual.listAccounts()), manual.getAccount(a.externalId)]) {
        expect(await connectorFailure(p)).toMatchObject({ kind: "unreachable", retryable: true });
      }
    } finally {
      sink.down = false;
    }
    expect(await manual.testConnection()).toMatchObject({ ok: true });
  });
});

describe("manual settings", () => {
  const refused = (input: unknown) => {
    try {
      instantiate(manualConnectorWith({ sink: new MemoryTaskSink() }), input, {});
    } catch (err) {
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).kind).toBe("invalid_config");
      return (err as ConnectorError).message;
    }
    throw new Error("expected the settings to be refused");
  };
  const base = { systemName: "Badges", owner: "Facilities" };

  it("names the field that is wrong", () => {
    expect(refused({ owner: "Facilities" })).toMatch(/systemName/);
    expect(refused({ ...base, templates: { create: "disable_badge" } })).toMatch(
      /templates\.create: disable_badge cannot stand for create/,
    );
    expect(refused({ ...base, templates: { disable: "no_such_template" } })).toMatch(/templates\.disable/);
    expect(
      refused({
        ...base,
        entitlements: [
          { id: "a", name: "A" },
          { id: "a", name: "A again" },
        ],
      }),
    ).toMatch(/entitlements\.1\.id: a is listed twice/);
    expect(
      refused({ ...base, entitlements: [{ id: "a", name: "A", revokeTemplate: "create_account" }] }),
    ).toMatch(/entitlements\.0\.revokeTemplate/);
    expect(refused({ ...base, dueMinutes: { disable_badge: 1 } })).toMatch(/dueMinutes\.disable_badge/);
  });

  it("needs a task sink", () => {
    const e = (() => {
      try {
        instantiate(manualConnector, base, {});
      } catch (err) {
        return err as ConnectorError;
      }
      return null;
    })();
    expect(e).toMatchObject({ kind: "invalid_config" });
    expect(e?.message).toMatch(/no task sink/);
  });
});
