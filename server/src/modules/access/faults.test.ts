import type { Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildPerson,
  buildProfile,
  buildRole,
  buildSystem,
  entitlementId,
  eventually,
  groupsOf,
  ldapEntry,
  offboardingOf,
  syncSystem,
  terminate,
} from "../../test/access.js";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { startSlapd, type TestSlapd } from "../../test/slapd.js";

/**
 * When things go wrong: a system that cannot be reached, rejected credentials, a bulk batch
 * the circuit breaker must hold, and a mover's grace period.
 */

let h: TestApp;
let slapd: TestSlapd;
let admin: Client;
let sec: Awaited<ReturnType<TestApp["signedIn"]>>;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
const stopLater: TestSlapd[] = [];

const LOCK = "000001010000Z";
const locked = (e: Record<string, unknown> | undefined) => String(e?.pwdAccountLockedTime ?? "") === LOCK;

beforeAll(async () => {
  slapd = await startSlapd();
  admin = await slapd.admin();
  h = await startTestApp(
    {
      TANDEM_ACCESS_RETRY_LIMIT: "3",
      TANDEM_ACCESS_RETRY_SECONDS: "0.2",
      TANDEM_ACCESS_MOVER_GRACE_HOURS: "2",
    },
    { jobs: true },
  );
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
});
afterAll(async () => {
  await admin?.unbind();
  await h?.close();
  for (const s of [slapd, ...stopLater]) await s?.stop();
});

interface PlanView {
  state: string;
  steps: { id: string; action: string; state: string; error: string | null; attempts: number }[];
}

const plansOf = async (personId: string) =>
  (
    await h.t.db.query<{ id: string; reason: string; state: string; held_reason: string | null }>(
      "SELECT id, reason, state, held_reason FROM access_plans WHERE person_id = $1 ORDER BY created_at, id",
      [personId],
    )
  ).rows;

const planWhen = (personId: string, ok: (p: { reason: string; state: string }) => boolean) =>
  eventually(`a plan of ${personId}`, async () => (await plansOf(personId)).find(ok));

const planView = async (id: string) => (await sec.get(`/api/v1/access/plans/${id}`)).json<PlanView>();

