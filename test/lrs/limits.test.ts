/** Request size limits: a body over LRS_MAX_BODY_BYTES is refused with 413, in xAPI form (own LRS, small limit). */
import crypto from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { createLrs } from '../../src/lrs';
import { createLogger } from '../../src/log';
import { harness, serve } from '../helpers/harness';
import { statement } from './helpers';

describe('LRS limits', () => {
  it('when a body is larger than lrsMaxBodyBytes, then 413 with X-Experience-API-Version, and nothing is stored', async () => {
    const { db, config } = harness().accrue.accrue;
    const lrs = createLrs({ db, config: { ...config, lrsMaxBodyBytes: 4096 }, log: createLogger({ level: 'silent' }) });
    const app = express();
    app.use('/xapi', lrs.router);
    const server = await serve(app);
    try {
      const key = `limit-${crypto.randomUUID()}`;
      await lrs.credentials.add({ key, secret: 'limit-secret-123', scopes: ['all'], name: 'limits' });
      const auth = `Basic ${Buffer.from(`${key}:limit-secret-123`).toString('base64')}`;
      const big = statement({ result: { response: 'x'.repeat(8000) } });
      const res = await request(server.url).post('/xapi/statements').set('Authorization', auth).set('X-Experience-API-Version', '2.0.0').send(big).expect(413);
      expect(res.headers['x-experience-api-version']).to.equal('2.0.0');
      expect(res.body.error.code).to.equal('XAPI_TOO_LARGE');
      const { rows } = await db.query('SELECT 1 FROM lrs_statement WHERE id = $1', [big.id]);
      expect(rows).to.have.length(0);
      await request(server.url).post('/xapi/statements').set('Authorization', auth).set('X-Experience-API-Version', '2.0.0').send(statement()).expect(200);
    } finally {
      await server.close();
    }
  });
});
