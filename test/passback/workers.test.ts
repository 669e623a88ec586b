import { expect } from 'chai';
import { createApp, type AccrueApp } from '../../src/app';
import { harness } from '../helpers/harness';
import { startFaultyPlatform, type FaultyPlatform } from './platform';
import { enqueue, launchAs, scoreItem, workerFor } from './util';

describe('Passback workers sharing one outbox', () => {
  let lms: FaultyPlatform;
  let other: AccrueApp | undefined;
  before(async function () {
    this.timeout(60_000);
    const { accrue, config } = harness();
    lms = await startFaultyPlatform(accrue);
    // On a PostgreSQL server the second worker is another Accrue instance with its own connection pool, as another
    // process would be; the embedded database serves one process, so there both workers share its connection.
    if (accrue.accrue.db.kind === 'server') other = await createApp({ config: { ...config, passbackWorker: false } });
  });
  after(async () => {
    await lms?.close();
    await other?.close();
  });

  it('when two workers run at the same time, then every score is sent exactly once and both take a share', async function () {
    this.timeout(60_000);
    const launches = await Promise.all(Array.from({ length: 24 }, () => launchAs(lms.platform)));
    for (const l of launches) await enqueue(scoreItem(l));
    lms.faults.score = { delayMs: 100 };
    const a = workerFor([lms.id], { concurrency: 4 });
    const b = other
      ? other.passback.createWorker({ platformIds: [lms.id], concurrency: 4, pollMs: 50, httpTimeoutMs: 1500, leaseSeconds: 30 })
      : workerFor([lms.id], { concurrency: 4 });
    const delivered = { a: 0, b: 0 };
    for (let round = 0; round < 20 && delivered.a + delivered.b < 24; round++) {
      const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
      delivered.a += ra.delivered;
      delivered.b += rb.delivered;
    }
    expect(delivered.a + delivered.b).to.equal(24);
    expect(delivered.a).to.be.greaterThan(0);
    expect(delivered.b).to.be.greaterThan(0);
    expect(lms.arrived.score).to.equal(24);
    for (const l of launches) expect(await lms.gradebook(l.user.sub)).to.have.length(1);
  });

  it('when workers run continuously (start) on a backlog, then they keep their slots full and still send each score once', async function () {
    this.timeout(60_000);
    const launches = await Promise.all(Array.from({ length: 30 }, () => launchAs(lms.platform)));
    const before = lms.arrived.score;
    lms.maxConcurrent.score = 0;
    lms.faults.score = { delayMs: 150 };
    const a = workerFor([lms.id], { concurrency: 3, pollMs: 100 });
    const b = other
      ? other.passback.createWorker({ platformIds: [lms.id], concurrency: 3, pollMs: 100, httpTimeoutMs: 1500, leaseSeconds: 30 })
      : workerFor([lms.id], { concurrency: 3, pollMs: 100 });
    a.start();
    b.start();
    try {
      for (const l of launches) await enqueue(scoreItem(l)); // while the workers run
      await lms.waitFor(() => lms.arrived.score - before >= 30, 30_000);
      await new Promise((r) => setTimeout(r, 300)); // anything extra would arrive now
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(lms.arrived.score - before).to.equal(30);
    expect(lms.maxConcurrent.score).to.be.at.most(6);
    for (const l of launches) expect(await lms.gradebook(l.user.sub)).to.have.length(1);
  });

  it('when two workers score learners of one new resource link at once, then the link gets exactly one line item', async function () {
    this.timeout(60_000);
    const first = await launchAs(lms.platform);
    const link = first.resourceLink!.id;
    const launches = [first, ...(await Promise.all(Array.from({ length: 9 }, () => launchAs(lms.platform, { resourceLinkId: link }))))];
    for (const l of launches) await enqueue(scoreItem(l));
    lms.faults['lineitems-get'] = { delayMs: 200 }; // widen the window in which both could decide to create it
    lms.faults.score = 'pass';
    const a = workerFor([lms.id], { concurrency: 5 });
    const b = other
      ? other.passback.createWorker({ platformIds: [lms.id], concurrency: 5, pollMs: 50, httpTimeoutMs: 1500, leaseSeconds: 30 })
      : workerFor([lms.id], { concurrency: 5 });
    let delivered = 0;
    const until = Date.now() + 30_000;
    while (delivered < 10 && Date.now() < until) {
      const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
      delivered += ra.delivered + rb.delivered;
      if (ra.claimed + rb.claimed === 0) await new Promise((r) => setTimeout(r, 250)); // released ones wait 2 s
    }
    lms.faults['lineitems-get'] = 'pass';
    expect(delivered).to.equal(10);
    expect((await lms.lineItems()).filter((li) => li.resourceLinkId === link)).to.have.length(1);
    for (const l of launches) expect(await lms.gradebook(l.user.sub)).to.have.length(1);
  });

  it('when a worker is closed with a delivery in flight, then close waits for it and leaves no lease behind', async () => {
    const launch = await launchAs(lms.platform);
    const { id } = await enqueue(scoreItem(launch));
    lms.faults.score = 'stall';
    const w = workerFor([lms.id], { httpTimeoutMs: 10_000, drainMs: 200 });
    w.start();
    await lms.waitFor(() => lms.stalled.length === 1);
    await w.close(); // drains for 200 ms, then cancels the call
    const row = await harness().accrue.accrue.passback.store.get(id);
    expect(row).to.include({ status: 'pending', lockedBy: null, attempts: 0 });
    lms.faults.score = 'pass';
    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(1);
    expect(await lms.gradebook(launch.user.sub)).to.have.length(1);
  });
});
