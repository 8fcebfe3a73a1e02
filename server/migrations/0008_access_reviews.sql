-- Access reviews (certification campaigns): a campaign snapshots the grants in scope (the
-- accounts and entitlements linked to people) into items, each assigned to a reviewer who
-- keeps or revokes it. A revocation is an override the desired state honours, so the engine
-- removes the grant and verifies it by reading the system back.

CREATE TABLE access_review_campaigns (
  id text PRIMARY KEY,
  name text NOT NULL,
  description text,
  -- manager: each manager reviews their reports' grants; system_owner: each owner their system's.
  scope text NOT NULL CHECK (scope IN ('manager', 'system_owner')),
  -- Systems in scope; empty: every system.
  system_ids text[] NOT NULL DEFAULT '{}',
  due_at timestamptz NOT NULL,
  -- Reviewers with open items are reminded this many days before the due date.
  reminder_days integer[] NOT NULL DEFAULT '{7,1}',
  -- And once a day while the campaign is past due (when it does not close by itself).
  remind_overdue boolean NOT NULL DEFAULT true,
  -- Closed at the due date: open items become not_reviewed.
  auto_close boolean NOT NULL DEFAULT true,
  state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'closed')),
  -- The Tandem user who owns the campaign: items without a reviewer go to them.
  owner_user_id text NOT NULL,
  owner_name text NOT NULL,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  started_by text,
  closed_at timestamptz,
  closed_by text,
  close_reason text CHECK (close_reason IN ('manual', 'due')),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX access_review_campaigns_list_idx ON access_review_campaigns (created_at, id);
CREATE INDEX access_review_campaigns_active_idx ON access_review_campaigns (due_at) WHERE state = 'active';

CREATE TABLE access_review_items (
  id text PRIMARY KEY,
  campaign_id text NOT NULL REFERENCES access_review_campaigns (id) ON DELETE CASCADE,
  -- The grant as it stood when the campaign started (names kept for the evidence).
  person_id text NOT NULL REFERENCES people (id),
  person_name text NOT NULL,
  employee_number text NOT NULL,
  system_id text REFERENCES systems (id) ON DELETE SET NULL,
  system_name text NOT NULL,
  account_id text,
  account_ref text NOT NULL,
  username text NOT NULL,
  account_enabled boolean NOT NULL,
  -- Null: the account itself.
  entitlement_ref text,
  entitlement_name text,
  -- Who decides: a person (manager, system owner) or, failing one, the campaign owner's user.
  reviewer_person_id text REFERENCES people (id),
  reviewer_user_id text,
  reviewer_name text NOT NULL,
  -- Why the item went to the campaign owner instead of the reviewer the scope names.
  flag text CHECK (flag IN ('no_manager', 'no_owner', 'self_review', 'reviewer_inactive', 'reviewer_no_login')),
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'kept', 'revoked', 'not_reviewed')),
  comment text,
  decided_at timestamptz,
  decided_by_user_id text,
  decided_by text,
  -- An access admin decided for the reviewer.
  delegate boolean NOT NULL DEFAULT false,
  -- How many times the decision was changed before the campaign closed.
  changes integer NOT NULL DEFAULT 0,
  -- The plan that carried the decision out (a revocation, or access back after a change).
  plan_id text REFERENCES access_plans (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_review_items_campaign_idx ON access_review_items (campaign_id, state, id);
CREATE INDEX access_review_items_person_reviewer_idx ON access_review_items (reviewer_person_id, state)
  WHERE reviewer_person_id IS NOT NULL;
CREATE INDEX access_review_items_user_reviewer_idx ON access_review_items (reviewer_user_id, state)
  WHERE reviewer_user_id IS NOT NULL;

-- A revoked grant stays out of the person's desired state while the override stands: until
-- the decision is changed back, or the person's job role changes (the new role's access
-- is decided afresh).
CREATE TABLE access_review_revocations (
  id text PRIMARY KEY,
  item_id text NOT NULL REFERENCES access_review_items (id) ON DELETE CASCADE,
  person_id text NOT NULL REFERENCES people (id),
  system_id text NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
  -- Null: the account itself (disabled, with every entitlement it holds).
  entitlement_ref text,
  job_role_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  lifted_at timestamptz,
  lifted_by text,
  lift_reason text
);
CREATE UNIQUE INDEX access_review_revocations_item_key ON access_review_revocations (item_id) WHERE lifted_at IS NULL;
CREATE INDEX access_review_revocations_person_idx ON access_review_revocations (person_id) WHERE lifted_at IS NULL;

-- Reminders sent, one per campaign, reviewer and slot (a number of days before the due
-- date, or a day past it), so a reminder is never sent twice.
CREATE TABLE access_review_reminders (
  campaign_id text NOT NULL REFERENCES access_review_campaigns (id) ON DELETE CASCADE,
  -- person:<id> or user:<id>
  reviewer_key text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
  slot text NOT NULL,
  open_items integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, reviewer_key, kind, slot)
);

-- Plans made by a review decision carry the reason 'review'. The reasons allowed so far are
-- kept (whatever earlier migrations added) and 'review' is added to them.
DO $$
DECLARE
  reasons text[];
  c record;
BEGIN
  SELECT array_agg(DISTINCT m[1]) INTO reasons
  FROM pg_constraint k, regexp_matches(pg_get_constraintdef(k.oid), '''([a-z_]+)''', 'g') AS m
  WHERE k.conrelid = 'access_plans'::regclass AND k.contype = 'c'
    AND pg_get_constraintdef(k.oid) ~ '\mreason\M';
  FOR c IN SELECT conname FROM pg_constraint
           WHERE conrelid = 'access_plans'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) ~ '\mreason\M'
  LOOP
    EXECUTE format('ALTER TABLE access_plans DROP CONSTRAINT %I', c.conname);
  END LOOP;
  reasons := array_append(COALESCE(reasons, ARRAY['joiner', 'mover', 'leaver', 'reconcile', 'manual']), 'review');
  EXECUTE format('ALTER TABLE access_plans ADD CONSTRAINT access_plans_reason_check CHECK (reason IN (%s))',
    (SELECT string_agg(quote_literal(x), ', ' ORDER BY x) FROM unnest(reasons) AS x));
END $$;
