import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { NoTarget, ScimError as PatchLibraryError } from "scim-patch";
import { AppError } from "../../../platform/http/index.js";
import { ERROR_SCHEMA, SCIM_CONTENT_TYPE } from "./discovery.js";

/** The scimType values of RFC 7644 §3.12. */
export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

/** An error answered in the SCIM error schema. */
export class ScimError extends Error {
  constructor(
    public readonly status: number,
    public readonly scimType: ScimType | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = "ScimError";
  }
}

export const invalidValue = (detail: string) => new ScimError(400, "invalidValue", detail);
export const invalidFilter = (detail: string) => new ScimError(400, "invalidFilter", detail);
export const invalidSyntax = (detail: string) => new ScimError(400, "invalidSyntax", detail);
export const scimNotFound = (what: string, id: string) =>
  new ScimError(404, undefined, `${what} ${id} not found`);

export function scimErrorBody(status: number, scimType: ScimType | undefined, detail: string) {
  return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** People-service problems in SCIM terms. */
function fromAppError(e: AppError): ScimError {
  const detail = e.message;
  switch (e.code) {
    case "person.email_in_use":
      return new ScimError(409, "uniqueness", `userName is already in use: ${detail}`);
    case "person.employee_number_in_use":
      return new ScimError(409, "uniqueness", `employeeNumber is already in use: ${detail}`);
    case "person.not_found":
      return new ScimError(404, undefined, detail);
    case "person.version_mismatch":
      return new ScimError(412, undefined, "The resource changed since its ETag was read");
    case "person.attribute_owned":
      return new ScimError(400, "mutability", detail);
  }
  if (e.status === 422 || (e.status === 409 && e.code.startsWith("person."))) {
    return new ScimError(400, "invalidValue", detail);
  }
  if (e.status === 400) return new ScimError(400, "invalidValue", detail);
  return new ScimError(e.status, undefined, detail);
}

const wantsScim = (req: FastifyRequest) => /application\/scim\+json/i.test(String(req.headers.accept ?? ""));

/**
 * The error handler of the SCIM scope. Failures of the platform's access check (401/403)
 * stay problem+json unless the caller asks for application/scim+json, so every API client
 * sees one shape for "who are you"; everything else answers in the SCIM error schema.
 */
export function scimErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  let e: ScimError;
  if (err instanceof ScimError) e = err;
  else if (err instanceof AppError) {
    if (err.status === 401) reply.header("www-authenticate", 'Bearer realm="Tandem SCIM"');
    if ((err.status === 401 || err.status === 403) && !wantsScim(req)) throw err;
    e = fromAppError(err);
    for (const [k, v] of Object.entries(err.headers ?? {})) reply.header(k, v);
  } else if (err instanceof PatchLibraryError) {
    e = new ScimError(400, err instanceof NoTarget ? "noTarget" : "invalidPath", err.message);
  } else if (err.validation) {
    const issues = (err.validation as { instancePath?: string; message?: string }[])
      .map(
        (v) =>
          `${err.validationContext ?? "request"}${v.instancePath?.replace(/\//g, ".") ?? ""}: ${v.message}`,
      )
      .join("; ");
    e = new ScimError(400, "invalidValue", `Invalid request: ${issues}`);
  } else if (err.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || err.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    e = invalidSyntax("The body is not valid JSON");
  } else if (err instanceof SyntaxError) {
    e = invalidSyntax(`The body is not valid JSON: ${err.message}`);
  } else if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    e = new ScimError(415, undefined, "Send application/scim+json or application/json");
  } else if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    e = new ScimError(413, undefined, "The request body is larger than allowed");
  } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    // e.g. the rate limiter, which throws a problem object (with detail) rather than an Error
    const detail = err.message || (err as { detail?: string }).detail || "The request was refused";
    e = new ScimError(err.statusCode, undefined, detail);
  } else {
    req.log.error({ err }, "SCIM request failed");
    e = new ScimError(500, undefined, `Something went wrong on our side; request id ${req.id}`);
  }
  return reply
    .status(e.status)
    .type(SCIM_CONTENT_TYPE)
    .send(scimErrorBody(e.status, e.scimType, e.message));
}
