/**
 * Starter phishing templates shipped with Tandem, written for it: five common lures, each
 * with the signs a careful reader could have spotted. Seeding is idempotent by starter key.
 */
import type { AuditContext } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { createTemplate, type TemplateInput } from "./templates.js";

const html = (paragraphs: string[], button: string) =>
  `<html><body style="font-family:Arial,sans-serif;font-size:14px;color:#222">${paragraphs
    .map((p) => `<p>${p}</p>`)
    .join(
      "",
    )}<p><a href="{{link}}" style="background:#1a5fb4;color:#fff;padding:8px 14px;text-decoration:none;border-radius:4px">${button}</a></p></body></html>`;

export const STARTER_TEMPLATES: { key: string; input: TemplateInput }[] = [
  {
    key: "payment-details-change",
    input: {
      name: "Supplier bank details changed",
      lure: "payment",
      difficulty: "hard",
      fromName: "Accounts Receivable – Northwind Supplies",
      fromAddress: "billing@northwind-supplies-invoices.com",
      subject: "Updated remittance details for open invoices",
      bodyHtml: html(
        [
          "Dear {{first_name}},",
          "Following our move to a new banking partner, payments for all open invoices with {{company}} should go to our new account from today. The letter with the updated details is on our supplier portal.",
          "Please update your records before the next payment run so that nothing is returned. Payments made to the old account after this week cannot be traced.",
          "Kind regards,<br>Accounts Receivable",
        ],
        "View the remittance letter",
      ),
      bodyText:
        "Dear {{first_name}},\n\nFollowing our move to a new banking partner, payments for all open invoices with {{company}} should go to our new account from today. The letter with the updated details is on our supplier portal:\n\n{{link}}\n\nPlease update your records before the next payment run so that nothing is returned. Payments made to the old account after this week cannot be traced.\n\nKind regards,\nAccounts Receivable\n",
      landingKind: "login",
      landingTitle: "Supplier portal – sign in",
      lessonMd:
        "## This was a practice message from your security team\n\nRequests to change where money goes are the most expensive kind of phishing. The signs in this one:\n\n- **The sender's domain** was close to a real supplier's but not theirs.\n- **Urgency and a threat**: payments to the old account \"cannot be traced\".\n- **A change of bank details by e-mail**: always confirm it by phone, using the number you already have on file, never one from the message.\n",
    },
  },
  {
    key: "parcel-delivery",
    input: {
      name: "Parcel held: customs fee",
      lure: "delivery",
      difficulty: "easy",
      fromName: "Parcel Tracking",
      fromAddress: "notice@track-my-parcel-delivery.net",
      subject: "Your parcel could not be delivered – action needed",
      bodyHtml: html(
        [
          "Hello {{full_name}},",
          "We tried to deliver a parcel addressed to you at {{company}} but a small customs fee of 1.99 is outstanding.",
          "Your parcel will be returned to the sender in 48 hours unless the fee is paid.",
        ],
        "Reschedule delivery",
      ),
      bodyText:
        "Hello {{full_name}},\n\nWe tried to deliver a parcel addressed to you at {{company}} but a small customs fee of 1.99 is outstanding.\n\nReschedule delivery: {{link}}\n\nYour parcel will be returned to the sender in 48 hours unless the fee is paid.\n",
      landingKind: "login",
      landingTitle: "Delivery – confirm your details",
      lessonMd:
        "## This was a practice message from your security team\n\nDelivery scams rely on everyone expecting a parcel now and then. The signs:\n\n- **A generic sender** that names no courier you use.\n- **A tiny fee** that makes handing over card details feel harmless.\n- **A deadline** of 48 hours to rush you.\n\nIf you expect a delivery, open the courier's site yourself and type the tracking number there.\n",
    },
  },
  {
    key: "shared-document",
    input: {
      name: "Document shared with you",
      lure: "login",
      difficulty: "medium",
      fromName: "Docs sharing",
      fromAddress: "share-noreply@docs-sharing-center.com",
      subject: '{{manager_name}} shared "Q3 team objectives" with you',
      bodyHtml: html(
        [
          "Hi {{first_name}},",
          "{{manager_name}} has shared a document with you: <b>Q3 team objectives – {{department}}</b>.",
          "Sign in with your work account to open it. The link stays valid for 24 hours.",
        ],
        "Open document",
      ),
      bodyText:
        "Hi {{first_name}},\n\n{{manager_name}} has shared a document with you: Q3 team objectives – {{department}}.\n\nSign in with your work account to open it: {{link}}\n\nThe link stays valid for 24 hours.\n",
      landingKind: "login",
      landingTitle: "Sign in to view the shared document",
      lessonMd:
        "## This was a practice message from your security team\n\nFake sharing notices steal passwords. The signs:\n\n- **The sending domain** was not the one your organisation uses for documents.\n- **A familiar name** (your manager's) in the display name, which anyone can type.\n- **A sign-in page reached from a mail link**: check the address bar before you type a password, or open the document from the app you normally use.\n",
    },
  },
  {
    key: "ai-assistant-licence",
    input: {
      name: "AI assistant licence activation",
      lure: "ai_tool",
      difficulty: "medium",
      fromName: "IT Service Desk",
      fromAddress: "it-desk@workplace-ai-licensing.com",
      subject: "Your AI assistant licence is ready – activate it today",
      bodyHtml: html(
        [
          "Hello {{first_name}},",
          "As part of the new productivity programme, {{company}} has assigned you a licence for the AI writing assistant ({{job_title}} edition).",
          "Activate it with your work sign-in by Friday; unclaimed licences are given to the next team on the waiting list.",
          "IT Service Desk",
        ],
        "Activate my licence",
      ),
      bodyText:
        "Hello {{first_name}},\n\nAs part of the new productivity programme, {{company}} has assigned you a licence for the AI writing assistant ({{job_title}} edition).\n\nActivate it with your work sign-in by Friday: {{link}}\n\nUnclaimed licences are given to the next team on the waiting list.\n\nIT Service Desk\n",
      landingKind: "login",
      landingTitle: "AI assistant – activate with your work account",
      lessonMd:
        '## This was a practice message from your security team\n\nNew tools are a favourite lure because everyone wants them. The signs:\n\n- **IT writing from an outside domain**: your service desk uses your organisation\'s own address and tools.\n- **Scarcity**: "unclaimed licences go to the next team" is there to hurry you.\n- **Your work password on an unfamiliar page**: new software is installed and activated through the channels IT has announced, never by a mail link.\n',
    },
  },
  {
    key: "hr-bonus-letter",
    input: {
      name: "Annual bonus letter",
      lure: "hr",
      difficulty: "hard",
      fromName: "People Team",
      fromAddress: "people-team@hr-documents-portal.com",
      subject: "Confidential: your bonus letter for this year",
      bodyHtml: html(
        [
          "Dear {{full_name}},",
          "Your personal bonus letter for this year has been prepared by the People Team and approved by {{manager_name}}.",
          "For confidentiality it is only available on the secure HR portal. Please read and acknowledge it by the end of the week.",
          "Best wishes,<br>The People Team",
        ],
        "Read my bonus letter",
      ),
      bodyText:
        "Dear {{full_name}},\n\nYour personal bonus letter for this year has been prepared by the People Team and approved by {{manager_name}}.\n\nFor confidentiality it is only available on the secure HR portal: {{link}}\n\nPlease read and acknowledge it by the end of the week.\n\nBest wishes,\nThe People Team\n",
      landingKind: "notice",
      landingTitle: "",
      lessonMd:
        '## This was a practice message from your security team\n\nMessages about pay are hard to ignore, which is why attackers use them. The signs:\n\n- **An HR portal on a domain that is not your organisation\'s.**\n- **"Confidential" and personal**: curiosity and a little excitement switch off caution.\n- **A deadline to acknowledge.**\n\nWhen in doubt, ask HR directly or open the HR system from your usual bookmark.\n',
    },
  },
];

/** Adds the starter templates not there yet (by starter key); returns how many were added. */
export async function seedStarterTemplates(q: Queryable, ctx: AuditContext): Promise<number> {
  let added = 0;
  for (const t of STARTER_TEMPLATES) {
    const known = await q.query("SELECT 1 FROM phishing_templates WHERE starter_key = $1", [t.key]);
    if (known.rows[0]) continue;
    await createTemplate(q, ctx, t.input, t.key);
    added++;
  }
  return added;
}
