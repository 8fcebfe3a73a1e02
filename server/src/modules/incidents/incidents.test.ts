import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";
import { sweep } from "./index.js";

/**
 * Incidents through the HTTP API on the real app: created by hand and from reports,
 * severity-driven alerts, the status machine with the post-mortem rule, playbooks and tasks,
 * the timeline, evidence (encrypted, reads audited), decisions, links and merges.
 */

type Api = TestClient & { userId: string; email: string };
interface Incident {
  id: string;
  reference: string;
  status: string;
  severity: string;
  openTasks: number;
  acknowledgedAt: string | null;
  closedAt: string | null;
  mergedInto: string | null;
}
interface Problem {
  code: string;
  errors?: { path: string; message: string }[];
}

let h: TestApp;
let sec: Api;
let legal: Api;
let hr: Api;
let employee: Api;
let auditor: Api;

beforeAll(async () => {
  h = await startTestApp();
  sec = await h.signedIn(["security"]);
  legal = await h.signedIn(["legal"]);
  hr = await h.signedIn(["hr"]);
  employee = await h.signedIn(["employee"]);
  auditor = await h.signedIn(["auditor"]);
});
afterAll(() => h.close());

async function open(body: Record<string, unknown> = {}): Promise<Incident> {
  const r = await sec.post("/api/v1/incidents", { title: "Phishing wave", severity: "sev3", ...body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json<Incident>();
}

async function inbox(api: Api) {
  return (await api.get("/api/v1/notifications?limit=100")).json<{
    items: { title: string; severity: string; kind: string }[];
  }>().items;
}

describe("access", () => {
  it("401 anonymous, 403 for roles outside the response team, auditors read only", async () => {
    expect((await h.client().get("/api/v1/incidents")).statusCode).toBe(401);
    const denied = await employee.get("/api/v1/incidents");
    expect(denied.statusCode).toBe(403);
    expect(denied.json<Problem>().code).toBe("auth.forbidden");
    expect((await auditor.get("/api/v1/incidents")).statusCode).toBe(200);
    expect((await auditor.post("/api/v1/incidents", { title: "x", severity: "sev4" })).statusCode).toBe(403);
    expect((await sec.get("/api/v1/incidents/01J00000000000000000000000")).statusCode).toBe(404);
  });

  it("names the field on bad input and writes nothing", async () => {
    const before = await h.t.db.query("SELECT count(*)::int AS n FROM incidents");
    const r = await sec.post("/api/v1/incidents", { title: "", severity: "sev9" });
    expect(r.statusCode).toBe(400);
    const paths = r.json<Problem>().errors?.map((e) => e.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["body.title", "body.severity"]));
    const unknownOwner = await sec.post("/api/v1/incidents", {
      title: "x",
      severity: "sev4",
      ownerUserId: "nobody",
    });
    expect(unknownOwner.statusCode).toBe(422);
    expect(unknownOwner.json<Problem>().errors?.[0]?.path).toBe("ownerUserId");
    const unknownReport = await sec.post("/api/v1/incidents", {
      title: "x",
      severity: "sev4",
      reportIds: ["01NOREPORT"],
    });
    expect(unknownReport.statusCode).toBe(422);
    expect(unknownReport.json<Problem>().errors?.[0]?.path).toBe("reportIds.0");
    const after = await h.t.db.query("SELECT count(*)::int AS n FROM incidents");
    expect(after.rows).toEqual(before.rows);
  });
});

describe("severity drives alerts", () => {
  it("sev1 alerts Security, Legal and (people involved) HR at once; sev4 lands in the digest for Security and Legal", async () => {
    const i = await open({ title: "Payroll export leaked", severity: "sev1", peopleInvolved: true });
    for (const who of [sec, legal, hr]) {
      const n = (await inbox(who)).find((x) => x.title.includes("Payroll export leaked"));
      expect(n?.severity).toBe("critical");
    }
    expect((await inbox(employee)).length).toBe(0);
    const row = await h.t.db.query<{ digested: boolean }>(
      `SELECT bool_and(r.digested_at IS NOT NULL) AS digested FROM notification_recipients r
       JOIN notifications n ON n.id = r.notification_id WHERE n.source_key = $1`,
      [`incident:${i.id}:created:sev1`],
    );
    expect(row.rows[0]?.digested).toBe(true);

    const low = await open({ title: "Single odd login", severity: "sev4" });
    const n = (await inbox(legal)).find((x) => x.title.includes("Single odd login"));
    expect(n?.severity).toBe("normal");
    expect((await inbox(hr)).some((x) => x.title.includes("Single odd login"))).toBe(false);
    const pending = await h.t.db.query(
      `SELECT 1 FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
       WHERE n.source_key = $1 AND r.digested_at IS NULL`,
      [`incident:${low.id}:created:sev4`],
    );
    expect(pending.rowCount).toBeGreaterThan(0);

    // Raising it to sev2 alerts at once.
    const raised = await sec.patch(`/api/v1/incidents/${low.id}`, { severity: "sev2" });
    expect(raised.statusCode, raised.body).toBe(200);
    const alert = (await inbox(legal)).find((x) => x.title.includes("SEV2 raised: Single odd login"));
    expect(alert?.severity).toBe("critical");
  });
});

describe("the lifecycle", () => {
  it("moves open → contained → resolved → closed, refuses skipping back from closed, records everything in order", async () => {
    const i = await open({ severity: "sev3", title: "Lost phone" });
    expect(
      (await sec.post(`/api/v1/incidents/${i.id}/status`, { status: "closed" })).json<Problem>().code,
    ).toBe("incident.bad_transition");
    for (const status of ["contained", "resolved", "closed"]) {
      const r = await sec.post(`/api/v1/incidents/${i.id}/status`, { status });
      expect(r.statusCode, r.body).toBe(200);
    }
    const closed = (await sec.get(`/api/v1/incidents/${i.id}`)).json<Incident>();
    expect(closed.status).toBe("closed");
    expect(closed.acknowledgedAt).not.toBeNull();
    const reopen = await sec.post(`/api/v1/incidents/${i.id}/status`, { status: "open" });
    expect(reopen.statusCode).toBe(409);
    expect((await sec.patch(`/api/v1/incidents/${i.id}`, { title: "new" })).statusCode).toBe(409);
    const tl = (await sec.get(`/api/v1/incidents/${i.id}/timeline`)).json<{
      items: { kind: string; text: string; seq: number }[];
    }>().items;
    expect(tl.map((t) => t.kind)).toEqual(["created", "status", "status", "status"]);
    expect(tl.map((t) => t.seq)).toEqual([...tl.map((t) => t.seq)].sort((a, b) => a - b));
  });

  it("closes a sev2 only after a completed blameless post-mortem", async () => {
    const i = await open({ severity: "sev2", title: "Mailbox takeover" });
    await sec.post(`/api/v1/incidents/${i.id}/status`, { status: "resolved" });
    const refused = await sec.post(`/api/v1/incidents/${i.id}/status`, { status: "closed" });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<Problem>().code).toBe("incident.postmortem_required");

    const draft = await sec.put(`/api/v1/incidents/${i.id}/postmortem`, {
      whatHappened: "A password was reused",
      timelineSummary: "",
      contributingFactors: "",
      changes: "",
      complete: true,
    });
    expect(draft.statusCode).toBe(422);
    expect(draft.json<Problem>().errors?.map((e) => e.path)).toEqual([
      "timelineSummary",
      "contributingFactors",
      "changes",
    ]);
    expect(
      (
        await sec.put(`/api/v1/incidents/${i.id}/postmortem`, {
          whatHappened: "x",
          timelineSummary: "",
          contributingFactors: "",
          changes: "",
          blame: "Bob",
        })
      ).statusCode,
    ).toBe(400);

    const done = await sec.put(`/api/v1/incidents/${i.id}/postmortem`, {
      whatHappened: "A reused password was tried against webmail.",
      timelineSummary: "Alert 09:00, contained 09:30.",
      contributingFactors: "No MFA on the legacy webmail.",
      changes: "Retire legacy webmail; enforce MFA.",
      complete: true,
    });
    expect(done.statusCode, done.body).toBe(200);
    const action = await sec.post(`/api/v1/incidents/${i.id}/postmortem/actions`, {
      title: "Retire legacy webmail",
      ownerUserId: sec.userId,
      dueAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(action.statusCode, action.body).toBe(201);
    const pm = action.json<{ actions: { id: string; overdue: boolean }[] }>();
    expect(pm.actions[0]?.overdue).toBe(true);
    const swept = await sweep(h.t.db, h.t.notifier);
    expect(swept.actions).toBe(1);
    expect((await inbox(sec)).some((n) => n.title.includes("post-mortem action overdue"))).toBe(true);
    const doneAction = await sec.patch(`/api/v1/incidents/${i.id}/postmortem/actions/${pm.actions[0]?.id}`, {
      status: "done",
    });
    expect(doneAction.json<{ actions: { status: string }[] }>().actions[0]?.status).toBe("done");

    const ok = await sec.post(`/api/v1/incidents/${i.id}/status`, { status: "closed" });
    expect(ok.statusCode, ok.body).toBe(200);
    const cols = await h.t.db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name IN ('incident_postmortems', 'incident_actions')",
    );
    expect(cols.rows.some((c) => /blame|fault|culprit/.test(c.column_name))).toBe(false);
  });
});

describe("playbooks and tasks", () => {
  it("ships starter playbooks, applies one as tasks by department role, and lets Security edit it", async () => {
    const list = (await sec.get("/api/v1/incident-playbooks")).json<{
      items: { id: string; key: string; tasks: { departmentRole: string }[] }[];
    }>().items;
    expect(list.map((p) => p.key).sort()).toEqual([
      "data-breach",
      "insider",
      "lost-device",
      "payment-fraud",
      "phishing-compromise",
    ]);
    const fraud = list.find((p) => p.key === "payment-fraud");
    expect(fraud?.tasks.map((t) => t.departmentRole)).toContain("finance");

    const i = await open({ severity: "sev3", playbookId: fraud?.id });
    const tasks = (await sec.get(`/api/v1/incidents/${i.id}/tasks`)).json<{
      items: { id: string; departmentRole: string; dueAt: string }[];
    }>().items;
    expect(tasks.length).toBe(fraud?.tasks.length);
    expect(tasks.every((t) => t.dueAt)).toBe(true);

    const edited = await sec.put(`/api/v1/incident-playbooks/${fraud?.id}`, {
      key: "payment-fraud",
      name: "Payment fraud",
      description: "Changed",
      tasks: [{ title: "Call the bank", departmentRole: "finance", dueHours: 1 }],
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json<{ version: number }>().version).toBe(2);
    expect((await hr.put(`/api/v1/incident-playbooks/${fraud?.id}`, { key: "x" })).statusCode).toBe(403);
    const bad = await sec.post("/api/v1/incident-playbooks", {
      key: "Bad Key",
      name: "x",
      tasks: [{ title: "t", departmentRole: "marketing", dueHours: 1 }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<Problem>().errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(["body.key", "body.tasks.0.departmentRole"]),
    );
    const clash = await sec.post("/api/v1/incident-playbooks", {
      key: "insider",
      name: "x",
      tasks: [{ title: "t", departmentRole: "hr", dueHours: 1 }],
    });
    expect(clash.statusCode).toBe(409);
  });

  it("reminds before the due date and escalates an overdue task to the owner", async () => {
    const i = await open({ severity: "sev3", ownerUserId: legal.userId, title: "Odd invoice" });
    const soon = await sec.post(`/api/v1/incidents/${i.id}/tasks`, {
      title: "Check supplier",
      departmentRole: "finance",
      assigneeUserId: hr.userId,
      dueAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(soon.statusCode, soon.body).toBe(201);
    const late = await sec.post(`/api/v1/incidents/${i.id}/tasks`, {
      title: "Purge mail",
      departmentRole: "it",
      dueAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const r = await sweep(h.t.db, h.t.notifier);
    expect(r.reminded).toBeGreaterThanOrEqual(1);
    expect(r.escalated).toBeGreaterThanOrEqual(1);
    expect((await inbox(hr)).some((n) => n.title.includes("task due soon: Check supplier"))).toBe(true);
    const esc = (await inbox(legal)).find((n) => n.title.includes("task overdue: Purge mail"));
    expect(esc?.severity).toBe("critical");
    const again = await sweep(h.t.db, h.t.notifier);
    expect(again.escalated + again.reminded).toBe(0);
    const done = await sec.patch(`/api/v1/incidents/${i.id}/tasks/${late.json<{ id: string }>().id}`, {
      status: "done",
    });
    expect(done.json<{ status: string; doneAt: string | null }>().doneAt).not.toBeNull();
    expect((await sec.patch(`/api/v1/incidents/${i.id}/tasks/01NOTASK`, { status: "done" })).statusCode).toBe(
      404,
    );
  });
});

describe("evidence, decisions, links and merges", () => {
  it("stores evidence encrypted, audits every read, and serves files only as downloads", async () => {
    const i = await open();
    const note = await sec.post(`/api/v1/incidents/${i.id}/evidence`, {
      kind: "note",
      name: "Header analysis",
      text: "Return-Path spoofed from ceo@corp.test",
    });
    expect(note.statusCode, note.body).toBe(201);
    const html = Buffer.from("<html><script>alert(1)</script></html>").toString("base64");
    const file = await sec.post(`/api/v1/incidents/${i.id}/evidence`, {
      kind: "file",
      name: "page.html",
      contentBase64: html,
    });
    expect(file.statusCode, file.body).toBe(201);
    const raw = await h.t.db.query<{ body_enc: string }>(
      "SELECT body_enc FROM incident_evidence WHERE incident_id = $1",
      [i.id],
    );
    for (const r of raw.rows) {
      expect(r.body_enc).toMatch(/^v1\./);
      expect(r.body_enc).not.toContain("ceo@corp.test");
    }
    const read = await auditor.get(`/api/v1/incidents/${i.id}/evidence/${note.json<{ id: string }>().id}`);
    expect(read.json<{ text: string }>().text).toBe("Return-Path spoofed from ceo@corp.test");
    const dl = await sec.get(`/api/v1/incidents/${i.id}/evidence/${file.json<{ id: string }>().id}`);
    expect(dl.headers["content-type"]).toBe("application/octet-stream");
    expect(String(dl.headers["content-disposition"])).toMatch(/^attachment;/);
    expect(dl.body).toContain("<script>");
    const audits = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'incident.evidence_read' AND target_id = $1",
      [i.id],
    );
    expect(audits.rowCount).toBe(2);
    const bad = await sec.post(`/api/v1/incidents/${i.id}/evidence`, {
      kind: "file",
      name: "../x",
      contentBase64: "!!",
    });
    expect(bad.statusCode).toBe(400);
  });

  it("records decisions and messages on the timeline, links incidents both ways, and merges one into another", async () => {
    const a = await open({ title: "Wave A" });
    const b = await open({ title: "Wave B" });
    await sec.post(`/api/v1/incidents/${b.id}/tasks`, { title: "Block URL", departmentRole: "it" });
    expect(
      (
        await sec.post(`/api/v1/incidents/${a.id}/decisions`, {
          decision: "Block the domain",
          rationale: "Seen in 30 mails",
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await sec.post(`/api/v1/incidents/${a.id}/messages`, { text: "Gateway rule deployed" })).statusCode,
    ).toBe(204);
    expect((await sec.post(`/api/v1/incidents/${a.id}/links`, { otherId: a.id })).statusCode).toBe(422);
    expect((await sec.post(`/api/v1/incidents/${a.id}/links`, { otherId: b.id })).statusCode).toBe(204);
    const detail = (await sec.get(`/api/v1/incidents/${b.id}`)).json<{ links: { id: string }[] }>();
    expect(detail.links.map((l) => l.id)).toEqual([a.id]);

    const merged = await sec.post(`/api/v1/incidents/${b.id}/merge`, { intoId: a.id });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json<Incident>().openTasks).toBe(1);
    const src = (await sec.get(`/api/v1/incidents/${b.id}`)).json<Incident>();
    expect(src.status).toBe("closed");
    expect(src.mergedInto).toBe(a.id);
    const tl = (await sec.get(`/api/v1/incidents/${a.id}/timeline`))
      .json<{ items: { kind: string }[] }>()
      .items.map((t) => t.kind);
    expect(tl).toEqual(["created", "decision", "message", "link", "merged"]);
    expect((await sec.post(`/api/v1/incidents/${b.id}/merge`, { intoId: a.id })).statusCode).toBe(409);
  });
});

describe("from reports", () => {
  it("opens an incident from reports, marks them escalated and shows them on the incident", async () => {
    const r1 = await h.client().post("/api/v1/reports/anonymous", {
      title: "Strange invoice mail",
      details: { category: "question" },
    });
    expect(r1.statusCode, r1.body).toBe(201);
    const r2 = await employee.post("/api/v1/reports", {
      title: "Same invoice mail",
      details: { category: "question" },
    });
    expect(r2.statusCode, r2.body).toBe(201);
    const ids = [r1.json<{ id: string }>().id, r2.json<{ id: string }>().id];
    const i = await open({ title: "Invoice phishing", reportIds: ids });
    const detail = (await sec.get(`/api/v1/incidents/${i.id}`)).json<{
      reports: { id: string; status: string; anonymous: boolean }[];
    }>();
    expect(detail.reports.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(detail.reports.every((r) => r.status === "escalated")).toBe(true);
    expect(detail.reports.find((r) => r.id === ids[0])?.anonymous).toBe(true);
  });
});

describe("dashboard", () => {
  it("reports response times, deadlines and report figures", async () => {
    const d = await auditor.get("/api/v1/incidents/dashboard");
    expect(d.statusCode, d.body).toBe(200);
    const body = d.json<{
      incidents: { total: number; medianMinutes: { acknowledge: number | null } };
      reports: { total: number };
    }>();
    expect(body.incidents.total).toBeGreaterThan(3);
    expect(body.incidents.medianMinutes.acknowledge).not.toBeNull();
    expect(body.reports.total).toBeGreaterThanOrEqual(2);
    expect((await employee.get("/api/v1/incidents/dashboard")).statusCode).toBe(403);
    expect((await sec.get("/api/v1/incidents/dashboard?from=yesterday")).statusCode).toBe(400);
  });
});
