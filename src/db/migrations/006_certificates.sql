-- Certificates: the issuer's signing keys, the certificates with their PDF and signed credentials, an append-only
-- audit trail of issue / revoke / reissue, and an outbox of certificate events for the LMS passback.
-- Domain: cme-credit.md 1.8 (what a certificate shows), 4 (Open Badges 3.0), 5 ("Certificate").

-- The provider's signing keys for Open Badges 3.0 credentials (VC-JWT). The newest key that is neither retired nor
-- revoked signs; every key that is not revoked stays published, so credentials signed before a rotation still
-- verify. The private key is stored only encrypted (AES-256-GCM under a key derived from the application secret).
CREATE TABLE certificate_signing_key (
  kid             text PRIMARY KEY,
  alg             text NOT NULL,
  public_jwk      jsonb NOT NULL,
  private_jwk_enc text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  retired_at      timestamptz,           -- no longer signs; still published
  revoked_at      timestamptz            -- compromised or withdrawn: no longer published
);

-- One certificate per award. `input` is what the issuer was given (kept so that a reissue renders the same facts),
-- `statements` the statements exactly as printed, `pdf` the document as issued: the record stays evidence even
-- when the template or the activity's statements change later (retention: cme-credit.md 5, >= 6 years).
CREATE TABLE certificate (
  id              uuid PRIMARY KEY,
  code            text NOT NULL UNIQUE,  -- verification code, normalised (no dashes, upper case)
  status          text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked', 'replaced')),
  platform_id     text NOT NULL,
  learner_sub     text NOT NULL,
  learner_name    text NOT NULL,
  activity_id     text NOT NULL,
  activity_title  text NOT NULL,
  completion_date date NOT NULL,
  input           jsonb NOT NULL,
  statements      jsonb NOT NULL,
  pdf             bytea NOT NULL,
  template_sha256 text NOT NULL,
  issued_at       timestamptz NOT NULL,
  revoked_at      timestamptz,
  revoked_reason  text,                  -- internal; never shown on the public verification page
  replaces        uuid REFERENCES certificate (id),
  replaced_by     uuid REFERENCES certificate (id),
  replaced_at     timestamptz
);
CREATE INDEX certificate_learner ON certificate (platform_id, learner_sub, issued_at DESC);
CREATE INDEX certificate_platform_issued ON certificate (platform_id, issued_at DESC);

-- One Open Badges 3.0 credential per credit type awarded, as a compact VC-JWT.
CREATE TABLE certificate_credential (
  certificate_id uuid NOT NULL REFERENCES certificate (id),
  credit_type    text NOT NULL,
  credential_id  text NOT NULL UNIQUE,   -- the credential's `id` (urn:uuid:...), also the JWT's jti
  kid            text NOT NULL REFERENCES certificate_signing_key (kid),
  jwt            text NOT NULL,
  PRIMARY KEY (certificate_id, credit_type)
);

-- Append-only: who issued, revoked or reissued which certificate, when and why.
CREATE TABLE certificate_audit (
  id             bigserial PRIMARY KEY,
  certificate_id uuid NOT NULL REFERENCES certificate (id),
  action         text NOT NULL CHECK (action IN ('issue', 'revoke', 'reissue')),
  actor          text NOT NULL,
  reason         text,
  details        jsonb NOT NULL DEFAULT '{}'::jsonb,
  at             timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX certificate_audit_certificate ON certificate_audit (certificate_id, id);

CREATE FUNCTION certificate_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'certificate_audit is append-only: % is not allowed', TG_OP;
END;
$$;
CREATE TRIGGER certificate_audit_no_update BEFORE UPDATE OR DELETE ON certificate_audit
  FOR EACH ROW EXECUTE FUNCTION certificate_audit_is_append_only();
CREATE TRIGGER certificate_audit_no_truncate BEFORE TRUNCATE ON certificate_audit
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_audit_is_append_only();

-- Certificate events for the passback to the LMS (the certificate link). Until the passback outbox lands, this is
-- the feature's own outbox; a dispatcher marks rows sent.
CREATE TABLE certificate_outbox (
  id             bigserial PRIMARY KEY,
  certificate_id uuid NOT NULL REFERENCES certificate (id),
  kind           text NOT NULL,
  payload        jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  sent_at        timestamptz
);
CREATE INDEX certificate_outbox_pending ON certificate_outbox (id) WHERE sent_at IS NULL;
