-- Reconciliation: how accounts are matched to people per system, reconciliation runs with
-- their progress per system, the findings they record (kept across runs by a stable key),
-- and the link decisions people made about accounts.

-- Which HR identifiers link a system's accounts to people, in order. No row: employee
-- number, then work email.
CREATE TABLE access_match_rules (
  system_id text PRIMARY KEY REFERENCES systems (id) ON DELETE CASCADE,
  rules text[] NOT NULL
    CHECK (cardinality(rules) BETWEEN 1 AND 3 AND rules <@ ARRAY['employee_number', 'email', 'username']::text[]),
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE access_reconcile_runs (
  id text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'partial', 'failed')),
  trigger text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'cli')),
  requested_by text,
  -- The systems asked for; empty: every enabled system at the time of the request.
  requested_system_ids text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  error text
);
CREATE INDEX access_reconcile_runs_active_idx ON access_reconcile_runs (state) WHERE state IN ('queued', 'running');

-- One row per system of a run: its progress, what the read brought, what was found.
CREATE TABLE access_reconcile_systems (
  run_id text NOT NULL REFERENCES access_reconcile_runs (id) ON DELETE CASCADE,
  system_id text NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'reading', 'computing', 'done', 'failed')),
  accounts integer,
  linked integer,
  -- Findings observed on this run, those seen for the first time, those closed, those reopened.
  observed integer,
  opened integer,
  resolved integer,
  reopened integer,
  by_kind jsonb NOT NULL DEFAULT '{}',
  error text,
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (run_id, system_id)
);
CREATE INDEX access_reconcile_systems_system_idx ON access_reconcile_systems (system_id);

CREATE TABLE access_findings (
  id text PRIMARY KEY,
  -- The same situation on the next run has the same key: it updates the finding, never adds one.
  dedupe_key text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('orphan', 'leaver_access', 'beyond_role', 'missing_birthright', 'dormant',
    'ambiguous_match', 'possible_rehire')),
  system_id text NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
  -- The account as read (no foreign key: a read removes accounts the system no longer has).
  account_id text,
  account_ref text,
  username text,
  person_id text REFERENCES people (id),
  entitlement_ref text,
  details jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL CHECK (state IN ('open', 'accepted', 'fixing', 'resolved')),
  first_run_id text NOT NULL,
  last_run_id text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  resolved_at timestamptz,
  resolution text,
  reopened_at timestamptz,
  accepted_by text,
  accepted_at timestamptz,
  accepted_until timestamptz,
  justification text,
  fix_action text CHECK (fix_action IN ('revoke', 'link', 'grant')),
  fix_plan_id text REFERENCES access_plans (id) ON DELETE SET NULL,
  fixed_by text,
  fixed_at timestamptz
);
CREATE UNIQUE INDEX access_findings_dedupe_key ON access_findings (dedupe_key) WHERE state <> 'resolved';
CREATE INDEX access_findings_system_idx ON access_findings (system_id, state);
CREATE INDEX access_findings_list_idx ON access_findings (state, id);
CREATE INDEX access_findings_kind_idx ON access_findings (kind, state);
CREATE INDEX access_findings_person_idx ON access_findings (person_id) WHERE person_id IS NOT NULL;

-- A person decided whose an account is (an orphan, an ambiguous match, a possible rehire):
-- reconciliation does not ask again while the account stays linked that way.
CREATE TABLE access_link_decisions (
  system_id text NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
  external_id text NOT NULL,
  person_id text NOT NULL REFERENCES people (id),
  choice text,
  finding_id text,
  decided_by text,
  decided_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (system_id, external_id)
);
