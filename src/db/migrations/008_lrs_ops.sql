-- LRS operations: forwarding to external LRSs (a durable outbox), short-lived launch credentials, and the
-- append-only audit of retention runs (purge by date, actor erasure).

-- External LRSs from configuration (LRS_FORWARD_TARGETS), kept here so every process shares their health: after
-- consecutive failures a target is paused (`paused_until`) and probed by one delivery at a time.
CREATE TABLE lrs_forward_target (
  name             text PRIMARY KEY,
  endpoint         text NOT NULL,
  delivered        bigint NOT NULL DEFAULT 0,   -- statements delivered so far (their outbox rows are deleted)
  last_delivered_at timestamptz,
  failures         integer NOT NULL DEFAULT 0,  -- consecutive target-level failures (network, timeout, 5xx, 401/403/429)
  paused_until     timestamptz,                 -- no delivery before this (backoff after a failure)
  probe_until      timestamptz,                 -- lease of the one delivery probing a failing target
  last_error       text,
  last_error_at    timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- One row per statement and target, inserted in the statement's own transaction; deleted once delivered.
-- The statement is read from lrs_statement at delivery (a purged or erased statement is never forwarded).
CREATE TABLE lrs_forward_outbox (
  id               bigserial PRIMARY KEY,
  target           text NOT NULL,
  statement_id     uuid NOT NULL REFERENCES lrs_statement (id) ON DELETE CASCADE,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  locked_until     timestamptz,                -- lease of the worker delivering it; an expired lease is taken over
  locked_by        text,
  last_error       text,
  last_attempt_at  timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (target, statement_id)
);
CREATE INDEX lrs_forward_outbox_due ON lrs_forward_outbox (target, next_attempt_at, id);
CREATE INDEX lrs_forward_outbox_statement ON lrs_forward_outbox (statement_id);

-- Credentials handed to launched content (xAPI launch parameters: endpoint, auth, actor, registration). The
-- secret is random (32 bytes), so a SHA-256 of it suffices. They write only for `agent_key` about `activity_id`
-- (or an IRI under it), read only their own statements, and stop at `expires_at`.
CREATE TABLE lrs_launch_credential (
  key          text PRIMARY KEY,
  secret_hash  text NOT NULL,
  actor        jsonb NOT NULL,
  agent_key    text NOT NULL,
  activity_id  text NOT NULL,
  registration uuid,
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lrs_launch_credential_expires ON lrs_launch_credential (expires_at);
CREATE INDEX lrs_launch_credential_agent ON lrs_launch_credential (agent_key);

-- Retention runs: who ran what, when, with which criteria (as an HMAC, never in clear) and the counts. Rows are
-- only ever added: a trigger refuses UPDATE, DELETE and TRUNCATE.
CREATE TABLE lrs_audit (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  action        text NOT NULL CHECK (action IN ('purge', 'erase')),
  phase         text NOT NULL CHECK (phase IN ('dry-run', 'started', 'finished')),
  ran_by        text NOT NULL,
  criteria_hash text NOT NULL,
  counts        jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE FUNCTION lrs_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'lrs_audit is append-only';
END;
$$;
CREATE TRIGGER lrs_audit_no_update BEFORE UPDATE OR DELETE ON lrs_audit FOR EACH ROW EXECUTE FUNCTION lrs_audit_append_only();
CREATE TRIGGER lrs_audit_no_truncate BEFORE TRUNCATE ON lrs_audit FOR EACH STATEMENT EXECUTE FUNCTION lrs_audit_append_only();
