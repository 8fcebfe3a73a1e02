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
  type PersonView,
  syncSystem,
} from "../../test/access.js";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";
import { startSlapd, type TestSlapd } from "../../test/slapd.js";

/**
 * Access requests end to end: an employee asks, the manager and the system owner approve,
 * the grant is carried out on a real slapd and read back; time-bound grants expire by the
 * sweep; separation-of-duties rules refuse or ask for a justification.
 */

type Api = TestClient & { userId: string; email: string };

interface RequestView {
  id: string;
  personId: string;
  state: string;
  currentStep: number | null;
  steps: {
    seq: number;
    role: string;
    wantedRole: string;
    approverPersonId: string | null;
    routedReason: string | null;
    state: string;
    comment: string | null;
  }[];
  sodRules: { id: string; name: string; mode: string }[];
  sodJustification: string | null;
  grantPlanId: string | null;
  endPlanId: string | null;
  endsAt: string | null;
}

interface Problem {
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

let h: TestApp;
let slapd: TestSlapd;
let admin: Client;
let sec: Api;
let hr: Api;
let systemId: string;
let ent: Record<string, string>;
let manager: { api: Api; person: PersonView };
let owner: { api: Api; person: PersonView };
let n = 0;

const LOCK = "000001010000Z";
const locked = (e: Record<string, unknown> | undefined) => String(e?.pwdAccountLockedTime ?? "") === LOCK;

/** A person at work with their own Tandem sign-in (linked by the work email). */
async function employee(over: Record<string, unknown> = {}): Promise<{ api: Api; person: PersonView }> {
  const email = `req${++n}.${process.pid}.${Math.random().toString(36).slice(2, 6)}@corp.test`;
  const api = await h.signedIn([], email);
  const person = await buildPerson(hr, { workEmail: email, ...over });
  return { api, person };
}

async function ask(api: Api, body: Record<string, unknown>): Promise<RequestView> {
  const res = await api.post("/api/v1/access/requests", { reason: "needed for the quarter close", ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<RequestView>();
}

async function act(api: Api, id: string, verb: "approve" | "reject" | "cancel", body: object = {}) {
  return api.post(`/api/v1/access/requests/${id}/${verb}`, body);
}

/** Approves with the manager, then the owner (the default chain). */
async function approveAll(id: string): Promise<RequestView> {
  const first = await act(manager.api, id, "approve");
  expect(first.statusCode, first.body).toBe(200);
  const second = await act(owner.api, id, "approve", { comment: "fine by the owner" });
  expect(second.statusCode, second.body).toBe(200);
  return second.json<RequestView>();
}

/** Waits until the person's LDAP entry satisfies `ok`. */
const entryWhen = (email: string, ok: (e: Record<string, unknown>, groups: string[]) => boolean) =>
  eventually(`LDAP entry of ${email}`, async () => {
    const e = await ldapEntry(admin, slapd, email);
    if (!e) return undefined;
    const groups = await groupsOf(admin, slapd, e.dn);
    return ok(e, groups) ? { entry: e, groups } : undefined;
  });

/** Waits until a plan is done, every step verified by read-back. */
const planDone = (planId: string) =>
  eventually(`plan ${planId} done`, async () => {
    const res = await sec.get(`/api/v1/access/plans/${planId}`);
    const plan = res.json<{ state: string; steps: { action: string; state: string }[] }>();
    return plan.state === "done" ? plan : undefined;
  });

const auditOf = async (action: string, requestId: string) =>
  (
    await h.t.db.query<{ actor_label: string | null; outcome: string; details: Record<string, unknown> }>(
      "SELECT actor_label, outcome, details FROM audit_log WHERE action = $1 AND details->>'requestId' = $2 ORDER BY id",
      [action, requestId],
    )
  ).rows;

beforeAll(async () => {
  slapd = await startSlapd({ groups: ["engineering", "finance", "vpn", "payments", "audit", "treasury"] });
  admin = await slapd.admin();
  h = await startTestApp({}, { jobs: true });
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
  manager = await employee();
  owner = await employee();
  systemId = (
    await buildSystem(sec, slapd, {
      name: "Finance directory",
      breakerThreshold: 1,
      ownerPersonId: owner.person.id,
    })
  ).id;
  await syncSystem(sec, systemId);
  ent = {};
  for (const cn of ["engineering", "finance", "vpn", "payments", "audit", "treasury"])
    ent[cn] = await entitlementId(sec, systemId, cn);
});
afterAll(async () => {
  await admin?.unbind();
  await h?.close();
  await slapd?.stop();
});

describe("the approval chain", () => {
  it("employee asks for a group, manager then owner approve, and the group is granted and verified", async () => {
    const emp = await employee({ managerId: manager.person.id });
    const asked = await ask(emp.api, { systemId, entitlementId: ent.finance });
    expect(asked.state).toBe("pending");
    expect(asked.steps.map((s) => [s.role, s.state, s.approverPersonId])).toEqual([
      ["manager", "pending", manager.person.id],
      ["owner", "waiting", owner.person.id],
    ]);
    expect(asked.currentStep).toBe(1);
    const waiting = await manager.api.get("/api/v1/access/requests?toApprove=1");
    expect(waiting.json<{ items: RequestView[] }>().items.map((r) => r.id)).toContain(asked.id);
    const notYet = await owner.api.get("/api/v1/access/requests?toApprove=1");
    expect(notYet.json<{ items: RequestView[] }>().items.map((r) => r.id)).not.toContain(asked.id);
    expect(await auditOf("access.request_approval_requested", asked.id)).toHaveLength(1);

    // Only the current step's approver may act; nobody decides their own request.
    const self = await act(emp.api, asked.id, "approve");
    expect(self.statusCode, self.body).toBe(403);
    expect(self.json<Problem>().code).toBe("access.self_approval");
    const early = await act(owner.api, asked.id, "approve");
    expect(early.statusCode, early.body).toBe(403);
    expect(early.json<Problem>().code).toBe("access.not_approver");
    const stranger = await employee();
    expect((await act(stranger.api, asked.id, "approve")).statusCode).toBe(404);
    expect((await stranger.api.get(`/api/v1/access/requests/${asked.id}`)).statusCode).toBe(404);

    const afterManager = await act(manager.api, asked.id, "approve", { comment: "yes, for the close" });
    expect(afterManager.statusCode, afterManager.body).toBe(200);
    expect(afterManager.json<RequestView>().currentStep).toBe(2);
    const twice = await act(manager.api, asked.id, "approve");
    expect(twice.statusCode).toBe(403);
    expect(twice.json<Problem>().code).toBe("access.not_approver");

    const done = await act(owner.api, asked.id, "approve");
    expect(done.statusCode, done.body).toBe(200);
    const granted = done.json<RequestView>();
    expect(granted.state).toBe("approved");
    expect(granted.grantPlanId).toBeTruthy();
    const again = await act(owner.api, asked.id, "approve");
    expect(again.statusCode).toBe(409);
    expect(again.json<Problem>().code).toBe("access.request_decided");

    const plan = await planDone(granted.grantPlanId as string);
    expect(plan.steps.map((s) => [s.action, s.state])).toEqual([
      ["create", "verified"],
      ["grant", "verified"],
    ]);
    const entry = await entryWhen(emp.person.workEmail, (_e, g) => g.includes("finance"));
    expect(entry.groups).toEqual(["finance"]);
    expect(locked(entry.entry)).toBe(false);
    const mine = await emp.api.get("/api/v1/access/requests?mine=1");
    expect(mine.json<{ items: RequestView[] }>().items.map((r) => [r.id, r.state])).toEqual([
      [asked.id, "approved"],
    ]);
    expect((await auditOf("access.request_step_approved", asked.id)).length).toBe(2);
    expect(await auditOf("access.request_approved", asked.id)).toHaveLength(1);
  });

  it("sends a step with no approver to Security, and Security decides it", async () => {
    const emp = await employee();
    const asked = await ask(emp.api, { systemId, entitlementId: ent.vpn });
    expect(asked.steps.map((s) => [s.role, s.wantedRole, s.state])).toEqual([
      ["security", "manager", "pending"],
      ["owner", "owner", "waiting"],
    ]);
    expect(asked.steps[0]?.routedReason).toMatch(/no manager/);
    const queue = await sec.get("/api/v1/access/requests?toApprove=1");
    expect(queue.json<{ items: RequestView[] }>().items.map((r) => r.id)).toContain(asked.id);
    expect((await act(owner.api, asked.id, "approve")).statusCode).toBe(403);
    const bySecurity = await act(sec, asked.id, "approve");
    expect(bySecurity.statusCode, bySecurity.body).toBe(200);
    expect(bySecurity.json<RequestView>().currentStep).toBe(2);
  });

  it("rejects with a comment, and a requester cancels their own pending request", async () => {
    const emp = await employee({ managerId: manager.person.id });
    const asked = await ask(emp.api, { systemId, entitlementId: ent.treasury });
    const bare = await act(manager.api, asked.id, "reject", {});
    expect(bare.statusCode).toBe(400);
    const rejected = await act(manager.api, asked.id, "reject", { comment: "not part of your job" });
    expect(rejected.statusCode, rejected.body).toBe(200);
    const r = rejected.json<RequestView>();
    expect(r.state).toBe("rejected");
    expect(r.steps.map((s) => [s.state, s.comment])).toEqual([
      ["rejected", "not part of your job"],
      ["cancelled", null],
    ]);
    expect((await act(owner.api, asked.id, "approve")).statusCode).toBe(409);
    expect((await act(emp.api, asked.id, "cancel")).statusCode).toBe(409);
    expect(await auditOf("access.request_rejected", asked.id)).toHaveLength(1);

    const second = await ask(emp.api, { systemId, entitlementId: ent.treasury });
    const notMine = await act(manager.api, second.id, "cancel");
    expect(notMine.statusCode).toBe(403);
    expect(notMine.json<Problem>().code).toBe("access.not_requester");
    const cancelled = await act(emp.api, second.id, "cancel", { reason: "asked by mistake" });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json<RequestView>().state).toBe("cancelled");
    expect(await auditOf("access.request_cancelled", second.id)).toHaveLength(1);
    const queue = await manager.api.get("/api/v1/access/requests?toApprove=1");
    expect(queue.json<{ items: RequestView[] }>().items.map((x) => x.id)).not.toContain(second.id);
  });

  it("refuses a second open request for the same access, and input that names no valid target", async () => {
    const emp = await employee({ managerId: manager.person.id });
    await ask(emp.api, { systemId, entitlementId: ent.engineering });
    const dup = await emp.api.post("/api/v1/access/requests", {
      systemId,
      entitlementId: ent.engineering,
      reason: "again",
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json<Problem>().code).toBe("access.request_exists");
    const past = await emp.api.post("/api/v1/access/requests", {
      systemId,
      entitlementId: ent.vpn,
      reason: "for a day",
      endsAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(past.statusCode).toBe(422);
    expect(past.json<Problem>().errors?.[0]?.path).toBe("endsAt");
    const nobody = await sec.post("/api/v1/access/requests", {
      systemId,
      entitlementId: ent.vpn,
      reason: "mine",
    });
    expect(nobody.statusCode).toBe(403);
    expect(nobody.json<Problem>().code).toBe("access.no_person_record");
  });
});

describe("time-bound access", () => {
  it("expires by the sweep: the group and the account it brought are removed, verified", async () => {
    const emp = await employee({ managerId: manager.person.id });
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const asked = await ask(emp.api, { systemId, entitlementId: ent.vpn, endsAt });
    const granted = await approveAll(asked.id);
    await planDone(granted.grantPlanId as string);
    await entryWhen(emp.person.workEmail, (e, g) => g.includes("vpn") && !locked(e));

    // The end date comes: move it into the past, then let the recurring sweep run.
    await h.t.db.query("UPDATE access_requests SET ends_at = now() - interval '1 second' WHERE id = $1", [
      asked.id,
    ]);
    await h.t.jobs.runInline("access.requests_sweep");
    const after = (await sec.get(`/api/v1/access/requests/${asked.id}`)).json<RequestView>();
    expect(after.state).toBe("expired");
    expect(after.endPlanId).toBeTruthy();
    const plan = await planDone(after.endPlanId as string);
    expect(plan.steps.every((s) => s.state === "verified")).toBe(true);
    expect(plan.steps.map((s) => s.action).sort()).toEqual(["disable", "revoke"]);
    const gone = await entryWhen(emp.person.workEmail, (e, g) => !g.includes("vpn") && locked(e));
    expect(gone.groups).toEqual([]);
    expect(await auditOf("access.request_expired", asked.id)).toHaveLength(1);
    // A second sweep has nothing more to do.
    await h.t.jobs.runInline("access.requests_sweep");
    const plans = await h.t.db.query("SELECT 1 FROM access_plans WHERE source_key LIKE $1", [
      `access.request:${asked.id}:%`,
    ]);
    expect(plans.rowCount).toBe(2);
  });

  it("Security ends a grant early; the removal is planned at once and verified", async () => {
    const emp = await employee({ managerId: manager.person.id });
    const granted = await approveAll((await ask(emp.api, { systemId, entitlementId: ent.treasury })).id);
    await planDone(granted.grantPlanId as string);
    await entryWhen(emp.person.workEmail, (_e, g) => g.includes("treasury"));
    const ended = await sec.post(`/api/v1/access/requests/${granted.id}/end`, {
      reason: "found in the access review",
    });
    expect(ended.statusCode, ended.body).toBe(200);
    const view = ended.json<RequestView>();
    expect(view.state).toBe("ended");
    await planDone(view.endPlanId as string);
    await entryWhen(emp.person.workEmail, (e, g) => !g.includes("treasury") && locked(e));
    const twice = await sec.post(`/api/v1/access/requests/${granted.id}/end`, { reason: "again" });
    expect(twice.statusCode).toBe(409);
  });
});

describe("separation of duties", () => {
  let blockRule: { id: string; name: string };

  it("manages rules (read for access:read, change for access:admin)", async () => {
    const bad = await sec.post("/api/v1/access/sod-rules", {
      name: "Same twice",
      description: "pairs an entitlement with itself",
      mode: "block",
      leftEntitlementId: ent.payments,
      rightEntitlementId: ent.payments,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<Problem>().errors?.[0]?.path).toBe("rightEntitlementId");
    const made = await sec.post("/api/v1/access/sod-rules", {
      name: "Pay and audit",
      description: "Whoever makes payments must not audit them",
      mode: "block",
      leftEntitlementId: ent.payments,
      rightEntitlementId: ent.audit,
    });
    expect(made.statusCode, made.body).toBe(201);
    blockRule = made.json<{ id: string; name: string }>();
    const pair = await sec.post("/api/v1/access/sod-rules", {
      name: "Audit and pay",
      description: "the same pair the other way round",
      mode: "exception",
      leftEntitlementId: ent.audit,
      rightEntitlementId: ent.payments,
    });
    expect(pair.statusCode).toBe(409);
    expect(pair.json<Problem>().code).toBe("access.sod_rule_exists");
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.get("/api/v1/access/sod-rules")).statusCode).toBe(200);
    expect(
      (await auditor.patch(`/api/v1/access/sod-rules/${blockRule.id}`, { enabled: false })).statusCode,
    ).toBe(403);
    const renamed = await sec.patch(`/api/v1/access/sod-rules/${blockRule.id}`, {
      description: "Four eyes on payments",
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json<{ description: string; version: number }>()).toMatchObject({
      description: "Four eyes on payments",
      version: 2,
    });
  });

  it("block mode: refuses the other side of a pair held or asked for, naming the rule", async () => {
    const emp = await employee({ managerId: manager.person.id });
    const first = await ask(emp.api, { systemId, entitlementId: ent.payments });
    const res = await emp.api.post("/api/v1/access/requests", {
      systemId,
      entitlementId: ent.audit,
      reason: "audits",
    });
    expect(res.statusCode, res.body).toBe(422);
    const p = res.json<Problem>();
    expect(p.code).toBe("access.sod_conflict");
    expect(p.detail).toContain(blockRule.name);
    expect(p.errors?.[0]).toMatchObject({ path: "entitlementId" });
    expect(p.errors?.[0]?.message).toContain(blockRule.name);
    const refused = await h.t.db.query<{ outcome: string }>(
      "SELECT outcome FROM audit_log WHERE action = 'access.request_refused' AND target_id = $1",
      [emp.person.id],
    );
    expect(refused.rows).toEqual([{ outcome: "denied" }]);

    // Held for real (granted and read back), not only asked for: still refused.
    await approveAll(first.id);
    await entryWhen(emp.person.workEmail, (_e, g) => g.includes("payments"));
    const still = await emp.api.post("/api/v1/access/requests", {
      systemId,
      entitlementId: ent.audit,
      reason: "audits",
    });
    expect(still.statusCode).toBe(422);
    expect(still.json<Problem>().code).toBe("access.sod_conflict");
  });

  it("exception mode: needs a justification, which the approvers see", async () => {
    const made = await sec.post("/api/v1/access/sod-rules", {
      name: "Build and release",
      description: "Engineers should not also approve finance changes",
      mode: "exception",
      leftEntitlementId: ent.engineering,
      rightEntitlementId: ent.finance,
    });
    expect(made.statusCode, made.body).toBe(201);
    const emp = await employee({ managerId: manager.person.id });
    await ask(emp.api, { systemId, entitlementId: ent.engineering });
    const bare = await emp.api.post("/api/v1/access/requests", {
      systemId,
      entitlementId: ent.finance,
      reason: "cover",
    });
    expect(bare.statusCode, bare.body).toBe(422);
    const p = bare.json<Problem>();
    expect(p.code).toBe("access.sod_justification_required");
    expect(p.errors?.[0]?.path).toBe("sodJustification");
    expect(p.detail).toContain("Build and release");
    const justified = await ask(emp.api, {
      systemId,
      entitlementId: ent.finance,
      sodJustification: "Covering the finance lead during parental leave; reviewed monthly",
    });
    const seen = (await manager.api.get(`/api/v1/access/requests/${justified.id}`)).json<RequestView>();
    expect(seen.sodRules.map((r) => [r.name, r.mode])).toEqual([["Build and release", "exception"]]);
    expect(seen.sodJustification).toMatch(/parental leave/);
  });

  it("refuses an access profile that would give a role both sides of a toxic pair", async () => {
    const role = await buildRole(hr, "Payments clerk");
    const both = await sec.post("/api/v1/access/profiles", {
      name: "Clerks (toxic)",
      jobRoleId: role,
      entitlements: [
        { systemId, entitlementId: ent.payments },
        { systemId, entitlementId: ent.audit },
      ],
    });
    expect(both.statusCode, both.body).toBe(422);
    expect(both.json<Problem>()).toMatchObject({ code: "access.sod_conflict" });
    expect(both.json<Problem>().errors?.[0]?.path).toBe("entitlements");
    expect(both.json<Problem>().detail).toContain("Pay and audit");
    // Split over two profiles of the same role: the second is refused.
    await buildProfile(sec, {
      name: "Clerks",
      jobRoleId: role,
      entitlements: [{ systemId, entitlementId: ent.payments }],
    });
    const split = await sec.post("/api/v1/access/profiles", {
      name: "Clerks, audit",
      jobRoleId: role,
      entitlements: [{ systemId, entitlementId: ent.audit }],
    });
    expect(split.statusCode).toBe(422);
    expect(split.json<Problem>().code).toBe("access.sod_conflict");
  });
});

describe("the requestable catalogue", () => {
  it("lists requestable systems and entitlements; Security narrows it", async () => {
    const emp = await employee({ managerId: manager.person.id });
    const cat = await emp.api.get("/api/v1/access/catalogue");
    expect(cat.statusCode).toBe(200);
    const sys = cat
      .json<{ items: { systemId: string; approvalChain: string; entitlements: { id: string }[] }[] }>()
      .items.find((s) => s.systemId === systemId);
    expect(sys?.approvalChain).toBe("manager_owner");
    expect(sys?.entitlements.map((e) => e.id)).toContain(ent.treasury);
    expect(
      (await emp.api.patch(`/api/v1/access/systems/${systemId}/request-policy`, { requestable: false }))
        .statusCode,
    ).toBe(403);
    const narrowed = await sec.patch(`/api/v1/access/systems/${systemId}/request-policy`, {
      entitlements: [{ id: ent.treasury, requestable: false }],
    });
    expect(narrowed.statusCode, narrowed.body).toBe(200);
    const after = (await emp.api.get("/api/v1/access/catalogue"))
      .json<{ items: { systemId: string; entitlements: { id: string }[] }[] }>()
      .items.find((s) => s.systemId === systemId);
    expect(after?.entitlements.map((e) => e.id)).not.toContain(ent.treasury);
    const refused = await emp.api.post("/api/v1/access/requests", {
      systemId,
      entitlementId: ent.treasury,
      reason: "treasury",
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<Problem>()).toMatchObject({ code: "access.not_requestable" });
    const chain = await sec.patch(`/api/v1/access/systems/${systemId}/request-policy`, {
      approvalChain: "owner",
    });
    expect(chain.json<{ approvalChain: string }>().approvalChain).toBe("owner");
    const ownerOnly = await ask(emp.api, { systemId, entitlementId: ent.vpn });
    expect(ownerOnly.steps.map((s) => s.role)).toEqual(["owner"]);
    await sec.patch(`/api/v1/access/systems/${systemId}/request-policy`, { approvalChain: "manager_owner" });
  });
});
