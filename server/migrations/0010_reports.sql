-- Reports: anyone raises what they saw (signed in, anonymously, by API or by e-mail);
-- Security triages them. Nothing here records who was at fault: a report has a reporter
-- (or none, when anonymous), never a culprit. Anonymous reports keep no account, address
-- or browser of the reporter: only the hash of their follow-up code.

CREATE SEQUENCE report_reference_seq;

CREATE TABLE reports (
  id text PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  category text NOT NULL CHECK (category IN ('phishing_email', 'suspicious_payment', 'suspicious_behaviour',
    'lost_device', 'own_mistake', 'near_miss', 'question', 'other')),
  channel text NOT NULL CHECK (channel IN ('web', 'anonymous', 'api', 'email')),
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  -- The category's guided-form answers (validated by the category's schema).
  details jsonb NOT NULL DEFAULT '{}',
  anonymous boolean NOT NULL DEFAULT false,
  reporter_user_id text REFERENCES users (id) ON DELETE SET NULL,
  -- A mail report's sender as written in the mail (the reporter, not the suspect).
  reporter_email text,
  -- The reporter's department when they reported (for statistics); never for anonymous reports.
  reporter_department text,
  followup_hash text UNIQUE,
  CHECK (NOT anonymous OR (reporter_user_id IS NULL AND reporter_email IS NULL AND reporter_department IS NULL)),
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'in_review',
    'waiting_for_reporter', 'escalated', 'closed', 'merged')),
  severity text CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  assignee_user_id text REFERENCES users (id) ON DELETE SET NULL,
  verdict text CHECK (verdict IN ('benign', 'malicious', 'needs_more_info')),
  -- What the reporter is told when the report is closed.
  outcome text,
  merged_into text REFERENCES reports (id),
  incident_id text,
  -- What similar reports share: the suspicious sender, the first link's host, the subject.
  suspect_sender text,
  url_host text,
  subject_key text,
  urls jsonb NOT NULL DEFAULT '[]',
  flags text[] NOT NULL DEFAULT '{}',
  simulated boolean NOT NULL DEFAULT false,
  acknowledged_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', reference || ' ' || title || ' ' || left(description, 4000) || ' ' ||
      coalesce(suspect_sender, '') || ' ' || coalesce(url_host, ''))
  ) STORED
);
-- The triage queue reads newest first (id is a ULID) with optional filters.
CREATE INDEX reports_open_idx ON reports (id DESC) WHERE status NOT IN ('closed', 'merged');
CREATE INDEX reports_status_idx ON reports (status, id DESC);
CREATE INDEX reports_category_idx ON reports (category, id DESC);
CREATE INDEX reports_severity_idx ON reports (severity, id DESC) WHERE severity IS NOT NULL;
CREATE INDEX reports_assignee_idx ON reports (assignee_user_id, id DESC) WHERE assignee_user_id IS NOT NULL;
CREATE INDEX reports_verdict_idx ON reports (verdict, id DESC) WHERE verdict IS NOT NULL;
CREATE INDEX reports_reporter_idx ON reports (reporter_user_id, id DESC) WHERE reporter_user_id IS NOT NULL;
CREATE INDEX reports_sender_idx ON reports (suspect_sender) WHERE suspect_sender IS NOT NULL;
CREATE INDEX reports_host_idx ON reports (url_host) WHERE url_host IS NOT NULL;
CREATE INDEX reports_subject_idx ON reports (subject_key) WHERE subject_key IS NOT NULL;
CREATE INDEX reports_merged_idx ON reports (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX reports_created_idx ON reports (created_at);
CREATE INDEX reports_search_idx ON reports USING gin (search);

CREATE TABLE report_attachments (
  id text PRIMARY KEY,
  report_id text NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  filename text NOT NULL,
  -- The type found in the content (never the one the sender claimed).
  content_type text NOT NULL,
  size integer NOT NULL,
  sha256 text NOT NULL,
  content_enc text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_attachments_report_idx ON report_attachments (report_id);

-- The conversation between Security and the reporter (also anonymous reporters, by code).
CREATE TABLE report_messages (
  id text PRIMARY KEY,
  report_id text NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  author text NOT NULL CHECK (author IN ('security', 'reporter')),
  -- Security's author; null for the reporter (who is known from the report, or nobody).
  author_user_id text REFERENCES users (id) ON DELETE SET NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_messages_report_idx ON report_messages (report_id, id);

-- Mail received by the report address, kept as it came (encrypted) before it is parsed.
CREATE TABLE report_mail (
  id text PRIMARY KEY,
  sha256 text NOT NULL UNIQUE,
  message_id text,
  envelope_from text,
  size integer NOT NULL,
  raw_enc text NOT NULL,
  state text NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'parsed', 'duplicate')),
  report_id text REFERENCES reports (id),
  received_at timestamptz NOT NULL DEFAULT now(),
  parsed_at timestamptz
);
CREATE INDEX report_mail_message_idx ON report_mail (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX report_mail_report_idx ON report_mail (report_id) WHERE report_id IS NOT NULL;

-- Token buckets shared by every node: anonymous submissions and follow-up code lookups.
CREATE TABLE report_rate_buckets (
  name text PRIMARY KEY,
  tokens double precision NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Ask Security: questions from anyone signed in, answers from Security and IT.
CREATE TABLE ask_questions (
  id text PRIMARY KEY,
  asker_user_id text REFERENCES users (id) ON DELETE SET NULL,
  title text NOT NULL,
  body text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ask_questions_asker_idx ON ask_questions (asker_user_id, id DESC);
CREATE INDEX ask_questions_status_idx ON ask_questions (status, id DESC);

CREATE TABLE ask_answers (
  id text PRIMARY KEY,
  question_id text NOT NULL REFERENCES ask_questions (id) ON DELETE CASCADE,
  author_user_id text REFERENCES users (id) ON DELETE SET NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ask_answers_question_idx ON ask_answers (question_id, id);

CREATE TABLE faq_entries (
  id text PRIMARY KEY,
  question text NOT NULL,
  answer text NOT NULL,
  source_question_id text REFERENCES ask_questions (id) ON DELETE SET NULL,
  created_by text REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', question || ' ' || answer)) STORED
);
CREATE INDEX faq_entries_search_idx ON faq_entries USING gin (search);
