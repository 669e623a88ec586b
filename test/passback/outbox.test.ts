import crypto from 'node:crypto';
import { expect } from 'chai';
import { ValidationError } from '../../src/errors';
import { harness } from '../helpers/harness';
import { startFaultyPlatform, type FaultyPlatform } from './platform';
import { enqueue, entry, launchAs, scoreItem, workerFor } from './util';

describe('Passback outbox: written with the award, never duplicated, newest score wins', () => {
  let lms: FaultyPlatform;
  before(async function () {
    this.timeout(60_000);
    lms = await startFaultyPlatform(harness().accrue);
  });
  after(async () => lms?.close());

  it('when the award transaction rolls back, then no score is owed and nothing reaches the LMS', async () => {
    const { accrue } = harness();
    const launch = await launchAs(lms.platform);
    const key = `award:${crypto.randomUUID()}`;
    const failed = await accrue.accrue.db.tx(async (q) => {
      await accrue.accrue.passback.enqueue(q, scoreItem(launch, { key }));
      throw new Error('award refused later in the same transaction');
    }).catch((err: Error) => err.message);
    expect(failed).to.equal('award refused later in the same transaction');
    const rows = await accrue.accrue.db.query('SELECT 1 FROM passback_outbox WHERE idempotency_key = $1', [key]);
    expect(rows.rows).to.have.length(0);
    await workerFor([lms.id]).runOnce();
    expect(await lms.gradebook(launch.user.sub)).to.have.length(0);
  });

  it('when the same award is enqueued twice (same idempotency key), then it is owed once and sent once', async () => {
    const launch = await launchAs(lms.platform);
    const key = `claim:${crypto.randomUUID()}:award`;
    const first = await enqueue(scoreItem(launch, { key, scoreGiven: 80 }));
    const again = await enqueue(scoreItem(launch, { key, scoreGiven: 80 }));
    expect(again).to.deep.equal({ id: first.id, created: false, status: 'pending' });
    await workerFor([lms.id]).runOnce();
    const third = await enqueue(scoreItem(launch, { key, scoreGiven: 80 }));
    expect(third).to.deep.equal({ id: first.id, created: false, status: 'delivered' });
    await workerFor([lms.id]).runOnce();
    expect(await lms.gradebook(launch.user.sub)).to.have.length(1);
  });

  it('when the learner launches again and a newer score is enqueued before the first is sent, then only the newer one reaches the gradebook', async () => {
    const first = await launchAs(lms.platform);
    const second = await launchAs(lms.platform, { sub: first.user.sub, resourceLinkId: first.resourceLink!.id });
    const completion = await enqueue(scoreItem(first, { kind: 'completion', scoreGiven: 100, key: `completion:${crypto.randomUUID()}` }));
    const award = await enqueue(scoreItem(second, { kind: 'award', scoreGiven: 91, key: `award:${crypto.randomUUID()}` }));
    expect(award.status).to.equal('pending');
    expect(await entry(completion.id)).to.include({ status: 'superseded', supersededBy: award.id });

    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(1);
    const scores = await lms.gradebook(first.user.sub);
    expect(scores.map((s) => s.scoreGiven)).to.deep.equal([91]);
  });

  it('when the learner launches again after the first score was sent, then both are sent in order and the gradebook ends with the newer one', async () => {
    const first = await launchAs(lms.platform);
    await enqueue(scoreItem(first, { kind: 'completion', scoreGiven: 100 }));
    await workerFor([lms.id]).runOnce();
    const second = await launchAs(lms.platform, { sub: first.user.sub, resourceLinkId: first.resourceLink!.id });
    await enqueue(scoreItem(second, { kind: 'award', scoreGiven: 73 }));
    await workerFor([lms.id]).runOnce();
    const scores = await lms.gradebook(first.user.sub);
    expect(scores.map((s) => s.scoreGiven)).to.deep.equal([100, 73]);
    expect(Date.parse(String(scores[1]!.timestamp))).to.be.greaterThan(Date.parse(String(scores[0]!.timestamp)));
  });

  it('when a score older than one already sent is enqueued, then it is kept as superseded and never sent', async () => {
    const launch = await launchAs(lms.platform);
    const now = Date.now();
    const newer = await enqueue(scoreItem(launch, { scoreGiven: 90, timestamp: new Date(now) }));
    await workerFor([lms.id]).runOnce();
    const stale = await enqueue(scoreItem(launch, { scoreGiven: 50, timestamp: new Date(now - 60_000) }));
    expect(stale.status).to.equal('superseded');
    expect((await entry(stale.id)).supersededBy).to.equal(newer.id);
    await workerFor([lms.id]).runOnce();
    expect((await lms.gradebook(launch.user.sub)).map((s) => s.scoreGiven)).to.deep.equal([90]);
  });

  it('when a newer score arrives while the older one is being sent, then the older is not cut off, the newer waits behind it, and the gradebook ends with the newer', async () => {
    const launch = await launchAs(lms.platform);
    await enqueue(scoreItem(launch, { scoreGiven: 60 }));
    await workerFor([lms.id]).runOnce(); // line item made; the cell is known
    lms.faults.score = 'stall';
    const older = await enqueue(scoreItem(launch, { scoreGiven: 70 }));
    const a = workerFor([lms.id], { httpTimeoutMs: 10_000 });
    const inFlight = a.runOnce();
    await lms.waitFor(() => lms.stalled.length === 1);
    const newer = await enqueue(scoreItem(launch, { scoreGiven: 80 }));
    expect((await entry(older.id)).status).to.equal('pending');
    expect((await entry(newer.id)).status).to.equal('pending');
    // Another worker may not overtake: the newer entry is behind the one in flight.
    expect((await workerFor([lms.id]).runOnce()).claimed).to.equal(0);
    lms.faults.score = 'pass';
    lms.releaseStalled();
    expect((await inFlight).delivered).to.equal(1);
    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(1);
    expect((await lms.gradebook(launch.user.sub)).map((s) => s.scoreGiven)).to.deep.equal([60, 70, 80]);
  });

  it('when an item is malformed, then enqueue refuses it with a clear ValidationError', async () => {
    const launch = await launchAs(lms.platform);
    const item = scoreItem(launch);
    const bad = { ...item, score: { ...item.score, scoreGiven: -3, scoreMaximum: undefined }, certificateUrl: 'javascript:alert(1)' };
    const err = await enqueue(bad).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).code).to.equal('INVALID_PASSBACK_ITEM');
    expect((err as ValidationError).message).to.contain('score.scoreGiven').and.contain('certificateUrl');
  });

  it('when a launch carries no AGS score scope, then there is no target and enqueue refuses a target without it', async () => {
    const launch = await launchAs(lms.platform);
    const { passback } = harness().accrue.accrue;
    expect(passback.targetFromLaunch({ ...launch, ags: undefined })).to.equal(null);
    expect(passback.targetFromLaunch({ ...launch, ags: { ...launch.ags!, scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem'] } })).to.equal(null);
    const item = scoreItem(launch);
    const err = await enqueue({ ...item, target: { ...item.target, scopes: ['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem'] } }).catch((e: unknown) => e);
    expect((err as ValidationError).code).to.equal('NO_SCORE_SCOPE');
  });
});
