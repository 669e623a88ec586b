import crypto from 'node:crypto';
import { expect } from 'chai';
import { harness } from '../helpers/harness';
import { startFaultyPlatform, type FaultyPlatform } from './platform';
import { enqueue, entry, launchAs, scoreItem, workerFor } from './util';

describe('Passback: scores and the certificate link reach the LMS gradebook (AGS)', () => {
  let lms: FaultyPlatform;
  let canvas: FaultyPlatform;
  before(async function () {
    this.timeout(60_000);
    lms = await startFaultyPlatform(harness().accrue);
    canvas = await startFaultyPlatform(harness().accrue, { productFamilyCode: 'canvas' });
  });
  after(async () => {
    await lms?.close();
    await canvas?.close();
  });

  it('when an award is enqueued for a launch without a line item, then the worker creates one and posts the score with the certificate link', async () => {
    const launch = await launchAs(lms.platform, { resourceLinkTitle: 'Opioid prescribing 2026' });
    const cert = `https://accrue.example.edu/certificates/${crypto.randomUUID()}`;
    const { id, created } = await enqueue(scoreItem(launch, { scoreGiven: 92, certificateUrl: cert, comment: 'Post-test passed' }));
    expect(created).to.equal(true);

    const summary = await workerFor([lms.id]).runOnce();
    expect(summary).to.include({ claimed: 1, delivered: 1 });

    const items = (await lms.lineItems()).filter((li) => li.resourceLinkId === launch.resourceLink!.id);
    expect(items).to.have.length(1);
    expect(items[0]!.label).to.equal('Opioid prescribing 2026');
    const scores = await lms.gradebook(launch.user.sub);
    expect(scores).to.have.length(1);
    expect(scores[0]).to.include({ userId: launch.user.sub, scoreGiven: 92, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(scores[0]!.comment).to.equal(`Post-test passed\nCertificate: ${cert}`);
    expect(Date.parse(String(scores[0]!.timestamp))).to.be.closeTo(Date.now(), 60_000);
    expect(scores[0]).to.not.have.property('https://canvas.instructure.com/lti/submission');
    const e = await entry(id);
    expect(e.status).to.equal('delivered');
    expect(e.lineItemUrl).to.contain(items[0]!.id);
  });

  it('when several learners of one resource link are scored, then they share one line item, found through the line-items service', async () => {
    const link = `link-${crypto.randomUUID()}`;
    const launches = await Promise.all([1, 2, 3].map(() => launchAs(lms.platform, { resourceLinkId: link })));
    for (const l of launches) await enqueue(scoreItem(l));
    const before = { ...lms.forwarded };
    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(3);
    expect((await lms.lineItems()).filter((li) => li.resourceLinkId === link)).to.have.length(1);
    expect(lms.forwarded['lineitems-post'] - before['lineitems-post']).to.equal(1);

    // A later learner: the line item is known, no search and no creation.
    const late = await launchAs(lms.platform, { resourceLinkId: link });
    await enqueue(scoreItem(late));
    const mid = { ...lms.forwarded };
    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(1);
    expect(lms.forwarded['lineitems-get'] - mid['lineitems-get']).to.equal(0);
    expect(lms.forwarded['lineitems-post'] - mid['lineitems-post']).to.equal(0);
    expect(await lms.gradebook(late.user.sub)).to.have.length(1);
  });

  it('when the launch names its own line item (with a query string), then the score goes to that line item and none is created', async () => {
    const { accrue } = harness();
    const lineItemId = crypto.randomUUID();
    const link = `link-${crypto.randomUUID()}`;
    // The instructor made the gradebook column; the platform names it in the launch's AGS claim (as Moodle does).
    await accrue.accrue.db.query('INSERT INTO sandbox_lineitem (id, context_id, resource_link_id, label, score_maximum) VALUES ($1, $2, $3, $4, 50)',
      [lineItemId, lms.platform.scopeKey('course-1'), link, 'Made by the instructor']);
    lms.launchLineItem = (sc) => (sc.resourceLinkId === link ? `${lms.url}/ags/course-1/lineitems/${lineItemId}?type_id=42` : undefined);
    const launch = await launchAs(lms.platform, { resourceLinkId: link });
    expect(launch.ags?.lineItem).to.contain('?type_id=42');
    const { id } = await enqueue(scoreItem(launch, { scoreGiven: 40 }));
    const before = { ...lms.forwarded };
    expect((await workerFor([lms.id]).runOnce()).delivered).to.equal(1);
    expect(lms.forwarded['lineitems-post'] - before['lineitems-post'] + lms.forwarded['lineitems-get'] - before['lineitems-get']).to.equal(0);
    expect(lms.forwarded.score - before.score).to.equal(1);
    expect((await entry(id)).lineItemUrl).to.equal(launch.ags!.lineItem);
    expect(await lms.gradebook(launch.user.sub)).to.have.length(1);
  });

  it('when the platform is Canvas, then the score carries the submission extension with the certificate URL; elsewhere it does not', async () => {
    const cert = `https://accrue.example.edu/certificates/${crypto.randomUUID()}`;
    const onCanvas = await launchAs(canvas.platform);
    expect(onCanvas.toolPlatform?.productFamilyCode).to.equal('canvas');
    await enqueue(scoreItem(onCanvas, { certificateUrl: cert }));
    const noCert = await launchAs(canvas.platform);
    await enqueue(scoreItem(noCert, { kind: 'completion' }));
    expect((await workerFor([canvas.id]).runOnce()).delivered).to.equal(2);

    const [score] = await canvas.gradebook(onCanvas.user.sub);
    expect(score!['https://canvas.instructure.com/lti/submission']).to.deep.equal({ new_submission: true, submission_type: 'online_url', submission_data: cert });
    expect(score!.comment).to.equal(`Certificate: ${cert}`);
    const [plain] = await canvas.gradebook(noCert.user.sub);
    expect(plain).to.not.have.property('https://canvas.instructure.com/lti/submission');
  });

  it('when many scores go to one platform, then the access token is requested once per scope and shared with other workers through the database', async () => {
    const platform = await startFaultyPlatform(harness().accrue);
    try {
      const launches = await Promise.all(Array.from({ length: 6 }, () => launchAs(platform.platform)));
      for (const l of launches.slice(0, 4)) await enqueue(scoreItem(l));
      expect((await workerFor([platform.id], { concurrency: 4 }).runOnce()).delivered).to.equal(4);
      // One token for the line-item scope (search + create), one for the score scope.
      expect(platform.arrived.token).to.equal(2);
      for (const l of launches.slice(4)) await enqueue(scoreItem(l));
      // A new worker has its own memory (as another process would): the tokens come from the shared cache.
      expect((await workerFor([platform.id]).runOnce()).delivered).to.equal(2);
      expect(platform.arrived.token).to.equal(2);
      expect(platform.arrived.score).to.equal(6);
    } finally {
      await platform.close();
    }
  });

  it('when the platform rejects a cached token (401), then the worker forgets it, gets a new one and delivers', async () => {
    const platform = await startFaultyPlatform(harness().accrue);
    try {
      const a = await launchAs(platform.platform);
      const b = await launchAs(platform.platform, { resourceLinkId: a.resourceLink!.id });
      await enqueue(scoreItem(a));
      expect((await workerFor([platform.id]).runOnce()).delivered).to.equal(1);
      // The platform rotates its signing key: every token it issued before is now invalid.
      const { accrue } = harness();
      await accrue.accrue.db.query('DELETE FROM sandbox_key WHERE kid = $1', [platform.platform.kid]);
      await platform.platform.init();
      const tokensBefore = platform.arrived.token;
      await enqueue(scoreItem(b));
      expect((await workerFor([platform.id]).runOnce()).delivered).to.equal(1);
      expect(platform.arrived.token - tokensBefore).to.equal(1);
      expect(await platform.gradebook(b.user.sub)).to.have.length(1);
    } finally {
      await platform.close();
    }
  });
});
