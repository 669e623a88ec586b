import { expect } from 'chai';
import { lineItemsQueryUrl, scoresUrl } from '../../src/lti';
import { backoffSeconds, buildScore, classifyFailure, composeComment, targetKey } from '../../src/passback/rules';
import type { OutboxPayload } from '../../src/passback/model';

const payload = (over: Partial<OutboxPayload> = {}): OutboxPayload => ({
  score: { scoreGiven: 8, scoreMaximum: 10, activityProgress: 'Completed', gradingProgress: 'FullyGraded' }, canvas: false, scopes: [], ...over,
});

describe('Passback rules (pure)', () => {
  it('when retries go on, then each wait is between half and all of a doubling step, and never above the cap', () => {
    const o = { baseSeconds: 15, maxSeconds: 3600 };
    expect(backoffSeconds(1, o, () => 0)).to.equal(7.5);
    expect(backoffSeconds(1, o, () => 1)).to.equal(15);
    expect(backoffSeconds(4, o, () => 0)).to.equal(60);
    expect(backoffSeconds(4, o, () => 1)).to.equal(120);
    expect(backoffSeconds(40, o, () => 1)).to.equal(3600);
    expect(backoffSeconds(1000, o, () => 0)).to.equal(1800);
  });

  it('when a line item URL carries a query string or a trailing slash, then the scores URL keeps the query after /scores', () => {
    expect(scoresUrl('https://lms.example.edu/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3'))
      .to.equal('https://lms.example.edu/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3');
    expect(scoresUrl('https://canvas.example.edu/api/lti/courses/1/line_items/9/')).to.equal('https://canvas.example.edu/api/lti/courses/1/line_items/9/scores');
    expect(lineItemsQueryUrl('https://lms.example.edu/lineitems?type_id=3', { resourceLinkId: 'rl 1' }))
      .to.equal('https://lms.example.edu/lineitems?type_id=3&resource_link_id=rl+1');
  });

  it('when a score has a certificate, then the comment carries its link, and only a Canvas score carries the submission extension', () => {
    const cert = 'https://accrue.example.edu/c/1';
    const at = new Date('2026-03-01T10:00:00.123Z');
    expect(buildScore({ payload: payload(), userSub: 'u1', timestamp: at })).to.deep.equal({
      userId: 'u1', timestamp: '2026-03-01T10:00:00.123Z', activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 8, scoreMaximum: 10,
    });
    const canvas = buildScore({ payload: payload({ canvas: true, certificateUrl: cert }), userSub: 'u1', timestamp: at });
    expect(canvas.comment).to.equal(`Certificate: ${cert}`);
    expect(canvas['https://canvas.instructure.com/lti/submission']).to.deep.equal({ new_submission: true, submission_type: 'online_url', submission_data: cert });
    expect(buildScore({ payload: payload({ certificateUrl: cert }), userSub: 'u1', timestamp: at })).to.not.have.property('https://canvas.instructure.com/lti/submission');
    expect(composeComment('  ', undefined)).to.equal(undefined);
  });

  it('when failures are classified, then platform-level ones are retried against the circuit and refusals are final', () => {
    expect(classifyFailure({ kind: 'timeout', message: '' })).to.deep.equal({ action: 'retry', platformDown: true });
    expect(classifyFailure({ kind: 'http', stage: 'score', status: 503, message: '' })).to.deep.include({ action: 'retry', platformDown: true });
    expect(classifyFailure({ kind: 'http', stage: 'score', status: 429, retryAfterSeconds: 120, message: '' })).to.deep.equal({ action: 'retry', platformDown: true, minDelaySeconds: 120 });
    expect(classifyFailure({ kind: 'http', stage: 'token', status: 400, message: '' })).to.deep.include({ action: 'retry', platformDown: true });
    expect(classifyFailure({ kind: 'http', stage: 'score', status: 422, message: '' })).to.deep.equal({ action: 'fail' });
    expect(classifyFailure({ kind: 'platform', message: '' })).to.deep.equal({ action: 'fail' });
    expect(classifyFailure({ kind: 'busy', message: '' })).to.deep.equal({ action: 'release', delaySeconds: 2 });
    expect(classifyFailure({ kind: 'internal', message: '' })).to.deep.equal({ action: 'retry', platformDown: false });
  });

  it('when two launches name the same cell differently, then the target key follows the most precise name', () => {
    expect(targetKey({ lineItemUrl: 'https://x/li/1', lineItemsUrl: 'https://x/li', resourceLinkId: 'r' })).to.equal('lineitem https://x/li/1');
    expect(targetKey({ lineItemsUrl: 'https://x/li', resourceLinkId: 'r', tag: 'cme' })).to.equal('lineitems https://x/li rl=r tag=cme');
  });
});
