/**
 * SQL for statements: the write path (statement row, agent and activity index rows, the rows a StatementRef
 * statement inherits from its target, attachments, activity definitions, voiding; all in the caller's
 * transaction) and reads by id. Filtered queries are in store-query.ts.
 */
import type { Db, Queryable } from '../db';
import { mergeDefinition, sameJson, type Facets, type JsonObject } from './model';
import { IriIds, setBounded } from './store-iris';

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

/**
 * How long a definition this process merged is taken as still merged (defineActivities). Another process may merge
 * a different definition for the same Activity meanwhile; this process then skips the same definition as before
 * for at most this long, so "the latest definition wins" holds across processes within that time.
 */
const DEFINITION_CACHE_MS = 10_000;
const DEFINITION_CACHE_SIZE = 20_000; // Activities (with their definition text, ~0.5 KB each): ~10 MB at most
/** Statements per INSERT: each is a bind parameter, and a statement may have at most 65,535. */
const INSERT_CHUNK = 1_000;
/** The statement counts the insert is prepared for; a batch takes the smallest that holds it. */
const INSERT_SIZES = [1, 2, 5, 10, 20, 50, 100, 200, 500, INSERT_CHUNK];

export class StatementStore {
  /** Verb and Activity IRIs as the integers the index tables hold. */
  readonly iris: IriIds;
  /** Activity id -> the definition (JSON text) this process merged last, and when. */
  private readonly merged = new Map<string, { text: string; at: number }>();

  constructor(private readonly db: Db) {
    this.iris = new IriIds(db);
  }

  /** The IRIs a batch's index rows name (verbs and Activities): resolve them with `iris.ids` before `insert`. */
  static irisOf(rows: Pick<NewStatementRow, 'verbId' | 'facets'>[]): Set<string> {
    const out = new Set<string>();
    for (const r of rows) {
      out.add(r.verbId);
      for (const act of r.facets.activities.keys()) out.add(act);
    }
    return out;
  }

