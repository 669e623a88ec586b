import { expect } from 'chai';
import request from 'supertest';
import { startServer } from '../../src/main';
import { testConfig } from '../helpers/db';
import { harness } from '../helpers/harness';

describe('Health check (/healthz)', function () {
  this.timeout(60_000);

  it('when the database answers, then /healthz reports ok with the kind of database the suite runs on', async () => {
    const { accrue, config } = harness();
    const res = await request(accrue.url).get('/healthz');
    expect(res.status).to.equal(200);
    expect(res.type).to.equal('application/json');
    expect(res.body.status).to.equal('ok');
    expect(res.body.database).to.deep.equal({ kind: config.databaseUrl ? 'server' : 'embedded', reachable: true });
    // The statement-forwarding outbox reports its state too (no targets configured in tests).
    expect(res.body.lrsForward).to.deep.equal({ targets: 0, pending: 0, failing: 0 });
  });

  it('when the database stops answering, then /healthz answers 503 with reachable false and no error details', async () => {
    // An instance with a database of its own (the suite's kind), so closing it harms no other test.
    const server = await startServer({ config: testConfig({ publicUrl: 'http://127.0.0.1:0', sandbox: false }), host: '127.0.0.1' });
    try {
      const kind = server.accrue.db.kind;
      expect((await request(server.url).get('/healthz')).body.status).to.equal('ok');
      await server.accrue.db.close();
      const res = await request(server.url).get('/healthz');
      expect(res.status).to.equal(503);
      expect(res.body).to.deep.equal({ status: 'unavailable', database: { kind, reachable: false } });
    } finally {
      await server.close();
    }
  });
});
