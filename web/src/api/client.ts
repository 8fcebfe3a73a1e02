import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, parseRetryAfter, toProblem } from "./errors";
import type { paths } from "./schema";

export { ApiError } from "./errors";

type CsrfSource = () => Promise<string | null>;

let csrfSource: CsrfSource = async () => null;

/** The app tells the client where the current CSRF token lives (the query cache). */
export function setCsrfSource(source: CsrfSource): void {
  csrfSource = source;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const csrfMiddleware: Middleware = {
  async onRequest({ request }) {
    if (SAFE_METHODS.has(request.method)) return undefined;
    const token = await csrfSource();
    if (token) request.headers.set("x-csrf-token", token);
    return request;
  },
};

const problemMiddleware: Middleware = {
  async onResponse({ response }) {
    if (response.ok) return undefined;
    let body: unknown = null;
    const text = await response.clone().text();
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    const problem = toProblem(response.status, response.statusText, body);
    throw new ApiError(problem, parseRetryAfter(response.headers.get("retry-after")));
  },
  onError({ error }) {
    const message = error instanceof Error ? error.message : "Network error";
    return new ApiError({ type: "about:blank", title: "Network error", status: 0, detail: message });
  },
};

/** Typed client generated from web/src/api/openapi.json; errors are thrown as ApiError. */
export const api = createClient<paths>({
  baseUrl: "",
  credentials: "same-origin",
  headers: { accept: "application/json" },
});
api.use(csrfMiddleware, problemMiddleware);

/** For responses with a body: the middleware throws on errors, so data is always present here. */
export function expectData<T>(result: { data?: T; response: Response }): T {
  if (result.data === undefined) {
    throw new ApiError(
      toProblem(result.response.status, result.response.statusText, { detail: "The server sent no data." }),
    );
  }
  return result.data;
}
