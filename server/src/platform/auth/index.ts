import type { AuthRouteDeps } from "./context.js";
import { installAuthHook } from "./hook.js";
import { adminRoutes } from "./routes-admin.js";
import { meRoutes } from "./routes-me.js";
import { sessionRoutes } from "./routes-session.js";

export { ensureFirstAdmin, FIRST_ADMIN_EMAIL } from "./bootstrap.js";
export type { AuthRouteDeps } from "./context.js";
export { hashPassword, passwordProblem, verifyPassword } from "./password.js";
export { type AuthService, createAuthService } from "./service.js";
export { deleteSessionsOf, purgeExpiredSessions, SESSION_COOKIE } from "./sessions.js";
export { createApiToken, revokeApiToken, revokeTokensOf, TOKEN_PREFIX } from "./tokens.js";
export { totpNow } from "./totp.js";
export { findUserByEmail, findUserById, insertUser, setRoles, type User } from "./users.js";

export function registerAuth(deps: AuthRouteDeps & { idleMinutes: number }) {
  installAuthHook(deps.app, deps.db, deps.idleMinutes);
  sessionRoutes(deps);
  meRoutes(deps);
  adminRoutes(deps);
}
