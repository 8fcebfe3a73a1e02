import { appendAudit } from "../audit/index.js";
import type { Db } from "../db/index.js";
import type { AuthService } from "./service.js";
import { countUsers, findUserByEmail, insertUser } from "./users.js";

export const FIRST_ADMIN_EMAIL = "admin@tandem.local";

/**
 * On a database with no users, creates the first administrator without a password and
 * returns a one-time setup link; with users already there, returns null.
 */
export async function ensureFirstAdmin(
  db: Db,
  auth: AuthService,
  email = FIRST_ADMIN_EMAIL,
): Promise<string | null> {
  return db.tx(async (q) => {
    await q.query("SELECT pg_advisory_xact_lock(727362)");
    if ((await countUsers(q)) > 0) {
      const admin = await findUserByEmail(q, email);
      // The first admin never finished setting up: issue a fresh link so start-up can print it.
      if (admin && !admin.password_hash && !admin.oidc_subject && admin.roles?.includes("admin")) {
        return auth.createSetupLink(q, admin.id, 24);
      }
      return null;
    }
    const user = await insertUser(q, { email, displayName: "Administrator", roles: ["admin"] });
    await appendAudit(
      q,
      { actorLabel: "system" },
      {
        action: "user.created",
        targetType: "user",
        targetId: user.id,
        details: { roles: ["admin"], reason: "first administrator" },
      },
    );
    return auth.createSetupLink(q, user.id, 24);
  });
}
