-- Recording the claims of a large export (one report_export_claim row per claim, 100,000 in the benchmark) cost more
-- than reading and writing the file: each row fired three foreign-key triggers (a lookup and a row lock per claim
-- and per export), and every row went into two indexes on the claim id. Same guarantees, checked per statement:
--
-- * on insert, one set-based check per INSERT (a batch of claims) that every export and claim named exists;
-- * a claim or an export that an export record names cannot be deleted, nor its id changed (what the foreign keys'
--   NO ACTION did; nothing in Accrue deletes either, so these triggers cost nothing in normal use);
-- * the lookup by claim (a correction names the export it corrects) is only ever made for a reporting target, so its
--   index leaves out transcript copies (target NULL), which are by far the most rows.
--
-- Unlike a foreign key, the insert check takes no lock on the claim: a claim deleted by a concurrent transaction
-- between the check and the commit would go unnoticed. Claims are never deleted (the ledger only adds), and the
-- delete trigger below refuses once the record is committed.

ALTER TABLE report_export_claim DROP CONSTRAINT report_export_claim_export_id_fkey;
ALTER TABLE report_export_claim DROP CONSTRAINT report_export_claim_claim_id_fkey;
ALTER TABLE report_export_claim DROP CONSTRAINT report_export_claim_corrects_export_id_fkey;

CREATE FUNCTION report_export_claim_refs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_claims n WHERE NOT EXISTS (SELECT 1 FROM report_export r WHERE r.id = n.export_id)
                 OR (n.corrects_export_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM report_export r WHERE r.id = n.corrects_export_id))) THEN
    RAISE EXCEPTION 'report_export_claim names an export that does not exist' USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM new_claims n WHERE NOT EXISTS (SELECT 1 FROM credit_claim c WHERE c.id = n.claim_id)) THEN
    RAISE EXCEPTION 'report_export_claim names a claim that does not exist' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER report_export_claim_refs AFTER INSERT ON report_export_claim REFERENCING NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION report_export_claim_refs();

CREATE FUNCTION report_export_claim_keep_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN RETURN NEW; END IF;
  IF EXISTS (SELECT 1 FROM report_export_claim x WHERE x.claim_id = OLD.id) THEN
    RAISE EXCEPTION 'claim % is named by an export record', OLD.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER credit_claim_keep_exported BEFORE DELETE OR UPDATE OF id ON credit_claim
  FOR EACH ROW EXECUTE FUNCTION report_export_claim_keep_claim();

CREATE FUNCTION report_export_claim_keep_export() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN RETURN NEW; END IF;
  IF EXISTS (SELECT 1 FROM report_export_claim x WHERE x.export_id = OLD.id OR x.corrects_export_id = OLD.id) THEN
    RAISE EXCEPTION 'export % is named by an export record', OLD.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER report_export_keep_named BEFORE DELETE OR UPDATE OF id ON report_export
  FOR EACH ROW EXECUTE FUNCTION report_export_claim_keep_export();

DROP INDEX report_export_claim_claim;
CREATE INDEX report_export_claim_sent ON report_export_claim (claim_id) WHERE target IS NOT NULL;
