/**
 * The findings of one system, computed from the actual state as last read, in set-based SQL:
 * a handful of statements whatever the number of accounts, no round trip per account.
 *
 * Each statement observes one or two kinds and merges them into access_findings by their
 * stable key: a finding seen again is updated (last run, details), a new one is opened, and
 * afterwards what this run no longer observed is resolved. People whose plan is still being
 * carried out on the system are left as they are until the engine has finished.
 */
import type { Queryable } from "../../platform/db/index.js";
import { candidatesSql, FORMER, matchRules } from "./reconcile-match.js";

export const FINDING_KINDS = [
  "orphan",
  "leaver_access",
  "beyond_role",
  "missing_birthright",
  "dormant",
  "ambiguous_match",
  "possible_rehire",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** Statuses whose desired state gives access (pre-hires: prepared, disabled). */
const AT_WORK = "('active', 'leave', 'notice', 'pre_hire')";
/** Kinds about a person's access, which wait while the engine works on that person. */
/** A profile's criteria other than the job role: a criterion left empty matches everyone. */
const PROFILE_REST = `(ap.department_id IS NULL OR ap.department_id = p.department_id)
         AND (ap.location_id IS NULL OR ap.location_id = p.location_id)
         AND (ap.employment_type IS NULL OR ap.employment_type = p.employment_type)`;
const WAITS_FOR_ENGINE = "('leaver_access', 'beyond_role', 'missing_birthright', 'dormant')";

export interface FindingsInput {
  systemId: string;
  runId: string;
  dormantDays: number;
  /** When the actual state was read: a fix plan that ended before it and is still observed failed. */
  readAt: Date;
}

export interface FindingsResult {
  /** Findings observed on this run, by kind. */
  byKind: Partial<Record<FindingKind, number>>;
  observed: number;
  opened: number;
  resolved: number;
  reopened: number;
}

const key = (kind: FindingKind, ...parts: string[]) =>
  `'${kind}:' || md5(concat_ws(chr(31), ${parts.join(", ")}))`;

const ENTITLEMENTS_OF_A = "LEFT JOIN rc_ents ents ON ents.account_id = a.id";

const NOT_BUSY = (col: string) => `NOT EXISTS (SELECT 1 FROM rc_busy b WHERE b.person_id = ${col})`;

/**
 * Merges observed findings. `select` yields kind, dedupe_key, account_id, account_ref,
 * username, person_id, entitlement_ref, details; `$1` is the system, `$2` the run. A new
 * finding's id is a ULID: the run's time, then 80 bits of a hash of its key and the run.
 */
async function observe(q: Queryable, select: string, params: unknown[]): Promise<void> {
  await q.query(
    `INSERT INTO access_findings (id, dedupe_key, kind, system_id, account_id, account_ref, username, person_id,
       entitlement_ref, details, state, first_run_id, last_run_id, first_seen_at, last_seen_at)
     SELECT left($2::text, 10) || upper(left(md5(o.dedupe_key || $2::text), 16)), o.dedupe_key, o.kind, $1::text,
       o.account_id, o.account_ref, o.username, o.person_id, o.entitlement_ref, o.details, 'open', $2::text, $2::text,
       now(), now()
     FROM (SELECT DISTINCT ON (dedupe_key) * FROM (${select}) s ORDER BY dedupe_key) o
     ON CONFLICT (dedupe_key) WHERE state <> 'resolved' DO UPDATE SET
       last_run_id = EXCLUDED.last_run_id, last_seen_at = EXCLUDED.last_seen_at, details = EXCLUDED.details,
       account_id = EXCLUDED.account_id, username = EXCLUDED.username, person_id = EXCLUDED.person_id`,
    params,
  );
}

/**
 * Desired state of everyone for one system: (person, lower-cased entitlement, or '' for the
 * account alone). Any row of a person means the account on the system is desired too. The
 * same rules as desired.ts, set-based: profiles, exceptions, granted requests, minus what a
 * reviewer revoked; nothing for people not at work or locked out by Security.
 */
async function desired(q: Queryable, systemId: string): Promise<void> {
  const tables = await q.query<{ requests: boolean; reviews: boolean }>(
    `SELECT to_regclass('access_requests') IS NOT NULL AS requests,
       to_regclass('access_review_revocations') IS NOT NULL AS reviews`,
  );
  const fromRequests = tables.rows[0]?.requests
    ? `UNION ALL
       SELECT r.person_id, COALESCE(lower(e.external_id), '') FROM access_requests r
       JOIN people p ON p.id = r.person_id LEFT JOIN entitlements e ON e.id = r.entitlement_id
       WHERE r.system_id = $1 AND r.state = 'approved' AND r.granted_at IS NOT NULL
         AND (r.ends_at IS NULL OR r.ends_at > now())
         AND p.status IN ${AT_WORK}`
    : "";
  // Not deduplicated: the statements below only ask whether a row exists.
  await q.query("CREATE TEMP TABLE rc_desired (person_id text, ref text) ON COMMIT DROP");
  await q.query(
    `INSERT INTO rc_desired (person_id, ref)
     SELECT d.person_id, d.ref FROM (
       -- Profiles for a job role (most): a hash join on the role.
       SELECT p.id AS person_id, COALESCE(lower(e.external_id), '') AS ref
       FROM profile_entitlements pe
       JOIN access_profiles ap ON ap.id = pe.profile_id
       JOIN people p ON ap.job_role_id = p.job_role_id
       LEFT JOIN entitlements e ON e.id = pe.entitlement_id
       WHERE pe.system_id = $1 AND p.status IN ${AT_WORK} AND ${PROFILE_REST}
       UNION ALL
       -- Profiles for everyone in a department, location or employment type (or everyone).
       SELECT p.id, COALESCE(lower(e.external_id), '')
       FROM profile_entitlements pe
       JOIN access_profiles ap ON ap.id = pe.profile_id AND ap.job_role_id IS NULL
       JOIN people p ON ${PROFILE_REST}
       LEFT JOIN entitlements e ON e.id = pe.entitlement_id
       WHERE pe.system_id = $1 AND p.status IN ${AT_WORK}
       UNION ALL
       SELECT x.person_id, COALESCE(lower(e.external_id), '') FROM access_exceptions x
       JOIN people p ON p.id = x.person_id LEFT JOIN entitlements e ON e.id = x.entitlement_id
       WHERE x.system_id = $1 AND x.expires_at > now() AND p.status IN ${AT_WORK}
       ${fromRequests}
     ) d
     WHERE NOT EXISTS (SELECT 1 FROM access_lockouts l WHERE l.person_id = d.person_id)`,
    [systemId],
  );
  if (!tables.rows[0]?.reviews) return;
  // A grant a reviewer revoked stays out while the revocation stands (reviews-revocations.ts):
  // the entitlement, or the account with everything on it.
  await q.query(
    `DELETE FROM rc_desired d USING access_review_revocations r, people p
     WHERE r.system_id = $1 AND r.lifted_at IS NULL AND r.person_id = d.person_id AND p.id = r.person_id
       AND r.job_role_id IS NOT DISTINCT FROM p.job_role_id
       AND (r.entitlement_ref IS NULL OR lower(r.entitlement_ref) = d.ref)`,
    [systemId],
  );
}

/** Computes and records the system's findings; runs inside the caller's transaction. */
export async function computeFindings(q: Queryable, input: FindingsInput): Promise<FindingsResult> {
  const { systemId, runId } = input;
  // One reconciliation of a system at a time (runs may overlap; their merges must not).
  await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`access.reconcile:${systemId}`]);
  const sys = await q.query<{ enabled: boolean }>("SELECT enabled FROM systems WHERE id = $1", [systemId]);
  if (!sys.rows[0]) throw new Error(`system ${systemId} is gone`);
  const { rules, usernameRule } = await matchRules(q, systemId);
  const p2 = [systemId, runId];

  await desired(q, systemId);
  await q.query("CREATE TEMP TABLE rc_busy (person_id text PRIMARY KEY) ON COMMIT DROP");
  await q.query(
    `INSERT INTO rc_busy SELECT DISTINCT p.person_id FROM access_plan_steps s JOIN access_plans p ON p.id = s.plan_id
     WHERE s.system_id = $1 AND s.state IN ('pending', 'applied') AND p.state = 'running' AND p.person_id IS NOT NULL`,
    [systemId],
  );
  await q.query(
    "CREATE TEMP TABLE rc_cand (account_id text, person_id text, former boolean, rule text) ON COMMIT DROP",
  );
  // Candidates of unlinked accounts, and of accounts of former people (a rehire?) nobody decided on.
  await q.query(
    `INSERT INTO rc_cand (account_id, person_id, former, rule) ${candidatesSql(
      rules,
      usernameRule,
      `a.person_id IS NULL OR (a.person_id IN (SELECT id FROM people WHERE status IN ${FORMER})
        AND NOT EXISTS (SELECT 1 FROM access_link_decisions k WHERE k.system_id = a.system_id
                        AND k.external_id = a.external_id AND k.person_id = a.person_id))`,
    )}`,
    [systemId],
  );
  // The system's accounts with their person's status, and their group memberships, read
  // once: the statements below share them instead of joining the big tables again.
  await q.query(
    `CREATE TEMP TABLE rc_acct (id text, external_id text, username text, person_id text, enabled boolean,
       email text, employee_number text, display_name text, last_login_at timestamptz, status text,
       former boolean, busy boolean) ON COMMIT DROP`,
  );
  await q.query(
    `INSERT INTO rc_acct
     SELECT a.id, a.external_id, a.username, a.person_id, a.enabled, a.email, a.employee_number, a.display_name,
       a.last_login_at, p.status, COALESCE(p.status IN ${FORMER}, false),
       a.person_id IS NOT NULL AND EXISTS (SELECT 1 FROM rc_busy b WHERE b.person_id = a.person_id)
     FROM accounts a LEFT JOIN people p ON p.id = a.person_id WHERE a.system_id = $1`,
    [systemId],
  );
  await q.query(
    "CREATE TEMP TABLE rc_ae (account_id text, person_id text, ref text, lref text) ON COMMIT DROP",
  );
  await q.query(
    `INSERT INTO rc_ae SELECT a.id, a.person_id, ae.entitlement_ref, lower(ae.entitlement_ref)
     FROM rc_acct a JOIN account_entitlements ae ON ae.account_id = a.id`,
  );
  await q.query("ANALYZE rc_acct");
  await q.query("ANALYZE rc_ae");
  // The entitlements of unlinked and former people's accounts, listed in their findings.
  await q.query(
    `CREATE TEMP TABLE rc_ents ON COMMIT DROP AS
     SELECT ae.account_id, jsonb_agg(ae.ref ORDER BY ae.ref) AS refs
     FROM rc_ae ae JOIN rc_acct a ON a.id = ae.account_id WHERE a.person_id IS NULL OR a.former
     GROUP BY ae.account_id`,
  );
  for (const t of ["rc_desired", "rc_busy", "rc_cand", "rc_ents"]) await q.query(`ANALYZE ${t}`);
  const managed = await q.query<{ managed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM profile_entitlements WHERE system_id = $1)
         OR EXISTS (SELECT 1 FROM rc_desired) AS managed`,
    [systemId],
  );

  // Orphans: enabled or entitled accounts no rule ties to anyone.
  await observe(
    q,
    `SELECT 'orphan' AS kind, ${key("orphan", "$1::text", "a.external_id")} AS dedupe_key, a.id AS account_id,
       a.external_id AS account_ref, a.username, NULL::text AS person_id, NULL::text AS entitlement_ref,
       jsonb_build_object('enabled', a.enabled, 'email', a.email, 'employeeNumber', a.employee_number,
         'displayName', a.display_name, 'entitlements', COALESCE(ents.refs, '[]'::jsonb)) AS details
     FROM rc_acct a ${ENTITLEMENTS_OF_A}
     WHERE a.person_id IS NULL AND (a.enabled OR ents.refs IS NOT NULL)
       AND NOT EXISTS (SELECT 1 FROM rc_cand c WHERE c.account_id = a.id)`,
    p2,
  );

  // Matches a person must decide: several people for one account, or a former person's
  // account whose identifiers now also point at someone at work.
  await observe(
    q,
    `WITH agg AS (
       SELECT c.account_id, count(DISTINCT c.person_id) AS n, bool_or(c.former) AS any_former,
         bool_or(NOT c.former) AS any_current,
         jsonb_agg(jsonb_build_object('personId', c.person_id, 'rule', c.rule, 'former', c.former)
                   ORDER BY c.person_id, c.rule) AS candidates
       FROM rc_cand c JOIN rc_acct a ON a.id = c.account_id
       WHERE a.person_id IS NULL OR c.person_id <> a.person_id
       GROUP BY c.account_id)
     SELECT k.kind, k.kind || ':' || md5(concat_ws(chr(31), $1::text, a.external_id)) AS dedupe_key,
       a.id AS account_id, a.external_id AS account_ref, a.username, a.person_id, NULL::text AS entitlement_ref,
       jsonb_build_object('candidates', agg.candidates, 'formerPersonId', a.person_id, 'enabled', a.enabled,
         'email', a.email, 'employeeNumber', a.employee_number) AS details
     FROM agg JOIN rc_acct a ON a.id = agg.account_id
     CROSS JOIN LATERAL (SELECT CASE
         WHEN a.person_id IS NOT NULL THEN CASE WHEN agg.any_current THEN 'possible_rehire' END
         WHEN agg.n < 2 THEN NULL
         WHEN agg.any_former AND agg.any_current THEN 'possible_rehire'
         ELSE 'ambiguous_match' END AS kind) k
     WHERE k.kind IS NOT NULL`,
    p2,
  );

  // Leavers and alumni who still hold an enabled account or any entitlement.
  await observe(
    q,
    `SELECT 'leaver_access' AS kind, ${key("leaver_access", "$1::text", "a.external_id")} AS dedupe_key,
       a.id AS account_id, a.external_id AS account_ref, a.username, a.person_id, NULL::text AS entitlement_ref,
       jsonb_build_object('status', a.status, 'enabled', a.enabled,
         'entitlements', COALESCE(ents.refs, '[]'::jsonb)) AS details
     FROM rc_acct a ${ENTITLEMENTS_OF_A}
     WHERE a.former AND NOT a.busy AND (a.enabled OR ents.refs IS NOT NULL)
       AND NOT EXISTS (SELECT 1 FROM rc_cand c WHERE c.account_id = a.id AND c.person_id <> a.person_id
                       AND NOT c.former)`,
    p2,
  );

  if (managed.rows[0]?.managed) {
    // Beyond role: entitlements, and enabled accounts, that nothing in the desired state explains.
    await observe(
      q,
      `SELECT 'beyond_role' AS kind, ${key("beyond_role", "$1::text", "a.external_id", "ae.lref")} AS dedupe_key,
         a.id AS account_id, a.external_id AS account_ref, a.username, a.person_id, ae.ref AS entitlement_ref,
         jsonb_build_object('status', a.status, 'entitlementName', e.name) AS details
       FROM rc_ae ae JOIN rc_acct a ON a.id = ae.account_id
       LEFT JOIN entitlements e ON e.system_id = $1 AND lower(e.external_id) = ae.lref
       WHERE a.person_id IS NOT NULL AND NOT a.former AND NOT a.busy
         AND NOT EXISTS (SELECT 1 FROM rc_desired d WHERE d.person_id = ae.person_id AND d.ref = ae.lref)
       UNION ALL
       SELECT 'beyond_role', ${key("beyond_role", "$1::text", "a.external_id", "''")}, a.id, a.external_id,
         a.username, a.person_id, NULL, jsonb_build_object('status', a.status, 'enabled', true)
       FROM rc_acct a
       WHERE a.person_id IS NOT NULL AND a.enabled AND NOT a.former AND NOT a.busy
         AND NOT EXISTS (SELECT 1 FROM rc_desired d WHERE d.person_id = a.person_id)`,
      p2,
    );
  }

  if (sys.rows[0].enabled) {
    // Missing birthright: the account (or an enabled one), or an entitlement, the desired state gives.
    await observe(
      q,
      `WITH want AS MATERIALIZED (SELECT DISTINCT person_id FROM rc_desired),
       mine AS (SELECT person_id, bool_or(enabled) AS any_enabled FROM rc_acct
                WHERE person_id IS NOT NULL GROUP BY person_id),
       lacking AS MATERIALIZED (
         SELECT DISTINCT d.person_id, d.ref FROM rc_desired d
         WHERE d.ref <> '' AND NOT EXISTS (SELECT 1 FROM rc_ae h WHERE h.person_id = d.person_id AND h.lref = d.ref)),
       primary_account AS (
         SELECT DISTINCT ON (a.person_id) a.person_id, a.id, a.external_id, a.username, a.status, a.busy
         FROM rc_acct a WHERE a.person_id IN (SELECT person_id FROM lacking)
         ORDER BY a.person_id, a.enabled DESC, a.id)
       SELECT 'missing_birthright' AS kind, ${key("missing_birthright", "$1::text", "d.person_id", "''")} AS dedupe_key,
         NULL::text AS account_id, NULL::text AS account_ref, NULL::text AS username, d.person_id,
         NULL::text AS entitlement_ref,
         jsonb_build_object('missing', CASE WHEN m.person_id IS NULL THEN 'account' ELSE 'enabled account' END,
           'status', p.status) AS details
       FROM want d JOIN people p ON p.id = d.person_id LEFT JOIN mine m ON m.person_id = d.person_id
       WHERE (m.person_id IS NULL OR (NOT m.any_enabled AND p.status <> 'pre_hire')) AND ${NOT_BUSY("d.person_id")}
       UNION ALL
       SELECT 'missing_birthright', ${key("missing_birthright", "$1::text", "d.person_id", "d.ref")},
         acct.id, acct.external_id, acct.username, d.person_id, COALESCE(e.external_id, d.ref),
         jsonb_build_object('missing', 'entitlement', 'status', acct.status, 'entitlementName', e.name)
       FROM lacking d
       JOIN primary_account acct ON acct.person_id = d.person_id
       LEFT JOIN entitlements e ON e.system_id = $1 AND lower(e.external_id) = d.ref
       WHERE NOT acct.busy`,
      p2,
    );
  }

  // Dormant: enabled accounts of people at work whose last sign-in the system reports as old.
  await observe(
    q,
    `SELECT 'dormant' AS kind, ${key("dormant", "$1::text", "a.external_id")} AS dedupe_key,
       a.id AS account_id, a.external_id AS account_ref, a.username, a.person_id, NULL::text AS entitlement_ref,
       jsonb_build_object('lastLoginAt', a.last_login_at,
         'daysSince', floor(extract(epoch FROM now() - a.last_login_at) / 86400)::int) AS details
     FROM rc_acct a
     WHERE a.person_id IS NOT NULL AND a.enabled AND NOT a.former AND NOT a.busy AND a.last_login_at IS NOT NULL
       AND a.last_login_at < now() - make_interval(days => $3::int)`,
    [...p2, input.dormantDays],
  );

  // What this run no longer observed is over (unless the engine is still at work on the person).
  const resolved = await q.query(
    `UPDATE access_findings f SET state = 'resolved', resolved_at = now(),
       resolution = CASE WHEN f.state = 'fixing' THEN 'fixed' ELSE 'no longer observed' END
     WHERE f.system_id = $1 AND f.state IN ('open', 'accepted', 'fixing') AND f.last_run_id <> $2
       AND NOT (f.kind IN ${WAITS_FOR_ENGINE} AND f.person_id IS NOT NULL
                AND EXISTS (SELECT 1 FROM rc_busy b WHERE b.person_id = f.person_id))`,
    p2,
  );
  // An acceptance that expired, or a fix that ended before the read and did not take, reopens.
  const reopened = await q.query(
    `UPDATE access_findings f SET state = 'open', reopened_at = now()
     WHERE f.system_id = $1 AND f.last_run_id = $2 AND (
       (f.state = 'accepted' AND f.accepted_until <= now())
       OR (f.state = 'fixing' AND (f.fix_plan_id IS NULL OR EXISTS (
             SELECT 1 FROM access_plans p WHERE p.id = f.fix_plan_id AND p.state IN ('done', 'failed', 'cancelled')
               AND COALESCE(p.finished_at, p.created_at) < $3))))`,
    [...p2, input.readAt.toISOString()],
  );
  const counts = await q.query<{ kind: FindingKind; observed: number; opened: number }>(
    `SELECT kind, count(*)::int AS observed, (count(*) FILTER (WHERE first_run_id = $2))::int AS opened
     FROM access_findings WHERE system_id = $1 AND last_run_id = $2 AND state <> 'resolved' GROUP BY kind`,
    p2,
  );
  const byKind: FindingsResult["byKind"] = {};
  let observed = 0;
  let opened = 0;
  for (const r of counts.rows) {
    byKind[r.kind] = r.observed;
    observed += r.observed;
    opened += r.opened;
  }
  return { byKind, observed, opened, resolved: resolved.rowCount, reopened: reopened.rowCount };
}
