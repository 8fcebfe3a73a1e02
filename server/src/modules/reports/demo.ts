import type { AuditContext } from "../../platform/audit/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { answerQuestion, askQuestion, promoteToFaq } from "./ask.js";
import { createReport, type NewReport } from "./intake.js";
import { addReporterMessage } from "./routes-report.js";
import { askReporter, closeReport, mergeReports, setVerdict, updateReport } from "./triage.js";
import { type ReportRow, reportRow } from "./views.js";

export interface ReportsDemoResult {
  alreadySeeded: boolean;
  reports: number;
  questions: number;
  /** The anonymous demo report's follow-up code (to try the follow-up page). */
  followUpCode: string | null;
  /** The phishing wave's open reports (the demo incident is opened from them). */
  phishingReportIds: string[];
}

const PHISH = {
  sender: "IT Service Desk <it-support@micros0ft-helpdesk.com>",
  subject: "Action required: your mailbox is almost full",
  url: "https://micros0ft-helpdesk.com/owa/login?user=",
};

async function usersWith(db: Db, role: string, n: number): Promise<string[]> {
  const r = await db.query<{ user_id: string }>(
    "SELECT user_id FROM user_roles WHERE role = $1 ORDER BY user_id LIMIT $2",
    [role, n],
  );
  return r.rows.map((x) => x.user_id);
}

/**
 * Sample reports for `tandem demo`: a phishing wave reported by several people (grouped and
 * merged), a payment-fraud attempt, a lost phone, a near miss, an own mistake, an anonymous
 * report with a conversation, a closed one, and Ask Security questions with an FAQ.
 */
