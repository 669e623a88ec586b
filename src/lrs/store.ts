/**
 * SQL for statements: the write path (statement row, agent and activity index rows, the rows a StatementRef
 * statement inherits from its target, attachments, activity definitions, voiding; all in the caller's
 * transaction) and reads by id. Filtered queries are in store-query.ts.
 */
import type { Db, Queryable } from '../db';
import { mergeDefinition, sameJson, type Facets, type JsonObject } from './model';

export interface NewStatementRow {
  id: string;
  stored: string;
  verbId: string;
  registration: string | null;
  objectStatementId: string | null;
  credentialKey: string | null;
  statement: JsonObject;
  facets: Facets;
}

export interface StoredRow {
  seq: string;
  id: string;
  stored: Date;
  voided: boolean;
  verbId: string;
  credentialKey: string | null;
  statement: JsonObject;
}

export const ROW = `s.seq::text AS seq, s.id::text AS id, s.stored, s.voided, s.verb_id AS "verbId", s.credential_key AS "credentialKey", s.statement`;

export class StatementStore {
  constructor(private readonly db: Db) {}

  async findByIds(q: Queryable, ids: string[]): Promise<StoredRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await q.query<StoredRow>(`SELECT ${ROW} FROM lrs_statement s WHERE s.id = ANY($1::uuid[])`, [ids]);
    return rows;
  }

  async findById(id: string): Promise<StoredRow | undefined> {
    return (await this.findByIds(this.db, [id]))[0];
  }

  /**
   * Inserts statements with their index rows in one SQL statement (one round trip, two JSON parameters: a batch of
   * 100 statements was seven round trips and jsonb[] array literals, whose escaping cost more than the JSON itself).
   * A statement whose id is already stored (a retry, or a concurrent writer won the race) is skipped: its id is in
   * `skipped` and the caller compares the two. Also answers, from the statements stored before this one, what the
   * caller must still do for the new ones: `voidedBefore` (new ids that a stored voiding statement targets) and
   * `referenced` (a stored statement has one of them as its StatementRef target).
   */
  async insert(q: Queryable, rows: NewStatementRow[], options: { voidedVerb: string }): Promise<{ skipped: string[]; voidedBefore: string[]; referenced: boolean }> {
    if (rows.length === 0) return { skipped: [], voidedBefore: [], referenced: false };
    const stored = rows[0]!.stored;
    const credentialKey = rows[0]!.credentialKey;
    if (rows.some((r) => r.stored !== stored || r.credentialKey !== credentialKey)) throw new Error('A batch is stored at one time by one credential.');
    // Built as text so each statement is serialised once, inside the one JSON document of the batch.
    const input: string[] = [];
    const facets: string[] = [];
    for (const r of rows) {
      input.push(`{"id":${JSON.stringify(r.id)},"verb":${JSON.stringify(r.verbId)},"reg":${JSON.stringify(r.registration)},"ref":${JSON.stringify(r.objectStatementId)},"st":${JSON.stringify(r.statement)}}`);
      const id = JSON.stringify(r.id);
      for (const [key, core] of r.facets.agents) facets.push(`{"id":${id},"ag":${JSON.stringify(key)},"c":${core}}`);
      for (const [act, core] of r.facets.activities) facets.push(`{"id":${id},"ac":${JSON.stringify(act)},"c":${core}}`);
    }
    const { rows: out } = await q.query<{ id: string; voided: boolean | null }>(
      `WITH input AS (
         SELECT * FROM json_to_recordset($1::json) AS x(id uuid, verb text, reg uuid, ref uuid, st jsonb)
       ), ins AS (
         INSERT INTO lrs_statement (id, stored, verb_id, registration, object_statement_id, credential_key, statement)
         SELECT id, $3::timestamptz, verb, reg, ref, $4, st FROM input
         ON CONFLICT (id) DO NOTHING
         RETURNING seq, id, verb_id, registration
       ), facets AS (
         SELECT * FROM json_to_recordset($2::json) AS f(id uuid, ag text, ac text, c boolean)
       ), agents AS (
         INSERT INTO lrs_statement_agent (statement_seq, agent_key, core, verb_id, registration, stored)
         SELECT ins.seq, f.ag, f.c, ins.verb_id, ins.registration, $3::timestamptz FROM facets f JOIN ins ON ins.id = f.id WHERE f.ag IS NOT NULL
       ), activities AS (
         INSERT INTO lrs_statement_activity (statement_seq, activity_id, core, verb_id, registration, stored)
         SELECT ins.seq, f.ac, f.c, ins.verb_id, ins.registration, $3::timestamptz FROM facets f JOIN ins ON ins.id = f.id WHERE f.ac IS NOT NULL
       )
       SELECT id::text AS id, NULL::boolean AS voided FROM ins
       UNION ALL
       -- New ids a stored statement targets (as a StatementRef, voiding or not): one lrs_statement_ref probe each.
       SELECT ins.id::text, r.voided FROM ins
        CROSS JOIN LATERAL (SELECT bool_or(s.verb_id = $5) AS voided FROM lrs_statement s WHERE s.object_statement_id = ins.id HAVING count(*) > 0) r`,
      [`[${input.join(',')}]`, `[${facets.join(',')}]`, stored, credentialKey, options.voidedVerb],
    );
    const inserted = new Set<string>();
    const voidedBefore = new Set<string>();
    let referenced = false;
    for (const r of out) {
      if (r.voided === null) inserted.add(r.id);
      else {
        referenced = true;
        if (r.voided) voidedBefore.add(r.id);
      }
    }
    return { skipped: rows.filter((r) => !inserted.has(r.id)).map((r) => r.id), voidedBefore: [...voidedBefore], referenced };
  }

  /**
   * Gives StatementRef statements the rows of what they target, so filters match them through their target
   * (1.0.3 Part 3 §2.1.3). `ids` are newly stored statements: those that are StatementRefs copy their target's rows,
   * and stored statements that target one of them (it arrived late) are refreshed; refreshing repeats up the
   * chain of references (a ref to a ref), a bounded number of times so a cycle of references cannot loop.
   */
  async inheritTargets(q: Queryable, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    let { rows: frontier } = await q.query<{ seq: string; id: string }>(
      `SELECT seq::text AS seq, id::text AS id FROM lrs_statement
        WHERE (id = ANY($1::uuid[]) AND object_statement_id IS NOT NULL) OR object_statement_id = ANY($1::uuid[])`,
      [ids],
    );
    for (let depth = 0; depth < 8 && frontier.length > 0; depth++) {
      const seqs = frontier.map((r) => r.seq);
      await q.query(`DELETE FROM lrs_statement_agent WHERE statement_seq = ANY($1::bigint[]) AND via_ref`, [seqs]);
      await q.query(`DELETE FROM lrs_statement_activity WHERE statement_seq = ANY($1::bigint[]) AND via_ref`, [seqs]);
      await q.query(`DELETE FROM lrs_statement_ref_match WHERE statement_seq = ANY($1::bigint[])`, [seqs]);
      await q.query(
        `INSERT INTO lrs_statement_agent (statement_seq, agent_key, core, via_ref, verb_id, registration, stored)
         SELECT DISTINCT r.seq, a.agent_key, a.core, true, a.verb_id, a.registration, r.stored
           FROM lrs_statement r JOIN lrs_statement t ON t.id = r.object_statement_id JOIN lrs_statement_agent a ON a.statement_seq = t.seq
          WHERE r.seq = ANY($1::bigint[])`, [seqs]);
      await q.query(
        `INSERT INTO lrs_statement_activity (statement_seq, activity_id, core, via_ref, verb_id, registration, stored)
         SELECT DISTINCT r.seq, c.activity_id, c.core, true, c.verb_id, c.registration, r.stored
           FROM lrs_statement r JOIN lrs_statement t ON t.id = r.object_statement_id JOIN lrs_statement_activity c ON c.statement_seq = t.seq
          WHERE r.seq = ANY($1::bigint[])`, [seqs]);
      await q.query(
        `INSERT INTO lrs_statement_ref_match (statement_seq, verb_id, registration, stored)
         SELECT DISTINCT r.seq, m.verb_id, m.registration, r.stored
           FROM lrs_statement r JOIN lrs_statement t ON t.id = r.object_statement_id
           CROSS JOIN LATERAL (SELECT t.verb_id, t.registration
                               UNION SELECT f.verb_id, f.registration FROM lrs_statement_ref_match f WHERE f.statement_seq = t.seq) m
          WHERE r.seq = ANY($1::bigint[])`, [seqs]);
      ({ rows: frontier } = await q.query<{ seq: string; id: string }>(
        `SELECT seq::text AS seq, id::text AS id FROM lrs_statement WHERE object_statement_id = ANY($1::uuid[])`,
        [frontier.map((r) => r.id)],
      ));
    }
  }

  /** Marks as voided the given statements that are not themselves voiding statements. */
  async void(q: Queryable, targetIds: string[], voidedVerb: string): Promise<void> {
    if (targetIds.length === 0) return;
    await q.query(`UPDATE lrs_statement SET voided = true WHERE id = ANY($1::uuid[]) AND verb_id <> $2 AND NOT voided`, [targetIds, voidedVerb]);
  }

  /** Ids among `ids` that an already stored voiding statement targets (the target arrived after its voiding). */
  async voidedBefore(q: Queryable, ids: string[], voidedVerb: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await q.query<{ id: string }>(
      `SELECT DISTINCT object_statement_id::text AS id FROM lrs_statement WHERE object_statement_id = ANY($1::uuid[]) AND verb_id = $2`,
      [ids, voidedVerb],
    );
    return rows.map((r) => r.id);
  }

  async putAttachments(q: Queryable, list: { sha2: string; contentType: string; content: Buffer }[]): Promise<void> {
    for (const a of list) {
      await q.query(`INSERT INTO lrs_attachment (sha2, content_type, content) VALUES ($1, $2, $3) ON CONFLICT (sha2) DO NOTHING`, [a.sha2, a.contentType, a.content]);
    }
  }

  async getAttachments(sha2s: string[]): Promise<{ sha2: string; contentType: string; content: Buffer }[]> {
    if (sha2s.length === 0) return [];
    const { rows } = await this.db.query<{ sha2: string; contentType: string; content: Buffer }>(
      `SELECT sha2, content_type AS "contentType", content FROM lrs_attachment WHERE sha2 = ANY($1::text[])`,
      [sha2s],
    );
    return rows;
  }

  /**
   * Merges each Activity's definition into the stored one (see mergeDefinition). Runs outside any transaction, each
   * statement on its own: a new Activity's row is inserted (in id order) and committed at once, so concurrent writers
   * naming the same new Activity wait microseconds, not for each other's whole transaction; a changed definition is
   * written by compare-and-set on the definition it was merged from, retried if another writer changed it meanwhile.
   */
  async defineActivities(list: { id: string; definition: JsonObject | null }[]): Promise<void> {
    if (list.length === 0) return;
    const ids = list.map((a) => a.id);
    const known = new Map((await this.db.query<{ id: string; definition: JsonObject | null }>(
      `SELECT id, definition FROM lrs_activity WHERE id = ANY($1::text[])`, [ids])).rows.map((r) => [r.id, r.definition]));
    const fresh = list.filter((a) => !known.has(a.id)).sort((x, y) => (x.id < y.id ? -1 : 1));
    if (fresh.length) {
      const { rows } = await this.db.query<{ id: string }>(
        `INSERT INTO lrs_activity (id, definition) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [fresh.map((a) => a.id), fresh.map((a) => (a.definition ? JSON.stringify(a.definition) : null))],
      );
      const created = new Set(rows.map((r) => r.id));
      for (const a of fresh) if (!created.has(a.id)) known.set(a.id, null); // created meanwhile: merge below
    }
    for (const a of list) {
      if (!known.has(a.id) || !a.definition) continue;
      let current = known.get(a.id) ?? null;
      for (let attempt = 0; attempt < 5; attempt++) {
        const merged = mergeDefinition(current, a.definition);
        if (sameJson(merged, current)) break;
        const { rowCount } = await this.db.query(
          `UPDATE lrs_activity SET definition = $2::jsonb, updated = now() WHERE id = $1 AND definition IS NOT DISTINCT FROM $3::jsonb`,
          [a.id, JSON.stringify(merged), current === null ? null : JSON.stringify(current)],
        );
        if (rowCount) break;
        current = (await this.db.query<{ definition: JsonObject | null }>(`SELECT definition FROM lrs_activity WHERE id = $1`, [a.id])).rows[0]?.definition ?? null;
      }
    }
  }

  async activity(id: string): Promise<{ id: string; definition: JsonObject | null } | undefined> {
    const { rows } = await this.db.query<{ id: string; definition: JsonObject | null }>(`SELECT id, definition FROM lrs_activity WHERE id = $1`, [id]);
    return rows[0];
  }
}
