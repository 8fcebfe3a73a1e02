import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";

/**
 * Reporting as an employee (web and API token): guided forms validated per category,
 * self-help in the thank-you, My reports, attachments checked by their content and kept
 * encrypted, text with HTML kept as text.
 */

type Api = TestClient & { userId: string; email: string };
interface Problem {
  code: string;
  errors?: { path: string; message: string }[];
}

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const EXE = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200, 0x90)]).toString("base64");
const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
).toString("base64");
const b64 = (s: string) => Buffer.from(s).toString("base64");

let h: TestApp;
let emp: Api;
let sec: Api;

const phishing = (extra: Record<string, unknown> = {}) => ({
  title: "Strange invoice e-mail",
  description: "It asks me to log in to see an invoice.",
  details: {
    category: "phishing_email",
    sender: "billing@invoices-example.test",
    subject: "Invoice 4471 overdue",
    urls: ["https://invoices-example.test/login"],
    clickedLink: true,
    enteredCredentials: true,
  },
  ...extra,
});

beforeAll(async () => {
  h = await startTestApp({
    TANDEM_REPORT_ATTACHMENT_MAX_BYTES: "4096",
    TANDEM_REPORT_ATTACHMENT_MAX_COUNT: "2",
  });
  emp = await h.signedIn(["employee"]);
  sec = await h.signedIn(["security"]);
});
afterAll(() => h.close());

const count = async (table: string) =>
  Number((await h.t.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0]!.n);

