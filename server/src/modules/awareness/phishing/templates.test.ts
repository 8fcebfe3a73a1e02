import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Api, buildEmployee } from "../../../test/awareness.js";
import { startTestApp, type TestApp } from "../../../test/harness.js";
import { STARTER_TEMPLATES } from "./starter-templates.js";

/**
 * Phishing templates over the API: who may read and write them, merge fields checked with
 * errors that name the field and the merge field, previews as a sample person or a real one,
 * archiving, and the starter templates seeded once with the awareness starter content.
 */

let h: TestApp;
let security: Api;
let hr: Api;
let auditor: Api;
let employee: Api;

const templateBody = (over: Record<string, unknown> = {}) => ({
  name: "Invoice overdue",
  lure: "payment",
  difficulty: "medium",
  fromName: "Accounts",
  fromAddress: "accounts@invoices-example.test",
  subject: "Invoice for {{company}} overdue, {{first_name}}",
  bodyHtml: '<p>Hello {{full_name}} of {{department}},</p><p><a href="{{link}}">Pay now</a></p>',
  bodyText: "Hello {{full_name}}, pay now: {{link}}",
  landingKind: "login",
  landingTitle: "Sign in",
  lessonMd: "## Practice\n\nLook at the sender.",
  ...over,
});

beforeAll(async () => {
  h = await startTestApp({
    TANDEM_PHISHING_COMPANY: "Acme Widgets",
    TANDEM_PUBLIC_URL: "https://tandem.corp.test",
  });
  security = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
  auditor = await h.signedIn(["auditor"]);
  employee = await h.signedIn(["employee"]);
});
afterAll(async () => h.close());

const base = "/api/v1/awareness/phishing/templates";

