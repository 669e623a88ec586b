-- The award a certificate was issued for (e.g. `enrollment:<id>`), so that a second award path for the same
-- enrollment finds the certificate it already has instead of issuing another. Only award-issued certificates carry
-- a key: reissues (which replace a certificate) and certificates issued by hand have none.
ALTER TABLE certificate ADD COLUMN award_key text;
CREATE UNIQUE INDEX certificate_award_key ON certificate (award_key) WHERE award_key IS NOT NULL;
