import { expect } from 'chai';
import { harness } from '../helpers/harness';
import { buildActivity, instructorIn, post } from '../helpers/cme';
import { enrollmentOf, redirectOf, startPath, timePasses } from '../helpers/learner-path';

const measured = async (activityId: string, sub: string) => Number((await enrollmentOf(activityId, sub)).measured_seconds);

describe('Learner path: time on task from heartbeats', () => {
  let activityId: string;
  before(async () => {
    const { token } = await instructorIn();
    activityId = await buildActivity(token, { minMinutes: '2' });
  });

  async function onContent() {
    const l = await startPath(activityId);
    const next = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' }));
    const e = await enrollmentOf(activityId, l.sub);
    return { ...l, token: next.token, enrollmentId: e.id };
  }

  it('when heartbeats arrive, then each adds the wall-clock since the previous one, and the first adds nothing', async () => {
    const l = await onContent();
    const first = await post('/learner/heartbeat', { s: l.token });
    expect(first.status).to.equal(200);
    expect(first.body.measuredSeconds).to.equal(0);
    await timePasses(l.enrollmentId, 25);
    const second = await post('/learner/heartbeat', { s: l.token });
    expect(second.body.measuredSeconds).to.be.within(25, 27);
    expect(second.body.s).to.be.a('string');
  });

  it('when a heartbeat comes long after the previous one, then it adds no more than the per-heartbeat cap', async () => {
    const l = await onContent();
    await post('/learner/heartbeat', { s: l.token });
    await timePasses(l.enrollmentId, 3600);
    const res = await post('/learner/heartbeat', { s: l.token });
    expect(res.body.measuredSeconds).to.equal(harness().config.heartbeatCapSeconds);
  });

  it('when the page is hidden (a pause), then the time until the next visible heartbeat is not counted', async () => {
    const l = await onContent();
    await post('/learner/heartbeat', { s: l.token });
    await timePasses(l.enrollmentId, 10);
    const paused = await post('/learner/heartbeat', { s: l.token, pause: '1' });
    expect(paused.body.measuredSeconds).to.be.within(10, 12);
    const back = await post('/learner/heartbeat', { s: l.token });
    expect(back.body.measuredSeconds).to.equal(paused.body.measuredSeconds);
  });

  it('when two tabs send heartbeats together, then together they count no more than the wall-clock', async () => {
    const l = await onContent();
    await post('/learner/heartbeat', { s: l.token });
    await timePasses(l.enrollmentId, 30);
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => post('/learner/heartbeat', { s: l.token })));
    const wall = (Date.now() - started) / 1000;
    expect(await measured(activityId, l.sub)).to.be.at.most(30 + wall + 1);
  });

  it('when heartbeats come before the content step, then they add nothing', async () => {
    const l = await startPath(activityId);
    await post('/learner/heartbeat', { s: l.token });
    const e = await enrollmentOf(activityId, l.sub);
    await timePasses(e.id, 30);
    await post('/learner/heartbeat', { s: l.token });
    expect(await measured(activityId, l.sub)).to.equal(0);
  });

  it('when the learner finishes the content before the minimum time, then it is refused (409) until the time is reached', async () => {
    const l = await onContent();
    const early = await post('/learner/content', { s: l.token });
    expect(early.status).to.equal(409);
    expect(early.text).to.contain('at least 2 minutes');
    await post('/learner/heartbeat', { s: l.token });
    for (let i = 0; i < 2; i++) {
      await timePasses(l.enrollmentId, 60);
      await post('/learner/heartbeat', { s: l.token });
    }
    expect(redirectOf(await post('/learner/content', { s: l.token })).path).to.equal('/learner/posttest');
    const evidence = (await harness().accrue.accrue.db.query<{ duration_seconds: string }>(
      "SELECT duration_seconds FROM completion_evidence WHERE enrollment_id = $1 AND kind = 'time_on_task'", [l.enrollmentId])).rows;
    expect(Number(evidence[0]!.duration_seconds)).to.be.within(120, 123);
  });
});
