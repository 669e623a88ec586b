/**
 * Migration 015 on a database that already holds statements: the agent/activity index rows written with text verb
 * and activity IRIs are converted to dictionary ids, the statements become json, and every filter still finds
 * exactly what it found before; a statement stored after the upgrade is found the same way.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db';
import { runMigrations } from '../../src/db/migrate';
import { createLogger } from '../../src/log';
import { createLrs, type StatementFilter } from '../../src/lrs';
import { testConfig } from '../helpers/db';

const STORED = '2026-01-05T10:00:00.000Z';
const V_PASSED = 'http://adlnet.gov/expapi/verbs/passed';
const V_ATTENDED = 'http://adlnet.gov/expapi/verbs/attended';
const MODULE = 'https://cme.example.org/activities/sepsis/module-1';
const COURSE = 'https://cme.example.org/activities/sepsis';
const CATEGORY = 'https://cme.example.org/profiles/cme';
const ANA = { objectType: 'Agent', mbox: 'mailto:ana@example.org' };
const BEN = { objectType: 'Agent', mbox: 'mailto:ben@example.org' };
const AUTHORITY = { objectType: 'Agent', account: { homePage: 'https://cme.example.org/', name: 'lms' } };
const key = (a: { mbox: string }) => `mbox:${a.mbox}`;
const AUTHORITY_KEY = `account:${JSON.stringify(['https://cme.example.org/', 'lms'])}`;

/** A statement as stored before migration 015 (jsonb, text IRIs in its index rows). */
interface Old {
  id: string;
  verb: string;
  statement: Record<string, unknown>;
  agents: [string, boolean, boolean, string?][]; // key, core, via_ref, verb of the row (the target's, via_ref)
  activities: [string, boolean, boolean, string?][]; // id, core, via_ref, verb of the row (the target's, via_ref)
  ref?: string;
}

function activityStatement(actor: { mbox: string }, verb: string, object: string): Old {
  const id = crypto.randomUUID();
  return {
    id, verb,
    statement: {
      id, actor, verb: { id: verb }, object: { objectType: 'Activity', id: object }, stored: STORED, timestamp: STORED, authority: AUTHORITY, version: '2.0.0',
      context: { contextActivities: { grouping: [{ objectType: 'Activity', id: COURSE }], category: [{ objectType: 'Activity', id: CATEGORY }] } },
    },
    agents: [[key(actor), true, false], [AUTHORITY_KEY, false, false]],
    // One row per Activity, core if it is the object (as facetsOf gives them).
    activities: object === COURSE ? [[COURSE, true, false], [CATEGORY, false, false]] : [[object, true, false], [COURSE, false, false], [CATEGORY, false, false]],
  };
}

async function insertOld(db: Db, seqBase: number, list: Old[]): Promise<Map<string, number>> {
  const seqs = new Map<string, number>();
  for (const [i, s] of list.entries()) {
    const seq = seqBase + i;
    seqs.set(s.id, seq);
    await db.query(
      `INSERT INTO lrs_statement (seq, id, stored, verb_id, object_statement_id, credential_key, statement) VALUES ($1, $2, $3, $4, $5, 'lms', $6::jsonb)`,
      [seq, s.id, STORED, s.verb, s.ref ?? null, JSON.stringify(s.statement)]);
    for (const [k, core, viaRef, verb] of s.agents) {
      await db.query(`INSERT INTO lrs_statement_agent (statement_seq, agent_key, core, via_ref, verb_id, stored) VALUES ($1, $2, $3, $4, $5, $6)`,
        [seq, k, core, viaRef, verb ?? s.verb, STORED]);
    }
    for (const [a, core, viaRef, verb] of s.activities) {
      await db.query(`INSERT INTO lrs_statement_activity (statement_seq, activity_id, core, via_ref, verb_id, stored) VALUES ($1, $2, $3, $4, $5, $6)`,
        [seq, a, core, viaRef, verb ?? s.verb, STORED]);
    }
  }
  return seqs;
}

