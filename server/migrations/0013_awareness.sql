-- Awareness: policies with versioned acknowledgement, training modules with quizzes,
-- assignment rules, assignments with escalation levels, quiz attempts and certificates.

CREATE TABLE awareness_policies (
  id text PRIMARY KEY,
  -- Starter content carries a stable key so seeding twice adds nothing.
  starter_key text UNIQUE,
  title text NOT NULL,
  owner text NOT NULL,
  review_due date NOT NULL,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'retired')),
  current_version integer,
  audience jsonb NOT NULL DEFAULT '{"everyone": true}',
  ack_due_days integer NOT NULL DEFAULT 14 CHECK (ack_due_days BETWEEN 1 AND 365),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE awareness_policy_versions (
  policy_id text NOT NULL REFERENCES awareness_policies (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  body_md text NOT NULL,
  change_note text NOT NULL DEFAULT '',
  published_at timestamptz,
  published_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (policy_id, version)
);

-- An acknowledgement is of one version; earlier versions' acknowledgements stay as history.
CREATE TABLE awareness_acknowledgements (
  policy_id text NOT NULL,
  version integer NOT NULL,
  person_id text NOT NULL,
  user_id text,
  acknowledged_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (policy_id, version, person_id),
  FOREIGN KEY (policy_id, version) REFERENCES awareness_policy_versions (policy_id, version) ON DELETE CASCADE
);
CREATE INDEX awareness_ack_person ON awareness_acknowledgements (person_id);

CREATE TABLE awareness_modules (
  id text PRIMARY KEY,
  starter_key text UNIQUE,
  title text NOT NULL,
  summary text NOT NULL DEFAULT '',
  body_md text NOT NULL,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'retired')),
  pass_mark integer NOT NULL DEFAULT 80 CHECK (pass_mark BETWEEN 1 AND 100),
  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 20),
  -- Questions drawn per attempt; NULL: every question.
  questions_per_attempt integer CHECK (questions_per_attempt IS NULL OR questions_per_attempt >= 1),
  due_days integer NOT NULL DEFAULT 30 CHECK (due_days BETWEEN 1 AND 365),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE awareness_questions (
  id text PRIMARY KEY,
  module_id text NOT NULL REFERENCES awareness_modules (id) ON DELETE CASCADE,
  position integer NOT NULL,
  prompt text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('single', 'multiple')),
  -- [{ "id": "...", "text": "...", "correct": true }]: never sent to a learner as is.
  options jsonb NOT NULL,
  explanation text NOT NULL DEFAULT '',
  active boolean NOT NULL DEFAULT true
);
CREATE INDEX awareness_questions_module ON awareness_questions (module_id, position);

-- Assignment rules are data: who gets what, when.
CREATE TABLE awareness_rules (
  id text PRIMARY KEY,
  starter_key text UNIQUE,
  name text NOT NULL,
  trigger text NOT NULL CHECK (trigger IN ('joiner', 'notice', 'annual', 'hr_case', 'follow_up')),
  item_type text NOT NULL CHECK (item_type IN ('policy', 'module')),
  item_id text NOT NULL,
  audience jsonb NOT NULL DEFAULT '{"everyone": true}',
  due_days integer NOT NULL DEFAULT 14 CHECK (due_days BETWEEN 1 AND 365),
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (person, item, cycle): a cycle is "v3" for a policy version, "onboarding",
-- a year for the annual refresher, "hr_case:<id>", "follow_up:<key>" or "demand:<id>".
CREATE TABLE awareness_assignments (
  id text PRIMARY KEY,
  person_id text NOT NULL,
  item_type text NOT NULL CHECK (item_type IN ('policy', 'module')),
  item_id text NOT NULL,
  policy_version integer,
  cycle text NOT NULL,
  source text NOT NULL,
  reason text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'closed')),
  due_at timestamptz NOT NULL,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  closed_at timestamptz,
  closed_reason text,
  -- 0 none sent, 1 the person reminded, 2 their manager told, 3 HR told.
  escalation_level integer NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 3),
  escalated_at timestamptz,
  UNIQUE (person_id, item_type, item_id, cycle)
);
CREATE INDEX awareness_assignments_open ON awareness_assignments (status, due_at);
CREATE INDEX awareness_assignments_item ON awareness_assignments (item_type, item_id, status);

-- A quiz attempt is a server-side record: the questions and option order drawn for it, and
-- once submitted its answers and score. A submitted attempt never changes.
CREATE TABLE awareness_attempts (
  id text PRIMARY KEY,
  assignment_id text NOT NULL REFERENCES awareness_assignments (id),
  person_id text NOT NULL,
  module_id text NOT NULL REFERENCES awareness_modules (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  paper jsonb NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  submitted_at timestamptz,
  answers jsonb,
  score integer,
  passed boolean,
  UNIQUE (assignment_id, seq)
);
CREATE UNIQUE INDEX awareness_attempts_one_open ON awareness_attempts (assignment_id) WHERE submitted_at IS NULL;

CREATE TABLE awareness_certificates (
  id text PRIMARY KEY,
  attempt_id text NOT NULL UNIQUE REFERENCES awareness_attempts (id),
  person_id text NOT NULL,
  module_id text NOT NULL REFERENCES awareness_modules (id) ON DELETE CASCADE,
  module_title text NOT NULL,
  person_name text NOT NULL,
  score integer NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX awareness_certificates_person ON awareness_certificates (person_id);
