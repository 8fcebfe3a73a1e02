/**
 * Merge fields of simulated mails: checking a template's text before it is stored, and
 * filling a message in for one recipient. Values go into the HTML part escaped.
 */
import { unprocessable } from "../../../platform/http/index.js";

export const MERGE_FIELDS = [
  "first_name",
  "last_name",
  "full_name",
  "email",
  "department",
  "job_title",
  "manager_name",
  "company",
  "link",
] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];
export type MergeValues = Record<MergeField, string>;

const FIELD = /\{\{\s*([^{}]*?)\s*\}\}/g;
const known = new Set<string>(MERGE_FIELDS);

export interface MergeText {
  subject: string;
  bodyHtml: string;
  bodyText: string;
}

/**
 * Refuses unknown merge fields (naming the template field and the merge field) and bodies
 * without the tracked link; every problem is reported at once.
 */
export function checkMergeFields(t: MergeText): void {
  const unknown: { path: string; message: string }[] = [];
  for (const path of ["subject", "bodyHtml", "bodyText"] as const) {
    for (const m of t[path].matchAll(FIELD)) {
      const name = m[1] ?? "";
      if (!known.has(name))
        unknown.push({
          path,
          message: `unknown merge field {{${name}}}; use one of ${MERGE_FIELDS.map((f) => `{{${f}}}`).join(", ")}`,
        });
    }
  }
  if (unknown.length)
    throw unprocessable(
      "awareness.phishing.unknown_merge_field",
      "The template uses unknown merge fields",
      unknown,
    );
  const missing = (["bodyHtml", "bodyText"] as const)
    .filter((path) => ![...t[path].matchAll(FIELD)].some((m) => m[1] === "link"))
    .map((path) => ({ path, message: "must contain {{link}}, the tracked link" }));
  if (missing.length)
    throw unprocessable(
      "awareness.phishing.missing_link",
      "Both mail bodies need the {{link}} merge field",
      missing,
    );
}

const escapeHtml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

export function fill(text: string, values: MergeValues, html = false): string {
  return text.replace(FIELD, (whole, name: string) => {
    if (!known.has(name)) return whole;
    const v = values[name as MergeField];
    return html ? escapeHtml(v) : v;
  });
}

/** The person's part of the merge values (the link is added per message). */
export interface MergePerson {
  legalName: string;
  preferredName: string | null;
  email: string;
  department: string | null;
  jobTitle: string | null;
  managerName: string | null;
}

export function mergeValues(p: MergePerson, company: string, link: string): MergeValues {
  const full = (p.preferredName ?? "").trim() || p.legalName.trim();
  const parts = p.legalName.trim().split(/\s+/);
  return {
    first_name: full.split(/\s+/)[0] ?? "",
    last_name: parts.length > 1 ? (parts[parts.length - 1] ?? "") : "",
    full_name: full,
    email: p.email,
    department: p.department ?? "",
    job_title: p.jobTitle ?? "",
    manager_name: p.managerName ?? "",
    company,
    link,
  };
}

export interface Rendered {
  subject: string;
  html: string;
  text: string;
}

/** One message: merge values filled in, and the open pixel appended to the HTML part. */
export function renderMessage(t: MergeText, values: MergeValues, pixelUrl: string | null): Rendered {
  let html = fill(t.bodyHtml, values, true);
  if (pixelUrl) {
    const img = `<img src="${escapeHtml(pixelUrl)}" width="1" height="1" alt="" style="display:none">`;
    html = /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${img}</body>`) : `${html}${img}`;
  }
  return { subject: fill(t.subject, values).replace(/[\r\n]+/g, " "), html, text: fill(t.bodyText, values) };
}
