/**
 * LRS Basic auth under attack and across processes: failed logins are throttled per key + client address and per
 * address (429 with Retry-After, the same for unknown keys), and a credential revoked by one process stops working in
 * another within LRS_CREDENTIAL_CACHE_SECONDS.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import type { RunningServer } from '../../src/main';
import { harness } from '../helpers/harness';
import { startInstance } from '../helpers/instance';

const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

async function newCredential() {
  const key = `hardening-${crypto.randomUUID()}`;
  const secret = crypto.randomBytes(18).toString('base64url');
  await harness().accrue.accrue.lrs.credentials.add({ key, secret, scopes: ['all'], name: 'hardening' });
  return { key, secret, auth: basic(key, secret) };
}

/** GET /xapi/statements from a given client address (the instance trusts loopback as a proxy, so X-Forwarded-For names it). */
const fetchStatements = (server: RunningServer, auth: string, from = '198.51.100.1') =>
  request(server.url).get('/xapi/statements?limit=1').set('X-Experience-API-Version', '2.0.0').set('Authorization', auth).set('X-Forwarded-For', from);

function expectThrottled(res: request.Response) {
  expect(res.status, res.text).to.equal(429);
  expect(res.headers['x-experience-api-version']).to.equal('2.0.0');
  const wait = Number(res.headers['retry-after']);
  expect(Number.isInteger(wait) && wait > 0, String(res.headers['retry-after'])).to.equal(true);
  expect(res.body.error.code).to.equal('XAPI_TOO_MANY_FAILURES');
  expect(res.body.error.errorId).to.match(/^[0-9a-f]{12}$/);
  expect(res.text).to.not.match(/\bat \w+ \(|node_modules/);
}

describe('LRS credentials hardening', function () {
  this.timeout(60_000);

  describe('failed-login throttling', () => {
    let server: RunningServer;
    before(async () => {
      server = await startInstance({ config: { lrsAuthFailureLimit: 3, lrsAuthIpFailureLimit: 8, lrsAuthFailureWindowSeconds: 900 } });
    });
    after(async () => {
      await server?.close();
    });

    it('when one address guesses the secret of a key past the limit, then 429 with Retry-After, even for the right secret, while other addresses still log in', async () => {
      const cred = await newCredential();
      const attacker = '198.51.100.10';
      for (let i = 0; i < 3; i++) expect((await fetchStatements(server, basic(cred.key, `guess-${i}`), attacker)).status, `guess ${i + 1}`).to.equal(401);
      expectThrottled(await fetchStatements(server, basic(cred.key, 'guess-4'), attacker));
      // Refused before any check: the right secret is no help to the throttled address...
      expectThrottled(await fetchStatements(server, cred.auth, attacker));
      // ...and the owner of the key, elsewhere, is not locked out.
      expect((await fetchStatements(server, cred.auth, '198.51.100.11')).status).to.equal(200);
      expect((await fetchStatements(server, basic(cred.key, 'typo'), '198.51.100.11')).status).to.equal(401);
    });

    it('when the key does not exist, then the answers are the same as for an existing key (401 x limit, then 429)', async () => {
      const attacker = '198.51.100.20';
      const unknownKey = `no-such-key-${crypto.randomUUID()}`;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetchStatements(server, basic(unknownKey, `guess-${i}`), attacker)).status);
      expect(statuses).to.deep.equal([401, 401, 401, 429]);
      expectThrottled(await fetchStatements(server, basic(unknownKey, 'guess-5'), attacker));
    });

    it('when logins succeed, then they do not count as failures', async () => {
      const cred = await newCredential();
      const from = '198.51.100.30';
      expect((await fetchStatements(server, basic(cred.key, 'wrong-1'), from)).status).to.equal(401);
      expect((await fetchStatements(server, basic(cred.key, 'wrong-2'), from)).status).to.equal(401);
      expect((await fetchStatements(server, cred.auth, from)).status).to.equal(200);
      expect((await fetchStatements(server, basic(cred.key, 'wrong-3'), from)).status, 'the third failure, not the fourth event').to.equal(401);
      expectThrottled(await fetchStatements(server, basic(cred.key, 'wrong-4'), from));
    });

    it('when one address tries many keys, then it is throttled over all of them (each failure costs a scrypt hash)', async () => {
      const from = '198.51.100.40';
      const cred = await newCredential();
      expect((await fetchStatements(server, cred.auth, from)).status).to.equal(200); // verified before the spray
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) statuses.push((await fetchStatements(server, basic(`sprayed-${crypto.randomUUID()}`, 'password1'), from)).status);
      expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 401, 401, 401, 429]);
      expectThrottled(await fetchStatements(server, basic(`sprayed-${crypto.randomUUID()}`, 'password1'), from));
      // A header this process has already verified needs no guessing: it stays usable from the throttled address.
      expect((await fetchStatements(server, cred.auth, from)).status).to.equal(200);
    });

    it('when Authorization headers are malformed (no key), then they count as failures of one empty key from that address', async () => {
      const from = '198.51.100.50';
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetchStatements(server, `Basic ${Buffer.from(`no-colon-${i}`).toString('base64')}`, from)).status);
      expect(statuses).to.deep.equal([401, 401, 401, 429]);
    });
  });

  describe('revocation seen by other processes', () => {
    it('when the cache window is 0, then a credential revoked by another process is refused at the next request', async () => {
      const server = await startInstance({ config: { lrsCredentialCacheSeconds: 0 } });
      try {
        const cred = await newCredential();
        expect((await fetchStatements(server, cred.auth)).status).to.equal(200);
        expect((await fetchStatements(server, cred.auth)).status, 'served from its cache, re-read').to.equal(200);
        expect(await harness().accrue.accrue.lrs.credentials.revoke(cred.key)).to.equal(true); // another process
        const refused = await fetchStatements(server, cred.auth);
        expect(refused.status).to.equal(401);
        expect(refused.body.error.code).to.equal('XAPI_BAD_CREDENTIALS');
      } finally {
        await server.close();
      }
    });

    it('when the cache window is 1 s, then a credential revoked by another process is refused once the window has passed', async () => {
      const server = await startInstance({ config: { lrsCredentialCacheSeconds: 1 } });
      try {
        const cred = await newCredential();
        expect((await fetchStatements(server, cred.auth)).status).to.equal(200); // verified and cached here
        expect(await harness().accrue.accrue.lrs.credentials.revoke(cred.key)).to.equal(true);
        await new Promise((r) => setTimeout(r, 1_100)); // the configured window, and a little
        expect((await fetchStatements(server, cred.auth)).status).to.equal(401);
      } finally {
        await server.close();
      }
    });

    it('when a credential is still valid, then a process with a 0 s window keeps accepting it request after request', async () => {
      const server = await startInstance({ config: { lrsCredentialCacheSeconds: 0 } });
      try {
        const cred = await newCredential();
        for (let i = 0; i < 5; i++) expect((await fetchStatements(server, cred.auth)).status).to.equal(200);
      } finally {
        await server.close();
      }
    });
  });
});
