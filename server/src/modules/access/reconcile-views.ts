/** Reading reconciliation runs and findings (API, CLI). */
import { z } from "zod";
import type { Queryable } from "../../platform/db/index.js";
import { decodeCursor, encodeCursor, notFound } from "../../platform/http/index.js";
import { iso } from "./context.js";
import type { FindingKind } from "./reconcile-findings.js";
import type { FindingView, ReconcileRunView } from "./schemas.js";

export interface FindingRow {
  id: string;
  dedupe_key: string;
  kind: FindingKind;
  state: FindingView["state"];
  system_id: string;
  system_name: string;
  system_enabled?: boolean;
  account_id: string | null;
  account_ref: string | null;
  username: string | null;
  person_id: string | null;
  person_name?: string | null;
  entitlement_ref: string | null;
  details: Record<string, unknown>;
  first_run_id: string;
  last_run_id: string;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  resolved_at: Date | string | null;
  resolution: string | null;
  reopened_at: Date | string | null;
  accepted_by: string | null;
  accepted_at: Date | string | null;
  accepted_until: Date | string | null;
  justification: string | null;
  fix_action: FindingView["fixAction"];
  fix_plan_id: string | null;
  fixed_by: string | null;
  fixed_at: Date | string | null;
}

export const FINDING_SELECT = `SELECT f.*, s.name AS system_name, s.enabled AS system_enabled,
  (SELECT COALESCE(p.preferred_name, p.legal_name) FROM people p WHERE p.id = f.person_id) AS person_name
  FROM access_findings f JOIN systems s ON s.id = f.system_id`;

export const toFinding = (r: FindingRow): FindingView => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  systemId: r.system_id,
  systemName: r.system_name,
  accountId: r.account_id,
  accountRef: r.account_ref,
  username: r.username,
  personId: r.person_id,
  personName: r.person_name ?? null,
  entitlementRef: r.entitlement_ref,
  details: r.details ?? {},
  firstSeenAt: iso(r.first_seen_at) as string,
  lastSeenAt: iso(r.last_seen_at) as string,
  firstRunId: r.first_run_id,
  lastRunId: r.last_run_id,
  resolvedAt: iso(r.resolved_at),
  resolution: r.resolution,
  reopenedAt: iso(r.reopened_at),
  acceptedBy: r.accepted_by,
  acceptedAt: iso(r.accepted_at),
  acceptedUntil: iso(r.accepted_until),
  justification: r.justification,
  fixAction: r.fix_action,
  fixPlanId: r.fix_plan_id,
  fixedBy: r.fixed_by,
  fixedAt: iso(r.fixed_at),
});

export async function findingRow(q: Queryable, id: string, lock = false): Promise<FindingRow> {
  const r = await q.query<FindingRow>(`${FINDING_SELECT} WHERE f.id = $1${lock ? " FOR UPDATE OF f" : ""}`, [
    id,
  ]);
  const row = r.rows[0];
  if (!row) throw notFound("access.finding_not_found", "No such finding");
  return row;
}

export interface FindingFilter {
  kind?: FindingKind;
  systemId?: string;
  state: FindingView["state"] | "all";
  /** Part of the username, account, entitlement, or the person's name or employee number. */
  q?: string;
  personId?: string;
  limit: number;
  cursor?: string;
}

