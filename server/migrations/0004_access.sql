-- Access: the systems catalogue and its entitlements, role-based access profiles, accounts
-- as last read back from each system, plans (desired minus actual) and their durable steps,
-- manual tasks, exceptions, high-risk alerts.

CREATE TABLE systems (
  id text PRIMARY KEY,
  name text NOT NULL,
  description text,
  owner_person_id text REFERENCES people (id),
  criticality text NOT NULL DEFAULT 'medium' CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
  data_classification text NOT NULL DEFAULT 'internal'
    CHECK (data_classification IN ('public', 'internal', 'confidential', 'restricted')),
  connector_type text NOT NULL,
  config jsonb NOT NULL DEFAULT '{}',
  -- JSON object of the connector's secrets, envelope-encrypted; never returned by the API.
  secrets_enc text,
  -- Which secrets are set (shown as set/not set; the values never leave the server).
  secret_names text[] NOT NULL DEFAULT '{}',
  -- How a new account's login name is made from the HR record.
  username_rule text NOT NULL DEFAULT 'email_local' CHECK (username_rule IN ('email_local', 'email', 'employee_number')),
  enabled boolean NOT NULL DEFAULT true,
  breaker_threshold numeric NOT NULL DEFAULT 0.2 CHECK (breaker_threshold > 0 AND breaker_threshold <= 1),
  -- The breaker counts removals from this moment on (a person confirmed the batch before it).
  breaker_released_at timestamptz,
  last_sync_at timestamptz,
  last_sync_error text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX systems_name_key ON systems (lower(name));

CREATE TABLE entitlements (
  id text PRIMARY KEY,
  system_id text NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
  external_id text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('group', 'role', 'licence')),
  description text,
  -- False once a complete read of the system no longer lists it.
  present boolean NOT NULL DEFAULT true,
  last_read_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX entitlements_external_key ON entitlements (system_id, lower(external_id));

CREATE TABLE access_profiles (
  id text PRIMARY KEY,
  name text NOT NULL,
  description text,
  -- Matching rules: a null criterion matches everyone; all given criteria must match.
  job_role_id text REFERENCES job_roles (id),
  department_id text REFERENCES departments (id),
  location_id text REFERENCES locations (id),
  employment_type text CHECK (employment_type IN ('employee', 'contractor', 'intern', 'vendor')),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX access_profiles_name_key ON access_profiles (lower(name));
CREATE INDEX access_profiles_role_idx ON access_profiles (job_role_id);

CREATE TABLE profile_entitlements (
  profile_id text NOT NULL REFERENCES access_profiles (id) ON DELETE CASCADE,
  system_id text NOT NULL REFERENCES systems (id),
  -- Null: an account on the system, with no particular entitlement.
  entitlement_id text REFERENCES entitlements (id)
);
CREATE UNIQUE INDEX profile_entitlements_key ON profile_entitlements (profile_id, system_id, COALESCE(entitlement_id, ''));
CREATE INDEX profile_entitlements_system_idx ON profile_entitlements (system_id);
CREATE INDEX profile_entitlements_entitlement_idx ON profile_entitlements (entitlement_id);

CREATE TABLE accounts (
  id text PRIMARY KEY,
  system_id text NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
  external_id text NOT NULL,
  person_id text REFERENCES people (id),
  username text NOT NULL,
  email text,
  employee_number text,
  display_name text,
  enabled boolean NOT NULL,
  last_login_at timestamptz,
  last_read_at timestamptz NOT NULL DEFAULT now(),
  raw jsonb NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX accounts_external_key ON accounts (system_id, external_id);
CREATE INDEX accounts_person_idx ON accounts (person_id, system_id);
CREATE INDEX accounts_email_idx ON accounts (system_id, lower(email)) WHERE person_id IS NULL;
CREATE INDEX accounts_employee_number_idx ON accounts (system_id, employee_number) WHERE person_id IS NULL;

CREATE TABLE account_entitlements (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- The entitlement's external id as the system reported it.
  entitlement_ref text NOT NULL,
  PRIMARY KEY (account_id, entitlement_ref)
);

CREATE TABLE access_tasks (
  id text PRIMARY KEY,
  person_id text REFERENCES people (id),
  system_id text REFERENCES systems (id) ON DELETE SET NULL,
  title text NOT NULL,
  instructions text NOT NULL,
  -- A role (it, security, legal…) or a person; either may be empty.
  assignee_role text,
  assignee_person_id text REFERENCES people (id),
  -- Who the manual connector asks (a team or a person, from the system's settings).
  assignee text,
  due_at timestamptz,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'rejected', 'cancelled')),
  -- Tasks the manual connector opens stand for one of its operations on one account.
  action text,
  template text,
  account_ref text,
  entitlement_ref text,
  change jsonb,
  attested_by text,
  attested_at timestamptz,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_tasks_open_idx ON access_tasks (state, due_at);
CREATE INDEX access_tasks_person_idx ON access_tasks (person_id);
CREATE INDEX access_tasks_system_idx ON access_tasks (system_id, created_at) WHERE action IS NOT NULL;

CREATE TABLE access_plans (
  id text PRIMARY KEY,
  person_id text REFERENCES people (id),
  reason text NOT NULL CHECK (reason IN ('joiner', 'mover', 'leaver', 'reconcile', 'manual')),
  state text NOT NULL CHECK (state IN ('draft', 'held', 'running', 'done', 'failed', 'cancelled')),
  dry_run boolean NOT NULL DEFAULT false,
  -- Revoke-now and high-risk leavers: never held by the circuit breaker.
  immediate boolean NOT NULL DEFAULT false,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  held_reason text,
  held_system_ids text[] NOT NULL DEFAULT '{}',
  source_event_id text,
  -- What caused the plan (event type and id): a second delivery of the same cause adds nothing.
  source_key text,
  hr_event_at timestamptz,
  finished_at timestamptz,
  -- What the planner wants a person to know (a system switched off, …).
  notes jsonb NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX access_plans_source_key ON access_plans (source_key) WHERE source_key IS NOT NULL;
CREATE INDEX access_plans_person_idx ON access_plans (person_id, created_at);
CREATE INDEX access_plans_active_idx ON access_plans (state, created_at) WHERE state IN ('held', 'running', 'failed');

CREATE TABLE access_plan_steps (
  id text PRIMARY KEY,
  plan_id text NOT NULL REFERENCES access_plans (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  -- Null only for tasks that belong to no system (devices, badges).
  system_id text REFERENCES systems (id) ON DELETE CASCADE,
  action text NOT NULL
    CHECK (action IN ('create', 'enable', 'disable', 'delete', 'grant', 'revoke', 'revoke_sessions', 'manual_task')),
  account_id text,
  account_ref text,
  entitlement_ref text,
  -- A step that needs another one verified first (a grant after the account is created).
  depends_on text REFERENCES access_plan_steps (id) ON DELETE CASCADE,
  -- create: the account to make; manual_task: title and instructions.
  spec jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'applied', 'verified', 'failed', 'manual', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0,
  error text,
  due_at timestamptz NOT NULL DEFAULT now(),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- A runner working on the step holds it until then (a runner that died lets it go).
  lease_until timestamptz,
  applied_at timestamptz,
  verified_at timestamptz,
  manual_task_id text REFERENCES access_tasks (id),
  -- The connector itself waits on the task (manual systems): the runner asks it again once
  -- the task is attested, and the read-back verifies the step.
  connector_task boolean NOT NULL DEFAULT false,
  attested_by text
);
CREATE INDEX access_plan_steps_plan_idx ON access_plan_steps (plan_id, seq);
CREATE INDEX access_plan_steps_runnable_idx ON access_plan_steps (system_id, next_attempt_at)
  WHERE state IN ('pending', 'applied') OR (state = 'manual' AND connector_task);
CREATE INDEX access_plan_steps_breaker_idx ON access_plan_steps (system_id, action)
  WHERE action IN ('disable', 'delete', 'revoke');
CREATE INDEX access_plan_steps_task_idx ON access_plan_steps (manual_task_id) WHERE manual_task_id IS NOT NULL;

CREATE TABLE access_exceptions (
  id text PRIMARY KEY,
  person_id text NOT NULL REFERENCES people (id),
  system_id text NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
  -- Null: the account itself is the exception.
  entitlement_id text REFERENCES entitlements (id) ON DELETE CASCADE,
  justification text NOT NULL,
  expires_at timestamptz NOT NULL,
  approved_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_exceptions_person_idx ON access_exceptions (person_id, expires_at);

-- People whose access was revoked on Security's word ("revoke now"): their desired state is
-- empty whatever HR says, until a rehire.
CREATE TABLE access_lockouts (
  person_id text PRIMARY KEY REFERENCES people (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  reason text
);

CREATE TABLE access_alerts (
  id text PRIMARY KEY,
  kind text NOT NULL,
  person_id text REFERENCES people (id),
  audience text[] NOT NULL,
  title text NOT NULL,
  detail text,
  source_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  acknowledged_by text,
  acknowledged_at timestamptz
);
CREATE UNIQUE INDEX access_alerts_source_key ON access_alerts (source_key) WHERE source_key IS NOT NULL;
CREATE INDEX access_alerts_open_idx ON access_alerts (created_at) WHERE acknowledged_at IS NULL;
