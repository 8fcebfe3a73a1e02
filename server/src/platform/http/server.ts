import cookie from "@fastify/cookie";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { type Access, rolesWith } from "../authz/index.js";
import type { Config } from "../config/index.js";
import { ulid } from "../ids/index.js";
import type { Logger } from "../log/index.js";
import type { Metrics } from "../metrics/index.js";
import { problem } from "./errors.js";
import { installProblemHandler } from "./problem-handler.js";
import "./types.js";

export type App = FastifyInstance;

/** Routes that need no `access` declaration: operational endpoints and static files. */
const OPEN_PREFIXES = ["/healthz", "/readyz", "/metrics", "/api/openapi.json", "/api/docs"];

/** One registered route: its declared access (if any) and whether the API document hides it. */
export interface RouteEntry {
  method: string;
  url: string;
  access?: Access;
  hidden: boolean;
}

const registries = new WeakMap<object, Map<string, RouteEntry>>();

/** Every route of an app keyed "METHOD url" (filled as routes register), e.g. for the route × role matrix test. */
export function routeRegistry(app: FastifyInstance): ReadonlyMap<string, RouteEntry> {
  return registries.get(app) ?? new Map();
}

/** What the rendered API docs say about who may call a route. */
function describeAccess(access: Access): string {
  if (access === "public") return "Access: public.";
  if (access === "authenticated") return "Access: any signed-in user.";
  const roles = rolesWith(access.permission);
  return `Access: needs the \`${access.permission}\` permission${roles.length ? ` (roles: ${roles.join(", ")})` : ""}; an API token needs it as a scope.`;
}

export interface HttpOptions {
  config: Config;
  log: Logger;
  metrics: Metrics;
}

export async function createHttpServer({ config, log, metrics }: HttpOptions) {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    genReqId: () => ulid(),
    requestIdHeader: false,
    bodyLimit: config.TANDEM_BODY_LIMIT_BYTES,
    trustProxy: false,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installProblemHandler(app);

  // Every API route must say who may call it; a route without a declaration cannot start.
  // The declaration is recorded per app and shown in the OpenAPI document.
  const registry = new Map<string, RouteEntry>();
  registries.set(app, registry);
  app.addHook("onRoute", (route) => {
    const url = route.url;
    const access = route.config?.access;
    for (const method of [route.method].flat()) {
      registry.set(`${method} ${url}`, { method, url, access, hidden: !!route.schema?.hide });
    }
    if (!(url.startsWith("/api/") || url.startsWith("/scim/"))) return;
    if (OPEN_PREFIXES.some((p) => url.startsWith(p))) return;
    if (!access) throw new Error(`Route ${route.method} ${url} declares no access policy`);
    const schema = route.schema as Record<string, unknown> | undefined;
    if (schema && !schema.hide && !schema["x-tandem-access"]) {
      const note = describeAccess(access);
      schema["x-tandem-access"] = access;
      schema.description = schema.description ? `${schema.description}\n\n${note}` : note;
      schema.security = access === "public" ? [] : [{ session: [] }, { token: [] }];
    }
  });

  app.addHook("onRequest", async (req, reply) => {
    reply.header("x-request-id", req.id);
    req.auditCtx = {
      ip: req.ip,
      userAgent: req.headers["user-agent"]?.slice(0, 300) ?? null,
      requestId: req.id,
    };
  });

  app.addHook("onResponse", async (req, reply) => {
    metrics.httpDuration
      .labels(req.method, req.routeOptions.url ?? "unmatched", String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    hsts: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: "no-referrer" },
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: true,
    max: config.TANDEM_RATE_LIMIT_PER_MINUTE,
    timeWindow: "1 minute",
    allowList: (req) => OPEN_PREFIXES.some((p) => req.url.startsWith(p)),
    errorResponseBuilder: (_req, ctx) => ({
      ...problem(429, "request.rate_limited", `Too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
      statusCode: 429,
    }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tandem API",
        version: "1",
        description:
          "HR and IT/Security run the people side of security together. Authenticate with the session cookie (plus the `x-csrf-token` header on changes) or with `Authorization: Bearer tdm_…` API tokens.",
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "tandem_session" },
          token: { type: "http", scheme: "bearer" },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  app.setNotFoundHandler((req, reply) => {
    reply
      .status(404)
      .type("application/problem+json")
      .send({
        ...problem(404, "route.not_found", `No route ${req.method} ${req.url.split("?")[0]}`),
        requestId: req.id,
      });
  });

  return app;
}

export type TypedApp = Awaited<ReturnType<typeof createHttpServer>>;
