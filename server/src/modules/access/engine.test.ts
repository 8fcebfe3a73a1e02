import type { Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildPerson,
  buildProfile,
  buildRole,
  buildSystem,
  countRows,
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
 * Joiner, mover and leaver flows end to end: HR events through the job queue into plans,
 * carried out on a real slapd and verified by reading the directory back.
 */

let h: TestApp;
let slapd: TestSlapd;
let admin: Client;
let sec: Awaited<ReturnType<TestApp["signedIn"]>>;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let systemId: string;
let engineers: string;
let accountants: string;

const LOCK = "000001010000Z";
/** Whether the entry carries OpenLDAP's administrative lock (the connector's "disabled"). */
const locked = (e: Record<string, unknown> | undefined) => String(e?.pwdAccountLockedTime ?? "") === LOCK;

beforeAll(async () => {
  slapd = await startSlapd();
  admin = await slapd.admin();
  h = await startTestApp({}, { jobs: true });
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
  // Few accounts here: the breaker (its own tests) would hold the second leaver of this file.
  systemId = (await buildSystem(sec, slapd, { name: "Corporate directory", breakerThreshold: 1 })).id;
  await syncSystem(sec, systemId);
  engineers = await buildRole(hr, "Engineer");
  accountants = await buildRole(hr, "Accountant");
  const eng = await entitlementId(sec, systemId, "engineering");
  const vpn = await entitlementId(sec, systemId, "vpn");
  const fin = await entitlementId(sec, systemId, "finance");
  await buildProfile(sec, {
    name: "Engineers",
    jobRoleId: engineers,
    entitlements: [
      { systemId, entitlementId: eng },
      { systemId, entitlementId: vpn },
    ],
  });
  await buildProfile(sec, {
    name: "Accountants",
    jobRoleId: accountants,
    entitlements: [{ systemId, entitlementId: fin }],
  });
});
afterAll(async () => {
  await admin?.unbind();
  await h?.close();
  await slapd?.stop();
});

/** Waits until the person's LDAP entry satisfies `ok`. */
const entryWhen = (email: string, ok: (e: Record<string, unknown>, groups: string[]) => boolean) =>
  eventually(`LDAP entry of ${email}`, async () => {
    const e = await ldapEntry(admin, slapd, email);
    if (!e) return undefined;
    const groups = await groupsOf(admin, slapd, e.dn);
    return ok(e, groups) ? { entry: e, groups } : undefined;
  });

const plansOf = async (personId: string) =>
  (
    await h.t.db.query<{ id: string; reason: string; state: string; source_key: string | null }>(
      "SELECT id, reason, state, source_key FROM access_plans WHERE person_id = $1 ORDER BY created_at, id",
      [personId],
    )
  ).rows;

describe("joiner", () => {
  it("prepares a pre-hire's account disabled, in the role's groups, and enables it at the start", async () => {
    const p = await buildPerson(hr, { status: "pre_hire", jobRoleId: engineers });
    const prepared = await entryWhen(p.workEmail, (e, g) => locked(e) && g.length === 2);
    expect(prepared.groups.sort()).toEqual(["engineering", "vpn"]);
    expect(String(prepared.entry.employeeNumber)).toBe(p.employeeNumber);
    const start = await hr.post(`/api/v1/people/${p.id}/events`, { type: "start" });
    expect(start.statusCode, start.body).toBe(201);
    const started = await entryWhen(p.workEmail, (e) => !locked(e));
    expect(started.groups.sort()).toEqual(["engineering", "vpn"]);
    await eventually("both joiner plans done", async () => {
      const plans = await plansOf(p.id);
      return plans.length === 2 && plans.every((x) => x.reason === "joiner" && x.state === "done")
        ? plans
        : undefined;
    });
  });
});

describe("mover", () => {
  it("grants the new role's access and removes the old role's", async () => {
    const p = await buildPerson(hr, { jobRoleId: engineers });
    await entryWhen(p.workEmail, (_e, g) => g.length === 2);
    const person = await hr.get(`/api/v1/people/${p.id}`);
    const moved = await hr.post(`/api/v1/people/${p.id}/events`, {
      type: "transfer",
      changes: { jobRoleId: accountants },
    });
    expect(moved.statusCode, moved.body).toBe(201);
    const after = await entryWhen(p.workEmail, (_e, g) => g.length === 1 && g[0] === "finance");
    expect(locked(after.entry)).toBe(false);
    expect(person.statusCode).toBe(200);
    await eventually("the mover plan done", async () => {
      const plans = await plansOf(p.id);
      const mover = plans.find((x) => x.reason === "mover");
      return mover?.state === "done" ? mover : undefined;
    });
  });
});

describe("leaver", () => {
  it("disables the account and removes every group at the termination, each step verified by read-back, once", async () => {
    const p = await buildPerson(hr, { jobRoleId: engineers });
    const before = await entryWhen(p.workEmail, (_e, g) => g.length === 2);
    // A group outside the role too: a leaver keeps nothing.
    await admin.modify(slapd.groups.finance as string, [
      new (await import("ldapts")).Change({
        operation: "add",
        modification: new (await import("ldapts")).Attribute({ type: "member", values: [before.entry.dn] }),
      }),
    ]);
    await syncSystem(sec, systemId);
    const ev = await terminate(hr, p.id);
    const done = await eventually("the leaver page to show access revoked", async () => {
      const o = await offboardingOf(sec, p.id);
      return o?.accessRevokedAt ? o : undefined;
    });
    const gone = await ldapEntry(admin, slapd, p.workEmail);
    expect(locked(gone)).toBe(true);
    expect(await groupsOf(admin, slapd, gone?.dn as string)).toEqual([]);

    const directory = done.systems.find((s) => s.systemId === systemId);
    expect(directory?.state).toBe("verified");
    expect(directory?.steps.map((s) => s.action).sort()).toEqual(["disable", "revoke", "revoke", "revoke"]);
    expect(directory?.steps.every((s) => s.state === "verified" && s.verifiedAt && s.attempts === 1)).toBe(
      true,
    );
    expect(done.hrEventAt).toBe(ev.effectiveAt);
    expect(done.revocationSeconds).toBeGreaterThanOrEqual(0);
    const devices = done.systems.find((s) => s.systemId === null);
    expect(devices?.steps.length).toBe(5);
    expect(devices?.state).toBe("manual");

    // Exactly once: one plan for the event, one verified audit entry per step.
    const audit = await h.t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.step_verified' AND details->>'planId' = $1`,
      [done.plan.id],
    );
    expect(audit.rows[0]?.n).toBe(4);
    // The event delivered again (a worker died after the plan committed) adds nothing.
    const payload = (
      await h.t.db.query<{ data: unknown }>(
        `SELECT data FROM ${h.t.jobs.schema}.job WHERE name = 'event.access.leaver' AND data->'payload'->>'personId' = $1`,
        [p.id],
      )
    ).rows[0]?.data;
    expect(payload).toBeTruthy();
    await h.t.jobs.runInline("event.access.leaver", payload as object);
    expect((await plansOf(p.id)).filter((x) => x.reason === "leaver")).toHaveLength(1);
    expect(
      (
        await h.t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.step_verified' AND details->>'planId' = $1`,
          [done.plan.id],
        )
      ).rows[0]?.n,
    ).toBe(4);

    const metrics = await h.client().get("/metrics");
    expect(metrics.body).toMatch(
      /tandem_access_revocation_seconds_count\{system="Corporate directory"\} [1-9]/,
    );

    // The device tasks are attested one by one; then the plan is done.
    for (const s of devices?.steps ?? []) {
      const task = (
        await h.t.db.query<{ manual_task_id: string }>(
          "SELECT manual_task_id FROM access_plan_steps WHERE id = $1",
          [s.id],
        )
      ).rows[0]?.manual_task_id;
      const res = await sec.post(`/api/v1/access/tasks/${task}/attest`, { note: "done" });
      expect(res.statusCode, res.body).toBe(200);
    }
    const finished = await offboardingOf(sec, p.id);
    expect(finished?.plan.state).toBe("done");
    expect(finished?.completedAt).toBeTruthy();
  });

  it("previews a leaver plan (dry run) without writing anything", async () => {
    const p = await buildPerson(hr, { jobRoleId: engineers });
    await entryWhen(p.workEmail, (_e, g) => g.length === 2);
    await eventually("the joiner plan done", async () =>
      (await plansOf(p.id)).every((x) => x.state === "done") ? true : undefined,
    );
    const tables = ["access_plans", "access_plan_steps", "access_tasks", "audit_log", "accounts"];
    const before = await Promise.all(tables.map((t) => countRows(h, t)));
    const res = await sec.post(`/api/v1/access/people/${p.id}/plan?dryRun=true&leaver=true`);
    expect(res.statusCode, res.body).toBe(200);
    const plan = res.json<{ dryRun: boolean; steps: { action: string; systemName: string }[] }>();
    expect(plan.dryRun).toBe(true);
    expect(
      plan.steps
        .filter((s) => s.systemName)
        .map((s) => s.action)
        .sort(),
    ).toEqual(["disable", "revoke", "revoke"]);
    expect(plan.steps.filter((s) => !s.systemName).map((s) => s.action)).toEqual(
      Array(5).fill("manual_task"),
    );
    const current = await sec.post(`/api/v1/access/people/${p.id}/plan`);
    expect(current.json<{ steps: unknown[] }>().steps).toEqual([]);
    expect(await Promise.all(tables.map((t) => countRows(h, t)))).toEqual(before);
    const entry = await ldapEntry(admin, slapd, p.workEmail);
    expect(locked(entry)).toBe(false);
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.post(`/api/v1/access/people/${p.id}/plan?leaver=true`)).statusCode).toBe(200);
    const employee = await h.signedIn(["employee"]);
    expect((await employee.post(`/api/v1/access/people/${p.id}/plan`)).statusCode).toBe(403);
  });

  it("revoke now: Security takes everything at once, before HR's date, audited; an auditor may not", async () => {
    const p = await buildPerson(hr, { jobRoleId: engineers });
    await entryWhen(p.workEmail, (_e, g) => g.length === 2);
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.post(`/api/v1/access/people/${p.id}/revoke-now`, {})).statusCode).toBe(403);
    const res = await sec.post(`/api/v1/access/people/${p.id}/revoke-now`, { reason: "termination meeting" });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ state: "running", created: true });
    const e = await entryWhen(p.workEmail, (x, g) => locked(x) && g.length === 0);
    expect(e.groups).toEqual([]);
    const o = await eventually("revocation verified", async () => {
      const x = await offboardingOf(sec, p.id);
      return x?.accessRevokedAt ? x : undefined;
    });
    expect(o.plan.immediate).toBe(true);
    const audit = await h.t.db.query<{ actor_label: string; details: { reason: string } }>(
      "SELECT actor_label, details FROM audit_log WHERE action = 'access.revoke_now' AND target_id = $1",
      [p.id],
    );
    expect(audit.rows[0]).toMatchObject({
      actor_label: sec.email,
      details: { reason: "termination meeting" },
    });
    // HR still has them active; a later HR change does not give the access back.
    const person = await hr.get(`/api/v1/people/${p.id}`);
    expect(person.json().status).toBe("active");
    const before = (await plansOf(p.id)).length;
    await hr.post(`/api/v1/people/${p.id}/events`, { type: "transfer", changes: { jobRoleId: accountants } });
    const after = await eventually("the plan after the transfer", async () => {
      const plans = await plansOf(p.id);
      return plans.length > before ? plans[plans.length - 1] : undefined;
    });
    // Nothing left to take, and nothing given back: it is part of the departure.
    expect(after).toMatchObject({ reason: "leaver", state: "done" });
    const still = await ldapEntry(admin, slapd, p.workEmail);
    expect(locked(still)).toBe(true);
    expect(await groupsOf(admin, slapd, still?.dn as string)).toEqual([]);
  });

  it("a high-risk flag alerts Security and Legal at once, audited", async () => {
    const p = await buildPerson(hr);
    const flag = await hr.put(`/api/v1/people/${p.id}/high-risk`, {
      highRisk: true,
      reason: "data exfiltration",
    });
    expect(flag.statusCode, flag.body).toBeLessThan(300);
    const legal = await h.signedIn(["legal"]);
    const alert = await eventually("the alert", async () => {
      const res = await legal.get("/api/v1/access/alerts?open=true");
      expect(res.statusCode).toBe(200);
      return res
        .json<{ items: { id: string; personId: string; audience: string[]; title: string }[] }>()
        .items.find((a) => a.personId === p.id);
    });
    expect(alert.audience).toEqual(["security", "legal"]);
    expect(alert.title).not.toContain("exfiltration");
    const audit = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'access.high_risk_alert' AND target_id = $1",
      [p.id],
    );
    expect(audit.rowCount).toBe(1);
    const it = await h.signedIn(["it"]);
    expect((await it.get("/api/v1/access/alerts")).statusCode).toBe(403);
    const ack = await legal.post(`/api/v1/access/alerts/${alert.id}/acknowledge`);
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ acknowledgedBy: legal.email });
  });
});