describe('database: migration 015 upgrades a store that already holds statements', function () {
  this.timeout(120_000);
  const config = testConfig();
  let admin: Db | undefined; // the suite's own server database, to create and drop a fresh one (server only)
  let fresh = '';
  let db: Db;
  const anaPassed = activityStatement(ANA, V_PASSED, MODULE);
  const benAttended = activityStatement(BEN, V_ATTENDED, MODULE);
  const anaAttended = activityStatement(ANA, V_ATTENDED, COURSE);
  // A StatementRef to Ana's "passed" statement: it carries copies of its target's rows (via_ref), so the filters
  // that match the target match it too.
  const refId = crypto.randomUUID();
  const ref: Old = {
    id: refId, verb: V_ATTENDED, ref: anaPassed.id,
    statement: { id: refId, actor: BEN, verb: { id: V_ATTENDED }, object: { objectType: 'StatementRef', id: anaPassed.id }, stored: STORED, timestamp: STORED, authority: AUTHORITY, version: '2.0.0' },
    agents: [[key(BEN), true, false], [AUTHORITY_KEY, false, false], [key(ANA), true, true, V_PASSED], [AUTHORITY_KEY, false, true, V_PASSED]],
    activities: [[MODULE, true, true, V_PASSED], [COURSE, false, true, V_PASSED], [CATEGORY, false, true, V_PASSED]],
  };
  const all = [anaPassed, benAttended, anaAttended, ref];
  let lrs: ReturnType<typeof createLrs>;
  let oldAgentRows = 0;
  let compressionBefore = '';
  const compression = async () => (await db.query<{ m: string }>(
    `SELECT attcompression::text AS m FROM pg_attribute WHERE attrelid = 'lrs_statement'::regclass AND attname = 'statement'`)).rows[0]!.m;
  let oldActivityRows: { seq: string; activity: string; verb: string; core: boolean; via_ref: boolean }[] = [];

  before(async () => {
    let url = '';
    if (config.databaseUrl) {
      admin = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
      fresh = `accrue_mig015_${process.pid}_${Date.now()}`;
      await admin.query(`CREATE DATABASE ${fresh}`);
      const u = new URL(config.databaseUrl);
      u.pathname = `/${fresh}`;
      url = u.toString();
    }
    db = await openDatabase({ databaseUrl: url, dataDir: config.dataDir, poolSize: 2, migrateUpTo: 14 });
    await insertOld(db, 1000, all);
    compressionBefore = await compression();
    oldAgentRows = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM lrs_statement_agent')).rows[0]!.n);
    oldActivityRows = (await db.query<{ seq: string; activity: string; verb: string; core: boolean; via_ref: boolean }>(
      `SELECT statement_seq::text AS seq, activity_id AS activity, verb_id AS verb, core, via_ref FROM lrs_statement_activity ORDER BY 1, 2, 5`)).rows;
  });

  after(async () => {
    await db?.close();
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`);
      await admin.close();
    }
  });

  it('when migrations run on the old store, then only 015 is applied and the IRIs become a dictionary', async () => {
    expect(await runMigrations(db)).to.deep.equal([15]);
    expect(await runMigrations(db)).to.deep.equal([]);
    const iris = (await db.query<{ iri: string }>('SELECT iri FROM lrs_iri ORDER BY iri')).rows.map((r) => r.iri);
    expect(iris).to.deep.equal([CATEGORY, COURSE, MODULE, V_ATTENDED, V_PASSED].sort());
    const type = (await db.query<{ t: string }>(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'lrs_statement'::regclass AND attname = 'statement'`)).rows[0]!.t;
    expect(type).to.equal('json');
    // Migration 011's lz4 (where the server has it) survives the change of type, which resets compression.
    expect(await compression()).to.equal(compressionBefore);
  });

  it('when the index rows are read back through the dictionary, then every one is there with its IRIs', async () => {
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM lrs_statement_agent')).rows[0]!.n)).to.equal(oldAgentRows);
    const rows = (await db.query<{ seq: string; activity: string; verb: string; core: boolean; via_ref: boolean }>(
      `SELECT c.statement_seq::text AS seq, a.iri AS activity, v.iri AS verb, c.core, c.via_ref
         FROM lrs_statement_activity c JOIN lrs_iri a ON a.id = c.activity JOIN lrs_iri v ON v.id = c.verb ORDER BY 1, 2, 5`)).rows;
    expect(rows).to.deep.equal(oldActivityRows);
    const agentVerbs = (await db.query<{ verb: string; n: string }>(
      `SELECT v.iri AS verb, count(*) AS n FROM lrs_statement_agent x JOIN lrs_iri v ON v.id = x.verb GROUP BY 1 ORDER BY 1`)).rows;
    // Ana's passed (2 rows) and the ref's copies of them (2) are "passed"; the three attended statements' own rows (6).
    expect(agentVerbs.map((r) => [r.verb, Number(r.n)])).to.deep.equal([[V_ATTENDED, 6], [V_PASSED, 4]]);
  });

  it('when the LRS filters the upgraded store, then each filter finds exactly the statements it found before', async () => {
    lrs = createLrs({ db, config, log: createLogger({ level: 'silent' }) });
    const ids = async (f: Partial<StatementFilter>) =>
      (await lrs.statements.query({ ascending: true, limit: 50, ...f })).rows.map((r) => r.id).sort();
    const sorted = (...list: Old[]) => list.map((s) => s.id).sort();
    expect(await ids({ agent: { key: key(ANA), related: false } })).to.deep.equal(sorted(anaPassed, anaAttended, ref));
    expect(await ids({ agent: { key: key(ANA), related: false }, verb: V_PASSED })).to.deep.equal(sorted(anaPassed, ref));
    expect(await ids({ agent: { key: key(BEN), related: false }, verb: V_ATTENDED })).to.deep.equal(sorted(benAttended, ref));
    expect(await ids({ agent: { key: AUTHORITY_KEY, related: false } })).to.deep.equal([]);
    expect(await ids({ agent: { key: AUTHORITY_KEY, related: true }, verb: V_ATTENDED })).to.deep.equal(sorted(benAttended, anaAttended, ref));
    expect(await ids({ activity: { id: MODULE, related: false } })).to.deep.equal(sorted(anaPassed, benAttended, ref));
    expect(await ids({ activity: { id: MODULE, related: false }, verb: V_ATTENDED })).to.deep.equal(sorted(benAttended));
    expect(await ids({ activity: { id: COURSE, related: false } })).to.deep.equal(sorted(anaAttended));
    expect(await ids({ activity: { id: COURSE, related: true } })).to.deep.equal(sorted(...all));
    expect(await ids({ activity: { id: CATEGORY, related: true }, verb: V_PASSED })).to.deep.equal(sorted(anaPassed, ref));
    expect(await ids({ agent: { key: key(ANA), related: false }, activity: { id: COURSE, related: false } })).to.deep.equal(sorted(anaAttended));
    expect(await ids({ activity: { id: 'https://cme.example.org/never-stored', related: true } })).to.deep.equal([]);
    const one = await lrs.statements.get(anaPassed.id, { voided: false });
    expect(one?.statement).to.deep.equal(anaPassed.statement);
  });

  it('when an upgraded statement is deleted, then its index rows go with it and no other row does', async () => {
    const count = async () => Number((await db.query<{ n: string }>(
      'SELECT (SELECT count(*) FROM lrs_statement_agent) + (SELECT count(*) FROM lrs_statement_activity) AS n')).rows[0]!.n);
    const before = await count();
    await db.query('DELETE FROM lrs_statement WHERE id = $1', [benAttended.id]);
    expect(await count()).to.equal(before - 5);
    const left = await db.query(
      `SELECT 1 FROM lrs_statement_agent WHERE statement_seq = 1001 UNION ALL SELECT 1 FROM lrs_statement_activity WHERE statement_seq = 1001`);
    expect(left.rows).to.have.length(0);
  });

  it('when a statement is stored after the upgrade, then agent + verb and activity + verb find it beside the old ones', async () => {
    const id = crypto.randomUUID();
    await lrs.statements.store([{ id, actor: ANA, verb: { id: V_PASSED }, object: { objectType: 'Activity', id: COURSE } }]);
    const found = await lrs.statements.query({ ascending: true, limit: 50, agent: { key: key(ANA), related: false }, verb: V_PASSED });
    expect(found.rows.map((r) => r.id).sort()).to.deep.equal([anaPassed.id, ref.id, id].sort());
    const byActivity = await lrs.statements.query({ ascending: true, limit: 50, activity: { id: COURSE, related: false }, verb: V_PASSED });
    expect(byActivity.rows.map((r) => r.id)).to.deep.equal([id]);
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM lrs_iri')).rows[0]!.n)).to.equal(5);
  });

  it('when statements at both ends of a band of seqs are deleted in one DELETE, then the statement between them keeps its rows', async () => {
    const rowsOf = async (seq: number) => Number((await db.query<{ n: string }>(
      'SELECT (SELECT count(*) FROM lrs_statement_agent WHERE statement_seq = $1) + (SELECT count(*) FROM lrs_statement_activity WHERE statement_seq = $1) AS n', [seq])).rows[0]!.n);
    const between = await rowsOf(1002); // Ana's "attended", between her "passed" (1000) and the StatementRef (1003)
    expect(between).to.equal(4);
    await db.query('DELETE FROM lrs_statement WHERE id = ANY($1::uuid[])', [[anaPassed.id, ref.id]]);
    expect(await rowsOf(1000)).to.equal(0);
    expect(await rowsOf(1003)).to.equal(0);
    expect(await rowsOf(1002)).to.equal(between);
  });
});
