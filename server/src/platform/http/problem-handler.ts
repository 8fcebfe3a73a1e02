import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AppError, type FieldError, problem } from "./errors.js";

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: { keys?: string[]; issue?: { path?: PropertyKey[]; message?: string; keys?: string[] } };
}

function fieldErrors(err: FastifyError): FieldError[] {
  const ctx = err.validationContext ?? "body";
  return ((err.validation ?? []) as ValidationIssue[]).flatMap((v) => {
    const issue = v.params?.issue;
    const base =
      issue?.path?.map(String).join(".") || v.instancePath?.replace(/^\//, "").replace(/\//g, ".") || "";
    const unknownKeys = issue?.keys ?? v.params?.keys;
    if (unknownKeys?.length) {
      return unknownKeys.map((k) => ({
        path: [ctx, base, k].filter(Boolean).join("."),
        message: "unknown field",
      }));
    }
    return [
      { path: [ctx, base].filter(Boolean).join("."), message: issue?.message ?? v.message ?? "invalid" },
    ];
  });
}

/** Every error leaves as application/problem+json with a stable code; never a stack trace. */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let status = 500;
    let body = problem(
      500,
      "server.error",
      "Something went wrong on our side; the request id helps us find it",
    );
    if (err instanceof AppError) {
      status = err.status;
      body = problem(err.status, err.code, err.message, err.errors);
      for (const [k, v] of Object.entries(err.headers ?? {})) reply.header(k, v);
    } else if (hasZodFastifySchemaValidationErrors(err) || err.validation) {
      const errors = fieldErrors(err);
      status = 400;
      body = problem(
        400,
        "request.invalid",
        `Invalid request: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`,
        errors,
      );
    } else if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      status = 413;
      body = problem(413, "request.too_large", "The request body is larger than allowed");
    } else if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      status = 415;
      body = problem(415, "request.unsupported_media_type", "Send application/json");
    } else if (err.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || err.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
      status = 400;
      body = problem(400, "request.malformed_json", "The body is not valid JSON");
    } else if (err instanceof SyntaxError || err.statusCode === 400) {
      status = 400;
      body = problem(400, "request.malformed", err.message);
    } else if (err.statusCode === 429) {
      status = 429;
      body = problem(429, "request.rate_limited", "Too many requests; slow down");
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      body = problem(status, "request.rejected", err.message);
    }
    if (status >= 500) req.log.error({ err }, "request failed");
    reply
      .status(status)
      .type("application/problem+json")
      .send({ ...body, instance: req.url.split("?")[0], requestId: req.id });
  });
}
