import { expect } from 'chai';
import * as xapi from '../../src/learning/statements';
import { harness } from '../helpers/harness';
import { buildActivity, instructorIn, post } from '../helpers/cme';
import { enrollmentOf, redirectOf, startPath } from '../helpers/learner-path';

const ctx = (over: Partial<xapi.StatementContext> = {}): xapi.StatementContext => {
  let n = 0;
  return {
    publicUrl: 'https://accrue.example.edu', platform: { id: 'kid-1', issuer: 'https://canvas.example.edu' },
    learner: { sub: 'user-42', name: 'Ada' }, activity: { id: 'a1b2', title: 'Sepsis' }, registration: '6f1d2c4e-0000-4000-8000-000000000001',
    course: { id: 'course 7', title: 'Grand rounds' }, timestamp: new Date('2026-03-01T10:00:00Z'), newId: () => `id-${++n}`, ...over,
  };
};

describe('xAPI statements of the learner path', () => {
  it('when any statement is built, then the actor is the LMS account, the object the activity, and the context the registration and course', () => {
    const s = xapi.launched(ctx()) as Record<string, any>;
    expect(s.actor).to.deep.equal({ objectType: 'Agent', name: 'Ada', account: { homePage: 'https://canvas.example.edu', name: 'user-42' } });
    expect(s.object.id).to.equal('https://accrue.example.edu/activities/a1b2');
    expect(s.context.registration).to.equal('6f1d2c4e-0000-4000-8000-000000000001');
    expect(s.context.contextActivities.grouping[0].id).to.equal('https://accrue.example.edu/lms/kid-1/courses/course%207');
    expect(s.timestamp).to.equal('2026-03-01T10:00:00.000Z');
    expect(s.verb.id).to.equal('http://adlnet.gov/expapi/verbs/launched');
  });

  it('when the learner attests, acknowledges, is scored and earns, then the verbs, scores and extensions say so', () => {
    const c = ctx();
    const attested = xapi.attested(c, { minutes: 45, textVersion: 'office-2' }) as Record<string, any>;
    expect(attested.verb.id).to.equal('https://accrue.example.edu/xapi/verbs/attested');
    expect(attested.result.duration).to.equal('PT2700S');
    expect((xapi.acknowledgedDisclosures(c) as Record<string, any>).verb.id).to.equal('https://accrue.example.edu/xapi/verbs/acknowledged');
    const failed = xapi.posttestResult(c, { scaled: 0.5, correct: 1, total: 2, passed: false, attempt: 1, passMarkPct: 70 }) as Record<string, any>;
    expect(failed.verb.id).to.equal('http://adlnet.gov/expapi/verbs/failed');
    expect(failed.result.score).to.deep.equal({ scaled: 0.5, raw: 1, min: 0, max: 2 });
    const earned = xapi.earned(c, { creditType: 'AMA_PRA_1', amount: 0.75, unit: 'credit' }) as Record<string, any>;
    expect(earned.result.extensions).to.deep.equal({
      'https://accrue.example.edu/xapi/extensions/credit-type': 'AMA_PRA_1',
      'https://accrue.example.edu/xapi/extensions/credit-amount': 0.75,
      'https://accrue.example.edu/xapi/extensions/credit-unit': 'credit',
    });
    const answered = xapi.answered(c, { id: 'q1', prompt: 'Why?', options: ['a', 'b'], chosen: 1, correct: true }) as Record<string, any>;
    expect(answered.object.id).to.equal('https://accrue.example.edu/activities/a1b2/posttest/q1');
    expect(answered.context.contextActivities.parent[0].id).to.equal('https://accrue.example.edu/activities/a1b2');
    expect(new Set([attested.id, failed.id, earned.id, answered.id]).size).to.equal(4);
  });

  it('when a learner acknowledges disclosures, then the statement is stored with the evidence that names it', async () => {
    const { token } = await instructorIn();
    const id = await buildActivity(token);
    const l = await startPath(id);
    redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' }));
    const e = await enrollmentOf(id, l.sub);
    const db = harness().accrue.accrue.db;
    const ev = (await db.query<{ statement_ids: string[] }>("SELECT statement_ids FROM completion_evidence WHERE enrollment_id = $1 AND kind = 'disclosure_viewed'", [e.id])).rows[0]!;
    expect(ev.statement_ids).to.have.length(1);
    const st = (await db.query<{ statement: Record<string, any> }>('SELECT statement FROM lrs_statement WHERE id = $1', [ev.statement_ids[0]])).rows[0]!.statement;
    expect(st.actor.account).to.deep.equal({ homePage: harness().lms.platform.options.issuer, name: l.sub });
    expect(st.object.id).to.equal(`${harness().accrue.url}/activities/${id}`);
    expect(st.context.registration).to.equal(e.registration);
    expect(st.context.contextActivities.grouping[0].definition.name['en-US']).to.equal('Grand Rounds 2026');
  });
});
