import type { AuditContext } from "../audit/chain.js";
import type { Access } from "../authz/index.js";

/** Who is calling, resolved once per request from the session cookie or a bearer token. */
export interface Identity {
  userId: string;
  email: string;
  displayName: string;
  roles: string[];
  mfaEnabled: boolean;
  permissions: Set<string>;
  via: "session" | "token";
  tokenId?: string;
}

export interface RequestSession {
  token: string;
  userId: string | null;
  stage: "anonymous" | "mfa" | "full";
  csrfToken: string;
}

declare module "fastify" {
  interface FastifyRequest {
    identity?: Identity;
    session?: RequestSession;
    auditCtx: AuditContext;
  }
  interface FastifyContextConfig {
    access?: Access;
    /**
     * With access "public" only: the route checks its own bearer credential (a separate
     * application served by Tandem, such as the demo SCIM app), so Tandem's API-token and
     * session resolution leaves the Authorization header alone.
     */
    ownBearer?: boolean;
  }
}
