-- Reports: who the learners are by name (PARS needs first and last names), the LMS courses and their NRPS roster,
-- and the record of every export (what was sent, when, by whom, for which claims). cme-credit.md 1.3, 1.7, 5
-- ("ReportSubmission"). Kept >= 6 years like the claims they name (cme-credit 5, retention): nothing cascades.

-- Names as the LMS gives them, per learner per platform: from each launch (trigger below) and from NRPS.
CREATE TABLE lms_person (
  platform_id text NOT NULL,
  sub         text NOT NULL,
  name        text,
  given_name  text,
  family_name text,
  source      text NOT NULL CHECK (source IN ('launch', 'nrps')),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform_id, sub)
);

-- LMS courses seen in launches, with their NRPS memberships URL (LTI NRPS 2.0 §3.6.1.1), so a provider-wide
-- registrar can synchronise a course's roster without launching from that course.
CREATE TABLE lms_context (
  platform_id     text NOT NULL,
  context_id      text NOT NULL,
  title           text,
  memberships_url text,
  roster_synced_at timestamptz,
  roster_error    text,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform_id, context_id)
);

-- The course's members as NRPS last listed them; a member absent from the latest list is marked inactive.
CREATE TABLE roster_member (
  platform_id text NOT NULL,
  context_id  text NOT NULL,
  sub         text NOT NULL,
  roles       jsonb NOT NULL DEFAULT '[]',
  status      text NOT NULL,           -- Active | Inactive | Deleted (NRPS 2.0 §3.6.2), or Inactive when no longer listed
  is_learner  boolean NOT NULL,
  synced_at   timestamptz NOT NULL,
  PRIMARY KEY (platform_id, context_id, sub)
);

-- Every launch records the name the platform sent and the course's NRPS endpoint. A trigger, so that the launch
-- code (src/lti) needs no knowledge of reports; it never raises (PGlite drops the connection on an error in a function).
CREATE FUNCTION reports_capture_launch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.launch->'user' ? 'name' OR NEW.launch->'user' ? 'givenName' OR NEW.launch->'user' ? 'familyName' THEN
    INSERT INTO lms_person (platform_id, sub, name, given_name, family_name, source)
    VALUES (NEW.platform_id, NEW.sub, NEW.launch->'user'->>'name', NEW.launch->'user'->>'givenName', NEW.launch->'user'->>'familyName', 'launch')
    ON CONFLICT (platform_id, sub) DO UPDATE SET
      name = COALESCE(EXCLUDED.name, lms_person.name), given_name = COALESCE(EXCLUDED.given_name, lms_person.given_name),
      family_name = COALESCE(EXCLUDED.family_name, lms_person.family_name), source = 'launch', updated_at = now();
  END IF;
  IF NEW.context_id IS NOT NULL THEN
    INSERT INTO lms_context (platform_id, context_id, title, memberships_url)
    VALUES (NEW.platform_id, NEW.context_id, NEW.launch->'context'->>'title', NEW.launch->'nrps'->>'contextMembershipsUrl')
    ON CONFLICT (platform_id, context_id) DO UPDATE SET
      title = COALESCE(EXCLUDED.title, lms_context.title), memberships_url = COALESCE(EXCLUDED.memberships_url, lms_context.memberships_url),
      updated_at = now();
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER lti_session_reports_capture AFTER INSERT ON lti_session FOR EACH ROW EXECUTE FUNCTION reports_capture_launch();

-- One export: a file Accrue produced for a target (PARS learner completions, CPE Monitor) or a transcript. Written
-- in the transaction that streams the file, so a row exists only for a file produced whole; a failed run is
-- recorded afterwards with status 'failed' and no claims.
CREATE TABLE report_export (
  id            uuid PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('pars_learner', 'cpe_monitor', 'transcript_learner', 'transcript_activity')),
  -- The reporting target whose claims must not be sent twice (null for transcripts, which report nothing).
  target        text CHECK (target IN ('PARS_LEARNER', 'CPE_MONITOR')),
  mode          text NOT NULL CHECK (mode IN ('new', 'correction', 'copy')),
  format        text NOT NULL CHECK (format IN ('csv', 'pdf')),
  scope         jsonb NOT NULL,          -- {provider: true} or {platformId, contextId}; activityId, learner, from, to
  layout        jsonb,                   -- the column template used, as it was (ACCME and ACPE revise layouts)
  requested_by  text NOT NULL,           -- lti:<issuer>|<sub> or cli:<user>
  requested_name text,
  status        text NOT NULL CHECK (status IN ('complete', 'failed')),
  row_count     integer NOT NULL DEFAULT 0,
  claim_count   integer NOT NULL DEFAULT 0,
  bytes         bigint NOT NULL DEFAULT 0,
  file_sha256   text,
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz
);
CREATE INDEX report_export_created ON report_export (created_at DESC);

-- The claims in an export. A claim goes to a target once, unless an explicit correction re-sends it (naming the
-- export it corrects); the partial unique index makes "never twice by accident" hold even against a race.
CREATE TABLE report_export_claim (
  export_id          uuid NOT NULL REFERENCES report_export (id),
  claim_id           uuid NOT NULL REFERENCES credit_claim (id),
  target             text,
  correction         boolean NOT NULL DEFAULT false,
  corrects_export_id uuid REFERENCES report_export (id),
  PRIMARY KEY (export_id, claim_id)
);
CREATE UNIQUE INDEX report_export_claim_once ON report_export_claim (claim_id, target) WHERE target IS NOT NULL AND NOT correction;
CREATE INDEX report_export_claim_claim ON report_export_claim (claim_id);

-- Reports read claims by type and date, and enrollments by activity.
CREATE INDEX credit_claim_type_date ON credit_claim (credit_type, completion_date);
CREATE INDEX completion_evidence_kind ON completion_evidence (kind, enrollment_id);
