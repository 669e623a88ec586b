/**
 * SQL of retention runs. Deleting a statement deletes its agent/activity index rows and forwarding outbox rows
 * (lrs_statement_index_rows trigger; the outbox by ON DELETE CASCADE); attachment content is deleted when no remaining statement declares it.
 */
import type { Queryable } from '../../db';
import { facetsOf, type JsonObject } from '../model';

/** The SHA-2s a statement row `s` declares (its own attachments and its SubStatement's). */
const SHAS = `ARRAY(SELECT lower(a->>'sha2') FROM (
  SELECT json_array_elements(CASE WHEN json_typeof(s.statement->'attachments') = 'array' THEN s.statement->'attachments' ELSE '[]'::json END)
  UNION ALL
  SELECT json_array_elements(CASE WHEN json_typeof(s.statement->'object'->'attachments') = 'array' THEN s.statement->'object'->'attachments' ELSE '[]'::json END)
  ) x(a) WHERE a->>'sha2' IS NOT NULL)`;

export interface Deleted {
  statements: number;
  voidedTargets: number;
  shas: string[];
  /** ids of every statement deleted (statements that referenced them need their StatementRef rows refreshed) */
  ids: string[];
}

export interface Candidate {
  seq: string;
  id: string;
  verbId: string;
  registration: string | null;
  stored: Date;
  statement: JsonObject;
}

export const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';

/** Counts statements stored before `before`, and the statements their voiding statements void (stored later). */
export async function countBefore(q: Queryable, before: string): Promise<{ statements: number; voidedTargets: number }> {
  const { rows } = await q.query<{ statements: string; voided: string }>(
    `SELECT (SELECT count(*) FROM lrs_statement WHERE stored < $1) AS statements,
            (SELECT count(*) FROM lrs_statement t WHERE t.stored >= $1 AND t.voided AND EXISTS (
               SELECT 1 FROM lrs_statement v WHERE v.object_statement_id = t.id AND v.verb_id = $2 AND v.stored < $1)) AS voided`,
    [before, VOIDED],
  );
  return { statements: Number(rows[0]!.statements), voidedTargets: Number(rows[0]!.voided) };
}

/** Deletes up to `limit` of the oldest statements stored before `before`, with what their voiding statements void. */
export async function deleteBatchBefore(q: Queryable, before: string, limit: number): Promise<Deleted> {
  const { rows } = await q.query<{ seq: string }>(`SELECT seq::text AS seq FROM lrs_statement WHERE stored < $1 ORDER BY stored, seq LIMIT $2`, [before, limit]);
  return deleteSeqs(q, rows.map((r) => r.seq));
}

/** Deletes these statements, and the statements voided by those of them that are voiding statements. */
export async function deleteSeqs(q: Queryable, seqs: string[]): Promise<Deleted> {
  if (seqs.length === 0) return { statements: 0, voidedTargets: 0, shas: [], ids: [] };
  const { rows } = await q.query<{ id: string; shas: string[]; target: string | null }>(
    `DELETE FROM lrs_statement s WHERE s.seq = ANY($1::bigint[])
     RETURNING s.id::text AS id, ${SHAS} AS shas, CASE WHEN s.verb_id = $2 THEN s.object_statement_id::text END AS target`,
    [seqs, VOIDED],
  );
  const targets = rows.map((r) => r.target).filter((t): t is string => t !== null);
  let voided: { id: string; shas: string[] }[] = [];
  if (targets.length) {
    ({ rows: voided } = await q.query<{ id: string; shas: string[] }>(
      `DELETE FROM lrs_statement s WHERE s.id = ANY($1::uuid[]) AND s.voided RETURNING s.id::text AS id, ${SHAS} AS shas`, [targets]));
  }
  const all = [...rows, ...voided];
  return { statements: rows.length, voidedTargets: voided.length, shas: [...new Set(all.flatMap((r) => r.shas))], ids: all.map((r) => r.id) };
}

/** Deletes the attachment content among `shas` that no remaining statement declares; returns how many. */
export async function deleteOrphanAttachments(q: Queryable, shas: string[]): Promise<number> {
  if (shas.length === 0) return 0;
  const { rowCount } = await q.query(
    `DELETE FROM lrs_attachment a WHERE a.sha2 = ANY($1::text[]) AND NOT EXISTS (
       SELECT 1 FROM lrs_statement s WHERE (s.statement->'attachments' IS NOT NULL OR s.statement->'object'->'attachments' IS NOT NULL) AND lower(a.sha2) = ANY(${SHAS}))`,
    [shas],
  );
  return rowCount ?? 0;
}

/**
 * Statements any of whose own agent index rows is one of `keys` (every position of an agent is indexed; rows copied
 * from a StatementRef's target, via_ref, are not the statement's own).
 */
export async function statementsNaming(q: Queryable, keys: string[]): Promise<Candidate[]> {
  const { rows } = await q.query<Candidate>(
    `SELECT s.seq::text AS seq, s.id::text AS id, s.verb_id AS "verbId", s.registration::text AS registration, s.stored, s.statement
     FROM lrs_statement s
     WHERE s.seq IN (SELECT statement_seq FROM lrs_statement_agent WHERE agent_key = ANY($1::text[]) AND NOT via_ref) ORDER BY s.seq`,
    [keys],
  );
  return rows;
}

/**
 * Replaces a kept statement's JSON by its redacted form and re-indexes its own agents (the caller then refreshes
 * the StatementRef rows of statements that target it: StatementStore.inheritTargets).
 */
export async function replaceStatement(q: Queryable, c: Candidate, statement: JsonObject): Promise<void> {
  await q.query(`UPDATE lrs_statement SET statement = $2::json WHERE seq = $1`, [c.seq, JSON.stringify(statement)]);
  await q.query(`DELETE FROM lrs_statement_agent WHERE statement_seq = $1 AND NOT via_ref`, [c.seq]);
  const agents = [...facetsOf(statement).agents];
  if (agents.length) {
    await q.query(
      // The verb as its dictionary id (migration 015), added if a statement indexed under no agent never needed it.
      `WITH v AS (INSERT INTO lrs_iri (iri) VALUES ($4) ON CONFLICT (iri) DO UPDATE SET iri = EXCLUDED.iri RETURNING id)
       INSERT INTO lrs_statement_agent (statement_seq, agent_key, core, verb, registration, stored)
       SELECT $1, k, c, v.id, $5::uuid, $6 FROM unnest($2::text[], $3::boolean[]) AS x(k, c), v`,
      [c.seq, agents.map((a) => a[0]), agents.map((a) => a[1]), c.verbId, c.registration, c.stored],
    );
  }
}

/** Deletes the person's State and Agent Profile documents and launch credentials. */
export async function deletePersonData(q: Queryable, keys: string[]): Promise<{ documents: number; launchGrants: number }> {
  const docs = await q.query(`DELETE FROM lrs_document WHERE agent_key = ANY($1::text[])`, [keys]);
  const launches = await q.query(`DELETE FROM lrs_launch_credential WHERE agent_key = ANY($1::text[])`, [keys]);
  return { documents: docs.rowCount ?? 0, launchGrants: launches.rowCount ?? 0 };
}

export async function audit(q: Queryable, row: { action: 'purge' | 'erase'; phase: 'dry-run' | 'started' | 'finished'; ranBy: string; criteriaHash: string; counts: Record<string, number> }): Promise<void> {
  await q.query(`INSERT INTO lrs_audit (action, phase, ran_by, criteria_hash, counts) VALUES ($1, $2, $3, $4, $5)`,
    [row.action, row.phase, row.ranBy, row.criteriaHash, JSON.stringify(row.counts)]);
}