  async findByIds(q: Queryable, ids: string[]): Promise<StoredRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await q.query<StoredRow>(`SELECT ${ROW} FROM lrs_statement s WHERE s.id = ANY($1::uuid[])`, [ids]);
    return rows;
  }

  async findById(id: string): Promise<StoredRow | undefined> {
    return (await this.findByIds(this.db, [id]))[0];
  }

  /**
   * Inserts statements with their index rows in one SQL statement (one round trip). Each statement is its own json
   * parameter, checked once by PostgreSQL (inside one JSON document of the batch it was lexed twice: the document,
   * then the statement again); the other columns and the index rows are arrays.
   * A statement whose id is already stored (a retry, or a concurrent writer won the race) is skipped: its id is in
   * `skipped` and the caller compares the two. Also answers, from the statements stored before this one, what the
   * caller must still do for the new ones: `voidedBefore` (new ids that a stored voiding statement targets) and
   * `referenced` (a stored statement has one of them as its StatementRef target).
   * `ids` gives the dictionary id of every verb and Activity IRI of the batch (irisOf, IriIds).
   */
  async insert(q: Queryable, rows: NewStatementRow[], options: { voidedVerb: string; ids: Map<string, number> }): Promise<{ skipped: string[]; voidedBefore: string[]; referenced: boolean }> {
    if (rows.length > INSERT_CHUNK) {
      // Bind parameters are limited (65,535): a very large batch goes in parts, in the caller's one transaction.
      const all = { skipped: [] as string[], voidedBefore: [] as string[], referenced: false };
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const part = await this.insert(q, rows.slice(i, i + INSERT_CHUNK), options);
        all.skipped.push(...part.skipped);
        all.voidedBefore.push(...part.voidedBefore);
        all.referenced ||= part.referenced;
      }
      return all;
    }
    if (rows.length === 0) return { skipped: [], voidedBefore: [], referenced: false };
    const stored = rows[0]!.stored;
    const credentialKey = rows[0]!.credentialKey;
    if (rows.some((r) => r.stored !== stored || r.credentialKey !== credentialKey)) throw new Error('A batch is stored at one time by one credential.');
    const idOf = (iri: string) => {
      const n = options.ids.get(iri);
      if (n === undefined) throw new Error(`No IRI id was resolved for ${iri}.`);
      return n;
    };
    const ids: string[] = [], verbs: string[] = [], vns: number[] = [], regs: (string | null)[] = [], refs: (string | null)[] = [];
    const agN: number[] = [], agKey: string[] = [], agCore: boolean[] = [];
    const acN: number[] = [], acId: number[] = [], acCore: boolean[] = [];
    const statementJson: string[] = [];
    rows.forEach((r, i) => {
      ids.push(r.id);
      verbs.push(r.verbId);
      vns.push(idOf(r.verbId));
      regs.push(r.registration);
      refs.push(r.objectStatementId);
      for (const [key, core] of r.facets.agents) agN.push(i + 1), agKey.push(key), agCore.push(core);
      for (const [act, core] of r.facets.activities) acN.push(i + 1), acId.push(idOf(act)), acCore.push(core);
      statementJson.push(JSON.stringify(r.statement));
    });
    // Prepared once per connection for each size class (padded with NULL statements) on a PostgreSQL server: planning
    // this statement cost about 7 us of PostgreSQL CPU per statement of a batch of 100, more than some of its inserts.
    const size = INSERT_SIZES.find((n) => n >= rows.length)!;
    const params: unknown[] = [ids, verbs, vns, regs, refs, stored, credentialKey, options.voidedVerb, agN, agKey, agCore, acN, acId, acCore, ...statementJson];
    for (let i = rows.length; i < size; i++) params.push(null);
    const statements = Array.from({ length: size }, (_, i) => `$${15 + i}::json`).join(',');
    const { rows: out } = await q.query<{ id: string; voided: boolean | null }>(
      `WITH ins AS (
         INSERT INTO lrs_statement (id, stored, verb_id, registration, object_statement_id, credential_key, statement)
         SELECT x.id, $6::timestamptz, x.verb, x.reg, x.ref, $7, x.st
           FROM unnest($1::uuid[], $2::text[], $4::uuid[], $5::uuid[], ARRAY[${statements}]) AS x(id, verb, reg, ref, st)
          WHERE x.id IS NOT NULL
         ON CONFLICT (id) DO NOTHING
         RETURNING seq, id, registration
       ), fresh AS (
         SELECT ins.seq, ins.registration, m.vn, m.n FROM ins JOIN unnest($1::uuid[], $3::integer[]) WITH ORDINALITY AS m(id, vn, n) ON m.id = ins.id
       ), agents AS (
         INSERT INTO lrs_statement_agent (statement_seq, agent_key, core, verb, registration, stored)
         SELECT f.seq, a.key, a.core, f.vn, f.registration, $6::timestamptz
           FROM unnest($9::integer[], $10::text[], $11::boolean[]) AS a(n, key, core) JOIN fresh f ON f.n = a.n
       ), activities AS (
         INSERT INTO lrs_statement_activity (statement_seq, activity, core, verb, registration, stored)
         SELECT f.seq, c.activity, c.core, f.vn, f.registration, $6::timestamptz
           FROM unnest($12::integer[], $13::integer[], $14::boolean[]) AS c(n, activity, core) JOIN fresh f ON f.n = c.n
       )
       SELECT id::text AS id, NULL::boolean AS voided FROM ins
       UNION ALL
       -- New ids a stored statement targets (as a StatementRef, voiding or not): one lrs_statement_ref probe each.
       SELECT ins.id::text, r.voided FROM ins
        CROSS JOIN LATERAL (SELECT bool_or(s.verb_id = $8) AS voided FROM lrs_statement s WHERE s.object_statement_id = ins.id HAVING count(*) > 0) r`,
      params,
      // Embedded PGlite serves every connection from one session, where a name prepared by one would clash with the next.
      this.db.kind === 'server' ? { name: `accrue_lrs_insert_${size}` } : {},
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
        `INSERT INTO lrs_statement_agent (statement_seq, agent_key, core, via_ref, verb, registration, stored)
         SELECT DISTINCT r.seq, a.agent_key, a.core, true, a.verb, a.registration, r.stored
           FROM lrs_statement r JOIN lrs_statement t ON t.id = r.object_statement_id JOIN lrs_statement_agent a ON a.statement_seq = t.seq
          WHERE r.seq = ANY($1::bigint[])`, [seqs]);
      await q.query(
        `INSERT INTO lrs_statement_activity (statement_seq, activity, core, via_ref, verb, registration, stored)
         SELECT DISTINCT r.seq, c.activity, c.core, true, c.verb, c.registration, r.stored
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
   * Merges each Activity's definition into the stored one (see mergeDefinition), unless this process merged the same
   * definition within DEFINITION_CACHE_MS. Runs outside any transaction, each
   * statement on its own: a new Activity's row is inserted (in id order) and committed at once, so concurrent writers
   * naming the same new Activity wait microseconds, not for each other's whole transaction; a changed definition is
   * written by compare-and-set on the definition it was merged from, retried if another writer changed it meanwhile.
   */
  async defineActivities(all: { id: string; definition: JsonObject | null }[]): Promise<void> {
    // What this process merged last for an Activity, for DEFINITION_CACHE_MS: the same definition again (most
    // statements repeat their Activities' definitions) would merge to what is stored, so it is skipped without a read.
    const now = Date.now();
    const seen = new Map<string, string>();
    const list = all.filter((a) => {
      const text = JSON.stringify(a.definition);
      seen.set(a.id, text);
      const last = this.merged.get(a.id);
      return !(last && last.text === text && now - last.at < DEFINITION_CACHE_MS);
    });
    await this.mergeDefinitions(list);
    for (const a of list) setBounded(this.merged, a.id, { text: seen.get(a.id)!, at: now }, DEFINITION_CACHE_SIZE);
  }

  private async mergeDefinitions(list: { id: string; definition: JsonObject | null }[]): Promise<void> {
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
