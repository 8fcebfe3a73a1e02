import { Attribute, Change, type Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../platform/config/index.js";
import {
  buildPerson,
  buildProfile,
  buildRole,
  buildSystem,
  entitlementId,
  eventually,
  groupsOf,
  ldapEntry,
  ldapSystemInput,
  syncSystem,
  terminate,
} from "../../test/access.js";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { startSlapd, type TestSlapd } from "../../test/slapd.js";
import { createReconciler } from "./index.js";

/**
 * Reconciliation against a real slapd: orphans, leavers' leftover access, drift from the
 * role, matches a person must decide, acceptances that expire, and reads that fail.
 */

let h: TestApp;
let slapd: TestSlapd;
let admin: Client;
let sec: Awaited<ReturnType<TestApp["signedIn"]>>;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let systemId: string;
let engineers: string;
const stopLater: TestSlapd[] = [];

const LOCK = "000001010000Z";
const locked = (e: Record<string, unknown> | undefined) => String(e?.pwdAccountLockedTime ?? "") === LOCK;

interface Finding {
  id: string;
  kind: string;
  state: string;
  systemId: string;
  accountRef: string | null;
  username: string | null;
  personId: string | null;
  entitlementRef: string | null;
  details: Record<string, unknown>;
  firstRunId: string;
  lastRunId: string;
  resolution: string | null;
  acceptedUntil: string | null;
  reopenedAt: string | null;
  fixPlanId: string | null;
}

interface Run {
  id: string;
  state: string;
  systems: { systemId: string; state: string; error: string | null; byKind: Record<string, number> }[];
}

beforeAll(async () => {
  slapd = await startSlapd();
  admin = await slapd.admin();
  h = await startTestApp({ TANDEM_ACCESS_RECONCILE_CRON: "off" }, { jobs: true });
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
  systemId = (await buildSystem(sec, slapd, { name: "Reconciled directory", breakerThreshold: 1 })).id;
  await syncSystem(sec, systemId);
  engineers = await buildRole(hr, "Reconciled engineer");
  await buildProfile(sec, {
    name: "Reconciled engineers",
    jobRoleId: engineers,
    entitlements: [
      { systemId, entitlementId: await entitlementId(sec, systemId, "engineering") },
      { systemId, entitlementId: await entitlementId(sec, systemId, "vpn") },
    ],
  });
});
afterAll(async () => {
  await admin?.unbind();
  await h?.close();
  for (const s of [slapd, ...stopLater]) await s?.stop();
});

let n = 0;
/** An entry written straight into the directory (by hand, behind Tandem's back). */
async function addLdapUser(
  dir: TestSlapd,
  client: Client,
  attrs: { uid?: string; mail?: string; employeeNumber?: string; groups?: string[] } = {},
) {
  const uid = attrs.uid ?? `hand${process.pid}x${++n}`;
  const dn = `uid=${uid},${dir.peopleOu}`;
  await client.add(dn, {
    objectClass: ["top", "person", "organizationalPerson", "inetOrgPerson"],
    uid,
    cn: uid,
    sn: uid,
    ...(attrs.mail ? { mail: attrs.mail } : {}),
    ...(attrs.employeeNumber ? { employeeNumber: attrs.employeeNumber } : {}),
  });
  for (const g of attrs.groups ?? []) await member(client, dir.groups[g] as string, dn, "add");
  return { uid, dn };
}

const member = (client: Client, group: string, dn: string, operation: "add" | "delete") =>
  client.modify(group, [
    new Change({ operation, modification: new Attribute({ type: "member", values: [dn] }) }),
  ]);

async function reconcile(api = sec, systemIds?: string[]): Promise<Run> {
  const res = await api.post("/api/v1/access/reconcile", systemIds ? { systemIds } : {});
  expect(res.statusCode, res.body).toBe(202);
  const { runId } = res.json<{ runId: string }>();
  return eventually(`reconciliation run ${runId}`, async () => {
    const r = await api.get(`/api/v1/access/reconcile/runs/${runId}`);
    expect(r.statusCode, r.body).toBe(200);
    const run = r.json<Run>();
    return ["done", "partial", "failed"].includes(run.state) ? run : undefined;
  });
}

async function findings(query = "state=all"): Promise<Finding[]> {
  const out: Finding[] = [];
  let cursor: string | null = null;
  do {
    const res = await sec.get(
      `/api/v1/access/findings?${query}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json<{ items: Finding[]; nextCursor: string | null }>();
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

const findingOf = async (pred: (f: Finding) => boolean, query?: string) =>
  (await findings(query)).filter(pred);

const accountRow = async (sys: string, username: string) =>
  (
    await h.t.db.query<{ id: string; person_id: string | null; external_id: string }>(
      "SELECT id, person_id, external_id FROM accounts WHERE system_id = $1 AND username = $2",
      [sys, username],
    )
  ).rows[0];

const plansDone = (personId: string) =>
  eventually(`plans of ${personId} done`, async () => {
    const r = await h.t.db.query<{ state: string }>("SELECT state FROM access_plans WHERE person_id = $1", [
      personId,
    ]);
    return r.rows.length > 0 && r.rows.every((p) => p.state === "done") ? true : undefined;
  });

/** Terminates and waits until the leaver plan exists (it would take what exists at that moment). */
async function departed(personId: string) {
  await terminate(hr, personId);
  await eventually("the leaver plan", async () => {
    const r = await h.t.db.query("SELECT 1 FROM access_plans WHERE person_id = $1 AND reason = 'leaver'", [
      personId,
    ]);
    return r.rowCount ? true : undefined;
  });
}

describe("orphans", () => {
  it("finds an account linked to nobody and links it to the person a human names", async () => {
    const ghost = await addLdapUser(slapd, admin, {
      mail: `ghost${process.pid}@elsewhere.test`,
      groups: ["vpn"],
    });
    const run = await reconcile();
    expect(run.state).toBe("done");
    expect(run.systems.find((s) => s.systemId === systemId)?.state).toBe("done");
    const [orphan] = await findingOf((f) => f.username === ghost.uid, "state=open");
    expect(orphan).toMatchObject({ kind: "orphan", state: "open", systemId, personId: null });
    expect(orphan?.details.entitlements).toEqual([slapd.groups.vpn]);

    const owner = await buildPerson(hr);
    const bad = await sec.post(`/api/v1/access/findings/${orphan?.id}/fix`, { action: "link" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([expect.objectContaining({ path: "body.personId" })]);
    const wrong = await sec.post(`/api/v1/access/findings/${orphan?.id}/fix`, { action: "grant" });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ code: "access.fix_not_applicable" });

    const res = await sec.post(`/api/v1/access/findings/${orphan?.id}/fix`, {
      action: "link",
      personId: owner.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ finding: { state: "resolved", resolution: "linked" }, planId: null });
    expect((await accountRow(systemId, ghost.uid))?.person_id).toBe(owner.id);
    const audit = await h.t.db.query<{ actor_label: string; details: { personId: string } }>(
      "SELECT actor_label, details FROM audit_log WHERE action = 'access.account_linked' AND details->>'findingId' = $1",
      [orphan?.id],
    );
    expect(audit.rows[0]).toMatchObject({ actor_label: sec.email, details: { personId: owner.id } });
    expect(
      (await sec.post(`/api/v1/access/findings/${orphan?.id}/fix`, { action: "revoke" })).statusCode,
    ).toBe(409);

    await reconcile();
    const after = await findingOf((f) => f.username === ghost.uid && f.kind === "orphan");
    expect(after.map((f) => f.id)).toEqual([orphan?.id]);
  });
});

describe("leavers", () => {
  it("finds a leaver's live account and revokes it through a plan verified by reading back", async () => {
    const p = await buildPerson(hr);
    await departed(p.id);
    // Someone re-creates an account for them by hand, in two groups.
    const left = await addLdapUser(slapd, admin, {
      mail: p.workEmail,
      employeeNumber: p.employeeNumber,
      groups: ["vpn", "finance"],
    });
    await reconcile();
    const [f] = await findingOf((x) => x.username === left.uid, "state=open");
    expect(f).toMatchObject({
      kind: "leaver_access",
      personId: p.id,
      details: { enabled: true, status: "leaver" },
    });

    const res = await sec.post(`/api/v1/access/findings/${f?.id}/fix`, { action: "revoke" });
    expect(res.statusCode, res.body).toBe(200);
    const { planId, finding } = res.json<{ planId: string; finding: Finding }>();
    expect(finding.state).toBe("fixing");
    const plan = await eventually("the reconciliation plan done", async () => {
      const r = await sec.get(`/api/v1/access/plans/${planId}`);
      const view = r.json<{ state: string; reason: string; steps: { action: string; state: string }[] }>();
      return view.state === "done" ? view : undefined;
    });
    expect(plan.reason).toBe("reconcile");
    expect(plan.steps.map((s) => s.action).sort()).toEqual(["disable", "revoke", "revoke"]);
    expect(plan.steps.every((s) => s.state === "verified")).toBe(true);
    const entry = await ldapEntry(admin, slapd, p.workEmail);
    expect(locked(entry)).toBe(true);
    expect(await groupsOf(admin, slapd, left.dn)).toEqual([]);

    await reconcile();
    const [closed] = await findingOf((x) => x.id === f?.id);
    expect(closed).toMatchObject({ state: "resolved", resolution: "fixed" });
  });
});

describe("drift from the role", () => {
  it("finds access beyond the role and missing birthright, and fixes both through plans", async () => {
    const p = await buildPerson(hr, { jobRoleId: engineers });
    await plansDone(p.id);
    const e = await ldapEntry(admin, slapd, p.workEmail);
    const dn = e?.dn as string;
    expect((await groupsOf(admin, slapd, dn)).sort()).toEqual(["engineering", "vpn"]);
    await member(admin, slapd.groups.vpn as string, dn, "delete");
    await member(admin, slapd.groups.finance as string, dn, "add");

    await reconcile();
    const mine = await findingOf((f) => f.personId === p.id, "state=open");
    expect(mine.map((f) => f.kind).sort()).toEqual(["beyond_role", "missing_birthright"]);
    const beyond = mine.find((f) => f.kind === "beyond_role");
    const missing = mine.find((f) => f.kind === "missing_birthright");
    expect(beyond?.entitlementRef?.toLowerCase()).toBe(slapd.groups.finance?.toLowerCase());
    expect(missing).toMatchObject({ details: { missing: "entitlement", entitlementName: "vpn" } });
    expect(missing?.entitlementRef?.toLowerCase()).toBe(slapd.groups.vpn?.toLowerCase());

    const grant = await sec.post(`/api/v1/access/findings/${missing?.id}/fix`, { action: "grant" });
    expect(grant.statusCode, grant.body).toBe(200);
    const revoke = await sec.post(`/api/v1/access/findings/${beyond?.id}/fix`, { action: "revoke" });
    expect(revoke.statusCode, revoke.body).toBe(200);
    await eventually("vpn back, finance gone", async () => {
      const groups = (await groupsOf(admin, slapd, dn)).sort();
      return groups.join() === "engineering,vpn" ? groups : undefined;
    });
    await plansDone(p.id);
    await reconcile();
    const now = await findingOf((f) => f.personId === p.id);
    expect(now.map((f) => [f.kind, f.state, f.resolution]).sort()).toEqual([
      ["beyond_role", "resolved", "fixed"],
      ["missing_birthright", "resolved", "fixed"],
    ]);
  });

  it("reports an enabled account not signed in for longer than the setting, where the system says", async () => {
    const p = await buildPerson(hr, { jobRoleId: engineers });
    await plansDone(p.id);
    await h.t.db.query(
      "UPDATE accounts SET last_login_at = now() - interval '200 days' WHERE person_id = $1 AND system_id = $2",
      [p.id, systemId],
    );
    // From the actual state as stored (a read would bring back the directory's own value).
    const reconciler = createReconciler({ ...h.t, access: h.t.access });
    const run = await reconciler.runInline(
      { actorLabel: "test" },
      { systemIds: [systemId], trigger: "cli", read: false },
    );
    expect(run.state).toBe("done");
    const [dormant] = await findingOf((f) => f.personId === p.id && f.kind === "dormant", "state=open");
    expect(dormant?.details.daysSince).toBeGreaterThanOrEqual(199);
  });
});

describe("matches a person decides", () => {
  it("never links an account that matches two people, nor guesses a rehire", async () => {
    const a = await buildPerson(hr);
    const b = await buildPerson(hr);
    const twin = await addLdapUser(slapd, admin, { employeeNumber: a.employeeNumber, mail: b.workEmail });
    await syncSystem(sec, systemId);
    expect((await accountRow(systemId, twin.uid))?.person_id).toBeNull();
    await reconcile();
    expect((await accountRow(systemId, twin.uid))?.person_id).toBeNull();
    const [amb] = await findingOf((f) => f.username === twin.uid, "state=open");
    expect(amb?.kind).toBe("ambiguous_match");
    const people = ((amb?.details.candidates ?? []) as { personId: string; rule: string }[]).map((c) => [
      c.personId,
      c.rule,
    ]);
    expect(people.sort()).toEqual(
      [
        [a.id, "employee_number"],
        [b.id, "email"],
      ].sort(),
    );
    const linked = await sec.post(`/api/v1/access/findings/${amb?.id}/fix`, {
      action: "link",
      personId: b.id,
    });
    expect(linked.statusCode, linked.body).toBe(200);
    expect((await accountRow(systemId, twin.uid))?.person_id).toBe(b.id);

    // A former person's employee number on an account that also carries a new person's email.
    const old = await buildPerson(hr);
    await departed(old.id);
    const back = await buildPerson(hr);
    const reused = await addLdapUser(slapd, admin, {
      employeeNumber: old.employeeNumber,
      mail: back.workEmail,
    });
    await reconcile();
    expect((await accountRow(systemId, reused.uid))?.person_id).toBeNull();
    const [rehire] = await findingOf((f) => f.username === reused.uid, "state=open");
    expect(rehire?.kind).toBe("possible_rehire");
    const choice = await sec.post(`/api/v1/access/findings/${rehire?.id}/fix`, {
      action: "link",
      choice: "old_identity",
    });
    expect(choice.statusCode, choice.body).toBe(200);
    expect((await accountRow(systemId, reused.uid))?.person_id).toBe(back.id);
  });
});

describe("acceptance", () => {
  it("hides an accepted finding until its expiry, then the next run reopens it", async () => {
    const svc = await addLdapUser(slapd, admin, { uid: `svc-backup${process.pid}` });
    await reconcile();
    const [f] = await findingOf((x) => x.username === svc.uid, "state=open");
    expect(f?.kind).toBe("orphan");
    const url = `/api/v1/access/findings/${f?.id}/accept`;
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString();

    const noWhy = await sec.post(url, { expiresAt: later });
    expect(noWhy.statusCode).toBe(400);
    expect(noWhy.json().errors).toEqual([expect.objectContaining({ path: "body.justification" })]);
    const past = await sec.post(url, {
      justification: "backup service account",
      expiresAt: "2020-01-01T00:00:00Z",
    });
    expect(past.statusCode).toBe(400);
    expect(past.json()).toMatchObject({
      code: "access.expiry_in_past",
      errors: [{ path: "body.expiresAt" }],
    });
    const far = await sec.post(url, {
      justification: "backup service account",
      expiresAt: "2999-01-01T00:00:00Z",
    });
    expect(far.statusCode).toBe(400);
    expect(far.json().errors).toEqual([expect.objectContaining({ path: "body.expiresAt" })]);

    const ok = await sec.post(url, { justification: "backup service account", expiresAt: later });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      state: "accepted",
      acceptedUntil: later,
      justification: "backup service account",
    });
    const audit = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'access.finding_accepted' AND target_id = $1",
      [f?.id],
    );
    expect(audit.rowCount).toBe(1);

    await reconcile();
    expect(await findingOf((x) => x.id === f?.id, "state=open")).toEqual([]);
    expect((await findingOf((x) => x.id === f?.id, "state=accepted"))[0]?.state).toBe("accepted");

    // Time passes: the acceptance ends.
    await h.t.db.query(
      "UPDATE access_findings SET accepted_until = now() - interval '1 minute' WHERE id = $1",
      [f?.id],
    );
    await reconcile();
    const [reopened] = await findingOf((x) => x.id === f?.id, "state=open");
    expect(reopened?.reopenedAt).toBeTruthy();
  });
});

describe("re-running", () => {
  it("updates findings instead of adding them, and closes what is no longer true", async () => {
    const tmp = await addLdapUser(slapd, admin);
    const first = await reconcile();
    const before = await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM access_findings");
    const second = await reconcile();
    const after = await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM access_findings");
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    const [f] = await findingOf((x) => x.username === tmp.uid);
    expect(f).toMatchObject({ firstRunId: first.id, lastRunId: second.id, state: "open" });

    await admin.del(tmp.dn);
    await reconcile();
    const all = await findingOf((x) => x.username === tmp.uid);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: f?.id, state: "resolved", resolution: "no longer observed" });
  });
});

describe("a read that fails", () => {
  it("stops the system: recorded as failed, no findings added or closed, nothing revoked", async () => {
    const far = await startSlapd();
    stopLater.push(far);
    const farAdmin = await far.admin();
    const sys = await buildSystem(sec, far, { name: "Far directory", breakerThreshold: 1 });
    const leaver = await buildPerson(hr);
    await departed(leaver.id);
    await addLdapUser(far, farAdmin, { employeeNumber: leaver.employeeNumber, groups: ["vpn"] });
    await addLdapUser(far, farAdmin, { groups: ["finance"] });
    const ok = await reconcile(sec, [sys.id]);
    expect(ok.systems).toEqual([
      expect.objectContaining({ state: "done", byKind: { leaver_access: 1, orphan: 1 } }),
    ]);

    const snapshot = async () =>
      (
        await h.t.db.query<{ id: string; state: string; last_run_id: string }>(
          "SELECT id, state, last_run_id FROM access_findings WHERE system_id = $1 ORDER BY id",
          [sys.id],
        )
      ).rows;
    const plans = async () =>
      (
        await h.t.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM access_plan_steps WHERE system_id = $1",
          [sys.id],
        )
      ).rows[0]?.n;
    const known = await snapshot();
    expect(known).toHaveLength(2);
    const stepsBefore = await plans();

    // Wrong credentials.
    const input = ldapSystemInput(far);
    expect(
      (await sec.patch(`/api/v1/access/systems/${sys.id}`, { secrets: { bindPassword: "wrong" } }))
        .statusCode,
    ).toBe(200);
    const denied = await reconcile(sec, [sys.id]);
    expect(denied.state).toBe("failed");
    expect(denied.systems[0]).toMatchObject({ state: "failed", byKind: {} });
    expect(denied.systems[0]?.error).toMatch(/Read failed/);
    expect(await snapshot()).toEqual(known);

    // A read that comes back empty where accounts were known (a filter that matches nobody).
    const moved = await sec.patch(`/api/v1/access/systems/${sys.id}`, {
      secrets: input.secrets,
      config: { ...input.config, userFilter: "(objectClass=posixAccount)" },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const empty = await reconcile(sec, [sys.id]);
    expect(empty.systems[0]).toMatchObject({ state: "failed" });
    expect(empty.systems[0]?.error).toMatch(/no accounts/);
    expect(await snapshot()).toEqual(known);

    // The directory is down.
    await sec.patch(`/api/v1/access/systems/${sys.id}`, { config: input.config });
    await farAdmin.unbind();
    await far.stop();
    const down = await reconcile(sec, [sys.id]);
    expect(down.systems[0]).toMatchObject({ state: "failed" });
    expect(await snapshot()).toEqual(known);
    expect(await plans()).toBe(stepsBefore);
    const accounts = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM accounts WHERE system_id = $1",
      [sys.id],
    );
    expect(accounts.rows[0]?.n).toBe(2);
  });
});

describe("match rules", () => {
  it("links by username when a system says so; bad rules name the field", async () => {
    const other = await startSlapd();
    stopLater.push(other);
    const client = await other.admin();
    const sys = await buildSystem(sec, other, { name: "Username directory" });
    const p = await buildPerson(hr);
    const local = p.workEmail.split("@")[0] as string;
    await addLdapUser(other, client, { uid: local });
    await client.unbind();

    expect((await sec.get(`/api/v1/access/systems/${sys.id}/matching`)).json()).toMatchObject({
      rules: ["employee_number", "email"],
      custom: false,
    });
    const dup = await sec.put(`/api/v1/access/systems/${sys.id}/matching`, { rules: ["email", "email"] });
    expect(dup.statusCode).toBe(400);
    expect(dup.json<{ errors: { path: string }[] }>().errors[0]?.path).toMatch(/^body\.rules/);
    await reconcile(sec, [sys.id]);
    expect((await findingOf((f) => f.username === local, "state=open"))[0]?.kind).toBe("orphan");

    const set = await sec.put(`/api/v1/access/systems/${sys.id}/matching`, {
      rules: ["employee_number", "email", "username"],
    });
    expect(set.statusCode, set.body).toBe(200);
    await reconcile(sec, [sys.id]);
    expect((await accountRow(sys.id, local))?.person_id).toBe(p.id);
    expect((await findingOf((f) => f.username === local))[0]).toMatchObject({ state: "resolved" });
  });
});

describe("who may do what", () => {
  it("auditors read, only access admins act, employees see nothing", async () => {
    const [f] = await findings("state=all");
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.get("/api/v1/access/findings")).statusCode).toBe(200);
    expect((await auditor.get("/api/v1/access/reconcile/runs")).statusCode).toBe(200);
    expect((await auditor.post("/api/v1/access/reconcile", {})).statusCode).toBe(403);
    expect(
      (await auditor.post(`/api/v1/access/findings/${f?.id}/fix`, { action: "revoke" })).statusCode,
    ).toBe(403);
    expect(
      (await auditor.post(`/api/v1/access/findings/${f?.id}/accept`, { justification: "x", expiresAt: "x" }))
        .statusCode,
    ).toBe(403);
    const employee = await h.signedIn(["employee"]);
    expect((await employee.get("/api/v1/access/findings")).statusCode).toBe(403);
    expect((await employee.get("/api/v1/access/reconcile/runs")).statusCode).toBe(403);
    expect((await employee.post("/api/v1/access/reconcile", {})).statusCode).toBe(403);
    expect((await h.client().get("/api/v1/access/findings")).statusCode).toBe(401);
    const missing = await sec.post("/api/v1/access/findings/01HNOSUCHFINDING0000000000/fix", {
      action: "revoke",
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: "access.finding_not_found" });
    expect((await sec.get("/api/v1/access/reconcile/runs/01HNOSUCHRUN00000000000000")).statusCode).toBe(404);
    const unknown = await sec.post("/api/v1/access/reconcile", { systemIds: [systemId, "nope"] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({
      code: "access.unknown_system",
      errors: [{ path: "body.systemIds.1" }],
    });
    const it_ = await h.signedIn(["it"]);
    expect((await reconcile(it_)).state).toMatch(/done|partial/);
  });
});

describe("the schedule", () => {
  it("takes a cron or off, and a scheduled run reconciles every enabled system", async () => {
    expect(() => loadConfig({ TANDEM_ACCESS_RECONCILE_CRON: "every day" })).toThrow(ConfigError);
    expect(() => loadConfig({ TANDEM_ACCESS_RECONCILE_CRON: "every day" })).toThrow(
      /TANDEM_ACCESS_RECONCILE_CRON/,
    );
    expect(() => loadConfig({ TANDEM_ACCESS_DORMANT_DAYS: "0" })).toThrow(/TANDEM_ACCESS_DORMANT_DAYS/);
    expect(loadConfig({}).TANDEM_ACCESS_RECONCILE_CRON).toBe("0 */6 * * *");
    expect(
      loadConfig({ TANDEM_ACCESS_RECONCILE_CRON: "15 2 * * MON-FRI" }).TANDEM_ACCESS_RECONCILE_CRON,
    ).toBe("15 2 * * MON-FRI");

    const before = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM access_reconcile_runs WHERE trigger = 'schedule'",
    );
    // Switched off here: a schedule left over from an earlier setting does nothing.
    await h.t.jobs.runInline("access.reconcile_scheduled", {});
    const still = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM access_reconcile_runs WHERE trigger = 'schedule'",
    );
    expect(still.rows[0]?.n).toBe(before.rows[0]?.n);

    const other = await startTestApp({ TANDEM_ACCESS_RECONCILE_CRON: "0 3 * * *" });
    try {
      const itSec = await other.signedIn(["security"]);
      const sys = await buildSystem(itSec, slapd, { name: "Scheduled directory" });
      await other.t.jobs.runInline("access.reconcile_scheduled", {});
      const runs = await other.t.db.query<{ id: string; state: string; trigger: string }>(
        "SELECT id, state, trigger FROM access_reconcile_runs",
      );
      expect(runs.rows).toEqual([expect.objectContaining({ trigger: "schedule", state: "done" })]);
      const res = await itSec.get(`/api/v1/access/reconcile/runs/${runs.rows[0]?.id}`);
      expect(res.json<Run>().systems).toEqual([expect.objectContaining({ systemId: sys.id, state: "done" })]);
    } finally {
      await other.close();
    }
  });
});
