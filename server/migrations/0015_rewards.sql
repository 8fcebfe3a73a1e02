-- Rewards: points for what people do for security (a ledger with one row per person, kind and
-- source, so an event delivered twice earns once), the points each kind is worth (HR changes
-- them; a change applies to new entries only), each person's leaderboard choice, and the
-- security objectives per review period that feed performance evaluations.

CREATE TABLE rewards_point_values (
  kind text PRIMARY KEY CHECK (kind IN ('training', 'policy', 'phish_simulated', 'phish_real', 'near_miss')),
  points integer NOT NULL CHECK (points BETWEEN 0 AND 1000),
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO rewards_point_values (kind, points) VALUES
  ('training', 10), ('policy', 5), ('phish_simulated', 20), ('phish_real', 20), ('near_miss', 15);

CREATE TABLE rewards_points (
  id text PRIMARY KEY,
  person_id text NOT NULL REFERENCES people (id),
  kind text NOT NULL CHECK (kind IN ('training', 'policy', 'phish_simulated', 'phish_real', 'near_miss')),
  -- What earned it: an attempt, "policy:version", a phishing recipient or a report.
  source_id text NOT NULL,
  -- The value of the kind when the entry was made.
  points integer NOT NULL,
  label text NOT NULL DEFAULT '',
  earned_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (person_id, kind, source_id)
);
CREATE INDEX rewards_points_person_idx ON rewards_points (person_id, earned_at DESC);
CREATE INDEX rewards_points_earned_idx ON rewards_points (earned_at);

CREATE TABLE rewards_settings (
  person_id text PRIMARY KEY REFERENCES people (id),
  leaderboard_opt_in boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rewards_objectives (
  id text PRIMARY KEY,
  -- Review period: 2026-H2, 2026-Q3 or 2026 (the whole year).
  period text NOT NULL,
  title text NOT NULL,
  metric text NOT NULL CHECK (metric IN ('training_completed', 'policies_acknowledged', 'phish_reports',
    'points', 'no_clicks')),
  -- At least N reports or points; at most N counted clicks; unused for the "all assigned" metrics.
  target integer NOT NULL DEFAULT 0 CHECK (target BETWEEN 0 AND 1000000),
  scope text NOT NULL CHECK (scope IN ('everyone', 'department', 'person')),
  department_id text REFERENCES departments (id),
  person_id text REFERENCES people (id),
  CHECK ((scope = 'department') = (department_id IS NOT NULL)),
  CHECK ((scope = 'person') = (person_id IS NOT NULL)),
  set_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rewards_objectives_period_idx ON rewards_objectives (period, id);
