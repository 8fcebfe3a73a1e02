import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";

/**
 * Confidential HR cases: HR and explicitly added members see a case; everyone else, admins
 * and auditors included, gets 404. Content is encrypted per record, every read is audited,
 * and closed cases are deleted after the retention period.
 */

type Api = TestClient & { userId: string; email: string };
interface Case {
  id: string;
  reference: string;
  title: string;
  details: string;
  status: string;
  outcome: string | null;
  purgeAfter: string | null;
  notes: { text: string }[];
  members: { userId: string }[];
}

let h: TestApp;
let hr: Api;
let member: Api;
let security: Api;
let admin: Api;
let auditor: Api;

beforeAll(async () => {
  h = await startTestApp({ TANDEM_HR_CASE_RETENTION_DAYS: "30" });
  hr = await h.signedIn(["hr"]);
  member = await h.signedIn(["manager"]);
  security = await h.signedIn(["security"]);
  admin = await h.signedIn(["admin"]);
  auditor = await h.signedIn(["auditor"]);
});
afterAll(() => h.close());

async function openCase(extra: Record<string, unknown> = {}): Promise<Case> {
  const r = await hr.post("/api/v1/hr-cases", {
    title: "Customer files sent to a personal address",
    details: "Jane Roe forwarded 14 files to a gmail account",
    memberUserIds: [member.userId],
    ...extra,
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json<Case>();
}

describe("visibility", () => {
  it("HR and members see the case; security, admin and auditor get 404 unless added", async () => {
    const c = await openCase();
    expect((await hr.get(`/api/v1/hr-cases/${c.id}`)).statusCode).toBe(200);
    const seen = await member.get(`/api/v1/hr-cases/${c.id}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json<Case>().details).toBe("Jane Roe forwarded 14 files to a gmail account");
    for (const other of [security, admin, auditor]) {
      const r = await other.get(`/api/v1/hr-cases/${c.id}`);
      expect(r.statusCode).toBe(404);
      expect(r.json<{ code: string }>().code).toBe("hr_case.not_found");
      expect((await other.post(`/api/v1/hr-cases/${c.id}/notes`, { text: "x" })).statusCode).toBe(404);
      expect(
        (await other.get("/api/v1/hr-cases")).json<{ items: { id: string }[] }>().items.map((x) => x.id),
      ).not.toContain(c.id);
    }
    expect((await h.client().get(`/api/v1/hr-cases/${c.id}`)).statusCode).toBe(401);
    // Only HR adds members; once added, the admin sees it.
    expect((await admin.post(`/api/v1/hr-cases/${c.id}/members`, { userId: admin.userId })).statusCode).toBe(
      403,
    );
    expect(
      (await member.post(`/api/v1/hr-cases/${c.id}/members`, { userId: member.userId })).statusCode,
    ).toBe(403);
    const added = await hr.post(`/api/v1/hr-cases/${c.id}/members`, { userId: admin.userId });
    expect(added.statusCode, added.body).toBe(200);
    expect((await admin.get(`/api/v1/hr-cases/${c.id}`)).statusCode).toBe(200);
    expect((await hr.delete(`/api/v1/hr-cases/${c.id}/members/${admin.userId}`)).statusCode).toBe(200);
    expect((await admin.get(`/api/v1/hr-cases/${c.id}`)).statusCode).toBe(404);
    expect(
      (await hr.post(`/api/v1/hr-cases/${c.id}/members`, { userId: "nobody" })).json<{
        errors: { path: string }[];
      }>().errors[0]?.path,
    ).toBe("userId");
  });

  it("stores title, details and notes encrypted and audits every read", async () => {
    const c = await openCase();
    const note = await member.post(`/api/v1/hr-cases/${c.id}/notes`, {
      text: "Spoke with the line manager about Jane Roe",
    });
    expect(note.statusCode, note.body).toBe(201);
    const raw = await h.t.db.query<{ content_enc: string }>(
      "SELECT content_enc FROM hr_cases WHERE id = $1",
      [c.id],
    );
    expect(raw.rows[0]?.content_enc).toMatch(/^v1\./);
    expect(raw.rows[0]?.content_enc).not.toContain("Jane");
    const notes = await h.t.db.query<{ body_enc: string }>(
      "SELECT body_enc FROM hr_case_notes WHERE case_id = $1",
      [c.id],
    );
    expect(notes.rows[0]?.body_enc).not.toContain("Jane");

    const before = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'hr_case.read' AND target_id = $1",
      [c.id],
    );
    await member.get(`/api/v1/hr-cases/${c.id}`);
    const after = await h.t.db.query<{ actor_id: string }>(
      "SELECT actor_id FROM audit_log WHERE action = 'hr_case.read' AND target_id = $1 ORDER BY seq",
      [c.id],
    );
    expect(after.rowCount).toBe((before.rowCount ?? 0) + 1);
    expect(after.rows[after.rows.length - 1]?.actor_id).toBe(member.userId);

    const list = await hr.get("/api/v1/hr-cases?q=personal");
    expect(list.json<{ items: { id: string }[] }>().items.map((x) => x.id)).toContain(c.id);
    const listed = await h.t.db.query<{ details: { caseIds: string[] } }>(
      "SELECT details FROM audit_log WHERE action = 'hr_case.list_read' AND actor_id = $1",
      [hr.userId],
    );
    expect(listed.rows.some((r) => r.details.caseIds.includes(c.id))).toBe(true);
    const audit = await h.t.db.query("SELECT 1 FROM audit_log WHERE details::text LIKE '%Jane Roe%'");
    expect(audit.rowCount).toBe(0);
  });
});

describe("creation and referral", () => {
  it("HR opens cases from an incident; Security refers one without gaining access; bad input names the field", async () => {
    expect((await security.post("/api/v1/hr-cases", { title: "x" })).statusCode).toBe(403);
    const inc = (
      await security.post("/api/v1/incidents", { title: "Insider download", severity: "sev3" })
    ).json<{ id: string }>();
    const fromIncident = await openCase({ source: "incident", sourceId: inc.id, memberUserIds: [] });
    expect(fromIncident.reference).toMatch(/^HR-\d{4}$/);
    const noSource = await hr.post("/api/v1/hr-cases", { title: "x", source: "incident" });
    expect(noSource.statusCode).toBe(400);
    expect(noSource.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("body.sourceId");
    const wrongSource = await hr.post("/api/v1/hr-cases", {
      title: "x",
      source: "report",
      sourceId: "01NOPE",
    });
    expect(wrongSource.statusCode).toBe(422);
    expect(wrongSource.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("sourceId");

    const ref = await security.post("/api/v1/hr-cases/referrals", {
      title: "Possible policy violation found in the logs",
      source: "incident",
      sourceId: inc.id,
    });
    expect(ref.statusCode, ref.body).toBe(201);
    const { id } = ref.json<{ id: string }>();
    expect(Object.keys(ref.json())).toEqual(["id", "reference"]);
    expect((await security.get(`/api/v1/hr-cases/${id}`)).statusCode).toBe(404);
    expect((await hr.get(`/api/v1/hr-cases/${id}`)).json<Case>().title).toBe(
      "Possible policy violation found in the logs",
    );
    const told = (await hr.get("/api/v1/notifications")).json<{ items: { kind: string }[] }>().items;
    expect(told.some((n) => n.kind === "hr_case.referred")).toBe(true);
    const employee = await h.signedIn(["employee"]);
    expect((await employee.post("/api/v1/hr-cases/referrals", { title: "x" })).statusCode).toBe(403);
  });
});

describe("closing and retention", () => {
  it("closes with an outcome, refuses changes after, and purges after the retention period (audited)", async () => {
    const c = await openCase();
    expect((await member.post(`/api/v1/hr-cases/${c.id}/close`, { outcome: "coaching" })).statusCode).toBe(
      403,
    );
    expect((await hr.post(`/api/v1/hr-cases/${c.id}/close`, { outcome: "fired" })).statusCode).toBe(400);
    const closed = await hr.post(`/api/v1/hr-cases/${c.id}/close`, { outcome: "training" });
    expect(closed.statusCode, closed.body).toBe(200);
    const body = closed.json<Case>();
    expect(body.outcome).toBe("training");
    expect(body.purgeAfter).not.toBeNull();
    expect((await member.post(`/api/v1/hr-cases/${c.id}/notes`, { text: "late" })).statusCode).toBe(409);
    // Subscribers (awareness assigns training) get incidents.hr_case_closed as a job each.
    const published = await h.t.db.query<{ data: { payload: Record<string, unknown> } }>(
      `SELECT data FROM ${h.t.jobs.schema}.job WHERE data->>'type' = 'incidents.hr_case_closed' AND data->'payload'->>'caseId' = $1`,
      [c.id],
    );
    expect(published.rows.length).toBeGreaterThan(0);
    expect(published.rows[0]?.data.payload).toEqual({ caseId: c.id, personId: null, outcome: "training" });

    expect(await h.t.incidents.hrCases.purge(new Date(Date.now() + 29 * 86_400_000))).toBe(0);
    expect(await h.t.incidents.hrCases.purge(new Date(Date.now() + 31 * 86_400_000))).toBeGreaterThanOrEqual(
      1,
    );
    expect((await hr.get(`/api/v1/hr-cases/${c.id}`)).statusCode).toBe(404);
    const purged = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'hr_case.purged' AND target_id = $1",
      [c.id],
    );
    expect(purged.rowCount).toBe(1);
    const notes = await h.t.db.query("SELECT 1 FROM hr_case_notes WHERE case_id = $1", [c.id]);
    expect(notes.rowCount).toBe(0);
  });
});
