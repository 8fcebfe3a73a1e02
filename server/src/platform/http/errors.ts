/** A problem the client caused or must know about, rendered as RFC 9457 problem+json. */
export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly errors?: FieldError[],
    public readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (code: string, message: string, errors?: FieldError[]) =>
  new AppError(400, code, message, errors);
export const unprocessable = (code: string, message: string, errors?: FieldError[]) =>
  new AppError(422, code, message, errors);
export const unauthorized = (
  code = "auth.unauthenticated",
  message = "Sign in or present a valid API token",
) => new AppError(401, code, message);
export const forbidden = (code = "auth.forbidden", message = "You do not have permission for this") =>
  new AppError(403, code, message);
export const notFound = (code: string, message = "Not found") => new AppError(404, code, message);
export const conflict = (code: string, message: string, field?: string) =>
  new AppError(409, code, message, field ? [{ path: field, message }] : undefined);
export const tooMany = (code: string, message: string, retryAfterSeconds: number) =>
  new AppError(429, code, message, undefined, {
    "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
}

export function problem(status: number, code: string, detail: string, errors?: FieldError[]): Problem {
  return {
    type: `https://tandem.dev/problems/${code}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    ...(errors?.length ? { errors } : {}),
  };
}
