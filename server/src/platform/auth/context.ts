import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config/index.js";
import type { Envelope } from "../crypto/index.js";
import type { Db } from "../db/index.js";
import type { TypedApp } from "../http/index.js";
import type { AuthService } from "./service.js";
import { createSession, deleteSession, SESSION_COOKIE, type SessionStage } from "./sessions.js";

export interface AuthRouteDeps {
  app: TypedApp;
  db: Db;
  envelope: Envelope;
  config: Config;
  auth: AuthService;
}

/** Starts a new session (a fresh id on every stage change, so a planted cookie is useless). */
export async function startSession(
  deps: Pick<AuthRouteDeps, "db" | "config">,
  req: FastifyRequest,
  reply: FastifyReply,
  userId: string | null,
  stage: SessionStage,
): Promise<string> {
  const { db, config } = deps;
  if (req.session) await deleteSession(db, req.session.token);
  const ttlMinutes = stage === "full" ? config.TANDEM_SESSION_TTL_HOURS * 60 : 15;
  const s = await createSession(db, {
    userId,
    stage,
    ip: req.ip,
    userAgent: req.headers["user-agent"]?.slice(0, 300),
    ttlMinutes,
  });
  reply.setCookie(SESSION_COOKIE, s.token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.secureCookies,
    maxAge: ttlMinutes * 60,
  });
  return s.csrfToken;
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean) {
  reply.clearCookie(SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "lax", secure });
}

export function requireIdentity(req: FastifyRequest) {
  if (!req.identity) throw new Error("route declared authenticated access but has no identity");
  return req.identity;
}
