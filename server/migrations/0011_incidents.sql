-- Notifications (platform) and incident response: incidents with playbooks, tasks, timeline,
-- evidence, decisions, links; regulatory clocks per jurisdiction; blameless post-mortems and
-- their actions; confidential HR cases.

-- One notification: what happened, once; recipients and deliveries hang off it.
CREATE TABLE notifications (
  id text PRIMARY KEY,
  kind text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('critical', 'high', 'normal', 'low')),
  title text NOT NULL,
  body text NOT NULL DEFAULT '',
  link text,
  -- The cause: a second notification for the same cause is not raised again.
  source_key text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX notifications_source_key ON notifications (source_key) WHERE source_key IS NOT NULL;

-- The in-app inbox: one row per recipient; digested_at once it went out in a digest.
CREATE TABLE notification_recipients (
  notification_id text NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  read_at timestamptz,
  digested_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, user_id)
);
CREATE INDEX notification_recipients_inbox ON notification_recipients (user_id, created_at DESC);
CREATE INDEX notification_recipients_digest ON notification_recipients (user_id) WHERE digested_at IS NULL;

-- Real-time deliveries (e-mail per user, Slack and Teams per organisation), each one job.
CREATE TABLE notification_deliveries (
  notification_id text NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('email', 'slack', 'teams')),
  -- A user id for e-mail, 'org' for the organisation's Slack/Teams channel.
  target text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  sent_at timestamptz,
  PRIMARY KEY (notification_id, channel, target)
);

CREATE TABLE notification_digests (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  notification_ids text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);

