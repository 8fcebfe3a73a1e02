/**
 * A campaign as evidence: CSV (RFC 4180, safe to open in a spreadsheet) and PDF. Each
 * export says who made it and when, and is audited.
 */
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Db } from "../../platform/db/index.js";
import { type PdfReport, renderPdf } from "../../platform/pdf/index.js";
import type { CampaignDetail, ItemView } from "./reviews-schemas.js";
import { allItems, getCampaign } from "./reviews-views.js";

/**
 * One CSV cell: text a spreadsheet would run as a formula (= + - @, or a leading tab or
 * carriage return) gets a leading apostrophe; quotes, commas and line breaks are quoted.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  let s = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: Array<string | number | boolean | null | undefined>) =>
  `${cells.map(csvCell).join(",")}\r\n`;

const COLUMNS = [
  "campaign_id",
  "campaign",
  "item_id",
  "person",
  "employee_number",
  "system",
  "account",
  "entitlement",
  "reviewer",
  "flag",
  "decision",
  "decided_at",
  "decided_by",
  "delegate",
  "comment",
  "removal",
  "removal_verified_at",
  "exported_by",
  "exported_at",
];

const DECISION_WORDS: Record<ItemView["state"], string> = {
  open: "open",
  kept: "keep",
  revoked: "revoke",
  not_reviewed: "not reviewed",
};

const FLAG_WORDS: Record<string, string> = {
  no_manager: "no manager: to the campaign owner",
  no_owner: "system has no owner: to the campaign owner",
  self_review: "reviewer holds the access: to the campaign owner",
  reviewer_inactive: "reviewer no longer at work: to the campaign owner",
  reviewer_no_login: "reviewer cannot sign in: to the campaign owner",
};

export interface ExportInput {
  campaign: CampaignDetail;
  items: ItemView[];
  systems: string[];
  exportedBy: string;
  exportedAt: Date;
}

export function reviewCsv(e: ExportInput): string {
  const at = e.exportedAt.toISOString();
  let out = csvLine(COLUMNS);
  for (const i of e.items) {
    out += csvLine([
      e.campaign.id,
      e.campaign.name,
      i.id,
      i.personName,
      i.employeeNumber,
      i.systemName,
      i.username,
      i.entitlementRef === null ? "" : (i.entitlementName ?? i.entitlementRef),
      i.reviewerName,
      i.flag ?? "",
      i.state,
      i.decidedAt ?? "",
      i.decidedBy ?? "",
      i.delegate ? "yes" : "no",
      i.comment ?? "",
      i.removal?.state ?? "",
      i.removal?.verifiedAt ?? "",
      e.exportedBy,
      at,
    ]);
  }
  return out;
}

const when = (s: string | null) => (s ? `${s.slice(0, 16).replace("T", " ")} UTC` : "—");

export function reviewPdf(e: ExportInput): Promise<Buffer> {
  const c = e.campaign;
  const p = c.progress;
  const what = (i: ItemView) =>
    i.entitlementRef === null
      ? `account ${i.username}${i.accountEnabled ? "" : " (disabled)"}`
      : `${i.entitlementName ?? i.entitlementRef} (account ${i.username})`;
  const decision = (i: ItemView) => {
    const base = DECISION_WORDS[i.state];
    if (i.state !== "revoked") return base;
    if (i.removal?.state === "verified") return `${base}; removed, verified ${when(i.removal.verifiedAt)}`;
    return `${base}; removal ${i.removal?.state ?? "not needed"}`;
  };
  const notReviewed = e.items.filter((i) => i.state === "not_reviewed" || i.state === "open");
  const flagged = e.items.filter((i) => i.flag);
  const report: PdfReport = {
    title: `Access review: ${c.name}`,
    subtitle:
      c.scope === "manager"
        ? "Each manager reviewed the access of their reports"
        : "Each system owner reviewed the access to their system",
    meta: [
      ["Review", c.id],
      ["Systems", e.systems.length ? e.systems.join(", ") : "every system"],
      [
        "State",
        c.state +
          (c.closeReason
            ? ` (${c.closeReason === "due" ? "closed at the due date" : "closed by hand"})`
            : ""),
      ],
      ["Owner", c.ownerName],
      ["Due", when(c.dueAt)],
      ["Started", `${when(c.startedAt)}${c.startedBy ? ` by ${c.startedBy}` : ""}`],
      ["Closed", `${when(c.closedAt)}${c.closedBy ? ` by ${c.closedBy}` : ""}`],
      ["Exported", `${when(e.exportedAt.toISOString())} by ${e.exportedBy}`],
    ],
    sections: [
      {
        heading: "Summary",
        paragraphs: [
          `${p.total} grants in scope: ${p.kept} kept, ${p.revoked} revoked, ${p.notReviewed} not reviewed, ${p.open} still open${p.overdue ? ` (${p.overdue} overdue)` : ""}.`,
          `${p.flagged} went to the campaign owner because the scope named no usable reviewer.`,
        ],
      },
      {
        heading: "Reviewers",
        table: {
          columns: ["Reviewer", "Items", "Decided", "Kept", "Revoked", "Undecided"],
          widths: [3, 1, 1, 1, 1, 1],
          rows: c.reviewers.map((r) => [
            r.reviewerName,
            String(r.total),
            String(r.decided),
            String(r.kept),
            String(r.revoked),
            String(r.total - r.decided),
          ]),
        },
      },
      {
        heading: "Decisions",
        table: {
          columns: ["Person", "System", "Access", "Reviewer", "Decision", "When, by", "Comment"],
          widths: [2, 1.5, 2.2, 1.6, 2, 2, 2.2],
          rows: e.items.map((i) => [
            `${i.personName} (${i.employeeNumber})`,
            i.systemName,
            what(i),
            i.reviewerName + (i.flag ? " *" : ""),
            decision(i),
            i.decidedAt
              ? `${when(i.decidedAt)}, ${i.decidedBy ?? ""}${i.delegate ? " (delegate)" : ""}`
              : "—",
            i.comment ?? "",
          ]),
        },
      },
      {
        heading: "Not reviewed",
        paragraphs: [
          c.state === "closed"
            ? "Grants nobody decided before the campaign closed. They were left as they were."
            : "Grants still waiting for a decision.",
        ],
        table: {
          columns: ["Person", "System", "Access", "Reviewer"],
          widths: [2, 1.5, 2.5, 2],
          rows: notReviewed.map((i) => [i.personName, i.systemName, what(i), i.reviewerName]),
        },
      },
      {
        heading: "Sent to the campaign owner (*)",
        table: {
          columns: ["Person", "System", "Access", "Why"],
          widths: [2, 1.5, 2.5, 2.5],
          rows: flagged.map((i) => [i.personName, i.systemName, what(i), FLAG_WORDS[i.flag ?? ""] ?? ""]),
        },
      },
    ],
    footer:
      "Every decision is in Tandem's audit log (access.review_decided), chained by hash; `tandem audit verify` checks the chain. A revoked grant is removed by the access engine and counts as removed only once the system, read back, no longer shows it.",
  };
  return renderPdf(report);
}

/** Builds an export of a campaign and audits it (who, when, which format, how many items). */
export async function exportReview(
  db: Db,
  ctx: AuditContext,
  id: string,
  format: "csv" | "pdf",
  exportedBy: string,
): Promise<{ filename: string; body: string | Buffer }> {
  const campaign = await getCampaign(db, id, { userId: "", personId: null, reader: true });
  const items = await allItems(db, id);
  const names = await db.query<{ name: string }>(
    "SELECT name FROM systems WHERE id = ANY ($1::text[]) ORDER BY lower(name)",
    [campaign.systemIds],
  );
  const input: ExportInput = {
    campaign,
    items,
    systems: names.rows.map((r) => r.name),
    exportedBy,
    exportedAt: new Date(),
  };
  const body = format === "csv" ? reviewCsv(input) : await reviewPdf(input);
  await db.tx((q) =>
    appendAudit(q, ctx, {
      action: "access.review_exported",
      targetType: "access_review",
      targetId: id,
      details: { format, items: items.length, state: campaign.state },
    }),
  );
  const slug = campaign.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
  return { filename: `access-review-${slug || id}.${format}`, body };
}
