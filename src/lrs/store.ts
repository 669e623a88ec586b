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
   * Inserts statements with their index rows. Returns the ids that were already stored (a concurrent writer won
   * the race for them): those rows are skipped, and the caller compares them.
   */
  async insert(q: Queryable, rows: NewStatementRow[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const { rows: inserted } = await q.query<{ seq: string; id: string }>(
      `INSERT INTO lrs_statement (id, stored, verb_id, registration, object_statement_id, credential_key, statement)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::jsonb[])
       ON CONFLICT (id) DO NOTHING
       RETURNING seq::text AS seq, id::text AS id`,
      [
        rows.map((r) => r.id), rows.map((r) => r.stored), rows.map((r) => r.verbId), rows.map((r) => r.registration),
        rows.map((r) => r.objectStatementId), rows.map((r) => r.credentialKey), rows.map((r) => JSON.stringify(r.statement)),
      ],
    );
    const seqOf = new Map(inserted.map((r) => [r.id, r.seq]));
    const agents: [string, string, boolean, string, string | null, string][] = [];
    const activities: [string, string, boolean, string, string | null, string][] = [];
    for (const r of rows) {
      const seq = seqOf.get(r.id);
      if (!seq) continue;
      for (const [key, core] of r.facets.agents) agents.push([seq, key, core, r.verbId, r.registration, r.stored]);
      for (const [id, core] of r.facets.activities) activities.push([seq, id, core, r.verbId, r.registration, r.stored]);
    }
    const col = <T>(list: T[][], i: number) => list.map((x) => x[i]);
    if (agents.length) {
      await q.query(
        `INSERT INTO lrs_statement_agent (statement_seq, agent_key, core, verb_id, registration, stored)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::text[], $5::uuid[], $6::timestamptz[])`,
        [0, 1, 2, 3, 4, 5].map((i) => col(agents, i)),
      );
    }
    if (activities.length) {
      await q.query(
        `INSERT INTO lrs_statement_activity (statement_seq, activity_id, core, verb_id, registration, stored)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::text[], $5::uuid[], $6::timestamptz[])`,
        [0, 1, 2, 3, 4, 5].map((i) => col(activities, i)),
      );
    }
    return rows.filter((r) => !seqOf.has(r.id)).map((r) => r.id);
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
