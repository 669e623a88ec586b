import { expect } from 'chai';
import { harness } from '../helpers/harness';
import { startFaultyPlatform, type FaultyPlatform } from './platform';
import { enqueue, entry, launchAs, makeDue, scoreItem, workerFor } from './util';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Passback when the LMS fails, stalls or goes away: retried, never lost, never doubled', () => {
  let lms: FaultyPlatform;
  beforeEach(async function () {
    this.timeout(60_000);
    lms = await startFaultyPlatform(harness().accrue);
  });
  afterEach(async () => lms?.close());

  it('when the LMS answers 500, then the score stays owed with the error and a backoff; when it recovers, exactly one score arrives', async () => {
    const launch = await launchAs(lms.platform);
    const { id } = await enqueue(scoreItem(launch, { scoreGiven: 77 }));
    lms.faults.score = 'fail';
    const started = Date.now();
    expect(await workerFor([lms.id], { backoff: { baseSeconds: 60, maxSeconds: 600 } }).runOnce()).to.include({ claimed: 1, retrying: 1 });
    const failing = await entry(id);
    expect(failing).to.include({ status: 'pending', displayStatus: 'failing', attempts: 1 });
    expect(failing.lastError).to.match(/score request with HTTP 500/);
    // First retry: half the 60 s step fixed, half random (jitter).
    const wait = (failing.nextAttemptAt.getTime() - started) / 1000;
    expect(wait).to.be.within(29, 61);
    expect((await workerFor([lms.id]).runOnce()).claimed).to.equal(0); // not due yet

    await makeDue(id);
    lms.faults.score = 'fail';
    await workerFor([lms.id]).runOnce();
    const second = await entry(id);
    expect(second.attempts).to.equal(2);
    expect((second.nextAttemptAt.getTime() - Date.now()) / 1000).to.be.within(59, 121); // the step doubled

    lms.faults.score = 'pass';
    await makeDue(id);
    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(1);
    expect(await entry(id)).to.include({ status: 'delivered', attempts: 3, lastError: null });
    expect(lms.arrived.score).to.equal(3);
    expect((await lms.gradebook(launch.user.sub)).map((s) => s.scoreGiven)).to.deep.equal([77]);
  });

  it('when the LMS never answers the score POST, then the call times out, the worker moves on, and after recovery exactly one score arrives', async () => {
    const launch = await launchAs(lms.platform);
    const { id } = await enqueue(scoreItem(launch));
    lms.faults.score = 'stall';
    const summary = await workerFor([lms.id], { httpTimeoutMs: 700 }).runOnce();
    expect(summary).to.include({ claimed: 1, retrying: 1 });
    expect((await entry(id)).lastError).to.equal('The platform did not answer the score request within 700 ms.');
    expect(lms.stalled).to.have.length(0); // the worker hung up; the held request never reached the gradebook

    lms.faults.score = 'pass';
    await makeDue(id);
    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(1);
    expect(await lms.gradebook(launch.user.sub)).to.have.length(1);
  });

  it('when the token endpoint stalls or drops the connection, then those calls fail fast too and the score is delivered later', async () => {
    const launch = await launchAs(lms.platform);
    const { id } = await enqueue(scoreItem(launch));
    lms.faults.token = 'stall';
    await workerFor([lms.id], { httpTimeoutMs: 500 }).runOnce();
    expect((await entry(id)).lastError).to.equal('The platform did not answer the token request within 500 ms.');
    lms.faults.token = 'drop';
    await makeDue(id);
    await workerFor([lms.id]).runOnce();
    expect((await entry(id)).lastError).to.match(/^Could not reach the platform for token/);
    lms.faults.token = 'pass';
    await makeDue(id);
    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(1);
    expect(await lms.gradebook(launch.user.sub)).to.have.length(1);
  });

  it('when the LMS refuses the score itself (422), then it is failed at once, kept with the error, and a retry by hand delivers it', async () => {
    const launch = await launchAs(lms.platform);
    const { id } = await enqueue(scoreItem(launch));
    lms.faults.score = { status: 422 };
    expect((await workerFor([lms.id]).runOnce()).failed).to.equal(1);
    const failed = await entry(id);
    expect(failed).to.include({ status: 'failed', displayStatus: 'failed' });
    expect(failed.lastError).to.match(/HTTP 422/);
    expect((await workerFor([lms.id]).runOnce()).claimed).to.equal(0);

    lms.faults.score = 'pass';
    const retried = await harness().accrue.accrue.passback.admin.retry(id);
    expect(retried.status).to.equal('pending');
    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(1);
    expect(await lms.gradebook(launch.user.sub)).to.have.length(1);
  });

  it('when a score keeps failing past the maximum age, then it is marked failed permanently, still listed, and re-deliverable by hand', async () => {
    const launch = await launchAs(lms.platform);
    const { id } = await enqueue(scoreItem(launch));
    lms.faults.score = 'fail';
    await workerFor([lms.id]).runOnce();
    expect((await entry(id)).status).to.equal('pending');
    // Seven days later (the max-age clock starts at enqueue):
    await harness().accrue.accrue.db.query("UPDATE passback_outbox SET retry_since = now() - interval '7 days 1 minute', next_attempt_at = now() WHERE id = $1", [id]);
    expect((await workerFor([lms.id], { maxAgeSeconds: 7 * 86400 }).runOnce()).failed).to.equal(1);
    const failed = await entry(id);
    expect(failed.status).to.equal('failed');
    const listed = await harness().accrue.accrue.passback.admin.list({ status: 'failed' });
    expect(listed.map((e) => e.id)).to.include(id);

    lms.faults.score = 'pass';
    await harness().accrue.accrue.passback.admin.retry(id);
    expect((await entry(id)).retrySince.getTime()).to.be.closeTo(Date.now(), 60_000);
    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(1);
    expect(await lms.gradebook(launch.user.sub)).to.have.length(1);
  });

  it('when a platform keeps failing, then only one probe at a time reaches it; when the probe succeeds, its whole backlog is due at once', async () => {
    const launches = await Promise.all(Array.from({ length: 6 }, () => launchAs(lms.platform)));
    const ids = [];
    for (const l of launches) ids.push((await enqueue(scoreItem(l))).id);
    lms.setAll('fail');
    const options = { concurrency: 6, circuit: { threshold: 3, probeSeconds: 1 }, backoff: { baseSeconds: 3600, maxSeconds: 3600 } };
    expect((await workerFor([lms.id], options).runOnce()).retrying).to.equal(6);
    const circuit = await harness().accrue.accrue.passback.store.circuit(lms.id);
    expect(circuit).to.include({ open: true });
    const tokenCalls = lms.arrived.token;

    for (const id of ids) await makeDue(id);
    expect((await workerFor([lms.id], options).runOnce()).claimed).to.equal(0); // open: nothing but probes
    await sleep(1100);
    expect(await workerFor([lms.id], options).runOnce()).to.include({ claimed: 1, probes: 1, retrying: 1 });
    expect(lms.arrived.token - tokenCalls).to.equal(1); // one probe, one request

    lms.setAll('pass');
    for (const id of ids) await harness().accrue.accrue.db.query("UPDATE passback_outbox SET next_attempt_at = now() + interval '1 hour' WHERE id = $1", [id]);
    await sleep(1100);
    expect(await workerFor([lms.id], options).runOnce()).to.include({ claimed: 1, probes: 1, delivered: 1 });
    expect(await harness().accrue.accrue.passback.store.circuit(lms.id)).to.equal(null);
    // The rest were an hour away; the recovery made them due now.
    expect((await workerFor([lms.id], options).runOnce()).delivered).to.equal(5);
    for (const l of launches) expect(await lms.gradebook(l.user.sub), l.user.sub).to.have.length(1);
  });
});
