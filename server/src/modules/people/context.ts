import type { Config } from "../../platform/config/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import type { Identity, TypedApp } from "../../platform/http/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { PeopleService } from "./service.js";

export interface PeopleContext {
  app: TypedApp;
  db: Db;
  jobs: Jobs;
  events: Events;
  envelope: Envelope;
  config: Config;
  people: PeopleService;
}

export function caller(req: { identity?: Identity }): Identity {
  if (!req.identity) throw new Error("route declared access but has no identity");
  return req.identity;
}

/** The person record linked to the caller's account, if any. */
export async function callerPersonId(db: Db, identity: Identity): Promise<string | null> {
  const r = await db.query<{ id: string }>("SELECT id FROM people WHERE user_id = $1", [identity.userId]);
  return r.rows[0]?.id ?? null;
}

export const etagOf = (id: string, version: number) => `"${id}.${version}"`;
