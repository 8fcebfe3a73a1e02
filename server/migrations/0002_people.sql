-- People: HR records as the source of truth, effective-dated, with provenance.

CREATE TABLE locations (
  id text PRIMARY KEY,
  name text NOT NULL,
  time_zone text NOT NULL DEFAULT 'UTC',
  country text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX locations_name_key ON locations (lower(name));

CREATE TABLE departments (
  id text PRIMARY KEY,
  name text NOT NULL,
  parent_id text REFERENCES departments (id),
  head_person_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX departments_name_key ON departments (lower(name));

CREATE TABLE job_roles (
  id text PRIMARY KEY,
  title text NOT NULL,
  department_id text REFERENCES departments (id),
  level text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX job_roles_title_key ON job_roles (lower(title), COALESCE(department_id, ''));

CREATE TABLE people (
  id text PRIMARY KEY,
  employee_number text NOT NULL,
  legal_name text NOT NULL,
  preferred_name text,
  work_email text NOT NULL,
  department_id text REFERENCES departments (id),
  job_role_id text REFERENCES job_roles (id),
  manager_id text REFERENCES people (id),
  location_id text REFERENCES locations (id),
  employment_type text NOT NULL CHECK (employment_type IN ('employee', 'contractor', 'intern', 'vendor')),
  status text NOT NULL CHECK (status IN ('candidate', 'pre_hire', 'active', 'leave', 'notice', 'leaver', 'alumni')),
  start_date date,
  end_date date,
  termination_type text CHECK (termination_type IN ('voluntary', 'involuntary', 'for_cause')),
  high_risk boolean NOT NULL DEFAULT false,
  high_risk_reason_enc text,
  user_id text REFERENCES users (id) ON DELETE SET NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE UNIQUE INDEX people_employee_number_key ON people (employee_number);
CREATE UNIQUE INDEX people_work_email_key ON people (lower(work_email));
CREATE UNIQUE INDEX people_user_key ON people (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX people_manager_idx ON people (manager_id);
CREATE INDEX people_department_idx ON people (department_id, status);
CREATE INDEX people_status_idx ON people (status);
CREATE INDEX people_name_idx ON people (lower(legal_name), id);
ALTER TABLE departments ADD CONSTRAINT departments_head_fk FOREIGN KEY (head_person_id) REFERENCES people (id);

-- Every lifecycle event, past or scheduled. Scheduled ones are applied at effective_at by a job.
CREATE TABLE person_events (
  id text PRIMARY KEY,
  person_id text NOT NULL REFERENCES people (id),
  type text NOT NULL,
  effective_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('scheduled', 'applied', 'cancelled', 'failed')),
  changes jsonb NOT NULL DEFAULT '{}'::jsonb,
  source text NOT NULL,
  reason text,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz,
  error text
);
CREATE INDEX person_events_person_idx ON person_events (person_id, effective_at);
CREATE INDEX person_events_due_idx ON person_events (effective_at) WHERE state = 'scheduled';

-- The record as it was: one row per version, valid from its moment until the next one.
CREATE TABLE person_history (
  person_id text NOT NULL REFERENCES people (id),
  version integer NOT NULL,
  valid_from timestamptz NOT NULL,
  snapshot jsonb NOT NULL,
  event_id text,
  PRIMARY KEY (person_id, version)
);
CREATE INDEX person_history_time_idx ON person_history (person_id, valid_from);

-- Which source last set each attribute (provenance), and which source owns it (authority).
CREATE TABLE person_attribute_sources (
  person_id text NOT NULL REFERENCES people (id),
  attribute text NOT NULL,
  source text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, attribute)
);

CREATE TABLE attribute_authority (
  attribute text PRIMARY KEY,
  source text NOT NULL
);

CREATE TABLE agreements (
  id text PRIMARY KEY,
  person_id text NOT NULL REFERENCES people (id),
  kind text NOT NULL CHECK (kind IN ('nda', 'acceptable_use', 'security_responsibilities', 'confidentiality')),
  version text NOT NULL,
  signed_at date,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (person_id, kind, version)
);

CREATE TABLE prehire_checklist (
  person_id text NOT NULL REFERENCES people (id),
  item text NOT NULL CHECK (item IN ('contract_security_terms', 'background_check', 'access_profile_defined')),
  done boolean NOT NULL DEFAULT false,
  done_by text,
  done_at timestamptz,
  note text,
  PRIMARY KEY (person_id, item)
);

CREATE TABLE background_checks (
  id text PRIMARY KEY,
  person_id text NOT NULL REFERENCES people (id),
  kind text NOT NULL CHECK (kind IN ('criminal', 'credit', 'qualification', 'reference')),
  completed boolean NOT NULL DEFAULT false,
  details_enc text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  purge_after date NOT NULL
);
CREATE INDEX background_checks_person_idx ON background_checks (person_id);
CREATE INDEX background_checks_purge_idx ON background_checks (purge_after);

CREATE TABLE import_runs (
  id text PRIMARY KEY,
  source text NOT NULL,
  file_name text,
  dry_run boolean NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  counts jsonb NOT NULL DEFAULT '{}'::jsonb,
  errors jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE webhook_receipts (
  delivery_id text PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scim_groups (
  id text PRIMARY KEY,
  display_name text NOT NULL,
  external_id text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX scim_groups_name_key ON scim_groups (lower(display_name));

CREATE TABLE scim_group_members (
  group_id text NOT NULL REFERENCES scim_groups (id) ON DELETE CASCADE,
  person_id text NOT NULL REFERENCES people (id),
  PRIMARY KEY (group_id, person_id)
);
