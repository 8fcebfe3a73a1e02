/**
 * Starting a campaign: the grants in scope, as the actual state holds them (accounts linked
 * to people, and their entitlements), become review items, each with its reviewer.
 */

import type { Queryable } from "../../platform/db/index.js";
import { ulid } from "../../platform/ids/index.js";
import { findPerson, WORKING } from "../people/index.js";
import type { ItemFlag } from "./reviews-schemas.js";
import type { CampaignRow } from "./reviews-views.js";

interface AccountInScope {
  id: string;
  system_id: string;
  system_name: string;
  owner_person_id: string | null;
  external_id: string;
  username: string;
  enabled: boolean;
  person_id: string;
}

interface Assignment {
  reviewerPersonId: string | null;
  reviewerUserId: string | null;
  reviewerName: string;
  flag: ItemFlag | null;
}

interface PersonBrief {
  id: string;
  name: string;
  employeeNumber: string;
  managerId: string | null;
  working: boolean;
  userId: string | null;
}

const CHUNK = 500;

/** Snapshots the campaign's scope into items; returns how many were made and how many flagged. */
export async function snapshotItems(
  q: Queryable,
  c: CampaignRow,
): Promise<{ items: number; flagged: number; people: number }> {
  const accounts = await q.query<AccountInScope>(
    `SELECT a.id, a.system_id, s.name AS system_name, s.owner_person_id, a.external_id, a.username, a.enabled,
       a.person_id
     FROM accounts a JOIN systems s ON s.id = a.system_id
     WHERE a.person_id IS NOT NULL AND (cardinality($1::text[]) = 0 OR a.system_id = ANY ($1::text[]))
     ORDER BY a.person_id, s.name, a.username, a.id`,
    [c.system_ids],
  );
  const grants = await q.query<{ account_id: string; entitlement_ref: string; name: string | null }>(
    `SELECT ae.account_id, ae.entitlement_ref,
       (SELECT e.name FROM entitlements e WHERE e.system_id = a.system_id AND lower(e.external_id) = lower(ae.entitlement_ref)
        LIMIT 1) AS name
     FROM account_entitlements ae JOIN accounts a ON a.id = ae.account_id
     WHERE a.person_id IS NOT NULL AND (cardinality($1::text[]) = 0 OR a.system_id = ANY ($1::text[]))
     ORDER BY ae.account_id, ae.entitlement_ref`,
    [c.system_ids],
  );
  const byAccount = new Map<string, { ref: string; name: string | null }[]>();
  for (const g of grants.rows) {
    byAccount.set(g.account_id, [
      ...(byAccount.get(g.account_id) ?? []),
      { ref: g.entitlement_ref, name: g.name },
    ]);
  }

  const people = new Map<string, PersonBrief | null>();
  const person = async (id: string): Promise<PersonBrief | null> => {
    if (people.has(id)) return people.get(id) ?? null;
    const row = await findPerson(q, id);
    const brief = row
      ? {
          id: row.id,
          name: row.preferred_name || row.legal_name,
          employeeNumber: row.employee_number,
          managerId: row.manager_id,
          working: (WORKING as readonly string[]).includes(row.status),
          userId: row.user_id,
        }
      : null;
    people.set(id, brief);
    return brief;
  };
  const owner = (flag: ItemFlag): Assignment => ({
    reviewerPersonId: null,
    reviewerUserId: c.owner_user_id,
    reviewerName: c.owner_name,
    flag,
  });
  /** The scope's reviewer for a grant of `subjectId`, or the campaign owner with the reason. */
  const assign = async (candidateId: string | null, subjectId: string, missing: ItemFlag) => {
    if (!candidateId) return owner(missing);
    if (candidateId === subjectId) return owner("self_review");
    const r = await person(candidateId);
    if (!r?.working) return owner("reviewer_inactive");
    if (!r.userId) return owner("reviewer_no_login");
    return { reviewerPersonId: r.id, reviewerUserId: null, reviewerName: r.name, flag: null };
  };

  const rows: Record<string, unknown>[] = [];
  for (const a of accounts.rows) {
    const subject = await person(a.person_id);
    if (!subject) continue;
    const who =
      c.scope === "manager"
        ? await assign(subject.managerId, subject.id, "no_manager")
        : await assign(a.owner_person_id, subject.id, "no_owner");
    const base = {
      person_id: subject.id,
      person_name: subject.name,
      employee_number: subject.employeeNumber,
      system_id: a.system_id,
      system_name: a.system_name,
      account_id: a.id,
      account_ref: a.external_id,
      username: a.username,
      account_enabled: a.enabled,
      reviewer_person_id: who.reviewerPersonId,
      reviewer_user_id: who.reviewerUserId,
      reviewer_name: who.reviewerName,
      flag: who.flag,
    };
    rows.push({ ...base, id: ulid(), entitlement_ref: null, entitlement_name: null });
    for (const g of byAccount.get(a.id) ?? []) {
      rows.push({ ...base, id: ulid(), entitlement_ref: g.ref, entitlement_name: g.name });
    }
  }
  for (let i = 0; i < rows.length; i += CHUNK) {
    await q.query(
      `INSERT INTO access_review_items (id, campaign_id, person_id, person_name, employee_number, system_id, system_name,
         account_id, account_ref, username, account_enabled, entitlement_ref, entitlement_name,
         reviewer_person_id, reviewer_user_id, reviewer_name, flag)
       SELECT x.id, $1, x.person_id, x.person_name, x.employee_number, x.system_id, x.system_name,
         x.account_id, x.account_ref, x.username, x.account_enabled, x.entitlement_ref, x.entitlement_name,
         x.reviewer_person_id, x.reviewer_user_id, x.reviewer_name, x.flag
       FROM jsonb_to_recordset($2::jsonb) AS x(id text, person_id text, person_name text, employee_number text,
         system_id text, system_name text, account_id text, account_ref text, username text, account_enabled boolean,
         entitlement_ref text, entitlement_name text, reviewer_person_id text, reviewer_user_id text,
         reviewer_name text, flag text)`,
      [c.id, JSON.stringify(rows.slice(i, i + CHUNK))],
    );
  }
  return {
    items: rows.length,
    flagged: rows.filter((r) => r.flag !== null).length,
    people: new Set(accounts.rows.map((a) => a.person_id)).size,
  };
}
