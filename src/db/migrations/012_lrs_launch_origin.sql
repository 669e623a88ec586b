-- Launch credentials remember the content they were issued for:
-- - its origin: content runs in the learner's browser on its own origin and calls /xapi with CORS; the LRS answers
--   a preflight (which carries no credential) for an origin only while a launch credential for content there lives;
-- - its URL: TinCanJS sends every query parameter of its launch URL that is not a launch parameter (the content's
--   own, e.g. ?lang=en) along with each LRS request ("extended" parameters); requests with the credential may
--   carry exactly those, which the LRS then ignores instead of refusing them as unknown.
ALTER TABLE lrs_launch_credential ADD COLUMN content_url text;
ALTER TABLE lrs_launch_credential ADD COLUMN content_origin text;
CREATE INDEX lrs_launch_credential_origin ON lrs_launch_credential (content_origin, expires_at) WHERE content_origin IS NOT NULL;
