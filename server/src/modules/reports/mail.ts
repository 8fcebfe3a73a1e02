import { createHash } from "node:crypto";
import { type ParsedMail, simpleParser } from "mailparser";
import { findUserByEmail } from "../../platform/auth/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { ulid } from "../../platform/ids/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import { type CheckedAttachment, classify, cleanName } from "./attachments.js";
import type { ReportSettings } from "./context.js";
import { extractUrls, groupKeys, senderKey } from "./grouping.js";
import { createReport, type NewReport } from "./intake.js";

/**
 * Mail intake in two durable steps: the listener stores the message as it came (encrypted)
 * and enqueues its parsing in the same transaction before it answers 250; the parse job
 * turns it into a report. A message seen before (same bytes) is stored once; one with a
 * Message-ID already made into a report is linked to that report. A message that cannot be
 * read still becomes a report, flagged "unparseable", with the original kept.
 */
export const MAIL_PARSE_JOB = "reports.mail_parse";
const MAIL_CTX = { actorLabel: "mail intake" };
const aad = (id: string) => `report_mail.raw:${id}`;
const FORWARDED_META =
  /^[ \t>]*(?:From|Von|De|Van|Fra):[ \t]*(.+)\r?\n(?:[^\n]*\n){0,6}?[ \t>]*(?:Subject|Betreff|Objet|Onderwerp|Emne):[ \t]*(.+)$/im;

// The header a simulated phishing mail carries (its value is the recipient's tracking token),
// also inside a forwarded copy, quoted or attached as message/rfc822.
const SIMULATION_MARKER = /^(?:>[ \t]?)*X-Tandem-Simulation:[ \t]*([A-Za-z0-9_-]{16,128})[ \t]*\r?$/gim;

/** The simulation markers in a message and in the messages attached to it (at most 10). */
export function simulationMarkers(raw: Buffer, parsed?: ParsedMail): string[] {
  const texts = [raw.toString("latin1")];
  for (const a of parsed?.attachments ?? [])
    if (a.contentType === "message/rfc822" && a.content.length <= 5_000_000)
      texts.push(a.content.toString("latin1"));
  const found = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(SIMULATION_MARKER)) if (m[1]) found.add(m[1]);
  return [...found].slice(0, 10);
}

/** Keeps a received message and enqueues its parsing; returns the mail id (an earlier one for a repeat). */
export async function receiveMail(
  db: Db,
  deps: { envelope: Envelope; jobs: Jobs },
  raw: Buffer,
  envelopeFrom: string | null,
): Promise<{ id: string; duplicate: boolean }> {
  const sha = createHash("sha256").update(raw).digest("hex");
  const head = raw.subarray(0, 64 * 1024).toString("latin1");
  const messageId = /^message-id:\s*(<[^>\r\n]{1,500}>)/im.exec(head)?.[1] ?? null;
  return db.tx(async (q) => {
    const id = ulid();
    const r = await q.query(
      `INSERT INTO report_mail (id, sha256, message_id, envelope_from, size, raw_enc)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING`,
      [
        id,
        sha,
        messageId,
        envelopeFrom?.slice(0, 254) ?? null,
        raw.length,
        deps.envelope.encrypt(raw.toString("base64"), aad(id)),
      ],
    );
    if (!r.rowCount) {
      const prior = (await q.query<{ id: string }>("SELECT id FROM report_mail WHERE sha256 = $1", [sha]))
        .rows[0]!;
      return { id: prior.id, duplicate: true };
    }
    await deps.jobs.send(q, MAIL_PARSE_JOB, { mailId: id }, { singletonKey: id });
    return { id, duplicate: false };
  });
}

interface MailRow {
  id: string;
  message_id: string | null;
  envelope_from: string | null;
  state: string;
  raw_enc: string;
}

