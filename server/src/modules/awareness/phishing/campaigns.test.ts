import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPerson, eventually, terminate } from "../../../test/access.js";
import type { Api } from "../../../test/awareness.js";
import { startTestApp, type TestApp } from "../../../test/harness.js";

/**
 * Campaigns over the API, with the job queue on (so People events reach the campaign) but
 * no mail server: drafts and their checks, scheduling (the audience resolved, unusable
 * addresses skipped and listed, send times spread over the window), cancelling, the
 * recipient list, and joiners and leavers during a running campaign.
 */

let h: TestApp;
let security: Api;
let hr: Api;
let auditor: Api;
let templateId: string;

const base = "/api/v1/awareness/phishing/campaigns";
const HOUR = 3_600_000;

beforeAll(async () => {
  h = await startTestApp({}, { jobs: true });
  security = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
  auditor = await h.signedIn(["auditor"]);
  const t = await security.post("/api/v1/awareness/phishing/templates", {
    name: "Parcel",
    lure: "delivery",
    fromName: "Parcels",
    fromAddress: "parcels@delivery.test",
    subject: "Your parcel, {{first_name}}",
    bodyHtml: '<a href="{{link}}">Track</a>',
    bodyText: "Track: {{link}}",
    lessonMd: "Look at the sender.",
  });
  expect(t.statusCode, t.body).toBe(201);
  templateId = t.json<{ id: string }>().id;
}, 120_000);
afterAll(async () => h.close());

async function department(name: string): Promise<string> {
  const d = await hr.post("/api/v1/departments", {
    name: `${name} ${Math.random().toString(36).slice(2, 7)}`,
  });
  expect(d.statusCode, d.body).toBe(201);
  return d.json<{ id: string }>().id;
}

function draft(over: Record<string, unknown> = {}) {
  return {
    name: "Autumn parcel test",
    templateId,
    audience: { everyone: true },
    windowStart: new Date(Date.now() + HOUR).toISOString(),
    windowEnd: new Date(Date.now() + 3 * HOUR).toISOString(),
    ...over,
  };
}

