import type { FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Config } from "../../../platform/config/index.js";
import type { Db } from "../../../platform/db/index.js";
import type { Events } from "../../../platform/events/index.js";
import type { TypedApp } from "../../../platform/http/index.js";
import { renderMarkdown } from "../markdown.js";
import type { FilterSettings, RequestFacts } from "./filters.js";
import { CONFIRM_JS, gonePage, lessonPage, loginPage, notFoundPage, PIXEL } from "./landing.js";
import { findTarget, type Target, track } from "./tracking.js";

/** Largest body drained (and thrown away unread) from a posted look-alike form. */
const DISCARD_LIMIT = 64 * 1024;

export interface TrackingRouteDeps {
  app: TypedApp;
  db: Db;
  events: Events;
  config: Config;
  filters: FilterSettings;
}

const facts = (req: FastifyRequest): RequestFacts => ({
  method: req.method,
  ip: req.ip,
  headers: req.headers,
});
const tokenParams = z.object({ token: z.string().max(200) }).strict();

/**
 * The recipient's side, served without a session: the open pixel, the link, the browser's
 * confirmation, the look-alike form and the teachable moment. The token in the path is the
 * only credential (no cookie, CSRF or API token is looked at), and each route is rate-limited
 * per source address.
 */
export function trackingRoutes(deps: TrackingRouteDeps) {
  const { db, events, config, filters } = deps;
  const reportAddress = config.TANDEM_REPORT_ADDRESSES.split(",")[0]?.trim() ?? "";
  const route = {
    access: "public",
    ownBearer: true,
    rateLimit: { max: config.TANDEM_RATE_LIMIT_PER_MINUTE, timeWindow: "1 minute" },
  } as const;

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
      .status(status)
      .header("cache-control", "no-store")
      .header("x-robots-tag", "noindex, nofollow")
      .type("text/html; charset=utf-8")
      .send(body);

  const lesson = (t: Target, script: boolean) =>
    lessonPage(
      {
        lessonHtml: renderMarkdown(t.lesson_md),
        reportAddress,
        trainingUrl: `${config.publicUrl}/awareness`,
        reportUrl: `${config.publicUrl}/reports/new`,
        submitted: t.landing_kind === "login",
      },
      { script },
    );

  deps.app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    // The look-alike form's body is drained and thrown away unread: whatever a person typed
    // is never parsed, logged or stored. The confirmation carries nothing in its body either.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, payload, done) => {
      let size = 0;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        done(null, undefined);
      };
      payload.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > DISCARD_LIMIT) payload.destroy();
      });
      payload.on("end", finish);
      payload.on("close", finish);
      payload.on("error", finish);
    });

    scope.get("/t/confirm.js", { config: route, schema: { hide: true } }, async (_req, reply) =>
      reply
        .header("cache-control", "public, max-age=3600")
        .type("application/javascript; charset=utf-8")
        .send(CONFIRM_JS),
    );

    scope.get(
      "/t/o/:token",
      { config: route, schema: { hide: true, params: tokenParams } },
      async (req, reply) => {
        const token = req.params.token.replace(/\.gif$/, "");
        const r = await track(db, { events, filters }, "open", token, facts(req));
        return reply
          .status(r.outcome === "unknown" ? 404 : r.outcome === "expired" ? 410 : 200)
          .header("cache-control", "no-store")
          .type("image/gif")
          .send(PIXEL);
      },
    );

    scope.get(
      "/t/c/:token",
      { config: route, schema: { hide: true, params: tokenParams } },
      async (req, reply) => {
        const r = await track(db, { events, filters }, "click", req.params.token, facts(req));
        if (r.outcome === "unknown" || !r.target) return html(reply, 404, notFoundPage());
        if (r.outcome === "expired") return html(reply, 410, gonePage());
        const t = r.target;
        return html(
          reply,
          200,
          t.landing_kind === "login" ? loginPage(req.params.token, t.landing_title) : lesson(t, true),
        );
      },
    );

    scope.post(
      "/t/c/:token/confirm",
      {
        config: route,
        schema: {
          hide: true,
          params: tokenParams,
          querystring: z
            .object({ via: z.enum(["interaction", "visible"]).optional(), wd: z.literal("1").optional() })
            .strict(),
        },
      },
      async (req, reply) => {
        const r = await track(db, { events, filters }, "confirm", req.params.token, facts(req), {
          via: req.query.via ?? "unknown",
          webdriver: req.query.wd === "1",
        });
        return reply.status(r.outcome === "unknown" ? 404 : r.outcome === "expired" ? 410 : 204).send();
      },
    );

    scope.post(
      "/t/s/:token",
      { config: route, schema: { hide: true, params: tokenParams } },
      async (req, reply) => {
        const r = await track(db, { events, filters }, "submit", req.params.token, facts(req));
        if (r.outcome === "unknown") return html(reply, 404, notFoundPage());
        if (r.outcome === "expired") return html(reply, 410, gonePage());
        return reply.status(303).header("location", `../l/${req.params.token}`).send();
      },
    );

    scope.get(
      "/t/l/:token",
      { config: route, schema: { hide: true, params: tokenParams } },
      async (req, reply) => {
        const t = await findTarget(db, req.params.token);
        if (!t) return html(reply, 404, notFoundPage());
        if (t.expired) return html(reply, 410, gonePage());
        return html(reply, 200, lesson(t, false));
      },
    );
  });
}