describe("reporting", () => {
  it("thanks the reporter at once with self-help for what happened, and lists it under My reports", async () => {
    const r = await emp.post("/api/v1/reports", phishing());
    expect(r.statusCode, r.body).toBe(201);
    const t = r.json<{
      id: string;
      reference: string;
      message: string;
      selfHelp: string[];
      followUpCode: null;
    }>();
    expect(t.reference).toMatch(/^R-\d{5,}$/);
    expect(t.followUpCode).toBeNull();
    expect(t.message).toMatch(/thank you/i);
    expect(t.selfHelp.join(" ")).toMatch(/change the password/i);

    const mine = await emp.get("/api/v1/reports/mine");
    expect(mine.statusCode).toBe(200);
    const items = mine.json<{ items: { id: string; status: string; statusText: string }[] }>().items;
    expect(items.map((i) => i.id)).toContain(t.id);
    expect(items[0]!.status).toBe("new");

    const one = await emp.get(`/api/v1/reports/mine/${t.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json<{ selfHelp: string[] }>().selfHelp.length).toBeGreaterThan(0);
    // Someone else's report does not exist for another employee.
    const other = await h.signedIn(["employee"]);
    expect((await other.get(`/api/v1/reports/mine/${t.id}`)).statusCode).toBe(404);

    const audit = await h.t.db.query<{ actor_id: string }>(
      "SELECT actor_id FROM audit_log WHERE action = 'report.received' AND target_id = $1",
      [t.id],
    );
    expect(audit.rows).toEqual([{ actor_id: emp.userId }]);
  });

  it("validates each category's guided form and names the field", async () => {
    const r = await emp.post("/api/v1/reports", {
      title: "Bank details change",
      details: { category: "suspicious_payment", amount: -5 },
    });
    expect(r.statusCode).toBe(400);
    const paths = r.json<Problem>().errors!.map((e) => e.path);
    expect(paths.some((p) => p.includes("details") && (p.includes("channel") || p.includes("amount")))).toBe(
      true,
    );

    const unknownCategory = await emp.post("/api/v1/reports", {
      title: "Hello",
      details: { category: "gossip" },
    });
    expect(unknownCategory.statusCode).toBe(400);
    expect(JSON.stringify(unknownCategory.json<Problem>().errors)).toContain("details");

    const ok = await emp.post("/api/v1/reports", {
      title: "Lost my badge",
      details: { category: "lost_device", deviceType: "badge", companyOwned: true },
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it("takes reports by API token with the reports:submit scope", async () => {
    const owner = await h.signedIn(["it"]);
    const mint = await owner.post("/api/v1/tokens", {
      name: "mail gateway",
      scopes: ["reports:submit"],
      expiresInDays: 1,
    });
    expect(mint.statusCode, mint.body).toBe(201);
    const api = Object.assign(h.client(), { bearer: mint.json<{ secret: string }>().secret });
    const r = await api.post("/api/v1/reports", phishing({ title: "Gateway flagged message" }));
    expect(r.statusCode, r.body).toBe(201);
    const row = await h.t.db.query<{ channel: string; reporter_user_id: string }>(
      "SELECT channel, reporter_user_id FROM reports WHERE id = $1",
      [r.json<{ id: string }>().id],
    );
    expect(row.rows[0]).toEqual({ channel: "api", reporter_user_id: owner.userId });

    const other = await owner.post("/api/v1/tokens", {
      name: "reader",
      scopes: ["jobs:read"],
      expiresInDays: 1,
    });
    const noScope = Object.assign(h.client(), { bearer: other.json<{ secret: string }>().secret });
    expect((await noScope.post("/api/v1/reports", phishing())).statusCode).toBe(403);
  });

  it("keeps HTML and script in report text as plain text, returned verbatim", async () => {
    const evil = `<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"`;
    const r = await emp.post("/api/v1/reports", {
      title: `<b>${evil}</b>`.slice(0, 200),
      description: evil,
      details: { category: "other" },
    });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json<{ id: string }>().id;
    const mine = await emp.get(`/api/v1/reports/mine/${id}`);
    expect(String(mine.headers["content-type"])).toMatch(/^application\/json/);
    expect(mine.json<{ description: string }>().description).toBe(evil);
    const triage = await sec.get(`/api/v1/reports/${id}`);
    expect(triage.json<{ description: string }>().description).toBe(evil);
  });
});

describe("attachments", () => {
  it("keeps allowed files encrypted and hands them to triage only as downloads", async () => {
    const r = await emp.post(
      "/api/v1/reports",
      phishing({
        attachments: [
          { filename: "screenshot.png", contentBase64: PNG },
          { filename: "invoice.pdf", contentBase64: PDF },
        ],
      }),
    );
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json<{ id: string }>().id;
    const stored = await h.t.db.query<{ content_enc: string; content_type: string }>(
      "SELECT content_enc, content_type FROM report_attachments WHERE report_id = $1 ORDER BY filename",
      [id],
    );
    expect(stored.rows.map((a) => a.content_type)).toEqual(["application/pdf", "image/png"]);
    for (const a of stored.rows) {
      expect(a.content_enc.startsWith("v1.")).toBe(true);
      expect(a.content_enc).not.toContain(PNG.slice(0, 20));
    }
    const detail = await sec.get(`/api/v1/reports/${id}`);
    const att = detail.json<{ attachments: { id: string; filename: string }[] }>().attachments;
    const png = att.find((a) => a.filename === "screenshot.png")!;
    const dl = await sec.get(`/api/v1/reports/${id}/attachments/${png.id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers["content-disposition"]).toMatch(/^attachment; filename="screenshot.png"/);
    expect(dl.headers["x-content-type-options"]).toBe("nosniff");
    expect(dl.headers["content-type"]).toBe("application/octet-stream");
    expect(Buffer.from(dl.body, "binary").length).toBeGreaterThan(0);
    const audited = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'report.attachment_downloaded' AND target_id = $1",
      [id],
    );
    expect(audited.rowCount).toBe(1);
    // Reporters and auditors do not download attachments.
    expect((await emp.get(`/api/v1/reports/${id}/attachments/${png.id}`)).statusCode).toBe(403);
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.get(`/api/v1/reports/${id}/attachments/${png.id}`)).statusCode).toBe(403);
    expect((await sec.get(`/api/v1/reports/${id}/attachments/01J00000000000000000000000`)).statusCode).toBe(
      404,
    );
  });

  const refused: [string, { filename: string; contentBase64: string }][] = [
    ["an executable named .pdf", { filename: "invoice.pdf", contentBase64: EXE }],
    ["a double extension", { filename: "invoice.pdf.exe", contentBase64: PDF }],
    ["a PDF named as an image", { filename: "photo.png", contentBase64: PDF }],
    [
      "an SVG",
      {
        filename: "logo.svg",
        contentBase64: b64('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
      },
    ],
    ["an SVG named .png", { filename: "logo.png", contentBase64: b64("<svg onload=alert(1)></svg>") }],
    [
      "HTML in a text file",
      { filename: "notes.txt", contentBase64: b64("<html><script>alert(1)</script></html>") },
    ],
    ["a script", { filename: "run.js", contentBase64: b64("alert(1)") }],
    ["an oversized file", { filename: "big.txt", contentBase64: b64("a".repeat(5000)) }],
  ];
  for (const [what, file] of refused) {
    it(`refuses ${what} with 422 naming the field, storing nothing`, async () => {
      const before = [await count("reports"), await count("report_attachments")];
      const r = await emp.post(
        "/api/v1/reports",
        phishing({ attachments: [{ filename: "ok.txt", contentBase64: b64("fine") }, file] }),
      );
      expect(r.statusCode, r.body).toBe(422);
      const p = r.json<Problem>();
      expect(p.code).toBe("report.attachment_refused");
      expect(p.errors!.map((e) => e.path)[0]).toMatch(/^attachments\.1\./);
      expect([await count("reports"), await count("report_attachments")]).toEqual(before);
    });
  }

  it("refuses more attachments than allowed", async () => {
    const file = { filename: "a.txt", contentBase64: b64("x") };
    const r = await emp.post("/api/v1/reports", phishing({ attachments: [file, file, file] }));
    expect(r.statusCode).toBe(422);
    expect(r.json<Problem>().errors![0]!.path).toBe("attachments");
  });
});