/** Findings, newest first, cursor-paginated. */
export async function listFindings(
  q: Queryable,
  f: FindingFilter,
): Promise<{ items: FindingView[]; nextCursor: string | null }> {
  const before = decodeCursor(f.cursor, z.object({ b: z.string().max(40) }).strict());
  const r = await q.query<FindingRow>(
    `${FINDING_SELECT}
     WHERE ($1::text IS NULL OR f.kind = $1) AND ($2::text IS NULL OR f.system_id = $2)
       AND ($3::text = 'all' OR f.state = $3) AND ($4::text IS NULL OR f.person_id = $4)
       AND ($5::text IS NULL OR f.id < $5)
       AND ($7::text IS NULL OR f.username ILIKE $7 OR f.account_ref ILIKE $7 OR f.entitlement_ref ILIKE $7
            OR EXISTS (SELECT 1 FROM people p WHERE p.id = f.person_id
                       AND (COALESCE(p.preferred_name, p.legal_name) ILIKE $7 OR p.employee_number ILIKE $7)))
     ORDER BY f.id DESC LIMIT $6`,
    [
      f.kind ?? null,
      f.systemId ?? null,
      f.state,
      f.personId ?? null,
      before?.b ?? null,
      f.limit + 1,
      f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null,
    ],
  );
  const more = r.rows.length > f.limit;
  const items = r.rows.slice(0, f.limit).map(toFinding);
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor({ b: last.id }) : null };
}

/** Open findings by kind (for a summary), over the given systems or all. */
export async function openByKind(q: Queryable, systemIds?: string[]): Promise<Record<string, number>> {
  const r = await q.query<{ kind: string; n: number }>(
    `SELECT kind, count(*)::int AS n FROM access_findings
     WHERE state = 'open' AND ($1::text[] IS NULL OR system_id = ANY ($1::text[])) GROUP BY kind ORDER BY kind`,
    [systemIds ?? null],
  );
  return Object.fromEntries(r.rows.map((x) => [x.kind, x.n]));
}

interface RunRow {
  id: string;
  state: ReconcileRunView["state"];
  trigger: ReconcileRunView["trigger"];
  requested_by: string | null;
  requested_system_ids: string[];
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  error: string | null;
}

interface RunSystemRow {
  run_id: string;
  system_id: string;
  system_name: string;
  state: ReconcileRunView["systems"][number]["state"];
  accounts: number | null;
  linked: number | null;
  observed: number | null;
  opened: number | null;
  resolved: number | null;
  reopened: number | null;
  by_kind: Record<string, number>;
  error: string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

async function runViews(q: Queryable, rows: RunRow[]): Promise<ReconcileRunView[]> {
  const systems = await q.query<RunSystemRow>(
    `SELECT r.*, s.name AS system_name FROM access_reconcile_systems r JOIN systems s ON s.id = r.system_id
     WHERE r.run_id = ANY ($1::text[]) ORDER BY r.run_id, r.seq`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id,
    state: r.state,
    trigger: r.trigger,
    requestedBy: r.requested_by,
    requestedSystemIds: r.requested_system_ids ?? [],
    createdAt: iso(r.created_at) as string,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    error: r.error,
    systems: systems.rows
      .filter((s) => s.run_id === r.id)
      .map((s) => ({
        systemId: s.system_id,
        systemName: s.system_name,
        state: s.state,
        accounts: s.accounts,
        linked: s.linked,
        observed: s.observed,
        opened: s.opened,
        resolved: s.resolved,
        reopened: s.reopened,
        byKind: s.by_kind ?? {},
        error: s.error,
        startedAt: iso(s.started_at),
        finishedAt: iso(s.finished_at),
      })),
  }));
}

export async function getRun(q: Queryable, id: string): Promise<ReconcileRunView> {
  const r = await q.query<RunRow>("SELECT * FROM access_reconcile_runs WHERE id = $1", [id]);
  if (!r.rows[0]) throw notFound("access.reconcile_run_not_found", "No such reconciliation run");
  return (await runViews(q, r.rows))[0] as ReconcileRunView;
}

/** Runs, newest first, cursor-paginated. */
export async function listRuns(
  q: Queryable,
  f: { limit: number; cursor?: string },
): Promise<{ items: ReconcileRunView[]; nextCursor: string | null }> {
  const before = decodeCursor(f.cursor, z.object({ b: z.string().max(40) }).strict());
  const r = await q.query<RunRow>(
    `SELECT * FROM access_reconcile_runs WHERE ($1::text IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
    [before?.b ?? null, f.limit + 1],
  );
  const more = r.rows.length > f.limit;
  const items = await runViews(q, r.rows.slice(0, f.limit));
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor({ b: last.id }) : null };
}
