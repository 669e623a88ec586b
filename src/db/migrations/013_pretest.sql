-- Pre-test (issue 6, item 6): an activity may give its post-test questions as a pre-test before the content, so
-- outcomes can compare the same questions before and after. Not graded for passing, never a condition of credit,
-- taken once; its answers are evidence like the post-test's. Frozen once a learner has started (013 is the
-- number the pretest task was given).
ALTER TABLE activity ADD COLUMN pretest boolean NOT NULL DEFAULT false;

ALTER TABLE completion_evidence DROP CONSTRAINT completion_evidence_kind_check;
ALTER TABLE completion_evidence ADD CONSTRAINT completion_evidence_kind_check CHECK (kind IN
  ('launch', 'disclosure_viewed', 'pretest', 'time_on_task', 'posttest', 'evaluation', 'attestation', 'claim'));
