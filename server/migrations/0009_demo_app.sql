-- A small SaaS application Tandem serves itself (at /demo/scim/v2) so that a first run
-- has a system to provision and revoke with nothing else installed. Only the demo uses it.
CREATE TABLE demo_app_resources (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('User', 'Group')),
  doc jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX demo_app_user_name_key ON demo_app_resources (lower(doc ->> 'userName')) WHERE kind = 'User';
CREATE UNIQUE INDEX demo_app_group_name_key ON demo_app_resources (lower(doc ->> 'displayName')) WHERE kind = 'Group';

-- The bearer token the demo application accepts (its SHA-256; the token itself is a secret
-- of the demo system in Tandem's catalogue).
CREATE TABLE demo_app_tokens (
  token_hash text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
