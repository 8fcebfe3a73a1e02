-- Revocation certificates: per leaver plan that completes a departure, the proof that every
-- account and entitlement of the person is gone (each verified by read-back or attested by
-- a person). The document is kept as canonical JSON text, exactly the bytes its SHA-256
-- digest was taken of; the digest is sealed into the audit chain by the entry
-- access.certificate_issued written in the same transaction (audit_id / audit_seq).

CREATE TABLE access_certificates (
  id text PRIMARY KEY,
  -- One certificate per leaver plan: issuing again finds this row.
  plan_id text NOT NULL REFERENCES access_plans (id),
  person_id text NOT NULL REFERENCES people (id),
  issued_at timestamptz NOT NULL DEFAULT now(),
  -- Canonical JSON (object keys sorted, no white space), stored as text so no byte changes.
  body text NOT NULL,
  -- Lower-case hex SHA-256 of body.
  digest text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  audit_id text NOT NULL,
  audit_seq bigint NOT NULL
);
CREATE UNIQUE INDEX access_certificates_plan_key ON access_certificates (plan_id);
CREATE INDEX access_certificates_person_idx ON access_certificates (person_id, id);

-- Evidence is never rewritten: the database refuses changes (the digest in the audit chain
-- still catches someone who switches the trigger off).
CREATE FUNCTION access_certificates_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'access_certificates is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER access_certificates_no_update BEFORE UPDATE OR DELETE ON access_certificates
  FOR EACH ROW EXECUTE FUNCTION access_certificates_append_only();
CREATE TRIGGER access_certificates_no_truncate BEFORE TRUNCATE ON access_certificates
  FOR EACH STATEMENT EXECUTE FUNCTION access_certificates_append_only();
