import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildPerson,
  buildProfile,
  buildRole,
  entitlementId,
  eventually,
  offboardingOf,
  syncSystem,
  terminate,
} from "../../test/access.js";
import { startTestApp, type TestApp } from "../../test/harness.js";

/**
 * A system without an API: the manual connector turns each step into a task in Tandem, a
 * person does it and attests (or rejects) it, and the connector reads the attested state back.
 */

let h: TestApp;
let sec: Awaited<ReturnType<TestApp["signedIn"]>>;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;

beforeAll(async () => {
  h = await startTestApp({}, { jobs: true });
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
});
afterAll(() => h?.close());

const plansOf = async (personId: string) =>
  (
    await h.t.db.query<{ id: string; reason: string; state: string }>(
      "SELECT id, reason, state FROM access_plans WHERE person_id = $1 ORDER BY created_at, id",
      [personId],
    )
  ).rows;

describe("a manual system (no API: people do the work and attest it)", () => {
  interface Task {
    id: string;
    title: string;
    state: string;
    systemId: string | null;
    assignee: string | null;
  }
  const openTasks = async (systemId: string) =>
    (await sec.get("/api/v1/access/tasks?state=open"))
      .json<{ items: Task[] }>()
      .items.filter((t) => t.systemId === systemId);
  const taskWhen = (systemId: string, title: RegExp) =>
    eventually(`an open task ${title}`, async () =>
      (await openTasks(systemId)).find((t) => title.test(t.title)),
    );

  it("joins and leaves through tasks; each step is verified from what people attested", async () => {
    const res = await sec.post("/api/v1/access/systems", {
      name: "Door badges",
      connectorType: "manual",
      config: {
        systemName: "Door badges",
        owner: "Facilities desk",
        entitlements: [{ id: "badge-hq", name: "HQ badge" }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const badges = res.json<{ id: string; secretsSet: Record<string, boolean> }>();
    expect(badges.secretsSet).toEqual({});
    await syncSystem(sec, badges.id);
    const hq = await entitlementId(sec, badges.id, "HQ badge");
    const role = await buildRole(hr, "Receptionist");
    await buildProfile(sec, {
      name: "Reception",
      jobRoleId: role,
      entitlements: [{ systemId: badges.id, entitlementId: hq }],
    });
    const p = await buildPerson(hr, { jobRoleId: role });

    const create = await taskWhen(badges.id, /Create .* account in Door badges/);
    expect(create.assignee).toBe("Facilities desk");
    const joiner = (await plansOf(p.id)).find((x) => x.reason === "joiner");
    const waiting = (await sec.get(`/api/v1/access/plans/${joiner?.id}`)).json<{
      steps: { action: string; state: string; manualTaskId: string | null }[];
    }>();
    expect(waiting.steps.find((s) => s.action === "create")).toMatchObject({
      state: "manual",
      manualTaskId: create.id,
    });
    expect(
      (await sec.post(`/api/v1/access/tasks/${create.id}/attest`, { note: "badge printed" })).statusCode,
    ).toBe(200);
    const grant = await taskWhen(badges.id, /Give .* HQ badge/);
    await sec.post(`/api/v1/access/tasks/${grant.id}/attest`, {});
    await eventually("the joiner plan done", async () =>
      (await plansOf(p.id)).find((x) => x.reason === "joiner")?.state === "done" ? true : undefined,
    );
    await syncSystem(sec, badges.id);
    const account = (await sec.get(`/api/v1/access/systems/${badges.id}/accounts`))
      .json<{
        items: { personId: string | null; enabled: boolean; entitlements: string[] }[];
      }>()
      .items.find((a) => a.personId === p.id);
    expect(account).toMatchObject({ enabled: true, entitlements: ["badge-hq"] });

    await terminate(hr, p.id);
    const disable = await taskWhen(badges.id, /Disable .* account in Door badges/);
    const o = await offboardingOf(sec, p.id);
    expect(o?.systems.find((s) => s.systemId === badges.id)?.state).toBe("manual");
    expect(o?.accessRevokedAt).toBeNull();
    await sec.post(`/api/v1/access/tasks/${disable.id}/attest`, { note: "badge deactivated" });
    const revoke = await taskWhen(badges.id, /Remove HQ badge/);
    const rejected = await sec.post(`/api/v1/access/tasks/${revoke.id}/reject`, { note: "wrong person" });
    expect(rejected.json()).toMatchObject({ state: "rejected", note: "wrong person" });
    const failed = await eventually("the rejected step failed", async () => {
      const x = await offboardingOf(sec, p.id);
      const step = x?.systems.find((s) => s.systemId === badges.id)?.steps.find((s) => s.action === "revoke");
      return step?.state === "failed" ? step : undefined;
    });
    expect(failed.error).toMatch(/rejected by .*wrong person/);
    // Retried: the connector asks again with a new task; attested, the step is verified.
    expect((await sec.post(`/api/v1/access/steps/${failed.id}/retry`)).statusCode).toBe(200);
    const again = await taskWhen(badges.id, /Remove HQ badge/);
    expect(again.id).not.toBe(revoke.id);
    await sec.post(`/api/v1/access/tasks/${again.id}/attest`, {});
    const done = await eventually("the badge revoked", async () => {
      const x = await offboardingOf(sec, p.id);
      const sys = x?.systems.find((s) => s.systemId === badges.id);
      return sys?.state === "verified" ? sys : undefined;
    });
    expect(done.steps.map((s) => s.action).sort()).toEqual(["disable", "revoke"]);
  }, 300_000);
});
