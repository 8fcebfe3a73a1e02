import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../test/harness.js";

let h: TestApp;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let personId: string;

beforeAll(async () => {
  h = await startTestApp();
  hr = await h.signedIn(["hr"]);
  const res = await hr.post("/api/v1/people", {
    employeeNumber: "P-1",
    legalName: "Nomvula Dlamini",
    workEmail: "nomvula@corp.test",
    status: "pre_hire",
    startDate: "2099-01-05",
  });
  personId = res.json<{ id: string }>().id;
});
afterAll(() => h.close());

describe("before day one", () => {
  it("records agreements with version and signed date", async () => {
    const res = await hr.post(`/api/v1/people/${personId}/agreements`, {
      kind: "nda",
      version: "2026.1",
      signedAt: "2026-11-01",
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<{ items: { kind: string; version: string; signedAt: string }[] }>().items).toEqual([
      expect.objectContaining({ kind: "nda", version: "2026.1", signedAt: "2026-11-01" }),
    ]);
    const bad = await hr.post(`/api/v1/people/${personId}/agreements`, { kind: "promise", version: "1" });
    expect(bad.statusCode).toBe(400);
  });

  it("keeps a pre-employment checklist", async () => {
    const empty = (await hr.get(`/api/v1/people/${personId}/checklist`)).json<{
      items: { item: string; done: boolean }[];
    }>();
    expect(empty.items.map((i) => i.done)).toEqual([false, false, false]);
    const res = await hr.put(`/api/v1/people/${personId}/checklist/background_check`, {
      done: true,
      note: "all clear",
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(
      res
        .json<{ items: { item: string; done: boolean }[] }>()
        .items.find((i) => i.item === "background_check")?.done,
    ).toBe(true);
    expect((await hr.put(`/api/v1/people/${personId}/checklist/nonsense`, { done: true })).statusCode).toBe(
      400,
    );
  });

  it("background checks: encrypted, details for HR only (read audited), completed yes/no for others", async () => {
    const created = await hr.post(`/api/v1/people/${personId}/checks`, {
      kind: "criminal",
      provider: "Verify Co",
      status: "completed",
      outcome: "clear",
      notes: "no records found in the national register",
      documents: [{ name: "certificate.pdf", reference: "VC-2291" }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const stored = await h.t.db.query<{ details_enc: string }>("SELECT details_enc FROM background_checks");
    expect(stored.rows[0]?.details_enc).not.toContain("national register");

    const full = await hr.get(`/api/v1/people/${personId}/checks`);
    expect(full.json<{ detailed: boolean; items: { notes: string }[] }>().detailed).toBe(true);
    expect(full.json<{ items: { notes: string }[] }>().items[0]?.notes).toBe(
      "no records found in the national register",
    );
    const audited = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'person.checks_read' AND target_id = $1",
      [personId],
    );
    expect(audited.rowCount).toBe(1);

    for (const role of ["security", "legal", "it", "admin"]) {
      const c = await h.signedIn([role]);
      const res = await c.get(`/api/v1/people/${personId}/checks`);
      expect(res.json<{ detailed: boolean }>().detailed).toBe(false);
      expect(res.body).not.toContain("national register");
      expect(res.json<{ items: { completed: boolean }[] }>().items[0]?.completed).toBe(true);
      expect(
        (
          await c.post(`/api/v1/people/${personId}/checks`, {
            kind: "credit",
            provider: "X",
            status: "requested",
          })
        ).statusCode,
      ).toBe(403);
    }
    const incomplete = await hr.post(`/api/v1/people/${personId}/checks`, {
      kind: "credit",
      provider: "X",
      status: "completed",
    });
    expect(incomplete.statusCode).toBe(400);
  });

  it("purges background checks past their retention date, and audits the purge", async () => {
    const id = (
      await hr.post(`/api/v1/people/${personId}/checks`, {
        kind: "reference",
        provider: "Refs Ltd",
        status: "requested",
      })
    ).json<{ id: string }>().id;
    await h.t.db.query("UPDATE background_checks SET purge_after = current_date - 1 WHERE id = $1", [id]);
    const before = await h.t.db.query("SELECT count(*)::int AS n FROM background_checks");
    // The nightly job, run now.
    await h.t.jobs.runInline("people.purge_checks");
    const after = await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM background_checks");
    expect(after.rows[0]?.n).toBe((before.rows[0] as { n: number }).n - 1);
    const audit = await h.t.db.query("SELECT 1 FROM audit_log WHERE action = 'person.check_purged'");
    expect(audit.rowCount).toBe(1);
  });
});
