-- The embedded xAPI LRS (xAPI 1.0.3 and 2.0.0 from one store): credentials, statements with their agent and
-- activity index tables (written in the statement's transaction, so related_agents / related_activities and
-- agent+verb queries are index scans), attachments, activity definitions and documents.

-- Basic-auth key/secret pairs. The secret is kept only as scrypt(secret, salt); scopes follow xAPI 1.0.3
-- Part 3 §4.2 (all, all/read, statements/write, statements/read, statements/read/mine, state, define, profile).
CREATE TABLE lrs_credential (
  key         text PRIMARY KEY,
  name        text NOT NULL,
  secret_hash text NOT NULL,          -- scrypt$N$r$p$<salt b64>$<hash b64>
  scopes      text[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- One row per statement. `stored` is truncated to milliseconds (xAPI 2.0.0 §5.2.4.2); `seq` breaks ties and
-- pages. `statement` is the statement as stored (with id, stored, timestamp, authority, version).
CREATE TABLE lrs_statement (
  seq                 bigserial PRIMARY KEY,
  id                  uuid NOT NULL UNIQUE,
  stored              timestamptz NOT NULL,
  verb_id             text NOT NULL,
  registration        uuid,
  object_statement_id uuid,          -- the target of a StatementRef object (voiding statements included)
  voided              boolean NOT NULL DEFAULT false,
  credential_key      text,          -- the credential that stored it (statements/read/mine)
  statement           jsonb NOT NULL
);
CREATE INDEX lrs_statement_stored ON lrs_statement (stored DESC, seq DESC);
CREATE INDEX lrs_statement_verb ON lrs_statement (verb_id, stored DESC, seq DESC);
CREATE INDEX lrs_statement_registration ON lrs_statement (registration, stored DESC, seq DESC) WHERE registration IS NOT NULL;
CREATE INDEX lrs_statement_ref ON lrs_statement (object_statement_id) WHERE object_statement_id IS NOT NULL;
CREATE INDEX lrs_statement_credential ON lrs_statement (credential_key, stored DESC, seq DESC);

-- Statement <-> agent rows. `core` is true when the agent is the statement's actor or object (or a member of a
-- Group there): the `agent` filter. Every other position (authority, instructor, team, contextAgents,
-- contextGroups, SubStatement parts) is found by `related_agents`. verb_id, registration and stored are copied
-- from the statement so `agent + verb + stored` is one index range scan.
-- A statement whose object is a StatementRef also matches the filters its target matches (1.0.3 Part 3 §2.1.3
-- "Filter Conditions for StatementRefs"): at write time it gets copies of its target's rows with via_ref = true
-- (the target's verb and registration, its own stored), so those queries are index scans too.
CREATE TABLE lrs_statement_agent (
  statement_seq bigint NOT NULL REFERENCES lrs_statement (seq) ON DELETE CASCADE,
  agent_key     text NOT NULL,
  core          boolean NOT NULL,
  via_ref       boolean NOT NULL DEFAULT false,
  verb_id       text NOT NULL,
  registration  uuid,
  stored        timestamptz NOT NULL
);
CREATE INDEX lrs_statement_agent_stmt ON lrs_statement_agent (statement_seq, agent_key);
CREATE INDEX lrs_statement_agent_stored ON lrs_statement_agent (agent_key, stored DESC, statement_seq DESC) INCLUDE (core, via_ref, verb_id, registration);
CREATE INDEX lrs_statement_agent_verb ON lrs_statement_agent (agent_key, verb_id, stored DESC, statement_seq DESC) INCLUDE (core, via_ref, registration);

-- Statement <-> activity rows, same shape: `core` = the statement's object (the `activity` filter); context
-- activities and SubStatement activities are found by `related_activities`.
CREATE TABLE lrs_statement_activity (
  statement_seq bigint NOT NULL REFERENCES lrs_statement (seq) ON DELETE CASCADE,
  activity_id   text NOT NULL,
  core          boolean NOT NULL,
  via_ref       boolean NOT NULL DEFAULT false,
  verb_id       text NOT NULL,
  registration  uuid,
  stored        timestamptz NOT NULL
);
CREATE INDEX lrs_statement_activity_stmt ON lrs_statement_activity (statement_seq, activity_id);
CREATE INDEX lrs_statement_activity_stored ON lrs_statement_activity (activity_id, stored DESC, statement_seq DESC) INCLUDE (core, via_ref, verb_id, registration);
CREATE INDEX lrs_statement_activity_verb ON lrs_statement_activity (activity_id, verb_id, stored DESC, statement_seq DESC) INCLUDE (core, via_ref, registration);

-- The verbs and registrations a StatementRef statement matches through its target (and the target's target), for
-- verb / registration queries without an agent or activity.
CREATE TABLE lrs_statement_ref_match (
  statement_seq bigint NOT NULL REFERENCES lrs_statement (seq) ON DELETE CASCADE,
  verb_id       text NOT NULL,
  registration  uuid,
  stored        timestamptz NOT NULL
);
CREATE INDEX lrs_statement_ref_match_stmt ON lrs_statement_ref_match (statement_seq);
CREATE INDEX lrs_statement_ref_match_verb ON lrs_statement_ref_match (verb_id, stored DESC, statement_seq DESC) INCLUDE (registration);
CREATE INDEX lrs_statement_ref_match_registration ON lrs_statement_ref_match (registration, stored DESC, statement_seq DESC) WHERE registration IS NOT NULL;

-- Attachment content by SHA-2, shared by every statement that carries it (xAPI 1.0.3 Part 2 §2.4.11).
CREATE TABLE lrs_attachment (
  sha2         text PRIMARY KEY,
  content_type text NOT NULL,
  content      bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- The canonical definition of each Activity (GET /activities), updated from statements by credentials that may
-- define (xAPI 1.0.3 Part 3 §2.5: the LRS keeps the most recent definition it trusts).
CREATE TABLE lrs_activity (
  id         text PRIMARY KEY,
  definition jsonb,
  updated    timestamptz NOT NULL DEFAULT now()
);

-- State, Activity Profile and Agent Profile documents (xAPI 1.0.3 Part 3 §2.3-2.7, 2.0.0 §4.1.6.2-6).
-- Unused key parts are '' so the primary key covers every kind.
CREATE TABLE lrs_document (
  kind         text NOT NULL CHECK (kind IN ('state', 'activity-profile', 'agent-profile')),
  activity_id  text NOT NULL DEFAULT '',
  agent_key    text NOT NULL DEFAULT '',
  registration text NOT NULL DEFAULT '',
  doc_id       text NOT NULL,
  content_type text NOT NULL,
  content      bytea NOT NULL,
  etag         text NOT NULL,
  updated      timestamptz NOT NULL,
  PRIMARY KEY (kind, activity_id, agent_key, registration, doc_id)
);
CREATE INDEX lrs_document_updated ON lrs_document (kind, activity_id, agent_key, registration, updated);