describe("phishing templates", () => {
  it("are written by security and HR, read by auditors, and hidden from everyone else", async () => {
    expect((await h.client().get(base)).statusCode).toBe(401);
    expect((await h.client().post(base, templateBody())).statusCode).toBe(401);
    expect((await employee.get(base)).statusCode).toBe(403);
    expect((await employee.post(base, templateBody())).statusCode).toBe(403);
    expect((await auditor.post(base, templateBody())).statusCode).toBe(403);

    const created = await security.post(base, templateBody());
    expect(created.statusCode, created.body).toBe(201);
    const t = created.json<{ id: string; campaigns: number; archived: boolean; fromAddress: string }>();
    expect(t).toMatchObject({ campaigns: 0, archived: false, fromAddress: "accounts@invoices-example.test" });

    const list = await auditor.get(`${base}?q=invoice%20overdue`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json<{ items: { id: string }[]; total: number }>().items.map((x) => x.id)).toContain(t.id);
    expect((await auditor.get(`${base}/${t.id}`)).json()).toMatchObject({
      id: t.id,
      bodyText: templateBody().bodyText,
    });

    const put = await hr.put(
      `${base}/${t.id}`,
      templateBody({ name: "Invoice overdue (v2)", difficulty: "hard" }),
    );
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ name: "Invoice overdue (v2)", difficulty: "hard" });
    expect((await security.get(`${base}/nope`)).statusCode).toBe(404);

    const audit = await h.t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_id = $1 ORDER BY seq",
      [t.id],
    );
    expect(audit.rows.map((a) => a.action)).toEqual([
      "awareness.phishing_template_created",
      "awareness.phishing_template_updated",
    ]);
  });

  it("refuse unknown merge fields, a body without the link and a bad sender address, naming the field", async () => {
    const before = await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM phishing_templates");
    const unknown = await security.post(
      base,
      templateBody({ subject: "Hi {{firstname}}", bodyText: "Pay {{ amount }}: {{link}}" }),
    );
    expect(unknown.statusCode, unknown.body).toBe(422);
    const u = unknown.json<{ code: string; errors: { path: string; message: string }[] }>();
    expect(u.code).toBe("awareness.phishing.unknown_merge_field");
    expect(u.errors.map((e) => e.path)).toEqual(["subject", "bodyText"]);
    expect(u.errors[0]?.message).toContain("{{firstname}}");
    expect(u.errors[1]?.message).toContain("{{amount}}");

    const noLink = await security.post(base, templateBody({ bodyHtml: "<p>Click here</p>" }));
    expect(noLink.statusCode).toBe(422);
    expect(noLink.json()).toMatchObject({
      code: "awareness.phishing.missing_link",
      errors: [{ path: "bodyHtml" }],
    });

    const badFrom = await security.post(base, templateBody({ fromAddress: "accounts at example" }));
    expect(badFrom.statusCode).toBe(422);
    expect(badFrom.json()).toMatchObject({ errors: [{ path: "fromAddress" }] });

    const shape = await security.post(base, templateBody({ difficulty: "extreme" }));
    expect(shape.statusCode).toBe(400);
    expect(shape.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("body.difficulty");

    const after = await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM phishing_templates");
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it("preview as a sample person or a real one, escaping values in the HTML part", async () => {
    const t = (await security.post(base, templateBody())).json<{ id: string }>();
    const sample = await security.post(`${base}/${t.id}/preview`, {});
    expect(sample.statusCode, sample.body).toBe(200);
    const s = sample.json<{ subject: string; html: string; text: string }>();
    expect(s.subject).toBe("Invoice for Acme Widgets overdue, Alex");
    expect(s.text).toBe("Hello Alex Sample, pay now: https://tandem.corp.test/t/c/preview");
    expect(s.html).toContain('<a href="https://tandem.corp.test/t/c/preview">');
    expect(s.html).toContain('<img src="https://tandem.corp.test/t/o/preview.gif"');

    const dept = await hr.post("/api/v1/departments", { name: "R&D <Labs>" });
    expect(dept.statusCode, dept.body).toBe(201);
    const { person } = await buildEmployee(h, hr, {
      legalName: "Grace Brewster Hopper",
      departmentId: dept.json<{ id: string }>().id,
    });
    const mine = await security.post(`${base}/${t.id}/preview`, { personId: person.id });
    expect(mine.statusCode, mine.body).toBe(200);
    const m = mine.json<{ subject: string; html: string; text: string }>();
    expect(m.subject).toBe("Invoice for Acme Widgets overdue, Grace");
    expect(m.html).toContain("Hello Grace Brewster Hopper of R&amp;D &lt;Labs&gt;,");

    const unknown = await security.post(`${base}/${t.id}/preview`, { personId: "nobody" });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ errors: [{ path: "personId" }] });
    expect((await auditor.post(`${base}/${t.id}/preview`, {})).statusCode).toBe(403);
  });

  it("archive: hidden from the list unless asked for, and no new campaign can use it", async () => {
    const t = (await security.post(base, templateBody({ name: "Archive me" }))).json<{ id: string }>();
    const archived = await security.post(`${base}/${t.id}/archive`);
    expect(archived.statusCode, archived.body).toBe(200);
    expect(archived.json()).toMatchObject({ archived: true });
    const ids = async (url: string) =>
      (await security.get(url)).json<{ items: { id: string }[] }>().items.map((x) => x.id);
    expect(await ids(`${base}?q=Archive%20me`)).toEqual([]);
    expect(await ids(`${base}?q=Archive%20me&includeArchived=true`)).toEqual([t.id]);
    const campaign = await security.post("/api/v1/awareness/phishing/campaigns", {
      name: "Uses an archived template",
      templateId: t.id,
      audience: { everyone: true },
      windowStart: new Date().toISOString(),
      windowEnd: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(campaign.statusCode).toBe(422);
    expect(campaign.json()).toMatchObject({ errors: [{ path: "templateId" }] });
  });

  it("starter templates are seeded once with the awareness starter content, and pass their own checks", async () => {
    await h.t.awareness.seedStarter();
    await h.t.awareness.seedStarter();
    const r = await h.t.db.query<{ starter_key: string; n: number }>(
      "SELECT starter_key, count(*)::int AS n FROM phishing_templates WHERE starter_key IS NOT NULL GROUP BY 1 ORDER BY 1",
    );
    expect(r.rows).toEqual(
      STARTER_TEMPLATES.map((t) => ({ starter_key: t.key, n: 1 })).sort((a, b) =>
        a.starter_key.localeCompare(b.starter_key),
      ),
    );
    const lures = new Set(STARTER_TEMPLATES.map((t) => t.input.lure));
    expect(lures).toEqual(new Set(["payment", "delivery", "login", "ai_tool", "hr"]));
  });
});
