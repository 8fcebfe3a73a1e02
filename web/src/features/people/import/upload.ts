import { ApiError, toProblem } from "../../../api/errors";
import type { ImportResult } from "../types";

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** An import the server refused (422: the file has errors) or stopped (409), with its full result. */
export class ImportRefused extends ApiError {
  readonly result: ImportResult | null;
  constructor(error: ApiError, result: ImportResult | null) {
    super(error.problem, error.retryAfter);
    this.result = result;
  }
}

export interface SendOptions {
  mode: "preview" | "apply";
  file: Blob;
  fileName: string;
  /** CSV header → field, for headers that are not already field names. */
  mapping: Record<string, string>;
  createMissingOrg: boolean;
  csrfToken: string | null;
  /** Fraction of the file sent so far (0…1). */
  onUpload: (fraction: number) => void;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * POSTs the CSV file to /api/v1/people/import/{preview,apply}. This one call uses
 * XMLHttpRequest instead of the generated fetch client, because only XHR reports upload
 * progress, and a 50 MB file takes a while on a slow link. The answer is typed from the
 * OpenAPI document all the same; the original bytes are sent, so the server sees the file
 * exactly as exported (its UTF-8 and BOM checks name the line at fault).
 */
export function sendImport(opts: SendOptions): Promise<ImportResult> {
  const query = new URLSearchParams({ fileName: opts.fileName.slice(0, 255) });
  if (Object.keys(opts.mapping).length > 0) query.set("mapping", JSON.stringify(opts.mapping));
  if (opts.createMissingOrg) query.set("createMissingOrg", "true");
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/people/import/${opts.mode}?${query}`);
    xhr.setRequestHeader("content-type", "text/csv; charset=utf-8");
    xhr.setRequestHeader("accept", "application/json");
    if (opts.csrfToken) xhr.setRequestHeader("x-csrf-token", opts.csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) opts.onUpload(event.loaded / event.total);
    };
    xhr.upload.onload = () => opts.onUpload(1);
    xhr.onerror = () =>
      reject(
        new ApiError({
          type: "about:blank",
          title: "Network error",
          status: 0,
          detail: "The upload failed.",
        }),
      );
    xhr.onload = () => {
      const body = parse(xhr.responseText);
      if (xhr.status === 200 && body) {
        resolve(body as ImportResult);
        return;
      }
      const error = new ApiError(toProblem(xhr.status, xhr.statusText, body));
      const result =
        body && typeof body === "object" && "result" in body
          ? ((body as { result: ImportResult }).result ?? null)
          : null;
      reject(new ImportRefused(error, result));
    };
    xhr.send(opts.file);
  });
}
