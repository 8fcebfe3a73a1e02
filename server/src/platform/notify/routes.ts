import { z } from "zod";
import { appendAudit } from "../audit/index.js";
import type { Envelope } from "../crypto/index.js";
import type { Db } from "../db/index.js";
import { AppError, badRequest, decodeCursor, encodeCursor, notFound, type TypedApp } from "../http/index.js";
import {
  DeliveryError,
  saveWebhookUrl,
  WEBHOOKS,
  webhookConfigured,
  webhookUrl,
  webhookUrlProblem,
} from "./channels.js";
import type { Notifier } from "./notifier.js";

const tags = ["notifications"];
const SETTINGS = { permission: "settings:manage" } as const;

const notificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  severity: z.enum(["critical", "high", "normal", "low"]),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

const prefsSchema = z.object({
  digest: z.enum(["hourly", "daily", "off"]),
  /** E-mail for real-time (critical) notifications, per kind; absent = on. */
  email: z.record(z.string().max(80), z.boolean()),
  kinds: z.array(z.object({ kind: z.string(), label: z.string() })),
});

const settingsSchema = z.object({
  email: z.object({ configured: z.boolean(), from: z.string() }),
  slack: z.object({ configured: z.boolean() }),
  teams: z.object({ configured: z.boolean() }),
});

const webhookInput = z
  .string()
  .trim()
  .max(2000)
  .superRefine((v, ctx) => {
    const p = webhookUrlProblem(v);
    if (p) ctx.addIssue({ code: "custom", message: p });
  })
  .nullable()
  .optional();

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function me(req: { identity?: { userId: string } }): string {
  if (!req.identity) throw new Error("route declared access but has no identity");
  return req.identity.userId;
}

