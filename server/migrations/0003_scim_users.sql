-- SCIM: what an identity provider says about a person beyond the HR record itself.
-- external_id is the provider's own key; given/family name are the parts it sent
-- (the HR record keeps the legal name whole); deleted_at marks a person the provider
-- deleted (terminated, record kept), which SCIM then answers 404 for.

CREATE TABLE scim_user_links (
  person_id text PRIMARY KEY REFERENCES people (id),
  external_id text,
  given_name text,
  family_name text,
  deleted_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scim_user_links_external_idx ON scim_user_links (external_id);
