/** The actual state: accounts and their entitlements as each system last reported them. */

import type { Account } from "../../connectors/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { ulid } from "../../platform/ids/index.js";
import { iso } from "./context.js";
import type { AccountView } from "./schemas.js";

export interface AccountRow {
  id: string;
  system_id: string;
  external_id: string;
  person_id: string | null;
  username: string;
  email: string | null;
  employee_number: string | null;
  display_name: string | null;
  enabled: boolean;
  last_login_at: Date | string | null;
  last_read_at: Date | string;
  raw: Record<string, unknown>;
  entitlements: string[] | null;
}

const SELECT = `SELECT a.*, COALESCE((SELECT array_agg(e.entitlement_ref ORDER BY e.entitlement_ref)
  FROM account_entitlements e WHERE e.account_id = a.id), '{}') AS entitlements FROM accounts a`;

export const toAccountView = (r: AccountRow): AccountView => ({
  id: r.id,
  systemId: r.system_id,
  externalId: r.external_id,
  personId: r.person_id,
  username: r.username,
  email: r.email,
  employeeNumber: r.employee_number,
  displayName: r.display_name,
  enabled: r.enabled,
  entitlements: r.entitlements ?? [],
  lastLoginAt: iso(r.last_login_at),
  lastReadAt: iso(r.last_read_at) as string,
});

/** Same entitlement? External ids such as LDAP DNs compare without regard to case. */
export const sameRef = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
export const holds = (list: readonly string[], ref: string) => list.some((x) => sameRef(x, ref));

export async function listAccounts(
  q: Queryable,
  systemId: string,
  opts: { after?: string; limit: number },
): Promise<AccountRow[]> {
  const r = await q.query<AccountRow>(
    `${SELECT} WHERE a.system_id = $1 AND ($2::text IS NULL OR a.id > $2) ORDER BY a.id LIMIT $3`,
    [systemId, opts.after ?? null, opts.limit],
  );
  return r.rows;
}

/**
 * A person's accounts: those linked to them, and unlinked ones that carry their employee
 * number or work email (matched, so a leaver keeps nothing that was never linked).
 */
export async function accountsOfPerson(
  q: Queryable,
  person: { id: string; employeeNumber: string; workEmail: string },
): Promise<AccountRow[]> {
  return (await accountsOfPeople(q, [person])).get(person.id) ?? [];
}

/**
 * accountsOfPerson for many people with one statement, by person id. An unlinked account
 * that matches several of them is listed for each.
 */
export async function accountsOfPeople(
  q: Queryable,
  people: readonly { id: string; employeeNumber: string; workEmail: string }[],
): Promise<Map<string, AccountRow[]>> {
  const unique = [...new Map(people.map((p) => [p.id, p])).values()];
  const out = new Map<string, AccountRow[]>(unique.map((p) => [p.id, []]));
  if (unique.length === 0) return out;
  const r = await q.query<AccountRow & { of_person: string }>(
    `SELECT x.of_person, a.* FROM unnest($1::text[], $2::text[], $3::text[]) AS x(of_person, employee_number, email)
     CROSS JOIN LATERAL (${SELECT} WHERE a.person_id = x.of_person
       OR (a.person_id IS NULL AND (a.employee_number = x.employee_number OR lower(a.email) = lower(x.email)))) a
     ORDER BY x.of_person, a.system_id, a.id`,
    [unique.map((p) => p.id), unique.map((p) => p.employeeNumber), unique.map((p) => p.workEmail)],
  );
  for (const { of_person, ...row } of r.rows) out.get(of_person)?.push(row);
  return out;
}

/** Links accounts to people with one statement; an account linked already stays as it is. */
export async function linkAccounts(
  q: Queryable,
  links: readonly { accountId: string; personId: string }[],
): Promise<void> {
  if (links.length === 0) return;
  await q.query(
    `UPDATE accounts a SET person_id = x.person_id FROM unnest($1::text[], $2::text[]) AS x(id, person_id)
     WHERE a.id = x.id AND a.person_id IS NULL`,
    [links.map((l) => l.accountId), links.map((l) => l.personId)],
  );
}

