/**
 * A learner walking an activity's path over HTTP, with a real launch of the placed resource link (custom
 * activity_id), as the LMS would send it after deep linking.
 */
import { expect } from 'chai';
import { harness } from './harness';
import { get, post, uniq } from './cme';
import { launch, learner } from './launch';

export async function learnerLaunch(activityId: string, overrides: { sub?: string; resourceLinkId?: string; contextId?: string; name?: string } = {}) {
  const { accrue, lms } = harness();
  const sub = overrides.sub ?? uniq('learner');
  const l = await launch(accrue.url, lms.platform, learner({
    sub, name: overrides.name ?? 'Lee Learner', contextId: overrides.contextId ?? 'course-1', contextTitle: 'Grand Rounds 2026',
    resourceLinkId: overrides.resourceLinkId ?? uniq('link'), custom: { activity_id: activityId },
  }));
  expect(l.location).to.match(/^\/learner\?s=/);
  return { token: l.token, sub };
}

/** The path and token a 303 points to. */
export function redirectOf(res: { status: number; headers: Record<string, string | undefined> }) {
  expect(res.status, 'expected a redirect').to.equal(303);
  const u = new URL(res.headers.location!, 'http://x');
  return { path: u.pathname, token: u.searchParams.get('s') ?? '' };
}

export const physician = { profession: 'physician', degree: 'MD', boards: [{ board: 'ABIM', id: '123456' }], licenses: [{ state: 'OH', licenseId: '35.123', primary: 'on' }] };
export const pharmacist = { profession: 'pharmacist', degree: 'PharmD', nabpEprofileId: '1234567', birthMonth: '4', birthDay: '17' };

/** Opens the activity and fills the profile; returns the token and the first step's path. */
export async function startPath(activityId: string, profile: Record<string, unknown> = physician, overrides: Parameters<typeof learnerLaunch>[1] = {}) {
  const l = await learnerLaunch(activityId, overrides);
  const landing = redirectOf(await get('/learner', l.token));
  expect(landing.path).to.equal('/learner/profile');
  const saved = redirectOf(await post('/learner/profile', { s: l.token, ...profile }));
  expect(saved.path).to.equal('/learner/disclosures');
  return { ...l, token: saved.token };
}

/** Backdates the learner's last heartbeat, as if `seconds` of visible page time had passed since it. */
export async function timePasses(enrollmentId: string, seconds: number) {
  await harness().accrue.accrue.db.query(
    "UPDATE enrollment SET last_heartbeat_at = now() - make_interval(secs => $2) WHERE id = $1", [enrollmentId, seconds]);
}

export async function enrollmentOf(activityId: string, sub: string) {
  return (await harness().accrue.accrue.db.query<{ id: string; step: string; measured_seconds: string; registration: string }>(
    'SELECT id, step, measured_seconds, registration FROM enrollment WHERE activity_id = $1 AND sub = $2', [activityId, sub])).rows[0]!;
}

/** Heartbeats `minutes` of page-visible time on the current step (one capped heartbeat per 60 s). */
export async function spendMinutes(token: string, activityId: string, sub: string, minutes: number) {
  const e = await enrollmentOf(activityId, sub);
  await post('/learner/heartbeat', { s: token });
  for (let i = 0; i < minutes; i++) {
    await timePasses(e.id, 60);
    const res = await post('/learner/heartbeat', { s: token });
    expect(res.status).to.equal(200);
  }
}

export const answersAllCorrect = (questions: { id: string; correct: number }[]) => Object.fromEntries(questions.map((q) => [`q-${q.id}`, String(q.correct)]));

export async function posttestOf(activityId: string) {
  return (await harness().accrue.accrue.db.query<{ posttest: { id: string; correct: number }[] }>('SELECT posttest FROM activity WHERE id = $1', [activityId])).rows[0]!.posttest;
}

export const evaluation = { objectivesMet: 'fully', intentToChange: 'yes', changeDescription: 'Start antibiotics sooner.', fairBalance: 'yes', freeOfCommercialBias: 'yes', biasComment: '' };
