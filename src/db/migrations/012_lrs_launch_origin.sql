-- Launch credentials remember the origin of the content they were issued for. Content runs in the learner's
-- browser on its own origin and calls /xapi with CORS: the LRS answers a preflight (which carries no credential)
-- for an origin only while a launch credential issued for content at that origin is live.
ALTER TABLE lrs_launch_credential ADD COLUMN content_origin text;
CREATE INDEX lrs_launch_credential_origin ON lrs_launch_credential (content_origin, expires_at) WHERE content_origin IS NOT NULL;
