-- CME activities (what the office designates) and the learner's path to a claim (what the learner did).
-- Domain: shared/domain/cme-credit.md sections 1 and 5. Retention: evidence, enrollments and claims are kept
-- >= 6 years after the activity ends (ACCME + JA), so nothing here cascades on delete.

-- An activity belongs to the LMS course (platform + context) whose builder created it.
CREATE TABLE activity (
  id                   uuid PRIMARY KEY,
  platform_id          text NOT NULL,
  context_id           text NOT NULL,
  title                text NOT NULL,
  description          text NOT NULL DEFAULT '',
  learning_format      text NOT NULL CHECK (learning_format IN
                         ('course', 'rss', 'enduring', 'journal', 'internet_live', 'internet_enduring', 'pi', 'other')),
  start_date           date,
  end_date             date,
  release_date         date,
  last_review_date     date,
  termination_date     date,
  objectives           jsonb NOT NULL DEFAULT '[]',      -- ["text", ...]
  expected_results     jsonb NOT NULL DEFAULT '[]',      -- subset of knowledge|competence|performance|patient_outcomes
  commercial_support   jsonb NOT NULL DEFAULT '[]',      -- [{supporter, amount, inKind}]
  content              jsonb NOT NULL DEFAULT '{"kind":"none"}',
  pass_mark_pct        integer CHECK (pass_mark_pct BETWEEN 1 AND 100),
  posttest             jsonb NOT NULL DEFAULT '[]',      -- [{id, prompt, options[], correct}]
  requires_evaluation  boolean NOT NULL DEFAULT true,
  evaluation_questions jsonb NOT NULL DEFAULT '[]',      -- [{id, prompt}] (the activity's own, besides the standard ones)
  min_minutes          integer NOT NULL DEFAULT 0 CHECK (min_minutes >= 0),
  status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  published_at         timestamptz,
  -- Set by the first enrollment: from then on the designations are frozen (advance designation, cme-credit 2).
  learner_started_at   timestamptz,
  created_by           text NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_context ON activity (platform_id, context_id, created_at);

-- Faculty, planners, reviewers and authors with their financial relationships (cme-credit 2, "Disclosure").
CREATE TABLE activity_person (
  id            uuid PRIMARY KEY,
  activity_id   uuid NOT NULL REFERENCES activity (id),
  position      integer NOT NULL,
  name          text NOT NULL,
  credentials   text NOT NULL DEFAULT '',
  role          text NOT NULL CHECK (role IN ('faculty', 'planner', 'reviewer', 'author')),
  none_declared boolean NOT NULL DEFAULT false,
  relationships jsonb NOT NULL DEFAULT '[]',            -- [{company, nature}]
  mitigation    text NOT NULL DEFAULT ''
);
CREATE INDEX activity_person_activity ON activity_person (activity_id, position);

-- One designation per credit type (and, for ACPE, per audience letter: a P and a T UAN may coexist).
CREATE TABLE activity_designation (
  id                 uuid PRIMARY KEY,
  activity_id        uuid NOT NULL REFERENCES activity (id),
  credit_type        text NOT NULL CHECK (credit_type IN ('AMA_PRA_1', 'ANCC', 'ACPE', 'IPCE', 'AAPA_1', 'ASWB_ACE', 'OTHER')),
  max_amount         numeric(6, 2) NOT NULL CHECK (max_amount > 0),
  acpe_uan           text,
  acpe_activity_type text CHECK (acpe_activity_type IN ('knowledge', 'application', 'practice')),
  acpe_audience      text CHECK (acpe_audience IN ('P', 'T'))
);
CREATE UNIQUE INDEX activity_designation_type ON activity_designation (activity_id, credit_type, COALESCE(acpe_audience, ''));

CREATE TABLE activity_moc (
  id              uuid PRIMARY KEY,
  activity_id     uuid NOT NULL REFERENCES activity (id),
  board           text NOT NULL,
  max_points      numeric(6, 2) NOT NULL CHECK (max_points > 0),
  partial_allowed boolean NOT NULL
);
CREATE UNIQUE INDEX activity_moc_board ON activity_moc (activity_id, board);

-- Statements as typed by the CME office (accreditation, designation, MOC, attestation...): never hard-coded,
-- every edit a new version, so a certificate or claim can name the exact wording its learner saw.
CREATE TABLE activity_statement (
  activity_id uuid NOT NULL REFERENCES activity (id),
  kind        text NOT NULL,
  version     integer NOT NULL,
  text        text NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (activity_id, kind, version)
);

-- Which activity an LMS resource link opens (recorded at the first launch of the link).
CREATE TABLE resource_link_activity (
  platform_id      text NOT NULL,
  resource_link_id text NOT NULL,
  deployment_id    text NOT NULL,
  context_id       text,
  activity_id      uuid NOT NULL REFERENCES activity (id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform_id, resource_link_id)
);

-- The learner's profile, once per learner per platform. NABP e-Profile id and birth month/day are encrypted
-- (AES-256-GCM) in `protected`; nothing else here is needed by CPE Monitor (cme-credit 1.3).
CREATE TABLE learner_profile (
  platform_id    text NOT NULL,
  sub            text NOT NULL,
  profession     text NOT NULL,
  degree         text NOT NULL,
  board_ids      jsonb NOT NULL DEFAULT '[]',           -- [{board, id}]
  state_licenses jsonb NOT NULL DEFAULT '[]',           -- [{state, licenseId, primary}]
  pars_consent   boolean NOT NULL DEFAULT false,
  protected      text,                                  -- base64url(iv | tag | ciphertext) of {nabpEprofileId, birthMonth, birthDay}
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform_id, sub)
);

-- One learner in one activity; `step` is where they stopped (the path resumes there).
CREATE TABLE enrollment (
  id                  uuid PRIMARY KEY,
  activity_id         uuid NOT NULL REFERENCES activity (id),
  platform_id         text NOT NULL,
  sub                 text NOT NULL,
  registration        uuid NOT NULL UNIQUE,             -- xAPI context.registration of every statement
  context_id          text,
  context_title       text,
  resource_link_id    text,
  source              text NOT NULL DEFAULT 'lti_launch',
  step                text NOT NULL,
  measured_seconds    numeric(10, 3) NOT NULL DEFAULT 0 CHECK (measured_seconds >= 0),
  last_heartbeat_at   timestamptz,
  registered_at       timestamptz NOT NULL DEFAULT now(),
  completed_at        timestamptz,
  UNIQUE (activity_id, platform_id, sub)
);
CREATE INDEX enrollment_learner ON enrollment (platform_id, sub);

-- Append-only record of what the learner did (cme-credit 5, CompletionEvidence).
CREATE TABLE completion_evidence (
  id            bigserial PRIMARY KEY,
  enrollment_id uuid NOT NULL REFERENCES enrollment (id),
  kind          text NOT NULL CHECK (kind IN ('launch', 'disclosure_viewed', 'time_on_task', 'posttest', 'evaluation', 'attestation', 'claim')),
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  duration_seconds numeric(10, 3),
  score_scaled  numeric(5, 4),
  success       boolean,
  detail        jsonb NOT NULL DEFAULT '{}',
  statement_ids uuid[] NOT NULL DEFAULT '{}',
  recorded_by   text NOT NULL
);
CREATE INDEX completion_evidence_enrollment ON completion_evidence (enrollment_id, id);

-- Append-only: an UPDATE or DELETE of evidence changes no row. (Not an error: embedded PGlite drops the
-- connection when an error is raised inside a function, so the refusal is silent on both databases.)
CREATE FUNCTION completion_evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RETURN NULL;
END;
$$;
CREATE TRIGGER completion_evidence_no_change BEFORE UPDATE OR DELETE ON completion_evidence
  FOR EACH ROW EXECUTE FUNCTION completion_evidence_append_only();

-- One award per credit type per enrollment (a second submit cannot award twice).
CREATE TABLE credit_claim (
  id                      uuid PRIMARY KEY,
  enrollment_id           uuid NOT NULL REFERENCES enrollment (id),
  credit_type             text NOT NULL,
  claimed_minutes         integer NOT NULL CHECK (claimed_minutes >= 0),
  attested_text_version   text NOT NULL,
  attested_at             timestamptz NOT NULL,
  computed_amount         numeric(8, 2) NOT NULL CHECK (computed_amount >= 0),
  awarded_amount          numeric(8, 2) NOT NULL CHECK (awarded_amount >= 0),
  unit                    text NOT NULL,
  status                  text NOT NULL CHECK (status IN ('pending', 'awarded', 'rejected', 'revoked')),
  rule_version            text NOT NULL,
  completion_date         date NOT NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  UNIQUE (enrollment_id, credit_type)
);

-- xAPI statements of the learner path until the embedded LRS takes them (the StatementSink is swapped then).
CREATE TABLE learning_statement (
  id         uuid PRIMARY KEY,
  statement  jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
