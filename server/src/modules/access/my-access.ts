/**
 * "My access": every account and entitlement a person holds (the actual state, as each
 * system was last read), with why they hold it: the profiles that give it, an approved
 * exception, or nothing (which reconciliation reports). What is desired comes from the
 * desired state itself, so this page and the engine never disagree.
 */
import { z } from "zod";
import type { Queryable } from "../../platform/db/index.js";
import { findPersonBy } from "../people/index.js";
import { accountsOfPerson, sameRef } from "./accounts.js";
import { caller, iso } from "./context.js";
import { desiredState, personFacts } from "./desired.js";
import { grantsFor } from "./profiles.js";
import type { RouteDeps } from "./routes-systems.js";

const reasonSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("profile"), profileId: z.string(), profileName: z.string() }),
  z.object({
    kind: z.literal("exception"),
    exceptionId: z.string(),
    justification: z.string(),
    expiresAt: z.string(),
  }),
  /** The desired state gives it through something other than a profile or exception (an access request). */
  z.object({ kind: z.literal("other"), text: z.string() }),
  z.object({ kind: z.literal("unexplained"), text: z.string() }),
]);
type Reason = z.infer<typeof reasonSchema>;

const myEntitlementSchema = z.object({
  ref: z.string(),
  name: z.string().nullable(),
  /** True when the desired state gives it (a profile or an exception). */
  explained: z.boolean(),
  reasons: z.array(reasonSchema),
});

const myAccountSchema = z.object({
  accountId: z.string(),
  systemId: z.string(),
  systemName: z.string(),
  username: z.string(),
  state: z.enum(["enabled", "disabled"]),
  explained: z.boolean(),
  reasons: z.array(reasonSchema),
  entitlements: z.array(myEntitlementSchema),
  lastReadAt: z.string(),
});

export const myAccessSchema = z.object({
  /** False when the signed-in user has no HR record linked (then items is empty). */
  linked: z.boolean(),
  personId: z.string().nullable(),
  /** What the desired state says of the person (e.g. "active: holds the access of their profiles"). */
  summary: z.string().nullable(),
  items: z.array(myAccountSchema),
});
export type MyAccess = z.infer<typeof myAccessSchema>;

const UNEXPLAINED = "Not explained by any profile or approved exception: reconciliation will report it";

/** A person's accounts and entitlements with the reasons they hold each. */
export async function accessOf(q: Queryable, personId: string): Promise<MyAccess> {
  const person = await personFacts(q, personId);
  const desired = await desiredState(q, person);
  const accounts = await accountsOfPerson(q, person);
  const systemIds = [...new Set(accounts.map((a) => a.system_id))];
  const [systems, catalogue, grants, exceptions] = await Promise.all([
    q.query<{ id: string; name: string }>("SELECT id, name FROM systems WHERE id = ANY ($1::text[])", [
      systemIds,
    ]),
    q.query<{ system_id: string; external_id: string; name: string }>(
      "SELECT system_id, external_id, name FROM entitlements WHERE system_id = ANY ($1::text[])",
      [systemIds],
    ),
    desired.empty ? Promise.resolve([]) : grantsFor(q, person),
    q.query<{
      id: string;
      system_id: string;
      external_id: string | null;
      justification: string;
      expires_at: Date | string;
    }>(
      `SELECT x.id, x.system_id, e.external_id, x.justification, x.expires_at FROM access_exceptions x
       LEFT JOIN entitlements e ON e.id = x.entitlement_id
       WHERE x.person_id = $1 AND x.expires_at > now() ORDER BY x.expires_at, x.id`,
      [person.id],
    ),
  ]);
  const profiles = await q.query<{ id: string; name: string }>(
    "SELECT id, name FROM access_profiles WHERE id = ANY ($1::text[])",
    [[...new Set(grants.map((g) => g.profileId))]],
  );
  const profileName = new Map(profiles.rows.map((p) => [p.id, p.name]));
  const systemName = new Map(systems.rows.map((s) => [s.id, s.name]));

  /** Why the desired state holds this (the account when ref is null); empty when it does not. */
  const reasonsFor = (systemId: string, ref: string | null): Reason[] => {
    const want = desired.systems.get(systemId);
    if (!want || (ref !== null && !want.entitlements.has(ref.toLowerCase()))) return [];
    const fits = (externalId: string | null) =>
      ref === null || (externalId !== null && sameRef(externalId, ref));
    const out: Reason[] = [];
    for (const id of new Set(
      grants.filter((g) => g.systemId === systemId && fits(g.externalId)).map((g) => g.profileId),
    ))
      out.push({ kind: "profile", profileId: id, profileName: profileName.get(id) ?? id });
    for (const x of exceptions.rows.filter((x) => x.system_id === systemId && fits(x.external_id)))
      out.push({
        kind: "exception",
        exceptionId: x.id,
        justification: x.justification,
        expiresAt: iso(x.expires_at) as string,
      });
    if (!out.length)
      out.push({
        kind: "other",
        text: "Given by your desired state, for example an approved access request",
      });
    return out;
  };
  const unexplained: Reason = {
    kind: "unexplained",
    text: desired.empty
      ? `Not desired (${desired.why}): it is being removed, or reconciliation will report it`
      : UNEXPLAINED,
  };
  const explain = (reasons: Reason[]) => ({
    explained: reasons.length > 0,
    reasons: reasons.length ? reasons : [unexplained],
  });

  const items = accounts.map((a) => ({
    accountId: a.id,
    systemId: a.system_id,
    systemName: systemName.get(a.system_id) ?? a.system_id,
    username: a.username,
    state: a.enabled ? ("enabled" as const) : ("disabled" as const),
    ...explain(reasonsFor(a.system_id, null)),
    entitlements: (a.entitlements ?? []).map((ref) => ({
      ref,
      name:
        catalogue.rows.find((e) => e.system_id === a.system_id && sameRef(e.external_id, ref))?.name ?? null,
      ...explain(reasonsFor(a.system_id, ref)),
    })),
    lastReadAt: iso(a.last_read_at) as string,
  }));
  items.sort((x, y) => x.systemName.localeCompare(y.systemName) || x.username.localeCompare(y.username));
  return { linked: true, personId: person.id, summary: desired.why, items };
}

/** GET /api/v1/me/access for any signed-in user; a user with no HR record gets linked: false. */
export function myAccessRoutes({ app, db }: RouteDeps) {
  app.get(
    "/api/v1/me/access",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["access: my access"],
        summary: "My accounts and entitlements on every system, and why I have each",
        response: { 200: myAccessSchema },
      },
    },
    async (req) => {
      const row = await findPersonBy(db, { userId: caller(req).userId });
      if (!row) return { linked: false, personId: null, summary: null, items: [] };
      return accessOf(db, row.id);
    },
  );
}
