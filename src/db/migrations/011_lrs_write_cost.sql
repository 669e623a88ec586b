-- LRS write cost (bench:lrs, docs/lrs-operations.md "Throughput and latency").

-- The index rows of a statement are written by the same SQL statement as the statement itself (StatementStore.insert),
-- so their foreign keys only re-checked what that statement had just done: six row checks per statement, each a
-- lookup and a KEY SHARE lock on the new statement row (a WAL record). The one thing the foreign keys did that still
-- matters, deleting the index rows with their statement (purge, erasure, any DELETE), is done by a statement-level
-- trigger, once per DELETE.
ALTER TABLE lrs_statement_agent DROP CONSTRAINT lrs_statement_agent_statement_seq_fkey;
ALTER TABLE lrs_statement_activity DROP CONSTRAINT lrs_statement_activity_statement_seq_fkey;
ALTER TABLE lrs_statement_ref_match DROP CONSTRAINT lrs_statement_ref_match_statement_seq_fkey;

CREATE FUNCTION lrs_statement_drop_index_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM lrs_statement_agent x USING gone g WHERE x.statement_seq = g.seq;
  DELETE FROM lrs_statement_activity x USING gone g WHERE x.statement_seq = g.seq;
  DELETE FROM lrs_statement_ref_match x USING gone g WHERE x.statement_seq = g.seq;
  RETURN NULL;
END;
$$;
CREATE TRIGGER lrs_statement_index_rows AFTER DELETE ON lrs_statement
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION lrs_statement_drop_index_rows();

-- Statements (about 2 KB of jsonb) are compressed inline; lz4 costs about half of pglz's CPU to write and reads
-- faster, for a few percent more bytes. Only where the server is built with lz4 (PostgreSQL 14+ packages are;
-- embedded PGlite is not, and keeps pglz).
DO $$
BEGIN
  ALTER TABLE lrs_statement ALTER COLUMN statement SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  NULL;
END;
$$;
