/** One entry of the `errors` array of an RFC 9457 problem document. */
export interface ProblemFieldError {
  path: string;
  message: string;
}

/** The RFC 9457 problem document the Tandem server sends for every error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: ProblemFieldError[];
}

/** Thrown by the API client for every non-2xx answer (and for network failures, with status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** Seconds from the Retry-After header, when the server sent one (429, 503). */
  readonly retryAfter: number | null;

  constructor(problem: Problem, retryAfter: number | null = null) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  /** Per-field messages keyed by the last segment of each error path ("/body/email" → "email"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const entry of this.problem.errors ?? []) {
      const key = lastPathSegment(entry.path);
      if (key && !(key in out)) out[key] = entry.message;
    }
    return out;
  }
}

/** "body.email" → "email"; "/body/allowedDomains/1" → "allowedDomains" (array indexes are skipped). */
function lastPathSegment(path: string): string {
  const parts = path.split(/[./[\]]+/).filter((p) => p.length > 0 && p !== "body" && !/^\d+$/.test(p));
  return parts[parts.length - 1] ?? "";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function parseFieldErrors(value: unknown): ProblemFieldError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: ProblemFieldError[] = [];
  for (const item of value) {
    if (isRecord(item) && typeof item.message === "string") {
      out.push({ path: typeof item.path === "string" ? item.path : "", message: item.message });
    }
  }
  return out;
}

/** Builds a Problem from whatever the server answered, tolerating non-problem bodies. */
export function toProblem(status: number, statusText: string, body: unknown): Problem {
  const fallbackTitle = statusText || `Request failed (${status})`;
  if (!isRecord(body)) {
    return { type: "about:blank", title: fallbackTitle, status };
  }
  return {
    type: typeof body.type === "string" ? body.type : "about:blank",
    title: typeof body.title === "string" ? body.title : fallbackTitle,
    status: typeof body.status === "number" ? body.status : status,
    detail: typeof body.detail === "string" ? body.detail : undefined,
    code: typeof body.code === "string" ? body.code : undefined,
    errors: parseFieldErrors(body.errors),
  };
}

/** Parses a Retry-After header (delta-seconds or HTTP date) into seconds from now. */
export function parseRetryAfter(header: string | null): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** A short human sentence for any error thrown while talking to the server. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const wait = error.retryAfter !== null ? ` Try again in ${formatWait(error.retryAfter)}.` : "";
      return `${error.problem.detail ?? "Too many attempts."}${wait}`;
    }
    if (error.status === 0) return "The server could not be reached. Check your connection and try again.";
    return error.problem.detail ?? error.problem.title;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
