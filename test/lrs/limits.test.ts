/** Request size limits: a body over LRS_MAX_BODY_BYTES is refused with 413, in xAPI form (own LRS, small limit). */
import crypto from 'node:crypto';
import http from 'node:http';
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

  /** Sends the headers and the first KB of a body announced as `length` bytes, and never the rest. */
  function partialUpload(url: string, headers: Record<string, string>, length: number): Promise<{ status: number; body: string } | 'no answer'> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${url}/xapi/statements`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(length), 'X-Experience-API-Version': '2.0.0' } });
      // The server cannot answer a request whose body it waits for: no answer in 3 s means it waited.
      const timer = setTimeout(() => { req.destroy(); resolve('no answer'); }, 3000);
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, body }); });
      });
      req.on('error', (err) => { clearTimeout(timer); reject(err); });
      req.write(Buffer.alloc(1024, 0x20));
    });
  }

  it('when an unauthenticated or wrongly authenticated client starts a large upload, then it is refused (401) before its body is read', async () => {
    const { db, config } = harness().accrue.accrue;
    const lrs = createLrs({ db, config, log: createLogger({ level: 'silent' }) });
    const app = express();
    app.use('/xapi', lrs.router);
    const server = await serve(app);
    try {
      const none = await partialUpload(server.url, {}, 10_000_000);
      expect(none).to.not.equal('no answer');
      expect((none as { status: number }).status).to.equal(401);
      const wrong = await partialUpload(server.url, { Authorization: `Basic ${Buffer.from('nobody:wrong-secret').toString('base64')}` }, 10_000_000);
      expect(wrong).to.not.equal('no answer');
      expect((wrong as { status: number }).status).to.equal(401);
      expect(JSON.parse((wrong as { body: string }).body).error.code).to.equal('XAPI_BAD_CREDENTIALS');
      // An authenticated caller's body is read: the same partial upload waits for the rest.
      const key = `upload-${crypto.randomUUID()}`;
      await lrs.credentials.add({ key, secret: 'upload-secret-123', scopes: ['all'], name: 'upload' });
      const good = await partialUpload(server.url, { Authorization: `Basic ${Buffer.from(`${key}:upload-secret-123`).toString('base64')}` }, 10_000_000);
      expect(good).to.equal('no answer');
    } finally {
      await server.close();
    }
  });
});