/** What a parsed message says about the suspicious mail inside it. */
async function toReport(
  parsed: ParsedMail,
  settings: ReportSettings,
): Promise<Omit<NewReport, "reporter" | "channel">> {
  // A forwarded message (inline, or attached as message/rfc822, which the parser renders
  // into the text) shows its own From and Subject lines: those are the suspicious mail's.
  const text = parsed.text ?? "";
  const meta = FORWARDED_META.exec(text);
  const sender = meta?.[1]?.trim() ?? null;
  const subject = (meta?.[2] ?? parsed.subject ?? "").trim();
  const urls = extractUrls(text, typeof parsed.html === "string" ? parsed.html : null);
  const flags: string[] = [];
  const files: CheckedAttachment[] = [];
  const refused: string[] = [];
  const candidates = parsed.attachments.filter((a) => !a.related);
  for (const a of candidates) {
    const name = cleanName(a.filename ?? "attachment");
    if (files.length >= settings.attachments.maxCount || a.content.length > settings.attachments.maxBytes) {
      refused.push(`${name} (over the limits)`);
      continue;
    }
    const c = await classify(name, a.content);
    if ("refused" in c) refused.push(`${name} (${c.refused})`);
    else files.push({ filename: name, contentType: c.type, bytes: a.content });
  }
  if (refused.length) flags.push("attachment_refused");
  const validUrls = urls.filter((u) => u.length <= 2000).slice(0, 20);
  const note = refused.length
    ? `\n\n[Attachments not kept as files (the original message still holds them): ${refused.join("; ")}]`
    : "";
  const title = (
    subject.trim() ? `Reported e-mail: ${subject.trim()}` : "Reported e-mail (no subject)"
  ).slice(0, 200);
  return {
    title,
    description: `${text.slice(0, 19000)}${note}`,
    details: {
      category: "phishing_email",
      sender: sender ? sender.slice(0, 254) : undefined,
      subject: subject ? subject.slice(0, 500) : undefined,
      urls: validUrls,
      clickedLink: false,
      enteredCredentials: false,
      openedAttachment: false,
    },
    attachments: files,
    keys: groupKeys({ sender, subject, urls }),
    flags,
  };
}

/** The parse job: idempotent (a message already parsed is left alone). */
export async function parseMail(
  db: Db,
  deps: { envelope: Envelope; events: Events; settings: ReportSettings },
  mailId: string,
): Promise<void> {
  await db.tx(async (q) => {
    const m = (
      await q.query<MailRow>(
        "SELECT id, message_id, envelope_from, state, raw_enc FROM report_mail WHERE id = $1 FOR UPDATE",
        [mailId],
      )
    ).rows[0];
    if (m?.state !== "received") return;
    if (m.message_id) {
      const earlier = (
        await q.query<{ report_id: string }>(
          "SELECT report_id FROM report_mail WHERE message_id = $1 AND id <> $2 AND report_id IS NOT NULL LIMIT 1",
          [m.message_id, m.id],
        )
      ).rows[0];
      if (earlier) {
        await q.query(
          "UPDATE report_mail SET state = 'duplicate', report_id = $2, parsed_at = now() WHERE id = $1",
          [m.id, earlier.report_id],
        );
        return;
      }
    }
    const raw = Buffer.from(deps.envelope.decrypt(m.raw_enc, aad(m.id)), "base64");
    let parsed: ParsedMail | undefined;
    try {
      parsed = await simpleParser(raw);
    } catch {
      parsed = undefined;
    }
    const readable =
      parsed &&
      (parsed.from?.value.length || parsed.subject || parsed.text?.trim() || parsed.html) &&
      parsed.headers.size > 0;
    const fromAddress = senderKey(parsed?.from?.value[0]?.address ?? m.envelope_from);
    const user = fromAddress ? await findUserByEmail(q, fromAddress) : undefined;
    const body =
      parsed && readable
        ? await toReport(parsed, deps.settings)
        : {
            title: `Unreadable e-mail${fromAddress ? ` from ${fromAddress}` : ""}`.slice(0, 200),
            description:
              "This message could not be read as an e-mail. The original is kept and can be downloaded from this report.",
            details: { category: "other" as const },
            attachments: [],
            flags: ["unparseable"],
            keys: groupKeys({ urls: [] }),
          };
    const created = await createReport(q, deps, MAIL_CTX, {
      ...body,
      simulationMarkers: simulationMarkers(raw, parsed),
      channel: "email",
      reporter: { kind: "mail", email: fromAddress, userId: user?.id ?? null },
    });
    await q.query(
      "UPDATE report_mail SET state = 'parsed', report_id = $2, parsed_at = now() WHERE id = $1",
      [m.id, created.id],
    );
  });
}

export async function readOriginalMail(
  q: Queryable,
  envelope: Envelope,
  reportId: string,
): Promise<{ id: string; raw: Buffer; reference: string } | undefined> {
  const m = (
    await q.query<{ id: string; raw_enc: string; reference: string }>(
      `SELECT m.id, m.raw_enc, r.reference FROM report_mail m JOIN reports r ON r.id = m.report_id
       WHERE m.report_id = $1 ORDER BY m.id LIMIT 1`,
      [reportId],
    )
  ).rows[0];
  if (!m) return undefined;
  return {
    id: m.id,
    reference: m.reference,
    raw: Buffer.from(envelope.decrypt(m.raw_enc, aad(m.id)), "base64"),
  };
}

export const mailAad = aad;