/** Records an account as read back now; returns its row id. Links it to `personId` when given. */
export async function saveAccount(
  q: Queryable,
  systemId: string,
  a: Account,
  personId: string | null = null,
): Promise<string> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO accounts (id, system_id, external_id, person_id, username, email, employee_number, display_name,
       enabled, last_login_at, last_read_at, raw)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,now(),$11)
     ON CONFLICT (system_id, external_id) DO UPDATE SET
       person_id = COALESCE(accounts.person_id, EXCLUDED.person_id),
       username = EXCLUDED.username, email = EXCLUDED.email, employee_number = EXCLUDED.employee_number,
       display_name = EXCLUDED.display_name, enabled = EXCLUDED.enabled,
       last_login_at = EXCLUDED.last_login_at, last_read_at = now(), raw = EXCLUDED.raw
     RETURNING id`,
    [
      ulid(),
      systemId,
      a.externalId,
      personId,
      a.username,
      a.email ?? null,
      a.employeeNumber ?? null,
      a.displayName ?? null,
      a.enabled,
      a.lastLoginAt ?? null,
      JSON.stringify(a.raw ?? {}),
    ],
  );
  const id = (r.rows[0] as { id: string }).id;
  await q.query("DELETE FROM account_entitlements WHERE account_id = $1", [id]);
  const refs = [...new Map(a.entitlements.map((e) => [e.toLowerCase(), e])).values()];
  if (refs.length) {
    await q.query(
      `INSERT INTO account_entitlements (account_id, entitlement_ref)
       SELECT $1, x FROM unnest($2::text[]) AS x ON CONFLICT DO NOTHING`,
      [id, refs],
    );
  }
  return id;
}

/**
 * Saves many accounts of one system as read back (the same rules as saveAccount), with
 * three statements whatever their number. Each external id must appear once.
 */
export async function saveAccounts(
  q: Queryable,
  systemId: string,
  items: readonly { account: Account; personId: string | null }[],
): Promise<void> {
  if (items.length === 0) return;
  const r = await q.query<{ id: string; external_id: string }>(
    `INSERT INTO accounts (id, system_id, external_id, person_id, username, email, employee_number, display_name,
       enabled, last_login_at, last_read_at, raw)
     SELECT x.id, $1, x.external_id, x.person_id, x.username, x.email, x.employee_number, x.display_name,
       x.enabled, x.last_login_at, now(), x.raw
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::boolean[], $10::timestamptz[], $11::jsonb[])
       AS x(id, external_id, person_id, username, email, employee_number, display_name, enabled, last_login_at, raw)
     ON CONFLICT (system_id, external_id) DO UPDATE SET
       person_id = COALESCE(accounts.person_id, EXCLUDED.person_id),
       username = EXCLUDED.username, email = EXCLUDED.email, employee_number = EXCLUDED.employee_number,
       display_name = EXCLUDED.display_name, enabled = EXCLUDED.enabled,
       last_login_at = EXCLUDED.last_login_at, last_read_at = now(), raw = EXCLUDED.raw
     RETURNING id, external_id`,
    [
      systemId,
      items.map(() => ulid()),
      items.map((i) => i.account.externalId),
      items.map((i) => i.personId),
      items.map((i) => i.account.username),
      items.map((i) => i.account.email ?? null),
      items.map((i) => i.account.employeeNumber ?? null),
      items.map((i) => i.account.displayName ?? null),
      items.map((i) => i.account.enabled),
      items.map((i) => i.account.lastLoginAt ?? null),
      items.map((i) => JSON.stringify(i.account.raw ?? {})),
    ],
  );
  const idOf = new Map(r.rows.map((row) => [row.external_id, row.id]));
  const ids = [...idOf.values()];
  await q.query("DELETE FROM account_entitlements WHERE account_id = ANY ($1::text[])", [ids]);
  const accountIds: string[] = [];
  const refs: string[] = [];
  for (const { account } of items) {
    const id = idOf.get(account.externalId);
    if (!id) continue;
    for (const ref of new Map(account.entitlements.map((e) => [e.toLowerCase(), e])).values()) {
      accountIds.push(id);
      refs.push(ref);
    }
  }
  if (refs.length) {
    await q.query(
      `INSERT INTO account_entitlements (account_id, entitlement_ref)
       SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
      [accountIds, refs],
    );
  }
}

/** The system answered that the account does not exist (any more). */
export async function forgetAccount(q: Queryable, systemId: string, externalId: string): Promise<void> {
  await q.query("DELETE FROM accounts WHERE system_id = $1 AND external_id = $2", [systemId, externalId]);
}
