import { createHash } from "node:crypto";
import { fileTypeFromBuffer } from "file-type";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { type FieldError, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";

/**
 * Attachments are evidence, never content to open: the type is read from the bytes
 * (file-type), not from the name; only a short allow-list is kept; everything is stored
 * encrypted and handed back only as a download.
 */
const BINARY_TYPES: Record<string, string[]> = {
  "image/png": ["png"],
  "image/jpeg": ["jpg", "jpeg"],
  "image/gif": ["gif"],
  "image/webp": ["webp"],
  "application/pdf": ["pdf"],
};
const TEXT_TYPES: Record<string, string> = { txt: "text/plain", eml: "message/rfc822", log: "text/plain" };
/** Extensions refused anywhere in a name ("invoice.pdf.exe", "photo.exe.png"). */
const DANGEROUS = new Set(
  "exe com scr pif bat cmd ps1 psm1 vbs vbe js jse wsf wsh hta html htm xhtml svg svgz shtml mht mhtml jar msi msp dll cpl lnk reg iso img vhd vhdx xll docm xlsm pptm sh bash py rb pl php asp aspx jsp".split(
    " ",
  ),
);
const MARKUP = /<\s*(script|html|svg|iframe|object|embed|body|!doctype|\?xml)\b/i;

export interface AttachmentLimits {
  maxCount: number;
  maxBytes: number;
}

export interface CheckedAttachment {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** The file name as it is shown: no path, no control characters. */
export function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\p{Cc}\p{Cf}"]/gu, "").trim();
  return clean.slice(0, 200) || "attachment";
}

/** Why a file is refused, or its safe content type. */
export async function classify(
  filename: string,
  bytes: Buffer,
): Promise<{ type: string } | { refused: string }> {
  const name = cleanName(filename).toLowerCase();
  const parts = name.split(".");
  const ext = parts.length > 1 ? parts[parts.length - 1]! : "";
  if (parts.slice(1).some((p) => DANGEROUS.has(p)))
    return { refused: `"${cleanName(filename)}" has a file type that could run code` };
  const found = await fileTypeFromBuffer(bytes);
  if (found) {
    const exts = BINARY_TYPES[found.mime];
    if (!exts) return { refused: `the content is ${found.mime}, which is not accepted` };
    if (!exts.includes(ext))
      return { refused: `the name says .${ext || "(none)"} but the content is ${found.mime}` };
    return { type: found.mime };
  }
  const textType = TEXT_TYPES[ext];
  if (!textType) return { refused: "only images, PDF, plain text and .eml files are accepted" };
  const text = bytes.toString("utf8");
  if (bytes.includes(0) || Buffer.from(text, "utf8").length !== bytes.length)
    return { refused: "the content is not plain text" };
  if (ext !== "eml" && MARKUP.test(text)) return { refused: "the text contains HTML or script" };
  return { type: textType };
}

/** Checks every attachment; a refusal names the field (attachments.N…) and nothing is kept. */
export async function checkAttachments(
  list: { filename: string; contentBase64: string }[],
  limits: AttachmentLimits,
  field = "attachments",
): Promise<CheckedAttachment[]> {
  if (list.length > limits.maxCount)
    throw unprocessable("report.too_many_attachments", `At most ${limits.maxCount} attachments`, [
      { path: field, message: `at most ${limits.maxCount} attachments` },
    ]);
  const errors: FieldError[] = [];
  const out: CheckedAttachment[] = [];
  for (const [i, a] of list.entries()) {
    const bytes = Buffer.from(a.contentBase64, "base64");
    if (bytes.length > limits.maxBytes) {
      errors.push({ path: `${field}.${i}.contentBase64`, message: `larger than ${limits.maxBytes} bytes` });
      continue;
    }
    if (bytes.length === 0) {
      errors.push({ path: `${field}.${i}.contentBase64`, message: "is empty" });
      continue;
    }
    const c = await classify(a.filename, bytes);
    if ("refused" in c) errors.push({ path: `${field}.${i}.filename`, message: c.refused });
    else out.push({ filename: cleanName(a.filename), contentType: c.type, bytes });
  }
  if (errors.length)
    throw unprocessable(
      "report.attachment_refused",
      `Attachment refused: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`,
      errors,
    );
  return out;
}

const aad = (id: string) => `report_attachments.content:${id}`;

export async function storeAttachments(
  q: Queryable,
  envelope: Envelope,
  reportId: string,
  files: CheckedAttachment[],
): Promise<void> {
  for (const f of files) {
    const id = ulid();
    await q.query(
      `INSERT INTO report_attachments (id, report_id, filename, content_type, size, sha256, content_enc)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        id,
        reportId,
        f.filename,
        f.contentType,
        f.bytes.length,
        createHash("sha256").update(f.bytes).digest("hex"),
        envelope.encrypt(f.bytes.toString("base64"), aad(id)),
      ],
    );
  }
}

export async function readAttachment(
  q: Queryable,
  envelope: Envelope,
  reportId: string,
  id: string,
): Promise<{ filename: string; contentType: string; bytes: Buffer; sha256: string }> {
  const r = (
    await q.query<{ filename: string; content_type: string; content_enc: string; sha256: string }>(
      "SELECT filename, content_type, content_enc, sha256 FROM report_attachments WHERE id = $1 AND report_id = $2",
      [id, reportId],
    )
  ).rows[0];
  if (!r) throw notFound("report.attachment_not_found", "No such attachment on this report");
  return {
    filename: r.filename,
    contentType: r.content_type,
    sha256: r.sha256,
    bytes: Buffer.from(envelope.decrypt(r.content_enc, aad(id)), "base64"),
  };
}

export const attachmentAad = aad;

/** Headers for a download that no browser renders or sniffs. */
export function downloadHeaders(filename: string): Record<string, string> {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/[\\"]/g, "_");
  return {
    "content-type": "application/octet-stream",
    "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    "x-content-type-options": "nosniff",
    "content-security-policy": "sandbox; default-src 'none'",
    "cache-control": "no-store",
  };
}
