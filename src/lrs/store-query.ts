/**
 * SQL for filtered statement queries (xAPI 1.0.3 Part 3 §2.1.3, 2.0.0 §4.1.6.1 GET Statements). Each query is
 * driven by one ordered index range scan: the agent rows when an agent is given, else the activity rows, else the
 * statement table (plus the StatementRef match rows for verb/registration). StatementRef statements match through
 * the rows they inherited from their targets (via_ref), so no query joins statements to their targets.
 * Voided statements are skipped; `statements/read/mine` limits to one credential's statements.
 */
import type { Db } from '../db';
import { ROW, type StoredRow } from './store';

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

export class StatementQueries {
  constructor(private readonly db: Db) {}

  /** Up to limit + 1 statements (the extra one tells the caller there is a next page). */
  async query(filter: StatementFilter): Promise<StoredRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const dir = filter.ascending ? 'ASC' : 'DESC';
    const cmp = filter.ascending ? '>' : '<';
    const limit = filter.limit + 1;
    const time = (stored: string, seq: string): string[] => {
      const c: string[] = [];
      if (filter.since) c.push(`${stored} > ${p(filter.since)}::timestamptz`);
      if (filter.until) c.push(`${stored} <= ${p(filter.until)}::timestamptz`);
      if (filter.after) c.push(`(${stored}, ${seq}) ${cmp} (${p(filter.after.stored)}::timestamptz, ${p(filter.after.seq)}::bigint)`);
      return c;
    };
    const visible = (s: string): string[] => {
      const c = [`NOT ${s}.voided`];
      if (filter.credentialKey) c.push(`${s}.credential_key = ${p(filter.credentialKey)}`);
      return c;
    };

    /** The dictionary id of a verb or Activity IRI (migration 015); NULL, so nothing matches, for an IRI never stored. */
    const iri = (value: string) => `(SELECT id FROM lrs_iri WHERE iri = ${p(value)})`;

    /** An index-table scan (agent or activity rows) with the other filters checked on the same side (own or via_ref). */
    const indexScan = (table: 'lrs_statement_agent' | 'lrs_statement_activity', key: string, related: boolean): string => {
      const c = [key];
      if (!related) c.push('x.core');
      if (filter.verb) c.push(`x.verb = ${iri(filter.verb)}`);
      if (filter.registration) c.push(`x.registration = ${p(filter.registration)}::uuid`);
      if (table === 'lrs_statement_agent' && filter.activity) {
        // The statement's activity row has the same stored and seq: one probe of the activity's index.
        c.push(`EXISTS (SELECT 1 FROM lrs_statement_activity y WHERE y.activity = ${iri(filter.activity.id)} AND y.stored = x.stored
          AND y.statement_seq = x.statement_seq AND y.via_ref = x.via_ref${filter.activity.related ? '' : ' AND y.core'})`);
      }
      c.push(...time('x.stored', 'x.statement_seq'), ...visible('s'));
      // A statement can match both itself and through its target: DISTINCT keeps it once, in index order.
      return `SELECT DISTINCT x.stored, x.statement_seq AS seq FROM ${table} x JOIN lrs_statement s ON s.seq = x.statement_seq
        WHERE ${c.join(' AND ')} ORDER BY x.stored ${dir}, x.statement_seq ${dir} LIMIT ${limit}`;
    };

    let hits: string;
    if (filter.agent) hits = indexScan('lrs_statement_agent', `x.agent_key = ${p(filter.agent.key)}`, filter.agent.related);
    else if (filter.activity) hits = indexScan('lrs_statement_activity', `x.activity = ${iri(filter.activity.id)}`, filter.activity.related);
    else {
      const own = [...time('s.stored', 's.seq'), ...visible('s')];
      if (filter.verb) own.push(`s.verb_id = ${p(filter.verb)}`);
      if (filter.registration) own.push(`s.registration = ${p(filter.registration)}::uuid`);
      hits = `SELECT s.stored, s.seq FROM lrs_statement s WHERE ${own.join(' AND ')} ORDER BY s.stored ${dir}, s.seq ${dir} LIMIT ${limit}`;
      if (filter.verb || filter.registration) {
        const via = [...time('m.stored', 'm.statement_seq'), ...visible('s')];
        if (filter.verb) via.push(`m.verb_id = ${p(filter.verb)}`);
        if (filter.registration) via.push(`m.registration = ${p(filter.registration)}::uuid`);
        const refs = `SELECT DISTINCT m.stored, m.statement_seq AS seq FROM lrs_statement_ref_match m JOIN lrs_statement s ON s.seq = m.statement_seq
          WHERE ${via.join(' AND ')} ORDER BY m.stored ${dir}, m.statement_seq ${dir} LIMIT ${limit}`;
        hits = `SELECT * FROM ((${hits}) UNION (${refs})) u ORDER BY stored ${dir}, seq ${dir} LIMIT ${limit}`;
      }
    }
    const sql = `SELECT ${ROW} FROM (${hits}) h JOIN lrs_statement s ON s.seq = h.seq ORDER BY h.stored ${dir}, h.seq ${dir}`;
    const { rows } = await this.db.query<StoredRow>(sql, params);
    return rows;
  }
}
