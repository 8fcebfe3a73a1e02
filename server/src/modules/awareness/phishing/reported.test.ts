import nodemailer, { type Transporter } from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test/access.js";
import { type Api, buildEmployee } from "../../../test/awareness.js";
import { startTestApp, type TestApp } from "../../../test/harness.js";
import {
  interactionsOf,
  type SeedCampaign,
  seedCampaign,
  seedRecipient,
  stagesOf,
} from "../../../test/phishing-tracking.js";

/**
 * Reporting the simulated mail, end to end: the mail goes to Tandem's report address over
 * real SMTP, the Reporting module finds the X-Tandem-Simulation header (also in an attached
 * copy), the recipient's report counts once, and the report is closed as a simulation with
 * a thank-you.
 */

let h: TestApp;
let hr: Api;
let transport: Transporter;
let camp: SeedCampaign;

beforeAll(async () => {
  h = await startTestApp(
    { TANDEM_REPORT_SMTP_PORT: "0", TANDEM_REPORT_ADDRESSES: "report@example.test" },
    { jobs: true },
  );
  hr = await h.signedIn(["hr"]);
  camp = await seedCampaign(h.t.db);
  const addr = h.t.reports.smtpAddress()!;
  transport = nodemailer.createTransport({
    host: addr.host,
    port: addr.port,
    secure: false,
    ignoreTLS: true,
  });
});
afterAll(async () => {
  transport?.close();
  await h?.close();
});

const simulated = (token: string) =>
  [
    "From: IT Service Desk <it-desk@mail-support.test>",
    "To: someone@corp.test",
    "Subject: Your mailbox is full",
    `X-Tandem-Simulation: ${token}`,
    `Message-ID: <sim-${token.slice(0, 8)}@mail-support.test>`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Your mailbox is full. Sign in within 24 hours: https://mail-support.test/login",
  ].join("\r\n");

interface ReportState {
  status: string;
  simulated: boolean;
  outcome: string | null;
  verdict: string | null;
}
const reportState = async (id: string) =>
  (
    await h.t.db.query<ReportState>("SELECT status, simulated, outcome, verdict FROM reports WHERE id = $1", [
      id,
    ])
  ).rows[0];

async function closedReport(reportId: () => Promise<string | null | undefined>) {
  return eventually(
    "the report closed as a simulation",
    async () => {
      const id = await reportId();
      if (!id) return undefined;
      const s = await reportState(id);
      return s?.status === "closed" ? { id, ...s } : undefined;
    },
    30_000,
  );
}

const reportFrom = async (email: string, after: string) =>
  (
    await h.t.db.query<{ id: string }>(
      "SELECT id FROM reports WHERE reporter_email = $1 AND id > $2 ORDER BY id DESC LIMIT 1",
      [email, after],
    )
  ).rows[0]?.id;

describe("reporting the simulated mail", () => {
  it("recognises an attached copy, counts the report once, closes it as a simulation and thanks the reporter", async () => {
    const emp = await buildEmployee(h, hr);
    const r = await seedRecipient(h.t.db, camp.id, emp.person.id, { email: emp.api.email });
    await transport.sendMail({
      from: emp.api.email,
      to: "report@example.test",
      subject: "Fwd: Your mailbox is full",
      text: "This looks like phishing.",
      attachments: [
        { filename: "suspicious.eml", content: simulated(r.token), contentType: "message/rfc822" },
      ],
    });
    const first = await closedReport(() => reportFrom(emp.api.email, "0"));
    expect(first.simulated).toBe(true);
    expect(first.outcome).toMatch(/^Well spotted!/);
    expect(first.verdict).toBe("benign");
    const s = await stagesOf(h.t.db, r.id);
    expect(s.reported_at).not.toBeNull();
    expect(s.report_id).toBe(first.id);
    const told = await eventually(
      "the reporter told",
      async () => {
        const n = (await emp.api.get("/api/v1/notifications?limit=50")).json<{
          items: { kind: string; link: string }[];
        }>();
        return n.items.find((i) => i.kind === "reports.outcome_for_reporter");
      },
      20_000,
    );
    expect(told.link).toBe(`/reports/mine/${first.id}`);

    // Reporting the same mail again (quoted inline this time) is closed too but counts once.
    await transport.sendMail({
      from: emp.api.email,
      to: "report@example.test",
      subject: "Fwd: Your mailbox is full (again)",
      text: `Another one?\n\n> X-Tandem-Simulation: ${r.token}\n> Subject: Your mailbox is full\n`,
    });
    const second = await closedReport(() => reportFrom(emp.api.email, first.id));
    expect(second.simulated).toBe(true);
    const rows = await interactionsOf(h.t.db, r.id);
    expect(rows.map((x) => [x.kind, x.counted, x.filter_reason])).toEqual([
      ["report", true, null],
      ["report", false, "duplicate"],
    ]);
    const after = await stagesOf(h.t.db, r.id);
    expect(after.report_id).toBe(first.id);
    expect(after.reported_at?.getTime()).toBe(s.reported_at?.getTime());
  });

  it("closes a copy reported by someone else as a simulation without counting it for the recipient", async () => {
    const target = await buildEmployee(h, hr);
    const colleague = await buildEmployee(h, hr);
    const r = await seedRecipient(h.t.db, camp.id, target.person.id);
    await transport.sendMail({
      from: colleague.api.email,
      to: "report@example.test",
      subject: "Fwd: got this from a colleague",
      text: "Forwarded to me.",
      attachments: [{ filename: "copy.eml", content: simulated(r.token), contentType: "message/rfc822" }],
    });
    const closed = await closedReport(() => reportFrom(colleague.api.email, "0"));
    expect(closed.simulated).toBe(true);
    expect((await interactionsOf(h.t.db, r.id)).map((x) => [x.counted, x.filter_reason])).toEqual([
      [false, "not_recipient"],
    ]);
    expect((await stagesOf(h.t.db, r.id)).reported_at).toBeNull();
  });

  it("matches a signed-in report by its tracking link, never an anonymous one", async () => {
    const anonTarget = await seedRecipient(h.t.db, camp.id, (await buildEmployee(h, hr)).person.id);
    const anon = await h.client().post("/api/v1/reports/anonymous", {
      title: "Odd mailbox mail",
      description: `It linked to ${h.config.publicUrl}/t/c/${anonTarget.token}`,
      details: { category: "phishing_email", urls: [`${h.config.publicUrl}/t/c/${anonTarget.token}`] },
    });
    expect(anon.statusCode, anon.body).toBe(201);

    const emp = await buildEmployee(h, hr);
    const r = await seedRecipient(h.t.db, camp.id, emp.person.id);
    const res = await emp.api.post("/api/v1/reports", {
      title: "Mailbox full mail",
      description: "I did not click it.",
      details: { category: "phishing_email", urls: [`${h.config.publicUrl}/t/c/${r.token}`] },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json<{ id: string }>().id;
    await closedReport(async () => id);
    expect((await stagesOf(h.t.db, r.id)).report_id).toBe(id);

    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await interactionsOf(h.t.db, anonTarget.id)).toEqual([]);
    const a = await reportState(anon.json<{ id: string }>().id);
    expect(a).toMatchObject({ status: "new", simulated: false });
  });
});
