/**
 * A failed statement must not cost the connection: embedded PGlite has a single one, and losing it made the next
 * query fail with "Connection terminated unexpectedly". Same checks on a PostgreSQL server.
 */
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db';
import { testConfig } from '../helpers/db';

describe('database: recovery after a failed statement', function () {
  this.timeout(60_000);
  let db: Db;
  before(async () => {
    const c = testConfig();
    db = await openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir, poolSize: 2 });
  });
  after(async () => db?.close());

  it('answers the next query after a failed query outside a transaction', async () => {
    let failure: Error | undefined;
    await db.query('SELECT 1/0').catch((e: Error) => { failure = e; });
    expect(failure?.message).to.match(/division by zero/);
    const { rows } = await db.query<{ x: number }>('SELECT 41 + 1 AS x');
    expect(rows[0]!.x).to.equal(42);
  });

  it('answers after a bad parameter, several times in a row', async () => {
    for (let i = 0; i < 5; i++) {
      await db.query('SELECT $1::int AS n', ['not a number']).then(() => expect.fail('should fail'), (e: Error) => expect(e.message).to.match(/invalid input syntax/));
      const { rows } = await db.query<{ n: number }>('SELECT $1::int AS n', [i]);
      expect(rows[0]!.n).to.equal(i);
    }
  });

  it('rolls back a failed transaction and keeps serving', async () => {
    await db.query('CREATE TABLE IF NOT EXISTS recovery_probe (n int PRIMARY KEY)');
    await db.query('DELETE FROM recovery_probe');
    await db.tx(async (q) => {
      await q.query('INSERT INTO recovery_probe VALUES (1)');
      await q.query('SELECT 1/0');
    }).then(() => expect.fail('should fail'), (e: Error) => expect(e.message).to.match(/division by zero/));
    const { rows } = await db.query<{ c: string }>('SELECT count(*)::text AS c FROM recovery_probe');
    expect(rows[0]!.c).to.equal('0');
    await db.query('DROP TABLE recovery_probe');
  });

  it('ends a stream that fails midway and keeps serving', async () => {
    const seen: number[] = [];
    let failure: Error | undefined;
    try {
      for await (const batch of db.stream<{ v: number }>('SELECT 10 / (5 - g) AS v FROM generate_series(1, 10) g', [], 2)) {
        for (const r of batch) seen.push(r.v);
      }
    } catch (e) {
      failure = e as Error;
    }
    expect(failure?.message).to.match(/division by zero/);
    const { rows } = await db.query<{ x: number }>('SELECT 7 AS x');
    expect(rows[0]!.x).to.equal(7);
  });
});
