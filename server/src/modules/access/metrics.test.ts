import { Attribute, Change } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildPerson,
  buildProfile,
  buildRole,
  buildSystem,
  entitlementId,
  eventually,
  offboardingOf,
  syncSystem,
  terminate,
} from "../../test/access.js";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { startSlapd, type TestSlapd } from "../../test/slapd.js";
import type { AccessMetrics } from "./routes-metrics.js";

/**
 * The access metrics endpoint over leavers carried out by the engine on a real slapd: revocation
 * time per system, SLA compliance (one leaver's HR event moved back to miss the SLA), open findings.
 */

let h: TestApp;
let slapd: TestSlapd;
let sec: Awaited<ReturnType<TestApp["signedIn"]>>;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let systemId: string;
const leavers: { personId: string; planId: string; seconds: number; name: string }[] = [];

const URL = "/api/v1/access/metrics";

beforeAll(async () => {
  slapd = await startSlapd();
  h = await startTestApp({ TANDEM_ACCESS_OFFBOARDING_SLA_MINUTES: "30" }, { jobs: true });
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
  systemId = (await buildSystem(sec, slapd, { name: "Metrics directory", breakerThreshold: 1 })).id;
  await syncSystem(sec, systemId);
  const role = await buildRole(hr, "Analyst");
  await buildProfile(sec, {
    name: "Analysts",
    jobRoleId: role,
    entitlements: [{ systemId, entitlementId: await entitlementId(sec, systemId, "vpn") }],
  });
  for (let i = 0; i < 2; i++) {
    const p = await buildPerson(hr, { jobRoleId: role, preferredName: `Metric${i}` });
    await eventually("the joiner plan done", async () => {
      const r = await h.t.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM access_plans WHERE person_id = $1 AND reason = 'joiner' AND state = 'done'",
        [p.id],
      );
      return r.rows[0]?.n ? true : undefined;
    });
    await terminate(hr, p.id);
    const o = await eventually("access revoked", async () => {
      const v = await offboardingOf(sec, p.id);
      return v?.accessRevokedAt ? v : undefined;
    });
    leavers.push({
      personId: p.id,
      planId: o.plan.id,
      seconds: o.revocationSeconds ?? -1,
      name: `Metric${i}`,
    });
  }
});
afterAll(async () => {
  await h?.close();
  await slapd?.stop();
});

