import { ApiError } from "../../api/client";

/** A problem's field error with its path made plain: "body.config.url" / "/body/config/url" → "config.url". */
export interface PathError {
  path: string;
  message: string;
}

function normalise(path: string): string {
  return path
    .split(/[./[\]]+/)
    .filter((part) => part.length > 0)
    .filter((part, i) => !(i === 0 && part === "body"))
    .join(".");
}

export function pathErrors(error: unknown): PathError[] {
  if (!(error instanceof ApiError)) return [];
  return (error.problem.errors ?? []).map((e) => ({ path: normalise(e.path), message: e.message }));
}

/**
 * Errors under a prefix, keyed by the rest of their path: for "config", "config.url" → "url";
 * for "entitlements", "entitlements.2.entitlementId" → "2.entitlementId". The first message wins.
 */
export function errorsUnder(error: unknown, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of pathErrors(error)) {
    if (e.path === prefix) out[""] ??= e.message;
    else if (e.path.startsWith(`${prefix}.`)) out[e.path.slice(prefix.length + 1)] ??= e.message;
  }
  return out;
}

/** The key ErrorAlert's `shownFields` compares with: the last non-index segment of the path. */
export function shownKey(path: string): string {
  const parts = path.split(".").filter((p) => !/^\d+$/.test(p));
  return parts[parts.length - 1] ?? "";
}
