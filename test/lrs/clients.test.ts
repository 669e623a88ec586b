/**
 * Real xAPI client libraries against the LRS over HTTP: TinCanJS 0.50.0 (xAPI <= 1.0.2, the one much existing
 * browser content uses; in Node over the xhr2 shim) and @xapi/xapi 3.0.3 speaking 2.0.0 with contextAgents.
 */
import { expect } from 'chai';
import XAPI, { type Statement } from '@xapi/xapi';
import type { Versions } from '@xapi/xapi/dist/types/constants';
import { harness } from '../helpers/harness';
import { activityId, credential, mbox, uid, type TestCredential } from './helpers';

// TinCanJS expects a browser XMLHttpRequest; in Node it is the xhr2 module (set before TinCanJS loads).
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = require('xhr2');
const TinCan = require('tincanjs');

interface TinCanLrs {
  saveStatement(s: unknown, cfg: { callback: (err: unknown, xhr: unknown) => void }): void;
  retrieveStatement(id: string, cfg: { callback: (err: unknown, s: { id: string; actor: { mbox: string }; verb: { id: string }; target: { id: string }; stored: string } | null) => void }): void;
}

describe('LRS with real xAPI clients', () => {
  let cred: TestCredential;
  before(async () => {
    cred = await credential(['all']);
  });

  describe('TinCanJS 0.50.0 (xAPI 1.0.x)', () => {
    it('when TinCanJS saves a statement, then it reads it back from the LRS', async () => {
      const lrs: TinCanLrs = new TinCan.LRS({ endpoint: `${harness().accrue.url}/xapi/`, username: cred.key, password: cred.secret, allowFail: false, version: '1.0.2' });
      const id = uid();
      const email = mbox();
      const target = activityId();
      const stmt = new TinCan.Statement({
        id, actor: { mbox: email, name: 'Lee Learner' }, verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
        target: { id: target, definition: { name: { 'en-US': 'Grand rounds' } } },
      });
      const saveErr = await new Promise((resolve) => lrs.saveStatement(stmt, { callback: (err) => resolve(err) }));
      expect(saveErr).to.equal(null);
      const read = await new Promise<Parameters<Parameters<TinCanLrs['retrieveStatement']>[1]['callback']>>((resolve) =>
        lrs.retrieveStatement(id, { callback: (err, s) => resolve([err, s]) }));
      expect(read[0]).to.equal(null);
      expect(read[1]!.id).to.equal(id);
      expect(read[1]!.actor.mbox).to.equal(email);
      expect(read[1]!.target.id).to.equal(target);
      expect(read[1]!.stored).to.be.a('string');
    });

    it('when TinCanJS uses a wrong secret, then the LRS refuses it (401 reaches the callback)', async () => {
      const lrs: TinCanLrs = new TinCan.LRS({ endpoint: `${harness().accrue.url}/xapi/`, username: cred.key, password: 'wrong-secret', allowFail: false, version: '1.0.2' });
      const stmt = new TinCan.Statement({ actor: { mbox: mbox() }, verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' }, target: { id: activityId() } });
      const err = await new Promise((resolve) => lrs.saveStatement(stmt, { callback: (e) => resolve(e) }));
      expect(err).to.equal(401);
    });
  });

  describe('@xapi/xapi 3.0.3 (xAPI 2.0.0)', () => {
    it('when @xapi/xapi sends a 2.0.0 statement with contextAgents, then it reads it back with them', async () => {
      const xapi = new XAPI({
        endpoint: `${harness().accrue.url}/xapi`, auth: XAPI.toBasicAuth(cred.key, cred.secret), adapter: 'fetch',
        version: '2.0.0' as unknown as Versions, // see xapi-2.d.ts
      });
      const id = uid();
      const coach = { objectType: 'Agent' as const, mbox: mbox() as `mailto:${string}` };
      const statement: Statement = {
        id, actor: { objectType: 'Agent', mbox: mbox() as `mailto:${string}` },
        verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
        object: { objectType: 'Activity', id: activityId() },
        context: { contextAgents: [{ objectType: 'contextAgent', agent: coach, relevantTypes: ['http://example.org/types/coach'] }] },
      };
      const sent = await xapi.sendStatement({ statement });
      expect(sent.data).to.deep.equal([id]);
      const got = await xapi.getStatement({ statementId: id });
      expect(got.data.id).to.equal(id);
      expect(got.data.version).to.equal('2.0.0');
      expect(got.data.context?.contextAgents).to.deep.equal(statement.context!.contextAgents);
      const about = await xapi.getAbout();
      expect(about.data.version).to.include('2.0.0');
    });
  });
});
