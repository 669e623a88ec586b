import { expect } from 'chai';
import request from 'supertest';
import { startServer, type RunningServer } from '../../src/main';
import { harness } from '../helpers/harness';
import { launch, learner } from '../helpers/launch';

describe('Passback in the sandbox LMS (development)', () => {
  let dev: RunningServer | undefined;
  after(async () => dev?.close());

  it('when a sandbox learner is scored, then the sandbox gradebook shows the score and the certificate link', async function () {
    this.timeout(60_000);
    const { accrue, config } = harness();
    dev = await startServer({ config: { ...config, sandbox: true, publicUrl: 'http://127.0.0.1:0' }, db: accrue.accrue.db, host: '127.0.0.1' });
    const sandbox = dev.accrue.sandbox!;
    const home = await request(dev.url).get('/');
    expect(home.status).to.equal(200);
    expect((await request(dev.url).get('/sandbox/launch?as=learner')).status).to.equal(302);

    const scenario = learner({ contextId: 'sandbox-course', resourceLinkId: `sandbox-activity-${Date.now()}`, resourceLinkTitle: 'Sandbox activity' });
    const { token } = await launch(dev.url, sandbox.platform, scenario);
    const ctx = (await dev.accrue.lti.sessions.resolve(token)).launch;
    const target = dev.accrue.passback.targetFromLaunch(ctx)!;
    const cert = `${dev.url}/certificates/sandbox-${Date.now()}`;
    await dev.accrue.db.tx((q) => dev!.accrue.passback.enqueue(q, {
      idempotencyKey: `sandbox:${scenario.sub}`, kind: 'award', target, certificateUrl: cert,
      score: { scoreGiven: 95, scoreMaximum: 100 },
    }));
    const summary = await dev.accrue.passback.createWorker({ platformIds: [ctx.platform.id], httpTimeoutMs: 2000 }).runOnce();
    expect(summary.delivered).to.equal(1);

    const book = await request(dev.url).get('/sandbox/gradebook');
    expect(book.status).to.equal(200);
    const row = book.text.split('<tr>').find((r) => r.includes(scenario.sub)) ?? '';
    expect(row).to.contain('95 / 100').and.contain('Completed / FullyGraded').and.contain(`Certificate: ${cert}`).and.contain('Sandbox activity');
  });
});
