/** Version negotiation (X-Experience-API-Version), the 1.0.3 view of 2.0 statements, the 1.0.x alternate syntax. */
import { expect } from 'chai';
import request from 'supertest';
import { harness } from '../helpers/harness';
import { credential, lrs, mbox, q, statement, type TestCredential } from './helpers';

describe('LRS versions', () => {
  let cred: TestCredential;
  before(async () => {
    cred = await credential(['all']);
  });
  const raw = () => request(harness().accrue.url);

  describe('XAPI-00315 XAPI-00319 About', () => {
    it('when /about is read without credentials or version header, then it lists 1.0.0-1.0.3 and 2.0.0', async () => {
      const res = await raw().get('/xapi/about').expect(200);
      expect(res.body.version).to.deep.equal(['1.0.0', '1.0.1', '1.0.2', '1.0.3', '2.0.0']);
      expect(res.headers['x-experience-api-version']).to.equal('2.0.0');
    });
  });

  describe('XAPI-00331 XAPI-00333 the version header', () => {
    it('when a request has no version header, then 400 that still carries X-Experience-API-Version', async () => {
      const res = await raw().get('/xapi/statements').set('Authorization', cred.auth).expect(400);
      expect(res.headers['x-experience-api-version']).to.match(/^(2\.0\.0|1\.0\.3)$/);
    });

    it('when the version is not 1.0.x or 2.0.x, then 400', async () => {
      for (const v of ['0.95', '1.1.0', '3.0.0', 'latest']) await lrs(cred, v).get('/statements').expect(400);
    });

    it('when a request is served, then the response names the latest patch of the family asked for', async () => {
      expect((await lrs(cred, '1.0.1').get('/statements').expect(200)).headers['x-experience-api-version']).to.equal('1.0.3');
      expect((await lrs(cred, '2.0.0').get('/statements').expect(200)).headers['x-experience-api-version']).to.equal('2.0.0');
    });

    it('when a request is refused (401, 404), then it still carries X-Experience-API-Version', async () => {
      const res401 = await raw().get('/xapi/statements').set('X-Experience-API-Version', '1.0.3').expect(401);
      expect(res401.headers['x-experience-api-version']).to.equal('1.0.3');
      const res404 = await lrs(cred).get('/nothing-here').expect(404);
      expect(res404.headers['x-experience-api-version']).to.equal('2.0.0');
    });
  });

  describe('2.0.0 statements read by a 1.0.3 client', () => {
    it('when a 2.0 statement has contextAgents/contextGroups, then a 1.0.3 client gets it without them, version 1.0.3', async () => {
      const coach = { objectType: 'Agent', mbox: mbox() };
      const s = statement({
        context: {
          contextAgents: [{ objectType: 'contextAgent', agent: coach, relevantTypes: ['http://example.org/types/coach'] }],
          contextGroups: [{ objectType: 'contextGroup', group: { objectType: 'Group', member: [{ mbox: mbox() }] } }],
          platform: 'Accrue',
        },
      });
      await lrs(cred, '2.0.0').post('/statements').send(s).expect(200);
      const v2 = await lrs(cred, '2.0.0').get(`/statements${q({ statementId: s.id })}`).expect(200);
      expect(v2.body.context.contextAgents).to.have.length(1);
      expect(v2.body.version).to.equal('2.0.0');
      const v1 = await lrs(cred, '1.0.3').get(`/statements${q({ statementId: s.id })}`).expect(200);
      expect(v1.body.context).to.deep.equal({ platform: 'Accrue' });
      expect(v1.body.version).to.equal('1.0.3');
      // Still found by related_agents, in the 1.0.3 form.
      const found = await lrs(cred, '1.0.3').get(`/statements${q({ agent: coach, related_agents: 'true' })}`).expect(200);
      expect(found.body.statements.map((x: { id: string }) => x.id)).to.deep.equal([s.id]);
      expect(found.body.statements[0].context.contextAgents).to.equal(undefined);
    });

    it('when a 1.0.3 client sends contextAgents, then 400 (a property 1.0.3 does not define)', async () => {
      const s = statement({ context: { contextAgents: [{ objectType: 'contextAgent', agent: { mbox: mbox() } }] } });
      await lrs(cred, '1.0.3').post('/statements').send(s).expect(400);
    });

    it('when a timestamp has no time zone offset, then 2.0.0 refuses it (RFC 3339) and 1.0.3 takes it as UTC', async () => {
      await lrs(cred, '2.0.0').post('/statements').send(statement({ timestamp: '2024-05-04T10:00:00.000' })).expect(400);
      await lrs(cred, '2.0.0').post('/statements').send(statement({ timestamp: '20240504T100000Z' })).expect(400);
      await lrs(cred, '2.0.0').post('/statements').send(statement({ timestamp: '2024-05-04T10:00:00.123+05:30' })).expect(200);
      await lrs(cred, '1.0.3').post('/statements').send(statement({ timestamp: '2024-05-04T10:00:00.000' })).expect(200);
    });

    it('when a 1.0.3 client sends statement version 2.0.0, then 400; a 2.0 client may', async () => {
      await lrs(cred, '1.0.3').post('/statements').send(statement({ version: '2.0.0' })).expect(400);
      await lrs(cred, '2.0.0').post('/statements').send(statement({ version: '2.0.0' })).expect(200);
    });
  });

  describe('XAPI-00336 Alternate Request Syntax (1.0.x only)', () => {
    it('when a 1.0.3 client PUTs through POST ?method=PUT with a form, then the statement is stored', async () => {
      const s = statement();
      const form = new URLSearchParams({ statementId: s.id as string, content: JSON.stringify(s), 'X-Experience-API-Version': '1.0.3', Authorization: cred.auth });
      await raw().post('/xapi/statements?method=PUT').type('form').send(form.toString()).expect(204);
      await lrs(cred, '1.0.3').get(`/statements${q({ statementId: s.id })}`).expect(200);
    });

    it('when a 1.0.3 client GETs through POST ?method=GET, then it gets a StatementResult', async () => {
      const res = await lrs(cred, '1.0.3').post('/statements?method=GET').type('form').send('limit=1').expect(200);
      expect(res.body).to.have.keys(['statements', 'more']);
    });

    it('when a 2.0 client uses ?method=, or the form carries extra query parameters, then 400', async () => {
      await lrs(cred, '2.0.0').post('/statements?method=GET').type('form').send('limit=1').expect(400);
      const s = statement();
      await lrs(cred, '1.0.3').post(`/statements?method=PUT&statementId=${s.id}`).type('form').send(`content=${encodeURIComponent(JSON.stringify(s))}`).expect(400);
    });
  });
});
