-- Access requests: a person asks for an entitlement (or an account) on a system, with a
-- reason and an optional end date; a chain of approvers decides step by step; an approved
-- request is part of the person's desired state until it ends. Separation-of-duties rules
-- name pairs of entitlements nobody should hold together.

-- Whether people may ask for access to a system (and to each entitlement), and who decides.
ALTER TABLE systems ADD COLUMN requestable boolean NOT NULL DEFAULT true;
ALTER TABLE systems ADD COLUMN approval_chain text NOT NULL DEFAULT 'manager_owner'
  CHECK (approval_chain IN ('manager', 'owner', 'manager_owner'));
ALTER TABLE entitlements ADD COLUMN requestable boolean NOT NULL DEFAULT true;

CREATE TABLE access_requests (
  id text PRIMARY KEY,
  person_id text NOT NULL REFERENCES people (id),
  -- The Tandem user who asked (the person's own account).
  requested_by text,
  system_id text NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
  -- Null: an account on the system, with no particular entitlement.
  entitlement_id text REFERENCES entitlements (id) ON DELETE CASCADE,
  reason text NOT NULL,
  -- Time-bound access ends by itself at this moment.
  ends_at timestamptz,
  -- Separation of duties: the exception-mode rules the request crosses, and why it is needed.
  sod_rules jsonb NOT NULL DEFAULT '[]',
  sod_justification text,
  approval_chain text NOT NULL,
  state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled', 'expired', 'ended')),
  -- The account on the system came with this request (nothing else gave it): it goes when the request ends.
  account_from_request boolean NOT NULL DEFAULT false,
  decided_at timestamptz,
  granted_at timestamptz,
  grant_plan_id text REFERENCES access_plans (id),
  ended_at timestamptz,
  end_reason text,
  ended_by text,
  -- When the removal of an ended grant was planned (the sweep plans what is not).
  end_planned_at timestamptz,
  end_plan_id text REFERENCES access_plans (id),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_requests_person_idx ON access_requests (person_id, state);
CREATE INDEX access_requests_list_idx ON access_requests (created_at, id);
CREATE INDEX access_requests_due_idx ON access_requests (ends_at) WHERE state = 'approved' AND ends_at IS NOT NULL;
CREATE INDEX access_requests_unplanned_idx ON access_requests (ended_at)
  WHERE state IN ('expired', 'ended') AND end_planned_at IS NULL;

CREATE TABLE access_request_steps (
  id text PRIMARY KEY,
  request_id text NOT NULL REFERENCES access_requests (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  -- Who decides this step: a named person (manager, owner) or Security (any access:admin holder).
  role text NOT NULL CHECK (role IN ('manager', 'owner', 'security')),
  -- The role the system's chain asked for; differs from role when the step was routed to Security.
  wanted_role text NOT NULL CHECK (wanted_role IN ('manager', 'owner')),
  approver_person_id text REFERENCES people (id),
  routed_reason text,
  state text NOT NULL CHECK (state IN ('waiting', 'pending', 'approved', 'rejected', 'cancelled')),
  decided_by text,
  decided_by_label text,
  comment text,
  decided_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (request_id, seq)
);
CREATE INDEX access_request_steps_approver_idx ON access_request_steps (approver_person_id, state);
CREATE INDEX access_request_steps_open_idx ON access_request_steps (role, state) WHERE state = 'pending';

CREATE TABLE access_sod_rules (
  id text PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL,
  -- block: refused outright; exception: allowed with a documented justification.
  mode text NOT NULL CHECK (mode IN ('block', 'exception')),
  left_entitlement_id text NOT NULL REFERENCES entitlements (id) ON DELETE CASCADE,
  right_entitlement_id text NOT NULL REFERENCES entitlements (id) ON DELETE CASCADE,
  enabled boolean NOT NULL DEFAULT true,
  created_by text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (left_entitlement_id <> right_entitlement_id)
);
CREATE UNIQUE INDEX access_sod_rules_name_key ON access_sod_rules (lower(name));
CREATE UNIQUE INDEX access_sod_rules_pair_key
  ON access_sod_rules (LEAST(left_entitlement_id, right_entitlement_id), GREATEST(left_entitlement_id, right_entitlement_id));
CREATE INDEX access_sod_rules_left_idx ON access_sod_rules (left_entitlement_id);
CREATE INDEX access_sod_rules_right_idx ON access_sod_rules (right_entitlement_id);
