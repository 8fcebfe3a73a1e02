import { ApiError, parseRetryAfter, toProblem } from "../../api/errors";
import type { paths } from "../../api/schema";
import type { Body, Ok } from "../../api/types";

type AnonymousPath =
  | "/api/v1/reports/anonymous"
  | "/api/v1/reports/follow-up"
  | "/api/v1/reports/follow-up/messages";

/**
 * Calls an anonymous reporting route without anything that could identify the sender: no
 * cookie, no CSRF token (fetching one would open a session that records the address), no
 * referrer. The server ignores credentials on these routes anyway.
 */
export async function anonymousPost<P extends AnonymousPath>(
  path: P,
  body: Body<P, "post">,
): Promise<Ok<P, "post">> {
  let response: Response;
  try {
    response = await fetch(path satisfies keyof paths, {
      method: "POST",
      credentials: "omit",
      referrerPolicy: "no-referrer",
      cache: "no-store",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : "Network error";
    throw new ApiError({ type: "about:blank", title: "Network error", status: 0, detail: message });
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok)
    throw new ApiError(
      toProblem(response.status, response.statusText, json),
      parseRetryAfter(response.headers.get("retry-after")),
    );
  return json as Ok<P, "post">;
}
