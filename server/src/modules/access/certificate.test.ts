import { createHash } from "node:crypto";
import type { Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
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
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";
import { startSlapd, type TestSlapd } from "../../test/slapd.js";
import { type CertificateRow, findCertificate, issueCertificate, verifyCertificate } from "./certificate.js";

/**
 * Revocation certificates: a leaver's departure run to done on a real slapd and a manual
 * system issues one certificate, sealed into the audit chain; a changed certificate no
 * longer matches its seal.
 */

let h: TestApp;
let slapd: TestSlapd;
let admin: Client;
type Signed = Awaited<ReturnType<TestApp["signedIn"]>>;
let sec: Signed;
let hr: Signed;
let it_: Signed;
let auditor: Signed;
let directoryId: string;
let badgesId: string;
let engineers: string;

beforeAll(async () => {
  slapd = await startSlapd();
  admin = await slapd.admin();
  h = await startTestApp({}, { jobs: true });
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
  it_ = await h.signedIn(["it"]);
  auditor = await h.signedIn(["auditor"]);
  directoryId = (await buildSystem(sec, slapd, { name: "Corporate directory", breakerThreshold: 1 })).id;
  await syncSystem(sec, directoryId);
  const badges = await sec.post("/api/v1/access/systems", {
    name: "Door badges",
    connectorType: "manual",
    breakerThreshold: 1,
    config: {
      systemName: "Door badges",
      owner: "Facilities desk",
      entitlements: [{ id: "badge-hq", name: "HQ badge" }],
    },
  });
  expect(badges.statusCode, badges.body).toBe(201);
  badgesId = badges.json<{ id: string }>().id;
  await syncSystem(sec, badgesId);
  engineers = await buildRole(hr, "Engineer");
  await buildProfile(sec, {
    name: "Engineers",
    jobRoleId: engineers,
    entitlements: [
      { systemId: directoryId, entitlementId: await entitlementId(sec, directoryId, "engineering") },
      { systemId: directoryId, entitlementId: await entitlementId(sec, directoryId, "vpn") },
      { systemId: badgesId, entitlementId: await entitlementId(sec, badgesId, "HQ badge") },
    ],
  });
}, 180_000);
afterAll(async () => {
  await admin?.unbind();
  await h?.close();
  await slapd?.stop();
});

interface Task {
  id: string;
  title: string;
  personId: string | null;
  systemId: string | null;
}
const openTasks = async () =>
  (await sec.get("/api/v1/access/tasks?state=open")).json<{ items: Task[] }>().items;
/**
 * An open task, once the step waiting on it has recorded it: a task the manual connector
 * opened is committed before the runner records its step, and an attestation in between
 * would find no step to wake (the step would wait for the connector's next poll).
 */
const taskWhen = (what: string, ok: (t: Task) => boolean) =>
  eventually(what, async () => {
    const t = (await openTasks()).find(ok);
    if (!t || t.systemId === null) return t;
    const waiting = await h.t.db.query(
      "SELECT 1 FROM access_plan_steps WHERE manual_task_id = $1 AND state = 'manual'",
      [t.id],
    );
    return waiting.rowCount ? t : undefined;
  });
const attest = async (c: TestClient, taskId: string, note?: string) => {
  const res = await c.post(`/api/v1/access/tasks/${taskId}/attest`, note ? { note } : {});
  expect(res.statusCode, res.body).toBe(200);
};
const plansOf = async (personId: string) =>
  (
    await h.t.db.query<{ id: string; reason: string; state: string }>(
      "SELECT id, reason, state FROM access_plans WHERE person_id = $1 ORDER BY created_at, id",
      [personId],
    )
  ).rows;
const certificateRows = async (personId: string) =>
  (
    await h.t.db.query<{ id: string; body: string }>(
      "SELECT id, body FROM access_certificates WHERE person_id = $1",
      [personId],
    )
  ).rows;
/** Runs SQL with the append-only trigger switched off, as someone covering their tracks would. */
const bypassTrigger = (fn: (q: Queryable) => Promise<unknown>) =>
  h.t.db.tx(async (q) => {
    await q.query("SET LOCAL session_replication_role = replica");
    await fn(q);
  });

/** The PDF's /Title, from its document information (readable while the page streams are compressed). */
function pdfTitle(pdf: Buffer): string | undefined {
  const s = pdf.toString("latin1");
  const ref = /\/Title (\d+) 0 R/.exec(s)?.[1];
  const literal = ref
    ? new RegExp(`\\n${ref} 0 obj\\n\\((.*)\\)\\nendobj`).exec(s)?.[1]
    : /\/Title \((.*?)\)\n/.exec(s)?.[1];
  return literal?.replace(/\\([()\\])/g, "$1");
}

interface View {
  id: string;
  personId: string;
  planId: string;
  digest: string;
  auditEntry: { id: string; seq: number };
  verified: boolean;
  verificationError: string | null;
  certificate: {
    person: { id: string; name: string; employeeNumber: string };
    planId: string;
    planIds: string[];
    hrEventAt: string | null;
    accessRevokedAt: string | null;
    systems: {
      systemId: string | null;
      systemName: string;
      items: {
        stepId: string;
        kind: string;
        action: string;
        account: string | null;
        entitlementName: string | null;
        title: string | null;
        verifiedBy: string;
        verifiedAt: string | null;
        attestation: { by: string; at: string | null; note: string | null } | null;
      }[];
    }[];
  };
}

describe("revocation certificate", () => {
  it("a leaver run to done yields one certificate, each removal with its time or attestation, sealed in the audit chain", async () => {
    const p = await buildPerson(hr, { jobRoleId: engineers });
    // Joiner: the directory account by the engine, the badge by the facilities desk (attested).
    await attest(sec, (await taskWhen("badge create task", (t) => t.systemId === badgesId)).id);
    await attest(sec, (await taskWhen("badge grant task", (t) => t.systemId === badgesId)).id);
    await eventually("the joiner plan done", async () =>
      (await plansOf(p.id)).some((x) => x.reason === "joiner" && x.state === "done") ? true : undefined,
    );
    const entry = await ldapEntry(admin, slapd, p.workEmail);
    expect((await groupsOf(admin, slapd, entry?.dn as string)).sort()).toEqual(["engineering", "vpn"]);
    const none = await sec.get(`/api/v1/access/people/${p.id}/certificate`);
    expect(none.statusCode).toBe(404);
    expect(String(none.headers["content-type"])).toMatch(/^application\/problem\+json/);
    expect(none.json()).toMatchObject({ code: "access.no_certificate" });

    await terminate(hr, p.id);
    await attest(
      it_,
      (await taskWhen("badge disable task", (t) => t.systemId === badgesId && /Disable/.test(t.title))).id,
      "badge deactivated",
    );
    await attest(
      it_,
      (await taskWhen("badge revoke task", (t) => t.systemId === badgesId && /Remove/.test(t.title))).id,
      "badge access removed",
    );
    const devices = await eventually("the leaver's device tasks", async () => {
      const mine = (await openTasks()).filter((t) => t.personId === p.id && t.systemId === null);
      return mine.length === 5 ? mine : undefined;
    });
    // Nothing certified while work is open.
    expect(await certificateRows(p.id)).toEqual([]);
    for (const t of devices) await attest(it_, t.id, "done");
    const page = await eventually("the leaver plan done", async () => {
      const o = await offboardingOf(sec, p.id);
      return o?.plan.state === "done" ? o : undefined;
    });

    // Exactly one certificate, listed for the person and readable by an auditor.
    const list = await auditor.get(`/api/v1/access/certificates?personId=${p.id}`);
    expect(list.statusCode, list.body).toBe(200);
    const items = list.json<{ items: { id: string; employeeNumber: string }[]; nextCursor: string | null }>();
    expect(items.items).toHaveLength(1);
    expect(items.items[0]?.employeeNumber).toBe(p.employeeNumber);
    expect(await certificateRows(p.id)).toHaveLength(1);

    const res = await auditor.get(`/api/v1/access/people/${p.id}/certificate`);
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json<View>();
    expect(view).toMatchObject({
      personId: p.id,
      planId: page.plan.id,
      verified: true,
      verificationError: null,
    });
    const c = view.certificate;
    expect(c.person).toEqual({
      id: p.id,
      name: expect.stringMatching(/^Ada Tester/),
      employeeNumber: p.employeeNumber,
    });
    expect(c.hrEventAt).toBe(page.hrEventAt);
    expect(c.systems.map((s) => s.systemName)).toEqual([
      "Corporate directory",
      "Door badges",
      "Devices and premises",
    ]);

    // Each directory removal with the time its read-back verified it (as on the leaver page).
    const verifiedAt = new Map(page.systems.flatMap((s) => s.steps).map((s) => [s.id, s.verifiedAt]));
    const directory = c.systems[0]?.items ?? [];
    expect(directory.map((i) => `${i.kind}:${i.action}:${i.entitlementName ?? i.account}`).sort()).toEqual([
      `account:disable:${p.workEmail.split("@")[0]}`,
      "entitlement:revoke:engineering",
      "entitlement:revoke:vpn",
    ]);
    for (const i of directory) {
      expect(i).toMatchObject({ verifiedBy: "read_back", attestation: null });
      expect(i.verifiedAt).toBeTruthy();
      expect(i.verifiedAt).toBe(verifiedAt.get(i.stepId));
    }
    // The manual system: what the facilities desk attested, and who attested it.
    const badges = c.systems[1]?.items ?? [];
    expect(badges.map((i) => `${i.kind}:${i.action}`).sort()).toEqual([
      "account:disable",
      "entitlement:revoke",
    ]);
    expect(badges.find((i) => i.kind === "entitlement")?.entitlementName).toBe("HQ badge");
    for (const i of badges) {
      expect(i.verifiedAt).toBe(verifiedAt.get(i.stepId));
      expect(i.attestation?.by).toBe(it_.email);
      expect(i.attestation?.at).toBeTruthy();
    }
    expect(badges.find((i) => i.kind === "account")?.attestation?.note).toBe("badge deactivated");
    // The leaver tasks: attested by a person.
    const tasks = c.systems[2]?.items ?? [];
    expect(tasks).toHaveLength(5);
    for (const i of tasks) {
      expect(i).toMatchObject({
        kind: "task",
        verifiedBy: "attestation",
        attestation: { by: it_.email, note: "done" },
      });
      expect(i.title).toBeTruthy();
    }

    // The seal: the audit entry carries the SHA-256 of the stored document.
    const stored = (await certificateRows(p.id))[0] as { id: string; body: string };
    const digest = createHash("sha256").update(stored.body).digest("hex");
    expect(view.digest).toBe(digest);
    expect(JSON.parse(stored.body)).toEqual(c);
    const sealed = await h.t.db.query<{
      id: string;
      seq: string;
      details: { digest: string; certificateId: string };
    }>(
      "SELECT id, seq::text AS seq, details FROM audit_log WHERE action = 'access.certificate_issued' AND target_id = $1",
      [p.id],
    );
    expect(sealed.rows).toHaveLength(1);
    expect(sealed.rows[0]?.details).toMatchObject({ digest, certificateId: view.id });
    expect(view.auditEntry).toEqual({ id: sealed.rows[0]?.id, seq: Number(sealed.rows[0]?.seq) });
    expect((await verifyChain(h.t.db)).ok).toBe(true);

    // Issuing again yields the same certificate, and seals nothing new.
    const again = await h.t.db.tx((q) => issueCertificate(q, { actorLabel: "test" }, page.plan.id));
    expect(again?.id).toBe(view.id);
    expect(await certificateRows(p.id)).toHaveLength(1);
    const count = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.certificate_issued' AND target_id = $1",
      [p.id],
    );
    expect(count.rows[0]?.n).toBe(1);

    // Reads left the system: audited.
    const reads = await h.t.db.query<{
      actor_label: string;
      details: { format: string; certificateId: string };
    }>(
      "SELECT actor_label, details FROM audit_log WHERE action = 'access.certificate_downloaded' AND target_id = $1",
      [p.id],
    );
    expect(reads.rows).toEqual([
      { actor_label: auditor.email, details: expect.objectContaining({ format: "json" }) },
    ]);

    // The PDF: an attachment carrying the employee number and how to check it.
    const pdf = await h.t.app.inject({
      method: "GET",
      url: `/api/v1/access/certificates/${view.id}/pdf`,
      headers: { cookie: [...sec.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(String(pdf.headers["content-disposition"])).toMatch(
      /^attachment; filename="revocation-certificate-/,
    );
    expect(pdf.rawPayload.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdfTitle(pdf.rawPayload)).toBe(`Revocation certificate: ${c.person.name} (${p.employeeNumber})`);
    const pdfReads = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'access.certificate_downloaded' AND details->>'format' = 'pdf' AND actor_label = $1",
      [sec.email],
    );
    expect(pdfReads.rowCount).toBe(1);

    // The database refuses changes; someone who switches that off is caught by the seal.
    await expect(
      h.t.db.query("UPDATE access_certificates SET body = body WHERE id = $1", [view.id]),
    ).rejects.toThrow(/append-only/);
    const row: CertificateRow = await findCertificate(h.t.db, view.id);
    expect(await verifyCertificate(h.t.db, row)).toEqual({ verified: true, reason: null });
    await bypassTrigger((q) =>
      q.query("UPDATE access_certificates SET body = replace(body, $2, $3) WHERE id = $1", [
        view.id,
        `"verifiedBy":"read_back"`,
        `"verifiedBy":"attestation"`,
      ]),
    );
    const tampered = await findCertificate(h.t.db, view.id);
    expect(tampered.body).not.toBe(row.body);
    expect(await verifyCertificate(h.t.db, tampered)).toEqual({
      verified: false,
      reason: expect.stringMatching(/differs from the digest sealed in the audit chain/),
    });
    const after = await auditor.get(`/api/v1/access/certificates/${view.id}`);
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ verified: false, digest });
    // Rewriting the stored digest too does not help: the chain keeps the original.
    await bypassTrigger((q) =>
      q.query("UPDATE access_certificates SET digest = $2 WHERE id = $1", [
        view.id,
        createHash("sha256").update(tampered.body).digest("hex"),
      ]),
    );
    expect((await auditor.get(`/api/v1/access/certificates/${view.id}`)).json()).toMatchObject({
      verified: false,
    });
  }, 300_000);

  it("a revoke-now and HR's later termination make one departure: certified once its last task is attested", async () => {
    const p = await buildPerson(hr);
    // The hire's (empty) joiner plan first, so it does not join the departure later.
    await eventually("the joiner plan", async () => ((await plansOf(p.id)).length ? true : undefined));
    const now = await sec.post(`/api/v1/access/people/${p.id}/revoke-now`, { reason: "walked out" });
    expect(now.statusCode, now.body).toBe(202);
    await terminate(hr, p.id);
    const plans = await eventually("both leaver plans", async () => {
      const x = (await plansOf(p.id)).filter((y) => y.reason === "leaver");
      return x.length === 2 && x[1]?.state === "done" ? x : undefined;
    });
    // The termination's plan has nothing left to do, but the revoke-now's tasks are open.
    expect(plans[1]?.state).toBe("done");
    expect(await certificateRows(p.id)).toEqual([]);
    const tasks = (await openTasks()).filter((t) => t.personId === p.id);
    expect(tasks).toHaveLength(5);
    for (const t of tasks) await attest(sec, t.id);
    const rows = await certificateRows(p.id);
    expect(rows).toHaveLength(1);
    const body = JSON.parse(rows[0]?.body as string) as View["certificate"];
    expect(body.planId).toBe(plans[0]?.id);
    expect(body.planIds).toEqual(plans.map((x) => x.id));
    expect(body.accessRevokedAt).toBeNull();
    expect(body.systems).toEqual([expect.objectContaining({ systemId: null, items: expect.any(Array) })]);
    expect(body.systems[0]?.items).toHaveLength(5);
  }, 120_000);

  it("only readers of access evidence see certificates: employees and managers get 403; unknown ids 404", async () => {
    const employee = await h.signedIn(["employee"]);
    const manager = await h.signedIn(["employee", "manager"]);
    const someone = await buildPerson(hr);
    const any = (await auditor.get("/api/v1/access/certificates")).json<{ items: { id: string }[] }>()
      .items[0];
    expect(any).toBeTruthy();
    for (const c of [employee, manager]) {
      for (const url of [
        "/api/v1/access/certificates",
        `/api/v1/access/certificates/${any?.id}`,
        `/api/v1/access/certificates/${any?.id}/pdf`,
        `/api/v1/access/people/${someone.id}/certificate`,
      ]) {
        const res = await c.get(url);
        expect(res.statusCode, url).toBe(403);
      }
    }
    expect((await h.client().get("/api/v1/access/certificates")).statusCode).toBe(401);
    const missing = await auditor.get("/api/v1/access/certificates/01J00000000000000000000000");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: "access.certificate_not_found" });
    const nobody = await auditor.get("/api/v1/access/people/01J00000000000000000000000/certificate");
    expect(nobody.json()).toMatchObject({ code: "person.not_found" });
    // Cursor pagination over the list.
    const first = await auditor.get("/api/v1/access/certificates?limit=1");
    const page1 = first.json<{ items: { id: string }[]; nextCursor: string | null }>();
    expect(page1.items).toHaveLength(1);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = (await auditor.get(`/api/v1/access/certificates?limit=1&cursor=${page1.nextCursor}`)).json<{
      items: { id: string }[];
    }>();
    expect((page2.items[0]?.id as string) < (page1.items[0]?.id as string)).toBe(true);
    expect((await auditor.get("/api/v1/access/certificates?cursor=nonsense")).json()).toMatchObject({
      code: "request.bad_cursor",
    });
  });
});