const metrics = async (query = "") => {
  const res = await sec.get(`${URL}${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<AccessMetrics>();
};

describe("access metrics", () => {
  it("gives each system's revocation count and percentiles, and SLA compliance of the leavers", async () => {
    const m = await metrics();
    const directory = m.systems.find((s) => s.systemId === systemId);
    expect(directory).toMatchObject({ systemName: "Metrics directory", revoked: 2, pending: 0 });
    const fastest = Math.min(...leavers.map((l) => l.seconds));
    const slowest = Math.max(...leavers.map((l) => l.seconds));
    expect(directory?.p50Seconds).toBeGreaterThanOrEqual(fastest - 0.2);
    expect(directory?.p95Seconds).toBeLessThanOrEqual(slowest + 0.2);
    expect(directory?.p50Seconds).toBeLessThanOrEqual(directory?.p95Seconds ?? -1);
    expect(directory?.maxSeconds).toBeCloseTo(slowest, 0);
    expect(m.sla).toEqual({
      slaMinutes: 30,
      leavers: 2,
      withinSla: 2,
      breached: 0,
      pending: 0,
      compliance: 1,
    });
    // The last day of the series is today (UTC) and holds both leavers; earlier days are empty.
    expect(m.daily).toHaveLength(31);
    const today = m.daily[m.daily.length - 1];
    expect(today).toMatchObject({ day: new Date().toISOString().slice(0, 10), leavers: 2, withinSla: 2 });
    expect(m.daily.slice(0, -1).every((d) => d.leavers === 0 && d.compliance === null)).toBe(true);
  });

  it("counts a leaver revoked later than the SLA as breached, on the day of the HR event", async () => {
    const late = leavers[0] as (typeof leavers)[number];
    // The HR event two hours before the verified revocation: past the 30-minute SLA.
    await h.t.db.query(
      "UPDATE access_plans SET hr_event_at = hr_event_at - interval '2 hours' WHERE id = $1",
      [late.planId],
    );
    const m = await metrics();
    expect(m.sla).toMatchObject({ leavers: 2, withinSla: 1, breached: 1, compliance: 0.5 });
    expect(m.systems.find((s) => s.systemId === systemId)?.maxSeconds).toBeGreaterThanOrEqual(7200);
    const hrDay = (
      await h.t.db.query<{ day: string }>(
        "SELECT to_char(hr_event_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM access_plans WHERE id = $1",
        [late.planId],
      )
    ).rows[0]?.day;
    const breachedDays = m.daily.filter((d) => d.breached > 0).map((d) => d.day);
    expect(breachedDays).toEqual([hrDay]);
  });

  it("keeps to the date range asked for", async () => {
    const past = await metrics("?from=2020-01-01T00:00:00Z&to=2020-01-03T00:00:00Z");
    expect(past.systems).toEqual([]);
    expect(past.sla).toMatchObject({ leavers: 0, compliance: null });
    expect(past.daily.map((d) => d.day)).toEqual(["2020-01-01", "2020-01-02"]);
  });

  it("counts open reconciliation findings by kind, as the findings list does", async () => {
    // An account made by hand behind Tandem's back, in a group: an orphan.
    const admin = await slapd.admin();
    const dn = `uid=metrics-orphan${process.pid},${slapd.peopleOu}`;
    await admin.add(dn, {
      objectClass: ["top", "person", "organizationalPerson", "inetOrgPerson"],
      uid: `metrics-orphan${process.pid}`,
      cn: "orphan",
      sn: "orphan",
    });
    await admin.modify(slapd.groups.vpn as string, [
      new Change({ operation: "add", modification: new Attribute({ type: "member", values: [dn] }) }),
    ]);
    await admin.unbind();
    const start = await sec.post("/api/v1/access/reconcile", { systemIds: [systemId] });
    expect(start.statusCode, start.body).toBe(202);
    const runId = start.json<{ runId: string }>().runId;
    await eventually("the reconciliation done", async () => {
      const r = await sec.get(`/api/v1/access/reconcile/runs/${runId}`);
      const state = r.json<{ state: string }>().state;
      return ["done", "partial", "failed"].includes(state) ? state : undefined;
    });
    const list = await sec.get("/api/v1/access/findings?limit=200");
    const open = list.json<{ items: { kind: string }[] }>().items;
    const m = await metrics();
    expect(m.findings.open).toBe(open.length);
    expect(m.findings.byKind.find((k) => k.kind === "orphan")?.open).toBeGreaterThan(0);
    for (const { kind, open: n } of m.findings.byKind) {
      expect(n, kind).toBe(open.filter((f) => f.kind === kind).length);
    }
    // The findings list searches by username (a % or _ typed is taken literally).
    const found = await sec.get(`/api/v1/access/findings?q=${encodeURIComponent(`ORPHAN${process.pid}`)}`);
    expect(found.json<{ items: { username: string; kind: string }[] }>().items).toMatchObject([
      { username: `metrics-orphan${process.pid}`, kind: "orphan" },
    ]);
    const literal = await sec.get(`/api/v1/access/findings?q=${encodeURIComponent("metrics%orphan")}`);
    expect(literal.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it("refuses anonymous callers, people without access:read, and a bad range naming the field", async () => {
    expect((await h.client().get(URL)).statusCode).toBe(401);
    for (const role of ["hr", "employee", "manager", "legal"]) {
      const other = await h.signedIn([role]);
      expect((await other.get(URL)).statusCode, role).toBe(403);
    }
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.get(URL)).statusCode).toBe(200);

    const backwards = await sec.get(`${URL}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({
      code: "access.metrics_range",
      errors: [{ path: "querystring.to" }],
    });
    const tooLong = await sec.get(`${URL}?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ errors: [{ path: "querystring.from" }] });
    const notADate = await sec.get(`${URL}?from=yesterday`);
    expect(notADate.statusCode).toBe(400);
    expect(JSON.stringify(notADate.json<{ errors: unknown }>().errors)).toContain("from");
    const unknown = await sec.get(`${URL}?system=x`);
    expect(unknown.statusCode).toBe(400);
  });
});

describe("lists of plans and tasks", () => {
  it("name the person (preferred name first) and the task's system", async () => {
    const l = leavers[1] as (typeof leavers)[number];
    const plans = await sec.get(`/api/v1/access/plans?personId=${l.personId}`);
    const items = plans.json<{ items: { reason: string; personName: string | null }[] }>().items;
    expect(items.map((x) => x.reason).sort()).toEqual(["joiner", "leaver"]);
    expect(items.every((x) => x.personName === l.name)).toBe(true);
    const tasks = await sec.get(`/api/v1/access/tasks?personId=${l.personId}`);
    const list = tasks.json<{
      items: { personName: string | null; systemName: string | null; systemId: string | null }[];
    }>().items;
    expect(list.length).toBeGreaterThan(0);
    expect(
      list.every((t) => t.personName === l.name && (t.systemId === null) === (t.systemName === null)),
    ).toBe(true);
  });
});