-- Per-user preferences: e-mail per kind for real-time alerts, and how often digests come.
CREATE TABLE notification_prefs (
  user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  email_kinds jsonb NOT NULL DEFAULT '{}',
  digest text NOT NULL DEFAULT 'daily' CHECK (digest IN ('hourly', 'daily', 'off')),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Playbooks: templates of tasks by department role, editable in the UI.
CREATE TABLE incident_playbooks (
  id text PRIMARY KEY,
  key text NOT NULL UNIQUE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  tasks jsonb NOT NULL DEFAULT '[]',
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Jurisdictions with their notification duties (targets are configuration, not legal advice).
CREATE TABLE incident_jurisdictions (
  id text PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  law text NOT NULL,
  authority text NOT NULL,
  deadline_hours integer NOT NULL CHECK (deadline_hours BETWEEN 1 AND 8760),
  notify_subjects boolean NOT NULL DEFAULT false,
  subjects_deadline_hours integer CHECK (subjects_deadline_hours BETWEEN 1 AND 8760),
  remind_before_hours integer[] NOT NULL DEFAULT '{24,6}',
  basis text NOT NULL DEFAULT '',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE incidents (
  id text PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  title text NOT NULL,
  summary text NOT NULL DEFAULT '',
  severity text NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3', 'sev4')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'contained', 'resolved', 'closed')),
  owner_user_id text REFERENCES users (id),
  people_involved boolean NOT NULL DEFAULT false,
  personal_data_breach boolean NOT NULL DEFAULT false,
  aware_at timestamptz,
  playbook_id text REFERENCES incident_playbooks (id),
  merged_into text REFERENCES incidents (id),
  created_by text,
  acknowledged_at timestamptz,
  contained_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_list_idx ON incidents (created_at DESC, id DESC);
CREATE INDEX incidents_status_idx ON incidents (status);
CREATE SEQUENCE incident_reference_seq;

-- Reports (reports module ids) an incident came from.
CREATE TABLE incident_reports (
  incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  report_id text NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, report_id)
);

CREATE TABLE incident_links (
  incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  other_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, other_id),
  CHECK (incident_id <> other_id)
);

-- Every change, message and decision in order.
CREATE TABLE incident_timeline (
  seq bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id text,
  actor_label text,
  kind text NOT NULL,
  text text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_timeline_idx ON incident_timeline (incident_id, seq);

CREATE TABLE incident_tasks (
  id text PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  title text NOT NULL,
  department_role text NOT NULL
    CHECK (department_role IN ('security', 'it', 'legal', 'hr', 'finance', 'communications')),
  assignee_user_id text REFERENCES users (id),
  due_at timestamptz,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  done_at timestamptz,
  reminded_at timestamptz,
  escalated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_tasks_incident_idx ON incident_tasks (incident_id, created_at);
CREATE INDEX incident_tasks_due_idx ON incident_tasks (due_at) WHERE status = 'open' AND due_at IS NOT NULL;

-- Notes and files, encrypted per record.
CREATE TABLE incident_evidence (
  id text PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('note', 'file')),
  name text NOT NULL,
  content_type text,
  size_bytes integer NOT NULL DEFAULT 0,
  sha256 text,
  body_enc text NOT NULL,
  added_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_evidence_idx ON incident_evidence (incident_id, created_at);

CREATE TABLE incident_decisions (
  id text PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  decision text NOT NULL,
  rationale text NOT NULL DEFAULT '',
  decided_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A running regulatory clock: one per incident, jurisdiction and audience.
CREATE TABLE incident_clocks (
  id text PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  jurisdiction_id text NOT NULL REFERENCES incident_jurisdictions (id),
  audience text NOT NULL CHECK (audience IN ('authority', 'subjects')),
  aware_at timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'notified', 'not_required')),
  notified_at timestamptz,
  notified_by text,
  evidence text,
  -- Reminder slots already sent ("24h", "6h"), and when the deadline passed unmet.
  reminders_sent text[] NOT NULL DEFAULT '{}',
  escalated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (incident_id, jurisdiction_id, audience)
);
CREATE INDEX incident_clocks_running_idx ON incident_clocks (due_at) WHERE state = 'running';

-- Blameless post-mortems: there is deliberately no field for fault or blame.
CREATE TABLE incident_postmortems (
  incident_id text PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
  what_happened text NOT NULL DEFAULT '',
  timeline_summary text NOT NULL DEFAULT '',
  contributing_factors text NOT NULL DEFAULT '',
  changes text NOT NULL DEFAULT '',
  completed_at timestamptz,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE incident_actions (
  id text PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  title text NOT NULL,
  owner_user_id text REFERENCES users (id),
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done')),
  done_at timestamptz,
  reminded_on date,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_actions_due_idx ON incident_actions (due_at) WHERE status <> 'done';

-- Confidential HR cases: content encrypted per record, visible to HR and named members only.
CREATE TABLE hr_cases (
  id text PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  source text NOT NULL CHECK (source IN ('manual', 'report', 'incident', 'referral', 'monitoring')),
  source_id text,
  subject_person_id text REFERENCES people (id),
  -- {title, details} as JSON, sealed with the case's own data key.
  content_enc text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  outcome text CHECK (outcome IN ('no_action', 'coaching', 'training', 'disciplinary')),
  opened_by text,
  closed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hr_cases_list_idx ON hr_cases (created_at DESC, id DESC);
CREATE INDEX hr_cases_closed_idx ON hr_cases (closed_at) WHERE status = 'closed';
CREATE SEQUENCE hr_case_reference_seq;

CREATE TABLE hr_case_members (
  case_id text NOT NULL REFERENCES hr_cases (id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  added_by text,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, user_id)
);

CREATE TABLE hr_case_notes (
  id text PRIMARY KEY,
  case_id text NOT NULL REFERENCES hr_cases (id) ON DELETE CASCADE,
  body_enc text NOT NULL,
  author_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hr_case_notes_idx ON hr_case_notes (case_id, created_at);

-- Starter jurisdictions. POPIA s22 says "as soon as reasonably possible": the 72 hours here
-- are an internal target an organisation should set for itself, not a statutory period.
INSERT INTO incident_jurisdictions
  (id, code, name, law, authority, deadline_hours, notify_subjects, subjects_deadline_hours, remind_before_hours, basis)
VALUES
  ('01JURISZA00000000000000000', 'ZA-POPIA', 'South Africa', 'POPIA section 22', 'Information Regulator',
   72, true, 72, '{24,6}',
   'Notify the Information Regulator and the data subjects as soon as reasonably possible after discovering the compromise (internal target).'),
  ('01JURISEU00000000000000000', 'EU-GDPR', 'European Union', 'GDPR article 33', 'Lead supervisory authority',
   72, false, NULL, '{24,6}',
   'Notify the supervisory authority without undue delay and, where feasible, not later than 72 hours after becoming aware of the breach.');

INSERT INTO incident_playbooks (id, key, name, description, tasks) VALUES
  ('01PLAYPHISH000000000000000', 'phishing-compromise', 'Phishing compromise',
   'Someone entered credentials or opened a payload from a phishing message.',
   '[{"title":"Reset the password and revoke the sessions of affected accounts","departmentRole":"security","dueHours":1},
     {"title":"Search and purge the message from all mailboxes; block sender and URLs","departmentRole":"it","dueHours":2},
     {"title":"Review mailbox rules, MFA devices and sign-ins of affected accounts","departmentRole":"security","dueHours":4},
     {"title":"Assess whether personal data was exposed and whether notification duties apply","departmentRole":"legal","dueHours":24},
     {"title":"Thank the reporter and tell staff what to look out for (no names)","departmentRole":"hr","dueHours":24}]'),
  ('01PLAYPAYFRAUD000000000000', 'payment-fraud', 'Payment fraud',
   'A fraudulent payment request (changed bank details, fake invoice, CEO fraud).',
   '[{"title":"Stop or recall the payment with the bank","departmentRole":"finance","dueHours":1},
     {"title":"Verify supplier bank details through a known channel","departmentRole":"finance","dueHours":4},
     {"title":"Check the mailbox that sent or received the request for compromise","departmentRole":"security","dueHours":4},
     {"title":"Assess reporting duties (police, insurer, regulator)","departmentRole":"legal","dueHours":24},
     {"title":"Support the employees involved; remind finance staff of the call-back rule","departmentRole":"hr","dueHours":48}]'),
  ('01PLAYLOSTDEVICE0000000000', 'lost-device', 'Lost or stolen device',
   'A laptop, phone or storage medium is lost or stolen.',
   '[{"title":"Lock and wipe the device remotely; revoke its sessions and certificates","departmentRole":"it","dueHours":1},
     {"title":"Confirm disk encryption status and what data was on the device","departmentRole":"security","dueHours":4},
     {"title":"Assess whether personal data was exposed and whether notification duties apply","departmentRole":"legal","dueHours":24},
     {"title":"Provide a replacement device and check in with the employee","departmentRole":"hr","dueHours":48}]'),
  ('01PLAYDATABREACH000000000', 'data-breach', 'Personal data breach',
   'Personal data was disclosed, lost, altered or accessed without authority.',
   '[{"title":"Contain: stop the disclosure, revoke access, preserve evidence","departmentRole":"security","dueHours":2},
     {"title":"Establish what data, how many data subjects and which jurisdictions","departmentRole":"security","dueHours":12},
     {"title":"Mark the breach and its awareness time; decide on regulator notification","departmentRole":"legal","dueHours":24},
     {"title":"Prepare the notice to data subjects","departmentRole":"legal","dueHours":48},
     {"title":"Prepare external statements and answers for customers and press","departmentRole":"communications","dueHours":48},
     {"title":"Brief staff internally and handle any employee matter","departmentRole":"hr","dueHours":48}]'),
  ('01PLAYINSIDER0000000000000', 'insider', 'Insider threat',
   'Suspicious behaviour by someone with legitimate access (data exfiltration, sabotage, misuse).',
   '[{"title":"Preserve logs and evidence without alerting the person","departmentRole":"security","dueHours":4},
     {"title":"Review and reduce the person''s access as agreed with HR and Legal","departmentRole":"it","dueHours":8},
     {"title":"Open a confidential HR case and plan the employee process","departmentRole":"hr","dueHours":24},
     {"title":"Advise on employment law, privacy and evidence handling","departmentRole":"legal","dueHours":24}]');
