/** Credentials: Basic auth, hashed secrets, scopes, statements/read/mine, authority rules. */
import { expect } from 'chai';
import request from 'supertest';
import { harness } from '../helpers/harness';
import { credential, lrs, mbox, q, statement, uid } from './helpers';

describe('LRS credentials', () => {
  const raw = () => request(harness().accrue.url);
  const service = () => harness().accrue.accrue.lrs.credentials;

  describe('XAPI-00334 XAPI-00335 HTTP Basic authentication', () => {
    it('when no or wrong credentials are sent, then 401 with WWW-Authenticate', async () => {
      const cred = await credential(['all']);
      const none = await raw().get('/xapi/statements').set('X-Experience-API-Version', '2.0.0').expect(401);
      expect(none.headers['www-authenticate']).to.match(/^Basic realm=/);
      const wrong = `Basic ${Buffer.from(`${cred.key}:not-the-secret`).toString('base64')}`;
      await raw().get('/xapi/statements').set('X-Experience-API-Version', '2.0.0').set('Authorization', wrong).expect(401);
      await raw().get('/xapi/statements').set('X-Experience-API-Version', '2.0.0').set('Authorization', 'Bearer abc').expect(401);
      await lrs(cred).get('/statements').expect(200);
    });

    it('when a credential is added, then only a salted scrypt hash of its secret is stored', async () => {
      const cred = await credential(['all']);
      const { rows } = await harness().accrue.accrue.db.query<{ secret_hash: string }>('SELECT secret_hash FROM lrs_credential WHERE key = $1', [cred.key]);
      expect(rows[0]!.secret_hash).to.match(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(rows[0]!.secret_hash).not.to.include(cred.secret);
    });

    it('when a credential is revoked, then its next request is refused with 401', async () => {
      const cred = await credential(['all']);
      await lrs(cred).get('/statements').expect(200); // now cached
      expect(await service().revoke(cred.key)).to.equal(true);
      await lrs(cred).get('/statements').expect(401);
      expect(await service().revoke(cred.key)).to.equal(false);
      const listed = (await service().list()).find((c) => c.key === cred.key)!;
      expect(listed.revokedAt).to.be.a('string');
      expect(listed).not.to.have.property('secret');
    });

    it('when add is given a bad scope, a short secret or a used key, then it refuses', async () => {
      const cred = await credential(['all']);
      await expectReject(service().add({ key: uid(), secret: 'long-enough-secret', scopes: ['everything'], name: 'x' }), 400);
      await expectReject(service().add({ key: uid(), secret: 'short', scopes: ['all'], name: 'x' }), 400);
      await expectReject(service().add({ key: cred.key, secret: 'long-enough-secret', scopes: ['all'], name: 'x' }), 409);
      const generated = await service().add({ scopes: ['statements/read'], name: 'generated' });
      expect(generated.key).to.match(/^[\w-]{8,}$/);
      expect(generated.secret.length).to.be.at.least(16);
    });
  });

  describe('scopes', () => {
    it('when a credential lacks the scope for a resource, then 403', async () => {
      const writer = await credential(['statements/write']);
      await lrs(writer).post('/statements').send(statement()).expect(200);
      await lrs(writer).get('/statements').expect(403);
      await lrs(writer).get(`/activities/state${q({ activityId: 'http://example.org/a', agent: { mbox: mbox() }, stateId: 's' })}`).expect(403);
      const reader = await credential(['statements/read']);
      await lrs(reader).post('/statements').send(statement()).expect(403);
      await lrs(reader).get('/statements').expect(200);
      const stateOnly = await credential(['state']);
      await lrs(stateOnly).put(`/activities/state${q({ activityId: 'http://example.org/a', agent: { mbox: mbox() }, stateId: uid() })}`).send({}).expect(204);
      await lrs(stateOnly).put(`/agents/profile${q({ agent: { mbox: mbox() }, profileId: uid() })}`).send({}).expect(403);
      const allRead = await credential(['all/read']);
      await lrs(allRead).get('/statements').expect(200);
      await lrs(allRead).post('/statements').send(statement()).expect(403);
    });

    it('when a credential has statements/read/mine, then it reads only statements it stored', async () => {
      const mine = await credential(['statements/write', 'statements/read/mine']);
      const other = await credential(['statements/write']);
      const who = { mbox: mbox() };
      const a = statement({ actor: who });
      const b = statement({ actor: who });
      await lrs(mine).post('/statements').send(a).expect(200);
      await lrs(other).post('/statements').send(b).expect(200);
      const res = await lrs(mine).get(`/statements${q({ agent: who })}`).expect(200);
      expect(res.body.statements.map((s: { id: string }) => s.id)).to.deep.equal([a.id]);
      await lrs(mine).get(`/statements${q({ statementId: a.id })}`).expect(200);
      await lrs(mine).get(`/statements${q({ statementId: b.id })}`).expect(404);
    });
  });

  describe('XAPI-00099 authority', () => {
    it('when a credential without "all" asserts another authority, then 403; its own authority is accepted', async () => {
      const writer = await credential(['statements/write', 'statements/read']);
      const foreign = { objectType: 'Agent', account: { homePage: 'https://elsewhere.example.org', name: 'someone' } };
      await lrs(writer).post('/statements').send(statement({ authority: foreign })).expect(403);
      const own = { objectType: 'Agent', account: { homePage: harness().accrue.accrue.config.publicUrl, name: writer.key } };
      const s = statement({ authority: own });
      await lrs(writer).post('/statements').send(s).expect(200);
    });

    it('when a credential with "all" asserts an authority, then it is kept', async () => {
      const trusted = await credential(['all']);
      const foreign = { objectType: 'Agent', account: { homePage: 'https://elsewhere.example.org', name: 'someone' } };
      const s = statement({ authority: foreign });
      await lrs(trusted).post('/statements').send(s).expect(200);
      expect((await lrs(trusted).get(`/statements${q({ statementId: s.id })}`).expect(200)).body.authority).to.deep.equal(foreign);
    });
  });
});

async function expectReject(p: Promise<unknown>, status: number): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect((err as { httpStatus?: number }).httpStatus).to.equal(status);
    return;
  }
  expect.fail(`expected a ${status} refusal`);
}
