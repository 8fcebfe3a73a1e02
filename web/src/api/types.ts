import type { paths } from "./schema";

/**
 * Types derived from the generated `paths`, so they follow the server's OpenAPI document
 * whatever it names its component schemas.
 */
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

type Success<R> = R extends { 200: infer A } ? Json<A> : R extends { 201: infer B } ? Json<B> : never;

/** The JSON body of an operation's 200 (or 201) answer. */
export type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? Success<R>
  : never;

export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: infer B;
}
  ? Json<NonNullable<B>>
  : never;

export type Session = Ok<"/api/v1/auth/session", "get">;

/** The roles the server accepts, as an enum from the OpenAPI document. */
export type Role = Body<"/api/v1/users/{id}/roles", "put">["roles"][number];

export type UserPage = Ok<"/api/v1/users", "get">;
export type User = UserPage["items"][number];

export type Token = Ok<"/api/v1/tokens", "get">["items"][number];
export type NewTokenBody = Body<"/api/v1/tokens", "post">;

export type SsoSettings = Ok<"/api/v1/settings/sso", "get">;
export type SsoSettingsBody = Body<"/api/v1/settings/sso", "put">;

export type AuditPage = Ok<"/api/v1/audit", "get">;
export type AuditEntry = AuditPage["items"][number];
export type AuditQuery = NonNullable<paths["/api/v1/audit"]["get"]["parameters"]["query"]>;

export type MfaEnrolment = Ok<"/api/v1/me/mfa/enrol", "post">;
export type CheckpointResult = Ok<"/api/v1/audit/checkpoints", "post">;

type Resolved<T> = [T] extends [never] ? false : true;

/**
 * Compile-time guard: if the OpenAPI document changes so that one of the aliases above resolves
 * to `never` (e.g. an operation lost its JSON body), this stops type-checking instead of silently
 * accepting any property access.
 */
export const TYPES_RESOLVED: [
  Resolved<Session>,
  Resolved<Role>,
  Resolved<User>,
  Resolved<Token>,
  Resolved<NewTokenBody>,
  Resolved<SsoSettings>,
  Resolved<SsoSettingsBody>,
  Resolved<AuditEntry>,
  Resolved<AuditQuery>,
  Resolved<MfaEnrolment>,
  Resolved<CheckpointResult>,
] = [true, true, true, true, true, true, true, true, true, true, true];
