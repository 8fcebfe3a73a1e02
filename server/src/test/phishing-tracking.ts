import { createHash, randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { Queryable } from "../platform/db/index.js";
import { ulid } from "../platform/ids/index.js";
import type { Api } from "./awareness.js";

/**
 * Factories for the phishing tracking tests: a template and a campaign written straight into
 * the tables, and recipients whose mail was "sent" (token made here, its sha256 stored), so
 * tracking is tested without the sender.
 */

export interface SeedCampaign {
  id: string;
  templateId: string;
}

export async function seedCampaign(
  q: Queryable,
  over: {
    name?: string;
    followUpModuleId?: string | null;
    windowStart?: Date;
    windowEnd?: Date;
    trackDays?: number;
    landingKind?: "login" | "notice";
    lessonMd?: string;
    status?: string;
  } = {},
): Promise<SeedCampaign> {
  const templateId = ulid();
  const id = ulid();
  await q.query(
    `INSERT INTO phishing_templates (id, name, lure, from_name, from_address, subject, body_html, body_text,
       landing_kind, landing_title, lesson_md)
     VALUES ($1, $2, 'login', 'IT Service Desk', 'it-desk@example.test', 'Your mailbox is full',
       '<p>Open {{link}}</p>', 'Open {{link}}', $3, 'Sign in to Mail', $4)`,
    [
      templateId,
      `Mailbox full ${templateId}`,
      over.landingKind ?? "login",
      over.lessonMd ?? "## Signs\n\n- The sender's address was not ours\n- It rushed you",
    ],
  );
  const start = over.windowStart ?? new Date(Date.now() - 2 * 86_400_000);
  const end = over.windowEnd ?? new Date(Date.now() + 86_400_000);
  await q.query(
    `INSERT INTO phishing_campaigns (id, name, template_id, window_start, window_end, status, follow_up_module_id, track_days)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      id,
      over.name ?? `Campaign ${id}`,
      templateId,
      start,
      end,
      over.status ?? "finished",
      over.followUpModuleId ?? null,
      over.trackDays ?? 30,
    ],
  );
  return { id, templateId };
}

export interface SeedRecipient {
  id: string;
  token: string;
}

/** A recipient whose mail went out `sentSecondsAgo` ago (default an hour). */
export async function seedRecipient(
  q: Queryable,
  campaignId: string,
  personId: string,
  opts: { sentSecondsAgo?: number; departmentId?: string | null; email?: string } = {},
): Promise<SeedRecipient> {
  const id = ulid();
  const token = randomBytes(32).toString("base64url");
  const sentAt = new Date(Date.now() - (opts.sentSecondsAgo ?? 3600) * 1000);
  await q.query(
    `INSERT INTO phishing_recipients (id, campaign_id, person_id, email, department_id, token_hash, send_at, status, sent_at, attempts)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'sent', $7, 1)`,
    [
      id,
      campaignId,
      personId,
      opts.email ?? `${id.toLowerCase()}@corp.test`,
      opts.departmentId ?? null,
      createHash("sha256").update(token).digest("hex"),
      sentAt,
    ],
  );
  return { id, token };
}

/** What a desktop browser sends when a person opens a link. */
export const BROWSER = {
  "user-agent":
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "accept-language": "en-GB,en;q=0.9",
  "sec-fetch-mode": "navigate",
  "sec-fetch-dest": "document",
};

/** What the landing page's script sends when it confirms. */
export const BROWSER_FETCH = {
  "user-agent": BROWSER["user-agent"],
  accept: "*/*",
  "accept-language": "en-GB,en;q=0.9",
  "sec-fetch-mode": "cors",
  "sec-fetch-site": "same-origin",
};

export async function buildDepartment(hr: Api, name: string): Promise<string> {
  const res = await hr.post("/api/v1/departments", { name });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

export interface Interaction {
  kind: string;
  counted: boolean;
  filter_reason: string | null;
  shape: Record<string, unknown>;
}

export async function interactionsOf(q: Queryable, recipientId: string): Promise<Interaction[]> {
  return (
    await q.query<Interaction>(
      "SELECT kind, counted, filter_reason, shape FROM phishing_interactions WHERE recipient_id = $1 ORDER BY at, id",
      [recipientId],
    )
  ).rows;
}

export async function stagesOf(q: Queryable, recipientId: string) {
  return (
    await q.query<{
      opened_at: Date | null;
      clicked_at: Date | null;
      submitted_at: Date | null;
      reported_at: Date | null;
      report_id: string | null;
    }>(
      "SELECT opened_at, clicked_at, submitted_at, reported_at, report_id FROM phishing_recipients WHERE id = $1",
      [recipientId],
    )
  ).rows[0]!;
}
