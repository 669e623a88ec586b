/**
 * Settings of Accrue's own connections to a PostgreSQL server. JIT is off: with lagging statistics the planner's
 * estimate of the LRS's batch insert passed jit_above_cost and each batch spent ~70 ms compiling (bench:lrs).
 */
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db';
import { testConfig } from '../helpers/db';

describe('database: connection settings on a PostgreSQL server', function () {
  this.timeout(60_000);
  let db: Db | undefined;
  before(async function () {
    const c = testConfig();
    if (!c.databaseUrl) this.skip(); // embedded PGlite has no JIT
    db = await openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir, poolSize: 2 });
  });
  after(async () => db?.close());

  it('when Accrue connects, then JIT compilation is off for its queries', async () => {
    const { rows } = await db!.query<{ jit: string }>('SHOW jit');
    expect(rows[0]!.jit).to.equal('off');
  });

  it('when DATABASE_URL carries its own options, then they apply too', async () => {
    const url = new URL(testConfig().databaseUrl!);
    url.searchParams.set('options', '-c statement_timeout=4321');
    const other = await openDatabase({ databaseUrl: url.toString(), dataDir: testConfig().dataDir, poolSize: 1 });
    try {
      const { rows } = await other.query<{ jit: string; timeout: string }>(`SELECT current_setting('jit') AS jit, current_setting('statement_timeout') AS timeout`);
      expect(rows[0]).to.deep.equal({ jit: 'off', timeout: '4321ms' });
    } finally {
      await other.close();
    }
  });
});
