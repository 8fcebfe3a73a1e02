import { requestFailure } from "../http/index.js";
import { ConnectorError } from "../kit.js";
import { ScimClientError } from "../scim/index.js";

/** Any error from a SCIM call as a ConnectorError. `what` names the operation. */
export function toConnectorError(err: unknown, what: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  if (!(err instanceof ScimClientError)) {
    const text = err instanceof Error ? err.message : String(err);
    return new ConnectorError("remote", `${what}: ${text}`, { cause: err });
  }
  const retryAfterMs = err.retryAfterSeconds === undefined ? undefined : err.retryAfterSeconds * 1000;
  const timing = retryAfterMs === undefined ? {} : { retryAfterMs };
  const detail = `${what}: ${err.detail}`.slice(0, 500);
  const s = err.status;
  if (s === 0) {
    // No HTTP answer: a transport failure (its cause says which), or the client's own stop.
    if (err.cause !== undefined) return requestFailure(err.cause, what);
    return new ConnectorError("remote", detail, { cause: err });
  }
  if (s === 401) {
    return new ConnectorError("auth", `${what}: the app refused the bearer token`, { cause: err });
  }
  if (s === 403) {
    return new ConnectorError("auth", `${what}: the token lacks the rights for this (${err.detail})`, {
      cause: err,
    });
  }
  if (s === 404) return new ConnectorError("not_found", detail, { cause: err });
  if (s === 409) return new ConnectorError("conflict", detail, { cause: err });
  if (s === 429) {
    return new ConnectorError("rate_limited", `${what}: the app is rate limiting (429)`, {
      cause: err,
      ...timing,
    });
  }
  if (s === 503) return new ConnectorError("unreachable", detail, { cause: err, ...timing });
  if (s >= 300 && s < 400) {
    return new ConnectorError(
      "invalid_config",
      `${what}: the app answered with a redirect (${s}); set baseUrl to the final address`,
      { cause: err },
    );
  }
  if (s === 412) return new ConnectorError("remote", detail, { cause: err, retryable: true });
  if (s >= 500) return new ConnectorError("remote", detail, { cause: err, retryable: true });
  return new ConnectorError("remote", detail, { cause: err });
}

/** Runs `fn`, turning whatever it throws into a ConnectorError. */
export async function scimOp<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toConnectorError(err, what);
  }
}

export const isStatus = (err: unknown, status: number) =>
  err instanceof ScimClientError && err.status === status;