async function create(over: Record<string, unknown> = {}): Promise<string> {
  const res = await security.post(base, draft(over));
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

const recipientsOf = async (id: string) =>
  (
    await h.t.db.query<{ person_id: string; status: string; send_at: Date; email: string }>(
      "SELECT person_id, status, send_at, email FROM phishing_recipients WHERE campaign_id = $1 ORDER BY send_at",
      [id],
    )
  ).rows;

describe("phishing campaigns", () => {
  it("drafts: roles, checks naming the field, edits only while a draft", async () => {
    expect((await h.client().get(base)).statusCode).toBe(401);
    const employee = await h.signedIn(["employee"]);
    expect((await employee.get(base)).statusCode).toBe(403);
    expect((await auditor.post(base, draft())).statusCode).toBe(403);

    const backwards = await security.post(
      base,
      draft({ windowEnd: new Date(Date.now() + HOUR / 2).toISOString() }),
    );
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json()).toMatchObject({ errors: [{ path: "windowEnd" }] });
    const noTemplate = await security.post(base, draft({ templateId: "missing" }));
    expect(noTemplate.json()).toMatchObject({ errors: [{ path: "templateId" }] });
    const noDept = await security.post(base, draft({ audience: { departmentIds: ["nowhere"] } }));
    expect(noDept.statusCode).toBe(422);
    expect(noDept.json()).toMatchObject({ errors: [{ path: "audience.departmentIds" }] });
    const noModule = await security.post(base, draft({ followUpModuleId: "none" }));
    expect(noModule.json()).toMatchObject({ errors: [{ path: "followUpModuleId" }] });
    const badDate = await security.post(base, draft({ windowStart: "tomorrow" }));
    expect(badDate.statusCode).toBe(400);

    const id = await create();
    const got = await auditor.get(`${base}/${id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      status: "draft",
      templateName: "Parcel",
      trackDays: 30,
      counts: { recipients: 0, pending: 0 },
    });
    const edited = await hr.put(`${base}/${id}`, draft({ name: "Renamed", trackDays: 10 }));
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ name: "Renamed", trackDays: 10 });
    expect(
      (await security.get(`${base}?status=draft`)).json<{ items: { id: string }[] }>().items.map((c) => c.id),
    ).toContain(id);
  });

  it("schedule resolves the audience once, skips unusable addresses and spreads send times over the window", async () => {
    const finance = await department("Finance");
    const other = await department("Sales");
    const people = [];
    for (let i = 0; i < 12; i++) people.push(await buildPerson(hr, { departmentId: finance }));
    await buildPerson(hr, { departmentId: other });
    const gone = await buildPerson(hr, { departmentId: finance, status: "active" });
    await h.t.db.query("UPDATE people SET status = 'alumni' WHERE id = $1", [gone.id]);
    // Records that came in from an HR system with addresses no mail server accepts.
    const broken = await buildPerson(hr, { departmentId: finance, legalName: "Bad Address" });
    const blank = await buildPerson(hr, { departmentId: finance, legalName: "Blank Address" });
    await h.t.db.query("UPDATE people SET work_email = 'bad.address@' WHERE id = $1", [broken.id]);
    await h.t.db.query("UPDATE people SET work_email = '' WHERE id = $1", [blank.id]);

    const start = Date.now() + HOUR;
    const end = start + 2 * HOUR;
    const id = await create({
      audience: { departmentIds: [finance] },
      windowStart: new Date(start).toISOString(),
      windowEnd: new Date(end).toISOString(),
    });
    expect((await auditor.post(`${base}/${id}/schedule`)).statusCode).toBe(403);
    const res = await security.post(`${base}/${id}/schedule`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{
      scheduled: number;
      skipped: { personId: string; email: string; reason: string }[];
    }>();
    expect(body.scheduled).toBe(12);
    expect(body.skipped).toEqual([
      {
        personId: broken.id,
        name: "Bad Address",
        email: "bad.address@",
        reason: "the work e-mail is not a valid address",
      },
      { personId: blank.id, name: "Blank Address", email: "", reason: "no work e-mail" },
    ]);

    const rows = await recipientsOf(id);
    expect(rows.map((r) => r.person_id).sort()).toEqual(people.map((p) => p.id).sort());
    expect(rows.every((r) => r.status === "pending")).toBe(true);
    // One send time in each twelfth of the window: spread evenly, at a random moment within.
    const slot = (end - start) / 12;
    rows.forEach((r, i) => {
      const at = new Date(r.send_at).getTime();
      expect(at).toBeGreaterThanOrEqual(start + i * slot - 1000);
      expect(at).toBeLessThan(start + (i + 1) * slot + 1000);
    });

    const view = (await security.get(`${base}/${id}`)).json<{
      status: string;
      scheduledAt: string;
      counts: Record<string, number>;
    }>();
    expect(view.status).toBe("scheduled");
    expect(view.counts).toMatchObject({ recipients: 12, pending: 12, sent: 0 });
    expect((await security.put(`${base}/${id}`, draft())).json()).toMatchObject({
      code: "awareness.phishing.not_draft",
    });
    expect((await security.post(`${base}/${id}/schedule`)).statusCode).toBe(409);

    const list = await auditor.get(`${base}/${id}/recipients?status=pending&limit=5`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({ total: 12 });
    expect(list.json<{ items: unknown[] }>().items).toHaveLength(5);
    const named = await auditor.get(`${base}/${id}/recipients?q=${encodeURIComponent(people[0]!.workEmail)}`);
    expect(named.json<{ items: { personId: string; departmentId: string }[] }>().items).toEqual([
      expect.objectContaining({ personId: people[0]!.id, departmentId: finance }),
    ]);
    expect((await auditor.get(`${base}/${id}/recipients?stage=sideways`)).statusCode).toBe(400);

    const audit = await h.t.db.query<{ details: { recipients: number; skipped: unknown[] } }>(
      "SELECT details FROM audit_log WHERE action = 'awareness.phishing_campaign_scheduled' AND target_id = $1",
      [id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]?.details.recipients).toBe(12);
  });

  it("an audience nobody can receive is refused and leaves the draft as it was", async () => {
    const empty = await department("Empty");
    const id = await create({ audience: { departmentIds: [empty] } });
    const res = await security.post(`${base}/${id}/schedule`);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: "awareness.phishing.empty_audience",
      errors: [{ path: "audience" }],
    });
    expect((await security.get(`${base}/${id}`)).json()).toMatchObject({
      status: "draft",
      counts: { recipients: 0 },
    });
  });

  it("a window already over cannot be scheduled", async () => {
    const id = await create({
      windowStart: new Date(Date.now() - 3 * HOUR).toISOString(),
      windowEnd: new Date(Date.now() - HOUR).toISOString(),
    });
    const res = await security.post(`${base}/${id}/schedule`);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: "awareness.phishing.window_over",
      errors: [{ path: "windowEnd" }],
    });
  });

  it("joiners are added within the remaining window, leavers and movers out of the audience dropped", async () => {
    const ops = await department("Operations");
    const elsewhere = await department("Legal");
    const stay = await buildPerson(hr, { departmentId: ops });
    const leaver = await buildPerson(hr, { departmentId: ops });
    const mover = await buildPerson(hr, { departmentId: ops });
    const start = Date.now() + HOUR;
    const end = start + HOUR;
    const id = await create({
      audience: { departmentIds: [ops] },
      windowStart: new Date(start).toISOString(),
      windowEnd: new Date(end).toISOString(),
    });
    expect((await security.post(`${base}/${id}/schedule`)).json()).toMatchObject({ scheduled: 3 });

    const joiner = await buildPerson(hr, { departmentId: ops });
    const outsider = await buildPerson(hr, { departmentId: elsewhere });
    const added = await eventually("the joiner added", async () =>
      (await recipientsOf(id)).find((r) => r.person_id === joiner.id),
    );
    expect(added.status).toBe("pending");
    expect(new Date(added.send_at).getTime()).toBeGreaterThanOrEqual(start - 1000);
    expect(new Date(added.send_at).getTime()).toBeLessThan(end);

    await terminate(hr, leaver.id);
    const moved = await hr.patch(`/api/v1/people/${mover.id}`, { departmentId: elsewhere });
    if (moved.statusCode === 428) {
      const cur = await hr.get(`/api/v1/people/${mover.id}`);
      const res = await hr.request({
        method: "PATCH",
        url: `/api/v1/people/${mover.id}`,
        payload: { departmentId: elsewhere },
        headers: { "if-match": String(cur.headers.etag) },
      });
      expect(res.statusCode, res.body).toBe(200);
    } else expect(moved.statusCode, moved.body).toBe(200);

    const settled = await eventually("the leaver and the mover dropped", async () => {
      const rows = await recipientsOf(id);
      const by = (pid: string) => rows.find((r) => r.person_id === pid)?.status;
      return by(leaver.id) === "dropped" && by(mover.id) === "dropped" ? rows : undefined;
    });
    const status = Object.fromEntries(settled.map((r) => [r.person_id, r.status]));
    expect(status).toEqual({
      [stay.id]: "pending",
      [leaver.id]: "dropped",
      [mover.id]: "dropped",
      [joiner.id]: "pending",
    });
    expect(status[outsider.id]).toBeUndefined();
    const audit = await h.t.db.query<{ action: string; person: string }>(
      `SELECT action, details->>'personId' AS person FROM audit_log
       WHERE target_id = $1 AND action LIKE 'awareness.phishing_recipient_%' ORDER BY seq`,
      [id],
    );
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        { action: "awareness.phishing_recipient_added", person: joiner.id },
        { action: "awareness.phishing_recipient_dropped", person: leaver.id },
        { action: "awareness.phishing_recipient_dropped", person: mover.id },
      ]),
    );
  }, 180_000);

  it("cancel drops the recipients still waiting, once", async () => {
    const team = await department("Support");
    for (let i = 0; i < 3; i++) await buildPerson(hr, { departmentId: team });
    const id = await create({ audience: { departmentIds: [team] } });
    expect((await security.post(`${base}/${id}/schedule`)).statusCode).toBe(200);
    expect((await auditor.post(`${base}/${id}/cancel`)).statusCode).toBe(403);
    const res = await security.post(`${base}/${id}/cancel`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      status: "cancelled",
      counts: { recipients: 3, dropped: 3, pending: 0 },
    });
    const again = await security.post(`${base}/${id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "awareness.phishing.not_cancellable" });
    const audit = await h.t.db.query<{ details: { dropped: number; from: string } }>(
      "SELECT details FROM audit_log WHERE action = 'awareness.phishing_campaign_cancelled' AND target_id = $1",
      [id],
    );
    expect(audit.rows.map((a) => a.details)).toEqual([{ from: "scheduled", dropped: 3 }]);
  });
});
