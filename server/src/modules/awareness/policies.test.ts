import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Api, buildEmployee, buildPolicy, publishPolicy } from "../../test/awareness.js";
import { startTestApp, type TestApp } from "../../test/harness.js";

/**
 * Policies: versions, publishing to an audience, acknowledgement of a specific version (a new
 * version asks again, the old acknowledgement stays as history), and who may see what.
 */

let h: TestApp;
let hr: Api;
let security: Api;
let auditor: Api;
let it_: Api;

interface MyPolicy {
  version: number;
  status: string;
  acknowledgedAt: string | null;
  bodyHtml: string;
  history: { version: number; acknowledgedAt: string }[];
}

beforeAll(async () => {
  h = await startTestApp();
  hr = await h.signedIn(["hr"]);
  security = await h.signedIn(["security"]);
  auditor = await h.signedIn(["auditor"]);
  it_ = await h.signedIn(["it"]);
});
afterAll(() => h.close());

describe("acknowledgement versioning", () => {
  it("v1 is acknowledged, v2 asks again, and v1's acknowledgement stays as history", async () => {
    const { api: emp, person } = await buildEmployee(h, hr);
    const p = await buildPolicy(security);
    expect(p.status).toBe("draft");
    // A draft is not shown to anyone.
    expect((await emp.get(`/api/v1/awareness/me/policies/${p.id}`)).statusCode).toBe(404);
    const v1 = await publishPolicy(security, p.id);
    expect(v1.currentVersion).toBe(1);
    expect(v1.asked).toBeGreaterThanOrEqual(1);

    const mine = await emp.get("/api/v1/awareness/me?status=open");
    const item = mine
      .json<{ items: { itemId: string; policyVersion: number }[] }>()
      .items.find((i) => i.itemId === p.id);
    expect(item?.policyVersion).toBe(1);
    const read = await emp.get(`/api/v1/awareness/me/policies/${p.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json<MyPolicy>().bodyHtml).toContain("<h2>Clean desk</h2>");

    const ack = await emp.post(`/api/v1/awareness/me/policies/${p.id}/acknowledge`, { version: 1 });
    expect(ack.statusCode, ack.body).toBe(200);
    const first = ack.json<MyPolicy>();
    expect(first.status).toBe("done");
    // Idempotent: the same acknowledgement again changes nothing, keeps the first time.
    const again = await emp.post(`/api/v1/awareness/me/policies/${p.id}/acknowledge`, { version: 1 });
    expect(again.json<MyPolicy>().acknowledgedAt).toBe(first.acknowledgedAt);
    const audits = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'awareness.policy_acknowledged' AND target_id = $1",
      [p.id],
    );
    expect(audits.rowCount).toBe(1);

    // Version 2: a draft first (the employee still sees v1, acknowledged), then published.
    const draft = await security.put(`/api/v1/awareness/policies/${p.id}/draft`, {
      body: "# Clean desk\n\nAlso shred printouts.",
      changeNote: "shredding",
    });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json<{ draftVersion: number }>().draftVersion).toBe(2);
    expect((await emp.get(`/api/v1/awareness/me/policies/${p.id}`)).json<MyPolicy>().version).toBe(1);
    await publishPolicy(security, p.id);

    const reread = (await emp.get(`/api/v1/awareness/me/policies/${p.id}`)).json<MyPolicy>();
    expect(reread.version).toBe(2);
    expect(reread.status).toBe("open");
    expect(reread.acknowledgedAt).toBeNull();
    expect(reread.bodyHtml).toContain("shred");
    expect(reread.history).toEqual([{ version: 1, acknowledgedAt: first.acknowledgedAt }]);

    // Acknowledging the old version is refused, naming the field.
    const stale = await emp.post(`/api/v1/awareness/me/policies/${p.id}/acknowledge`, { version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json<{ code: string; errors: { path: string }[] }>()).toMatchObject({
      code: "awareness.version_not_current",
      errors: [{ path: "version" }],
    });
    const done = await emp.post(`/api/v1/awareness/me/policies/${p.id}/acknowledge`, { version: 2 });
    expect(done.json<MyPolicy>().history.map((x) => x.version)).toEqual([2, 1]);

    const acks = await h.t.db.query<{ version: number }>(
      "SELECT version FROM awareness_acknowledgements WHERE policy_id = $1 AND person_id = $2 ORDER BY version",
      [p.id, person.id],
    );
    expect(acks.rows.map((r) => r.version)).toEqual([1, 2]);
    const view = await security.get(`/api/v1/awareness/policies/${p.id}`);
    expect(view.json<{ versions: { version: number }[] }>().versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it("an unacknowledged v1 request is closed (superseded) when v2 is published, not left overdue", async () => {
    const { api: emp, person } = await buildEmployee(h, hr);
    const p = await buildPolicy(hr);
    await publishPolicy(hr, p.id);
    await security.put(`/api/v1/awareness/policies/${p.id}/draft`, { body: "v2 text" });
    await publishPolicy(hr, p.id);
    const rows = await h.t.db.query<{ cycle: string; status: string; closed_reason: string | null }>(
      "SELECT cycle, status, closed_reason FROM awareness_assignments WHERE person_id = $1 AND item_id = $2 ORDER BY cycle",
      [person.id, p.id],
    );
    expect(rows.rows).toEqual([
      { cycle: "v1", status: "closed", closed_reason: "superseded by a new version" },
      { cycle: "v2", status: "open", closed_reason: null },
    ]);
    expect(
      (await emp.post(`/api/v1/awareness/me/policies/${p.id}/acknowledge`, { version: 2 })).statusCode,
    ).toBe(200);
  });

  it("publishing reaches only the audience (department, job role, employment type)", async () => {
    const dept = await hr.post("/api/v1/departments", { name: `Finance ${Date.now()}` });
    expect(dept.statusCode, dept.body).toBe(201);
    const departmentId = dept.json<{ id: string }>().id;
    const inside = await buildEmployee(h, hr, { departmentId });
    const contractor = await buildEmployee(h, hr, { employmentType: "contractor" });
    const outside = await buildEmployee(h, hr);
    const p = await buildPolicy(security, {
      audience: { departmentIds: [departmentId], employmentTypes: ["contractor"] },
    });
    await publishPolicy(security, p.id);
    for (const [who, expected] of [
      [inside, 200],
      [contractor, 200],
      [outside, 404],
    ] as const)
      expect((await who.api.get(`/api/v1/awareness/me/policies/${p.id}`)).statusCode).toBe(expected);
    // The outsider cannot acknowledge what was not asked of them.
    expect(
      (await outside.api.post(`/api/v1/awareness/me/policies/${p.id}/acknowledge`, { version: 1 }))
        .statusCode,
    ).toBe(404);
  });
});

describe("authoring", () => {
  it("bad input is refused naming the field; unknown audience ids are 422", async () => {
    const bad = await hr.post("/api/v1/awareness/policies", {
      title: "",
      owner: "x",
      reviewDue: "soon",
      audience: {},
      body: "b",
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json<{ errors: { path: string }[] }>().errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["body.title", "body.reviewDue", "body.audience.everyone"]));
    const unknown = await hr.post("/api/v1/awareness/policies", {
      title: "T",
      owner: "HR",
      reviewDue: "2030-01-01",
      audience: { departmentIds: ["01J00000000000000000000000"] },
      body: "b",
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("audience.departmentIds");
    expect((await h.t.db.query("SELECT 1 FROM awareness_policies WHERE title = 'T'")).rowCount).toBe(0);
  });

  it("publishing without a draft is a 409; retiring closes open requests; overdue reviews are listed", async () => {
    const p = await buildPolicy(hr, { reviewDue: "2020-01-01" });
    await publishPolicy(hr, p.id);
    const twice = await hr.post(`/api/v1/awareness/policies/${p.id}/publish`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json<{ code: string }>().code).toBe("awareness.nothing_to_publish");
    const overdue = await auditor.get("/api/v1/awareness/policies?reviewOverdue=true");
    expect(overdue.json<{ items: { id: string; reviewOverdue: boolean }[] }>().items).toContainEqual(
      expect.objectContaining({ id: p.id, reviewOverdue: true }),
    );
    const retired = await hr.post(`/api/v1/awareness/policies/${p.id}/retire`);
    expect(retired.json<{ status: string; asked: number }>()).toMatchObject({ status: "retired" });
    const open = await h.t.db.query(
      "SELECT 1 FROM awareness_assignments WHERE item_id = $1 AND status = 'open'",
      [p.id],
    );
    expect(open.rowCount).toBe(0);
    expect((await hr.put(`/api/v1/awareness/policies/${p.id}/draft`, { body: "x" })).statusCode).toBe(409);
  });

  it("who may do what: 401 anonymous, 403 wrong role, auditors read only, 404 unknown", async () => {
    const p = await buildPolicy(hr);
    expect((await h.client().get("/api/v1/awareness/policies")).statusCode).toBe(401);
    expect((await h.client().get("/api/v1/awareness/me")).statusCode).toBe(401);
    const employee = await h.signedIn(["employee"]);
    for (const api of [employee, it_]) {
      expect((await api.get("/api/v1/awareness/policies")).statusCode).toBe(403);
      expect((await api.post(`/api/v1/awareness/policies/${p.id}/publish`)).statusCode).toBe(403);
    }
    expect((await auditor.get(`/api/v1/awareness/policies/${p.id}`)).statusCode).toBe(200);
    expect(
      (await auditor.get(`/api/v1/awareness/policies/${p.id}/versions/1`)).json<{ bodyHtml: string }>()
        .bodyHtml,
    ).toContain("<h2>");
    expect((await auditor.post(`/api/v1/awareness/policies/${p.id}/publish`)).statusCode).toBe(403);
    expect((await hr.get("/api/v1/awareness/policies/01J00000000000000000000000")).statusCode).toBe(404);
    // A user without an HR record sees an empty list, and 404 for a policy.
    const unlinked = await employee.get("/api/v1/awareness/me");
    expect(unlinked.json()).toEqual({ linked: false, items: [] });
    expect((await employee.get(`/api/v1/awareness/me/policies/${p.id}`)).statusCode).toBe(404);
  });
});