describe("a system that cannot be reached", () => {
  it("retries each step with backoff, then fails it with the reason; nothing is ever taken as verified", async () => {
    const down = await startSlapd();
    stopLater.push(down);
    const sys = await buildSystem(sec, down, { name: "Far directory", breakerThreshold: 1 });
    await syncSystem(sec, sys.id);
    const role = await buildRole(hr, "Field engineer");
    const vpn = await entitlementId(sec, sys.id, "vpn");
    await buildProfile(sec, {
      name: "Field",
      jobRoleId: role,
      entitlements: [{ systemId: sys.id, entitlementId: vpn }],
    });
    const p = await buildPerson(hr, { jobRoleId: role });
    await planWhen(p.id, (x) => x.reason === "joiner" && x.state === "done");
    await down.stop();

    await terminate(hr, p.id);
    const failed = await eventually("the leaver's steps on the stopped directory to fail", async () => {
      const o = await offboardingOf(sec, p.id);
      const s = o?.systems.find((x) => x.systemId === sys.id);
      return o && s?.state === "failed" && s.steps.every((st) => st.state === "failed")
        ? { o, s }
        : undefined;
    });
    expect(failed.s.steps.map((s) => s.action).sort()).toEqual(["disable", "revoke"]);
    for (const s of failed.s.steps) {
      expect(s.attempts).toBe(3);
      expect(s.error).toMatch(/cannot reach the server|not attempted/);
      expect(s.error).toMatch(/gave up after 3 attempts/);
      expect(s.verifiedAt).toBeNull();
    }
    expect(failed.o.accessRevokedAt).toBeNull();
    expect(failed.o.plan.state).toBe("failed");
    const audit = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.step_failed' AND details->>'planId' = $1",
      [failed.o.plan.id],
    );
    expect(audit.rows[0]?.n).toBe(2);

    // Done by hand instead: each failed step becomes a task; attesting it closes the step.
    for (const s of failed.s.steps) {
      const auditor = await h.signedIn(["auditor"]);
      expect((await auditor.post(`/api/v1/access/steps/${s.id}/manual`, {})).statusCode).toBe(403);
      const res = await sec.post(`/api/v1/access/steps/${s.id}/manual`, {
        note: "directory is being replaced",
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const tasks = (await sec.get(`/api/v1/access/tasks?personId=${p.id}&state=open`))
      .json<{
        items: { id: string; title: string; systemId: string | null }[];
      }>()
      .items.filter((t) => t.systemId === sys.id);
    expect(tasks).toHaveLength(2);
    expect(tasks.map((t) => t.title).join(" ")).toMatch(/Disable the account .* on Far directory/);
    for (const t of tasks)
      expect(
        (await sec.post(`/api/v1/access/tasks/${t.id}/attest`, { note: "done by hand" })).statusCode,
      ).toBe(200);
    const after = await offboardingOf(sec, p.id);
    const s = after?.systems.find((x) => x.systemId === sys.id);
    expect(s?.state).toBe("verified");
    expect(after?.accessRevokedAt).toBeTruthy();
    const again = await sec.post(`/api/v1/access/tasks/${tasks[0]?.id}/attest`, {});
    expect(again.statusCode).toBe(409);
  });

  it("fails a step the system refuses (bad credentials) at once; retried after the fix, it is verified", async () => {
    const sys = await buildSystem(sec, slapd, { name: "Main directory", breakerThreshold: 1 });
    await syncSystem(sec, sys.id);
    const role = await buildRole(hr, "Analyst");
    const fin = await entitlementId(sec, sys.id, "finance");
    await buildProfile(sec, {
      name: "Analysts",
      jobRoleId: role,
      entitlements: [{ systemId: sys.id }, { systemId: sys.id, entitlementId: fin }],
    });
    await sec.patch(`/api/v1/access/systems/${sys.id}`, { secrets: { bindPassword: "wrong-password" } });
    const p = await buildPerson(hr, { jobRoleId: role });
    const plan = await planWhen(p.id, (x) => x.reason === "joiner" && x.state === "failed");
    const view = await planView(plan.id);
    const create = view.steps.find((s) => s.action === "create");
    const grant = view.steps.find((s) => s.action === "grant");
    expect(create).toMatchObject({ state: "failed", attempts: 1 });
    expect(create?.error).toMatch(/refused the bind DN or password/);
    expect(grant).toMatchObject({ state: "failed", error: "not attempted: step 1 failed" });
    expect(await ldapEntry(admin, slapd, p.workEmail)).toBeUndefined();

    await sec.patch(`/api/v1/access/systems/${sys.id}`, { secrets: { bindPassword: slapd.bindPassword } });
    const retried = await sec.post(`/api/v1/access/steps/${create?.id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    await planWhen(p.id, (x) => x.reason === "joiner" && x.state === "done");
    const entry = await ldapEntry(admin, slapd, p.workEmail);
    expect(locked(entry)).toBe(false);
    expect(await groupsOf(admin, slapd, entry?.dn as string)).toEqual(["finance"]);
    const done = await planView(plan.id);
    expect(done.steps.every((s) => s.state === "verified")).toBe(true);
    expect((await sec.post(`/api/v1/access/steps/${create?.id}/retry`)).statusCode).toBe(409);
  });
});

describe("the circuit breaker", () => {
  it("holds a bulk batch over the threshold, never a revoke-now or a single immediate termination", async () => {
    const bulk = await startSlapd();
    stopLater.push(bulk);
    const bulkAdmin = await bulk.admin();
    const sys = await buildSystem(sec, bulk, { name: "Bulk directory" });
    const role = await buildRole(hr, "Seasonal");
    await buildProfile(sec, { name: "Seasonal", jobRoleId: role, entitlements: [{ systemId: sys.id }] });
    const staff = [];
    for (let i = 0; i < 6; i++) staff.push(await buildPerson(hr, { jobRoleId: role }));
    for (const p of staff) await planWhen(p.id, (x) => x.reason === "joiner" && x.state === "done");
    for (let i = 0; i < 5; i++) {
      await bulkAdmin.add(`uid=other${i},${bulk.peopleOu}`, {
        objectClass: ["top", "person", "organizationalPerson", "inetOrgPerson"],
        uid: `other${i}`,
        cn: `other${i}`,
        sn: `other${i}`,
      });
    }
    expect((await syncSystem(sec, sys.id)).accounts).toBe(11);

    // A wrong HR file: four people marked as leavers since yesterday (20 % of 11 accounts is 2.2).
    const batch = staff.slice(0, 4);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const csv = [
      "employee_number,legal_name,work_email,status,end_date,termination_type",
      ...(await Promise.all(
        batch.map(async (p) => {
          const legal = (await hr.get(`/api/v1/people/${p.id}`)).json<{ legalName: string }>().legalName;
          return `${p.employeeNumber},${legal},${p.workEmail},leaver,${yesterday},involuntary`;
        }),
      )),
    ].join("\n");
    const imported = await hr.request({
      method: "POST",
      url: "/api/v1/people/import/apply",
      payload: csv,
      headers: { "content-type": "text/csv" },
    });
    expect(imported.statusCode, imported.body).toBe(200);
    // Leaver plans stay running while device tasks are open: "settled" is held, or access revoked.
    const revoked = async (personId: string) =>
      Boolean((await offboardingOf(sec, personId))?.accessRevokedAt);
    const plans = await eventually("four leaver plans", async () => {
      const all = (await Promise.all(batch.map((p) => plansOf(p.id))))
        .flat()
        .filter((x) => x.reason === "leaver");
      const done = await Promise.all(batch.map((p) => revoked(p.id)));
      const settled = all.filter((x) => x.state === "held").length + done.filter(Boolean).length;
      return all.length === 4 && settled === 4 ? all : undefined;
    });
    const held = plans.filter((x) => x.state === "held");
    expect(held).toHaveLength(2);
    expect(held.map((x) => x.held_reason).join("\n")).toMatch(
      /Bulk directory: .* 3 of 11 accounts .*a person must confirm/,
    );
    const lockedNow = await Promise.all(
      batch.map(async (p) => locked(await ldapEntry(bulkAdmin, bulk, p.workEmail))),
    );
    expect(lockedNow.filter(Boolean)).toHaveLength(2);
    const listed = await sec.get("/api/v1/access/plans?state=held");
    expect(
      listed
        .json<{ items: { id: string }[] }>()
        .items.map((x) => x.id)
        .sort(),
    ).toEqual(held.map((x) => x.id).sort());
    expect((await sec.get(`/api/v1/access/systems/${sys.id}`)).json()).toMatchObject({ heldPlans: 2 });

    // Security revokes a fifth person now, in the middle of it: not held.
    const urgent = staff[4] as (typeof staff)[number];
    const now = await sec.post(`/api/v1/access/people/${urgent.id}/revoke-now`, {});
    expect(now.json()).toMatchObject({ state: "running" });
    await eventually("the revoke-now verified", async () =>
      locked(await ldapEntry(bulkAdmin, bulk, urgent.workEmail)) ? true : undefined,
    );

    // HR terminates someone with immediate effect while the batch is held: never held back.
    const last = staff[5] as (typeof staff)[number];
    await terminate(hr, last.id);
    const lone = await planWhen(last.id, (x) => x.reason === "leaver");
    expect(lone.state).not.toBe("held");
    await eventually("the lone termination carried out", async () =>
      (await revoked(last.id)) ? true : undefined,
    );
    expect(locked(await ldapEntry(bulkAdmin, bulk, last.workEmail))).toBe(true);

    // One held plan was a mistake (cancelled); the rest is confirmed and runs.
    const [wrong, right] = held as [(typeof held)[number], (typeof held)[number]];
    const cancelled = await sec.post(`/api/v1/access/plans/${wrong.id}/cancel`, { reason: "not leaving" });
    expect(cancelled.json()).toMatchObject({ state: "cancelled" });
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.post(`/api/v1/access/breaker/${sys.id}/release`)).statusCode).toBe(403);
    const released = await sec.post(`/api/v1/access/breaker/${sys.id}/release`);
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json()).toEqual({ released: [right.id], stillHeld: [] });
    await eventually("the released plan carried out", async () =>
      (await planView(right.id)).steps.some((x) => x.action === "disable" && x.state === "verified")
        ? true
        : undefined,
    );
    const stillLocked = await Promise.all(
      batch.map(async (p) => locked(await ldapEntry(bulkAdmin, bulk, p.workEmail))),
    );
    expect(stillLocked.filter(Boolean)).toHaveLength(3);

    await bulkAdmin.unbind();
  }, 180_000);
});

describe("movers", () => {
  it("get the new access now and keep the old one through the grace period", async () => {
    const sys = await buildSystem(sec, slapd, { name: "Grace directory", breakerThreshold: 1 });
    await syncSystem(sec, sys.id);
    const from = await buildRole(hr, "Support agent");
    const to = await buildRole(hr, "Sales agent");
    const eng = await entitlementId(sec, sys.id, "engineering");
    const vpn = await entitlementId(sec, sys.id, "vpn");
    await buildProfile(sec, {
      name: "Support",
      jobRoleId: from,
      entitlements: [{ systemId: sys.id, entitlementId: eng }],
    });
    await buildProfile(sec, {
      name: "Sales",
      jobRoleId: to,
      entitlements: [{ systemId: sys.id, entitlementId: vpn }],
    });
    const p = await buildPerson(hr, { jobRoleId: from });
    await planWhen(p.id, (x) => x.reason === "joiner" && x.state === "done");
    await hr.post(`/api/v1/people/${p.id}/events`, { type: "transfer", changes: { jobRoleId: to } });
    const mover = await planWhen(p.id, (x) => x.reason === "mover");
    const view = await eventually("the grant verified", async () => {
      const v = (await sec.get(`/api/v1/access/plans/${mover.id}`)).json<{
        state: string;
        steps: { action: string; state: string; dueAt: string }[];
      }>();
      return v.steps.find((s) => s.action === "grant")?.state === "verified" ? v : undefined;
    });
    const revoke = view.steps.find((s) => s.action === "revoke");
    expect(revoke?.state).toBe("pending");
    expect(Date.parse(revoke?.dueAt as string) - Date.now()).toBeGreaterThan(3600_000);
    expect(view.state).toBe("running");
    const entry = await ldapEntry(admin, slapd, p.workEmail);
    expect((await groupsOf(admin, slapd, entry?.dn as string)).sort()).toEqual(["engineering", "vpn"]);
  });
});
