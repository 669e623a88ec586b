/**
 * SQL for statements: the write path (statement row, agent and activity index rows, attachments, activity
 * definitions, voiding, all in the caller's transaction) and the read path (one statement, filtered queries).
 * Queries are driven by the most selective index table, and StatementRef targets are matched too
 * (xAPI 1.0.3 Part 3 §2.1.3 "Filter Conditions for StatementRefs").
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

export interface StatementFilter {
  agent?: { key: string; related: boolean };
  verb?: string;
  activity?: { id: string; related: boolean };
  registration?: string;
  since?: string;
  until?: string;
  /** only statements stored with this credential (statements/read/mine) */
  credentialKey?: string;
  ascending: boolean;
  /** exclusive position of the last statement of the previous page */
  after?: { stored: string; seq: string };
  limit: number;
}

const ROW = `s.seq::text AS seq, s.id::text AS id, s.stored, s.voided, s.verb_id AS "verbId", s.credential_key AS "credentialKey", s.statement`;

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
    const agents: [string, string, boolean, string, string][] = [];
    const activities: [string, string, boolean, string, string][] = [];
    for (const r of rows) {
      const seq = seqOf.get(r.id);
      if (!seq) continue;
      for (const [key, core] of r.facets.agents) agents.push([seq, key, core, r.verbId, r.stored]);
      for (const [id, core] of r.facets.activities) activities.push([seq, id, core, r.verbId, r.stored]);
    }
    const col = <T>(list: T[][], i: number) => list.map((x) => x[i]);
    if (agents.length) {
      await q.query(
        `INSERT INTO lrs_statement_agent (statement_seq, agent_key, core, verb_id, stored)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::text[], $5::timestamptz[])`,
        [0, 1, 2, 3, 4].map((i) => col(agents, i)),
      );
    }
    if (activities.length) {
      await q.query(
        `INSERT INTO lrs_statement_activity (statement_seq, activity_id, core, verb_id, stored)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::text[], $5::timestamptz[])`,
        [0, 1, 2, 3, 4].map((i) => col(activities, i)),
      );
    }
    return rows.filter((r) => !seqOf.has(r.id)).map((r) => r.id);
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
   * Merges each Activity's definition into the stored one (see mergeDefinition). Rows are locked only when their
   * definition changes, so statements about a busy Activity do not queue behind each other.
   */
  async defineActivities(q: Queryable, list: { id: string; definition: JsonObject | null }[]): Promise<void> {
    if (list.length === 0) return;
    const ids = list.map((a) => a.id);
    const known = new Map((await q.query<{ id: string; definition: JsonObject | null }>(
      `SELECT id, definition FROM lrs_activity WHERE id = ANY($1::text[])`, [ids])).rows.map((r) => [r.id, r.definition]));
    const fresh = list.filter((a) => !known.has(a.id));
    if (fresh.length) {
      const { rows } = await q.query<{ id: string }>(
        `INSERT INTO lrs_activity (id, definition) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [fresh.map((a) => a.id), fresh.map((a) => (a.definition ? JSON.stringify(a.definition) : null))],
      );
      const created = new Set(rows.map((r) => r.id));
      for (const a of fresh) if (!created.has(a.id)) known.set(a.id, null); // created meanwhile: merge below
    }
    const changing = list.filter((a) => known.has(a.id) && a.definition && !sameJson(mergeDefinition(known.get(a.id) ?? null, a.definition), known.get(a.id) ?? null));
    for (const a of changing.sort((x, y) => (x.id < y.id ? -1 : 1))) {
      const { rows } = await q.query<{ definition: JsonObject | null }>(`SELECT definition FROM lrs_activity WHERE id = $1 FOR UPDATE`, [a.id]);
      const merged = mergeDefinition(rows[0]?.definition ?? null, a.definition);
      await q.query(`UPDATE lrs_activity SET definition = $2::jsonb, updated = now() WHERE id = $1`, [a.id, JSON.stringify(merged)]);
    }
  }

  async activity(id: string): Promise<{ id: string; definition: JsonObject | null } | undefined> {
    const { rows } = await this.db.query<{ id: string; definition: JsonObject | null }>(`SELECT id, definition FROM lrs_activity WHERE id = $1`, [id]);
    return rows[0];
  }

  async query(filter: StatementFilter): Promise<StoredRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const dir = filter.ascending ? 'ASC' : 'DESC';
    const cmp = filter.ascending ? '>' : '<';
    const limit = filter.limit + 1;

    /** Conditions of the non-time filters on statement alias `x` (its seq column is `seqExpr`). */
    const matchOn = (x: string, seqExpr: string, skip: { agent?: boolean; activity?: boolean; verb?: boolean }): string[] => {
      const c: string[] = [];
      if (filter.agent && !skip.agent) {
        c.push(`EXISTS (SELECT 1 FROM lrs_statement_agent ma WHERE ma.statement_seq = ${seqExpr} AND ma.agent_key = ${p(filter.agent.key)}${filter.agent.related ? '' : ' AND ma.core'})`);
      }
      if (filter.activity && !skip.activity) {
        c.push(`EXISTS (SELECT 1 FROM lrs_statement_activity mc WHERE mc.statement_seq = ${seqExpr} AND mc.activity_id = ${p(filter.activity.id)}${filter.activity.related ? '' : ' AND mc.core'})`);
      }
      if (filter.verb && !skip.verb) c.push(`${x}.verb_id = ${p(filter.verb)}`);
      if (filter.registration) c.push(`${x}.registration = ${p(filter.registration)}::uuid`);
      return c;
    };
    const timeOn = (storedCol: string, seqCol: string): string[] => {
      const c: string[] = [];
      if (filter.since) c.push(`${storedCol} > ${p(filter.since)}::timestamptz`);
      if (filter.until) c.push(`${storedCol} <= ${p(filter.until)}::timestamptz`);
      if (filter.after) c.push(`(${storedCol}, ${seqCol}) ${cmp} (${p(filter.after.stored)}::timestamptz, ${p(filter.after.seq)}::bigint)`);
      return c;
    };
    const visibleOn = (x: string): string[] => {
      const c = [`NOT ${x}.voided`];
      if (filter.credentialKey) c.push(`${x}.credential_key = ${p(filter.credentialKey)}`);
      return c;
    };

    // Direct matches, driven by the most selective index table.
    let direct: string;
    if (filter.agent) {
      const conds = [`a.agent_key = ${p(filter.agent.key)}`];
      if (!filter.agent.related) conds.push('a.core');
      if (filter.verb) conds.push(`a.verb_id = ${p(filter.verb)}`);
      conds.push(...timeOn('a.stored', 'a.statement_seq'), ...visibleOn('s'), ...matchOn('s', 'a.statement_seq', { agent: true, verb: true }));
      direct = `SELECT a.statement_seq AS seq, a.stored FROM lrs_statement_agent a JOIN lrs_statement s ON s.seq = a.statement_seq
        WHERE ${conds.join(' AND ')} ORDER BY a.stored ${dir}, a.statement_seq ${dir} LIMIT ${limit}`;
    } else if (filter.activity) {
      const conds = [`c.activity_id = ${p(filter.activity.id)}`];
      if (!filter.activity.related) conds.push('c.core');
      if (filter.verb) conds.push(`c.verb_id = ${p(filter.verb)}`);
      conds.push(...timeOn('c.stored', 'c.statement_seq'), ...visibleOn('s'), ...matchOn('s', 'c.statement_seq', { activity: true, verb: true }));
      direct = `SELECT c.statement_seq AS seq, c.stored FROM lrs_statement_activity c JOIN lrs_statement s ON s.seq = c.statement_seq
        WHERE ${conds.join(' AND ')} ORDER BY c.stored ${dir}, c.statement_seq ${dir} LIMIT ${limit}`;
    } else {
      const conds = [...timeOn('s.stored', 's.seq'), ...visibleOn('s'), ...matchOn('s', 's.seq', {})];
      direct = `SELECT s.seq, s.stored FROM lrs_statement s WHERE ${conds.join(' AND ')} ORDER BY s.stored ${dir}, s.seq ${dir} LIMIT ${limit}`;
    }

    let sql: string;
    const hasMatchFilter = Boolean(filter.agent || filter.activity || filter.verb || filter.registration);
    if (hasMatchFilter) {
      // Statements whose StatementRef object targets a matching statement match too (voiding statements included).
      const conds = [...timeOn('r.stored', 'r.seq'), ...visibleOn('r'), 'r.object_statement_id IS NOT NULL', ...matchOn('t', 't.seq', {})];
      const refs = `SELECT r.seq, r.stored FROM lrs_statement r JOIN lrs_statement t ON t.id = r.object_statement_id
        WHERE ${conds.join(' AND ')} ORDER BY r.stored ${dir}, r.seq ${dir} LIMIT ${limit}`;
      sql = `SELECT ${ROW} FROM ((${direct}) UNION (${refs})) h JOIN lrs_statement s ON s.seq = h.seq
        ORDER BY h.stored ${dir}, h.seq ${dir} LIMIT ${limit}`;
    } else {
      sql = `SELECT ${ROW} FROM (${direct}) h JOIN lrs_statement s ON s.seq = h.seq ORDER BY h.stored ${dir}, h.seq ${dir}`;
    }
    const { rows } = await this.db.query<StoredRow>(sql, params);
    return rows;
  }
}
