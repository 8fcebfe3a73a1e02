import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Queryable } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { ulid } from "../../platform/ids/index.js";
import { findPersonBy } from "../people/index.js";
import { type CheckedAttachment, storeAttachments } from "./attachments.js";
import { RECEIVED } from "./context.js";
import { hashCode, newFollowUpCode } from "./followup.js";
import { extractUrls, type GroupKeys, groupKeys } from "./grouping.js";
import type { CategoryDetails, Channel } from "./schemas.js";

/** Who reported: a signed-in user, a mail sender, or nobody (anonymous). */
export type Reporter =
  | { kind: "user"; userId: string }
  | { kind: "mail"; email: string | null; userId: string | null }
  | { kind: "anonymous" };

export interface NewReport {
  channel: Channel;
  title: string;
  description: string;
  details: CategoryDetails;
  attachments: CheckedAttachment[];
  reporter: Reporter;
  /** Mail intake computes the grouping keys from the mail itself. */
  keys?: GroupKeys;
  flags?: string[];
  /** X-Tandem-Simulation header values found in a reported mail (a simulated phishing mail). */
  simulationMarkers?: string[];
}

export interface Created {
  id: string;
  reference: string;
  followUpCode: string | null;
}

/** Grouping keys from a guided form: the phishing fields and any links in the text. */
export function keysFromForm(details: CategoryDetails, description: string): GroupKeys {
  if (details.category === "phishing_email")
    return groupKeys({
      sender: details.sender,
      subject: details.subject,
      urls: [...(details.urls ?? []), ...extractUrls(description)],
    });
  const requester =
    details.category === "suspicious_payment" && details.requester?.includes("@") ? details.requester : null;
  return groupKeys({ sender: requester, subject: null, urls: extractUrls(description) });
}

/** The audit context of an anonymous reporter: the request id only, no address, no browser. */
export const anonymousCtx = (requestId: string): AuditContext => ({
  actorLabel: "anonymous reporter",
  requestId,
});

/**
 * Stores a report with its attachments, announces it and audits it, in the caller's
 * transaction. An anonymous report gets a follow-up code (only its hash is kept).
 */
export async function createReport(
  q: Queryable,
  deps: { envelope: Envelope; events: Events },
  ctx: AuditContext,
  r: NewReport,
): Promise<Created> {
  const id = ulid();
  const n = (await q.query<{ n: string }>("SELECT nextval('report_reference_seq')::text AS n")).rows[0]!.n;
  const reference = `R-${n.padStart(5, "0")}`;
  const anonymous = r.reporter.kind === "anonymous";
  const code = anonymous ? newFollowUpCode() : null;
  const userId = r.reporter.kind === "anonymous" ? null : r.reporter.userId;
  const email = r.reporter.kind === "mail" ? r.reporter.email : null;
  let department: string | null = null;
  if (r.reporter.kind !== "anonymous") {
    const person = userId
      ? await findPersonBy(q, { userId })
      : email
        ? await findPersonBy(q, { workEmail: email })
        : undefined;
    department = person?.department_name ?? null;
  }
  const { details } = r;
  const { category, ...answers } = details;
  const keys = r.keys ?? keysFromForm(details, r.description);
  await q.query(
    `INSERT INTO reports (id, reference, category, channel, title, description, details, anonymous,
       reporter_user_id, reporter_email, reporter_department, followup_hash,
       suspect_sender, url_host, subject_key, urls, flags)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)`,
    [
      id,
      reference,
      category,
      r.channel,
      r.title,
      r.description,
      JSON.stringify(answers),
      anonymous,
      userId,
      email,
      department,
      code ? hashCode(code) : null,
      keys.suspectSender,
      keys.urlHost,
      keys.subjectKey,
      JSON.stringify(keys.urls),
      r.flags ?? [],
    ],
  );
  await storeAttachments(q, deps.envelope, id, r.attachments);
  await appendAudit(q, ctx, {
    action: "report.received",
    targetType: "report",
    targetId: id,
    details: {
      reference,
      category,
      channel: r.channel,
      anonymous,
      attachments: r.attachments.length,
      ...(r.flags?.length ? { flags: r.flags } : {}),
    },
  });
  // Links and simulation markers let the phishing simulation recognise its own mail; an
  // anonymous report carries neither, so it can never be tied to a recipient.
  await deps.events.publish(q, RECEIVED, {
    reportId: id,
    category,
    reporterUserId: userId,
    simulated: false,
    urls: anonymous ? [] : keys.urls,
    simulationMarkers: anonymous ? [] : (r.simulationMarkers ?? []),
  });
  return { id, reference, followUpCode: code };
}