/** The inbox, preferences and the admin's channel settings. */
export function notifyRoutes(app: TypedApp, db: Db, envelope: Envelope, notifier: Notifier): void {
  app.get(
    "/api/v1/notifications",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "My in-app notifications, newest first",
        querystring: z
          .object({
            unread: z.enum(["true", "false"]).optional(),
            q: z.string().trim().max(200).optional(),
            limit: z.coerce.number().int().min(1).max(100).default(25),
            cursor: z.string().max(500).optional(),
          })
          .strict(),
        response: {
          200: z.object({
            items: z.array(notificationSchema),
            unread: z.number(),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (req) => {
      const user = me(req);
      const after = decodeCursor(req.query.cursor, z.object({ at: z.string(), id: z.string() }));
      const r = await db.query<{
        id: string;
        kind: string;
        severity: "critical";
        title: string;
        body: string;
        link: string | null;
        created_at: Date;
        read_at: Date | null;
      }>(
        `SELECT n.id, n.kind, n.severity, n.title, n.body, n.link, n.created_at, r.read_at
         FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
         WHERE r.user_id = $1 AND ($2::boolean IS NOT TRUE OR r.read_at IS NULL)
           AND ($3::text IS NULL OR n.title ILIKE '%' || $3 || '%')
           AND ($4::timestamptz IS NULL OR (n.created_at, n.id) < ($4::timestamptz, $5))
         ORDER BY n.created_at DESC, n.id DESC LIMIT $6`,
        [
          user,
          req.query.unread === "true",
          req.query.q ?? null,
          after?.at ?? null,
          after?.id ?? "",
          req.query.limit + 1,
        ],
      );
      const unread = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM notification_recipients WHERE user_id = $1 AND read_at IS NULL",
        [user],
      );
      const more = r.rows.length > req.query.limit;
      const rows = r.rows.slice(0, req.query.limit);
      const last = rows[rows.length - 1];
      return {
        items: rows.map((n) => ({
          id: n.id,
          kind: n.kind,
          severity: n.severity,
          title: n.title,
          body: n.body,
          link: n.link,
          createdAt: iso(n.created_at) as string,
          readAt: iso(n.read_at),
        })),
        unread: unread.rows[0]?.n ?? 0,
        nextCursor: more && last ? encodeCursor({ at: iso(last.created_at) as string, id: last.id }) : null,
      };
    },
  );

  app.post(
    "/api/v1/notifications/:id/read",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Mark one of my notifications read",
        params: z.object({ id: z.string().min(1).max(40) }).strict(),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      const r = await db.query(
        "UPDATE notification_recipients SET read_at = COALESCE(read_at, now()) WHERE notification_id = $1 AND user_id = $2",
        [req.params.id, me(req)],
      );
      if (!r.rowCount) throw notFound("notification.not_found", "No such notification in your inbox");
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/api/v1/notifications/read-all",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Mark all my notifications read",
        response: { 200: z.object({ marked: z.number() }) },
      },
    },
    async (req) => {
      const r = await db.query(
        "UPDATE notification_recipients SET read_at = now() WHERE user_id = $1 AND read_at IS NULL",
        [me(req)],
      );
      return { marked: r.rowCount };
    },
  );

  async function loadPrefs(user: string) {
    const r = await db.query<{ digest: "daily"; email_kinds: Record<string, boolean> | string }>(
      "SELECT digest, email_kinds FROM notification_prefs WHERE user_id = $1",
      [user],
    );
    const row = r.rows[0];
    const email = row
      ? typeof row.email_kinds === "string"
        ? JSON.parse(row.email_kinds)
        : row.email_kinds
      : {};
    return { digest: row?.digest ?? ("daily" as const), email, kinds: notifier.listKinds() };
  }

  app.get(
    "/api/v1/notifications/preferences",
    {
      config: { access: "authenticated" },
      schema: { tags, summary: "My notification preferences", response: { 200: prefsSchema } },
    },
    async (req) => loadPrefs(me(req)),
  );

  app.put(
    "/api/v1/notifications/preferences",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Change my digest frequency and which real-time alerts also come by e-mail",
        body: z
          .object({
            digest: z.enum(["hourly", "daily", "off"]),
            email: z.record(z.string().max(80), z.boolean()),
          })
          .strict(),
        response: { 200: prefsSchema },
      },
    },
    async (req) => {
      const known = new Set(notifier.listKinds().map((k) => k.kind));
      const unknown = Object.keys(req.body.email).filter((k) => !known.has(k));
      if (unknown.length)
        throw badRequest(
          "notification.unknown_kind",
          "No such notification kind",
          unknown.map((k) => ({ path: `email.${k}`, message: "unknown kind" })),
        );
      const user = me(req);
      await db.tx(async (q) => {
        await q.query(
          `INSERT INTO notification_prefs (user_id, digest, email_kinds, updated_at) VALUES ($1,$2,$3,now())
           ON CONFLICT (user_id) DO UPDATE SET digest = $2, email_kinds = $3, updated_at = now()`,
          [user, req.body.digest, JSON.stringify(req.body.email)],
        );
        await appendAudit(q, req.auditCtx, {
          action: "notification.preferences_changed",
          targetType: "user",
          targetId: user,
          details: {
            digest: req.body.digest,
            emailOff: Object.keys(req.body.email).filter((k) => !req.body.email[k]),
          },
        });
      });
      return loadPrefs(user);
    },
  );

  async function settings() {
    return {
      email: { configured: notifier.channels.emailConfigured, from: notifier.channels.mailFrom },
      slack: { configured: await webhookConfigured(db, "slack") },
      teams: { configured: await webhookConfigured(db, "teams") },
    };
  }

  app.get(
    "/api/v1/settings/notifications",
    {
      config: { access: SETTINGS },
      schema: {
        tags,
        summary: "Notification channels (webhook URLs are write-only)",
        response: { 200: settingsSchema },
      },
    },
    async () => settings(),
  );

  app.put(
    "/api/v1/settings/notifications",
    {
      config: { access: SETTINGS },
      schema: {
        tags,
        summary: "Set (a URL) or remove (null) the Slack and Teams incoming webhooks; omitted keeps",
        body: z.object({ slackUrl: webhookInput, teamsUrl: webhookInput }).strict(),
        response: { 200: settingsSchema },
      },
    },
    async (req) => {
      await db.tx(async (q) => {
        const changed: string[] = [];
        for (const [w, v] of [
          ["slack", req.body.slackUrl],
          ["teams", req.body.teamsUrl],
        ] as const) {
          if (v === undefined) continue;
          await saveWebhookUrl(q, envelope, w, v || null);
          changed.push(`${w}:${v ? "set" : "removed"}`);
        }
        await appendAudit(q, req.auditCtx, {
          action: "settings.notifications_changed",
          targetType: "settings",
          targetId: "notifications",
          details: { changed },
        });
      });
      return settings();
    },
  );

  app.post(
    "/api/v1/settings/notifications/test",
    {
      config: { access: SETTINGS },
      schema: {
        tags,
        summary: "Send a test message now through one channel (e-mail goes to you)",
        body: z.object({ channel: z.enum(["email", ...WEBHOOKS]) }).strict(),
        response: { 200: z.object({ ok: z.boolean(), error: z.string().nullable() }) },
      },
    },
    async (req) => {
      const who = req.identity as { email: string; userId: string };
      const m = {
        title: "Test message from Tandem",
        body: "If you can read this, the channel works.",
        link: notifier.link("/"),
        severity: "low",
      };
      let error: string | null = null;
      try {
        if (req.body.channel === "email") {
          if (!notifier.channels.emailConfigured)
            throw new AppError(
              409,
              "notification.email_not_configured",
              "Set TANDEM_SMTP_URL to send e-mail",
            );
          await notifier.channels.email(who.email, `[Tandem] ${m.title}`, m.body);
        } else {
          const url = await webhookUrl(db, envelope, req.body.channel);
          if (!url)
            throw new AppError(
              409,
              "notification.webhook_not_configured",
              `No ${req.body.channel} webhook is set`,
              [{ path: "channel", message: "not configured" }],
            );
          await notifier.channels.webhook(req.body.channel, url, m);
        }
      } catch (err) {
        if (!(err instanceof DeliveryError)) throw err;
        error = err.message;
      }
      await db.tx((q) =>
        appendAudit(q, req.auditCtx, {
          action: "notification.test_sent",
          targetType: "channel",
          targetId: req.body.channel,
          outcome: error ? "failure" : "success",
          details: { channel: req.body.channel, kind: "test", error },
        }),
      );
      return { ok: !error, error };
    },
  );
}
