import { ResultCodeError } from "ldapts";
import { ConnectorError, transportError } from "../kit.js";

/** LDAP result codes (RFC 4511 §4.1.9) this connector treats specially. */
export const LDAP = {
  timeLimitExceeded: 3,
  adminLimitExceeded: 11,
  strongerAuthRequired: 8,
  confidentialityRequired: 13,
  noSuchAttribute: 16,
  typeOrValueExists: 20,
  noSuchObject: 32,
  invalidDnSyntax: 34,
  inappropriateAuthentication: 48,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  busy: 51,
  unavailable: 52,
  objectClassViolation: 65,
  entryAlreadyExists: 68,
} as const;

export const resultCode = (err: unknown): number | undefined =>
  err instanceof ResultCodeError ? err.code : undefined;

/** Messages ldapts gives when the connection itself failed. */
const CONNECTION_MESSAGES =
  /Connection (closed|timeout)|Socket (error|connection not established)|timed out/i;

/** Any error from an LDAP operation as a ConnectorError. `what` names the operation. */
export function toConnectorError(err: unknown, what: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const transport = transportError(err, what);
  if (transport) return transport;
  const text = err instanceof Error ? err.message : String(err);
  const code = resultCode(err);
  if (code === undefined) {
    if (CONNECTION_MESSAGES.test(text)) {
      return new ConnectorError("unreachable", `${what}: connection to the directory failed`, { cause: err });
    }
    return new ConnectorError("remote", `${what}: ${text}`, { cause: err });
  }
  const detail = `${what}: ${text}`;
  switch (code) {
    case LDAP.invalidCredentials:
    case LDAP.inappropriateAuthentication:
      return new ConnectorError("auth", `${what}: the directory refused the bind DN or password`, {
        cause: err,
      });
    case LDAP.insufficientAccessRights:
      return new ConnectorError("auth", `${what}: the bind account lacks the rights for this`, {
        cause: err,
      });
    case LDAP.strongerAuthRequired:
    case LDAP.confidentialityRequired:
      return new ConnectorError(
        "invalid_config",
        `${what}: the directory requires TLS (use ldaps:// or startTls)`,
        {
          cause: err,
        },
      );
    case LDAP.noSuchObject:
      return new ConnectorError("not_found", detail, { cause: err });
    case LDAP.entryAlreadyExists:
    case LDAP.typeOrValueExists:
      return new ConnectorError("conflict", detail, { cause: err });
    case LDAP.busy:
    case LDAP.adminLimitExceeded:
      return new ConnectorError("rate_limited", detail, { cause: err });
    case LDAP.unavailable:
      return new ConnectorError("unreachable", detail, { cause: err });
    case LDAP.timeLimitExceeded:
      return new ConnectorError("remote", detail, { cause: err, retryable: true });
    default:
      return new ConnectorError("remote", detail, { cause: err });
  }
}
