/**
 * What the LRS writes to the log: never an Authorization header, a secret or statement content. The LRS is built
 * with a capturing logger at debug level on the suite's real database and served on its own port.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { createLrs } from '../../src/lrs';
import { createLogger } from '../../src/log';
import { harness, serve } from '../helpers/harness';
import { statement } from './helpers';

describe('LRS logging', () => {
  it('when statements are stored, refused and read with credentials, then no log line carries credentials or statement content', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', write: (l) => lines.push(l) });
    const { db, config } = harness().accrue.accrue;
    const lrs = createLrs({ db, config, log });
    const app = express();
    app.use('/xapi', lrs.router);
    const server = await serve(app);
    try {
      const key = `log-${crypto.randomUUID()}`;
      const secret = `secret-${crypto.randomUUID()}`;
      await lrs.credentials.add({ key, secret, scopes: ['all'], name: 'logging test' });
      const auth = `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
      const marker = `private-note-${crypto.randomUUID()}`;
      const send = (body: unknown, a = auth) => request(server.url).post('/xapi/statements').set('Authorization', a).set('X-Experience-API-Version', '2.0.0').send(body as object);
      await send(statement({ result: { response: marker } })).expect(200);
      await send(statement({ result: { response: marker, duration: 'soon' } })).expect(400);
      await send(statement({ result: { response: marker } }), `Basic ${Buffer.from(`${key}:wrong-${marker}`).toString('base64')}`).expect(401);
      await request(server.url).get('/xapi/statements').set('Authorization', auth).set('X-Experience-API-Version', '2.0.0').expect(200);
      expect(lines.some((l) => l.includes('xapi request refused'))).to.equal(true); // the logger is wired
      const all = lines.join('\n');
      for (const needle of [secret, auth, auth.slice(6), marker]) expect(all).not.to.include(needle);
      const atInfo = lines.filter((l) => ['info', 'warn', 'error'].includes(JSON.parse(l).level as string));
      expect(atInfo).to.deep.equal([]);
    } finally {
      await server.close();
    }
  });
});
