-- Phishing simulation: templates with landing pages, campaigns over an audience and a time
-- window, one row per recipient with its own sending state and tracking token, and every
-- tracked interaction with the reason it was (or was not) counted as a person's action.

CREATE TABLE phishing_templates (
  id text PRIMARY KEY,
  starter_key text UNIQUE,
  name text NOT NULL,
  -- What the lure imitates, for the results ("payment", "delivery", "login", "ai_tool", ...).
  lure text NOT NULL DEFAULT 'login',
  difficulty text NOT NULL DEFAULT 'medium' CHECK (difficulty IN ('easy', 'medium', 'hard')),
  from_name text NOT NULL,
  from_address text NOT NULL,
  subject text NOT NULL,
  -- Mail body (HTML and a plain-text part) with merge fields such as {{first_name}} and {{link}}.
  body_html text NOT NULL,
  body_text text NOT NULL,
  -- The page a click lands on: 'login' (a look-alike sign-in form whose typed values are never
  -- sent) or 'notice' (straight to the teachable moment).
  landing_kind text NOT NULL DEFAULT 'login' CHECK (landing_kind IN ('login', 'notice')),
  landing_title text NOT NULL DEFAULT '',
  -- The teachable moment shown after a click (Markdown): the signs the person could have seen.
  lesson_md text NOT NULL,
  archived boolean NOT NULL DEFAULT false,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE phishing_campaigns (
  id text PRIMARY KEY,
  name text NOT NULL,
  template_id text NOT NULL REFERENCES phishing_templates (id),
  audience jsonb NOT NULL DEFAULT '{"everyone": true}',
  -- Sending is spread over [window_start, window_end).
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  CHECK (window_end > window_start),
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'scheduled', 'sending', 'finished', 'cancelled')),
  -- Module assigned (follow_up) after a counted click; NULL: the follow_up rules decide.
  follow_up_module_id text REFERENCES awareness_modules (id),
  -- Tracking stays open this many days after the window ends; later clicks answer 410.
  track_days integer NOT NULL DEFAULT 30 CHECK (track_days BETWEEN 1 AND 365),
  created_by text,
  scheduled_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phishing_campaigns_status ON phishing_campaigns (status, window_start);

CREATE TABLE phishing_recipients (
  id text PRIMARY KEY,
  campaign_id text NOT NULL REFERENCES phishing_campaigns (id) ON DELETE CASCADE,
  person_id text NOT NULL,
  email text NOT NULL,
  -- The department when the mail was planned: results per department stay as they were.
  department_id text,
  -- sha256 of the tracking token. The token is random, made when the message is claimed for
  -- sending (it exists in clear only in the mail), so it is set from then on.
  token_hash text UNIQUE,
  send_at timestamptz NOT NULL,
  -- pending → sending → sent | failed; uncertain: a node died between handing the message to
  -- SMTP and recording it, so it is never sent again by itself; dropped: left the audience.
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'uncertain', 'dropped')),
  lease_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  message_id text,
  sent_at timestamptz,
  -- First counted moment of each stage (NULL: not (yet) counted).
  opened_at timestamptz,
  clicked_at timestamptz,
  submitted_at timestamptz,
  reported_at timestamptz,
  report_id text,
  UNIQUE (campaign_id, person_id)
);
-- What the sender claims next, across campaigns: the earliest pending send times.
CREATE INDEX phishing_recipients_pending ON phishing_recipients (send_at) WHERE status = 'pending';
CREATE INDEX phishing_recipients_person ON phishing_recipients (person_id);

-- Every tracked request, counted or filtered, with why: the numbers can be explained and a
-- person from Security can override a decision (with a reason; audited).
CREATE TABLE phishing_interactions (
  id text PRIMARY KEY,
  recipient_id text NOT NULL REFERENCES phishing_recipients (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('open', 'click', 'confirm', 'submit', 'report')),
  at timestamptz NOT NULL DEFAULT now(),
  counted boolean NOT NULL,
  -- Why it was not counted: scanner_range, too_fast, bot_agent, prefetch, head_request,
  -- not_confirmed, expired, duplicate; or NULL.
  filter_reason text,
  -- The request's shape, never who made it: method, whether it carried browser headers, the
  -- user agent's family, seconds since delivery, whether the source was in a scanner range.
  shape jsonb NOT NULL DEFAULT '{}',
  override_counted boolean,
  override_reason text,
  override_by text,
  override_at timestamptz
);
CREATE INDEX phishing_interactions_recipient ON phishing_interactions (recipient_id, at);