export async function seedReportsDemo(
  deps: { db: Db; envelope: Envelope; events: Events },
  opts: { ctx: AuditContext },
): Promise<ReportsDemoResult> {
  const { db } = deps;
  const existing = await db.query("SELECT 1 FROM reports LIMIT 1");
  if (existing.rowCount)
    return { alreadySeeded: true, reports: 0, questions: 0, followUpCode: null, phishingReportIds: [] };
  const employees = await usersWith(db, "employee", 8);
  const managers = await usersWith(db, "manager", 2);
  const reporters = [...employees, ...managers];
  const security = (await usersWith(db, "security", 1))[0] ?? null;
  const reporter = (i: number): NewReport["reporter"] =>
    reporters.length ? { kind: "user", userId: reporters[i % reporters.length]! } : { kind: "anonymous" };
  const sec: AuditContext = { ...opts.ctx, actorId: security, actorLabel: "security (demo)" };

  return db.tx(async (q) => {
    const add = (r: Omit<NewReport, "attachments"> & { attachments?: NewReport["attachments"] }) =>
      createReport(q, deps, opts.ctx, { attachments: [], ...r });

    // A phishing wave: four people report the same mail; one clicked the link.
    const wave = [];
    for (let i = 0; i < 4; i++)
      wave.push(
        await add({
          channel: i === 3 ? "email" : "web",
          title:
            i === 1 ? "Fake mailbox full warning, I clicked the link" : `Suspicious "mailbox full" e-mail`,
          description:
            i === 1
              ? `The link opened a login page that looked like ours (${PHISH.url}). I closed it without typing anything.`
              : `Looks like phishing: the sender is not our IT and the link goes to ${PHISH.url}`,
          details: {
            category: "phishing_email",
            sender: PHISH.sender,
            subject: i === 2 ? `FW: ${PHISH.subject}` : PHISH.subject,
            urls: [PHISH.url],
            clickedLink: i === 1,
            enteredCredentials: false,
            openedAttachment: false,
          },
          reporter: reporter(i),
        }),
      );
    await updateReport(q, sec, wave[0]!.id, {
      severity: "high",
      assigneeUserId: security,
      status: "in_review",
    });
    await mergeReports(
      q,
      sec,
      wave[0]!.id,
      wave.slice(1, 3).map((w) => w.id),
    );
    await setVerdict(q, sec, deps.events, wave[0]!.id, { verdict: "malicious" });

    const fraud = await add({
      channel: "web",
      title: "Supplier asks to change bank details urgently",
      description:
        "An e-mail from our packaging supplier asks us to pay the open invoice to a new account today. The tone is unusual and the domain is slightly different.",
      details: {
        category: "suspicious_payment",
        requester: "accounts@acme-supp1ies.com",
        beneficiary: "ACME Supplies Ltd (new account)",
        amount: 48250,
        currency: "EUR",
        channel: "email",
        paymentMade: false,
      },
      reporter: reporter(4),
    });
    await updateReport(q, sec, fraud.id, {
      severity: "critical",
      assigneeUserId: security,
      status: "in_review",
    });

    await add({
      channel: "web",
      title: "Work phone left on the train",
      description: "I left my work phone on the 17:40 train. It has a PIN and the company app.",
      details: {
        category: "lost_device",
        deviceType: "phone",
        companyOwned: true,
        stolen: false,
        lostAt: new Date(Date.now() - 20 * 3600_000).toISOString(),
        location: "Train, evening commute",
        encrypted: "yes",
      },
      reporter: reporter(5),
    });

    await add({
      channel: "web",
      title: "Payroll export almost went to an outside address",
      description:
        "Autocomplete suggested an outside address with the same first name. I noticed before sending. Could autocomplete warn for outside addresses?",
      details: { category: "near_miss", whatStoppedIt: "Checked the recipient list before pressing send" },
      reporter: reporter(6),
    });

    const mistake = await add({
      channel: "web",
      title: "Sent a customer list to the wrong colleague",
      description:
        "I sent the March customer list to a colleague with a similar name in another team. They have deleted it.",
      details: { category: "own_mistake", kind: "sent_to_wrong_recipient", personalDataInvolved: "yes" },
      reporter: reporter(7),
    });
    await closeReport(q, sec, mistake.id, {
      outcome:
        "Thank you for telling us so quickly. The colleague confirmed the deletion, so no one outside the company saw the list and nothing more is needed.",
      verdict: "benign",
    });

    const anon = await add({
      channel: "anonymous",
      title: "Someone photographing the badge readers",
      description:
        "A person without a visitor badge was taking photos of the badge readers at the side entrance.",
      details: { category: "suspicious_behaviour", where: "Side entrance, ground floor", ongoing: false },
      reporter: { kind: "anonymous" },
    });
    await askReporter(
      q,
      sec,
      anon.id,
      "Thank you. Do you remember roughly what time this was, and whether they went inside?",
    );
    await addReporterMessage(
      q,
      { actorLabel: "anonymous reporter" },
      (await reportRow(q, anon.id)) as ReportRow,
      "Around 8:30 in the morning. They stayed outside and left towards the car park.",
    );

    let questions = 0;
    if (reporters.length && security) {
      const qa = [
        {
          title: "Is it safe to use the hotel Wi-Fi when travelling?",
          body: "I travel next week and would like to work from the hotel.",
          answer:
            "Yes, with the company VPN switched on: it protects your traffic on any network. Avoid public computers in the lobby for work.",
          faq: true,
        },
        {
          title: "How do I recognise a real message from IT?",
          body: "",
          answer:
            "IT never asks for your password by e-mail or phone. Real messages come from our own domain and link to the intranet; when in doubt, report the message.",
          faq: true,
        },
        { title: "Can I use a password manager for work accounts?", body: "", answer: null, faq: false },
      ];
      for (const [i, item] of qa.entries()) {
        const id = await askQuestion(q, opts.ctx, reporters[i % reporters.length]!, item);
        questions++;
        if (!item.answer) continue;
        await answerQuestion(q, sec, id, item.answer);
        const answerId = (
          await q.query<{ id: string }>("SELECT id FROM ask_answers WHERE question_id = $1 LIMIT 1", [id])
        ).rows[0]!.id;
        if (item.faq) await promoteToFaq(q, sec, id, { answerId });
      }
    }
    return {
      alreadySeeded: false,
      reports: 9,
      questions,
      followUpCode: anon.followUpCode,
      phishingReportIds: [wave[0]!.id, wave[3]!.id],
    };
  });
}
