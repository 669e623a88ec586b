import { expect } from 'chai';
import { harness } from '../helpers/harness';
import { buildActivity, get, instructorIn, post } from '../helpers/cme';
import { enrollmentOf, redirectOf, startPath } from '../helpers/learner-path';

async function contentPage(content: Record<string, string>) {
  const { token } = await instructorIn();
  const id = await buildActivity(token, { content });
  const l = await startPath(id);
  const next = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' }));
  return { id, sub: l.sub, page: await get('/learner/content', next.token) };
}

describe('Learner path: the content', () => {
  it('when the content is an embedded video, then it is framed with a title and the page may frame only that origin', async () => {
    const { page } = await contentPage({ kind: 'embed', url: 'https://video.example.org/embed/42', html: '' });
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<iframe class="content-frame" src="https://video.example.org/embed/42" title="Sepsis update: content"');
    expect(page.headers['content-security-policy']).to.match(/frame-src 'self' https:\/\/video\.example\.org$/);
  });

  it('when the content is an external activity, then its link carries the xAPI launch parameters of this enrollment', async () => {
    const { id, sub, page } = await contentPage({ kind: 'url', url: 'https://elearning.example.org/course?lang=en', html: '' });
    const href = /href="(https:\/\/elearning\.example\.org[^"]+)"/.exec(page.text)![1]!.replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const u = new URL(href);
    const e = await enrollmentOf(id, sub);
    expect(u.searchParams.get('lang')).to.equal('en');
    expect(u.searchParams.get('registration')).to.equal(e.registration);
    expect(u.searchParams.get('activity_id')).to.equal(`${harness().accrue.url}/activities/${id}`);
    // The account alone by default (LRS_LAUNCH_ACTOR_NAME): the learner's name does not go to the third party.
    expect(JSON.parse(u.searchParams.get('actor')!)).to.deep.equal({ objectType: 'Agent', account: { homePage: harness().lms.platform.options.issuer, name: sub } });
    expect(u.searchParams.get('endpoint')).to.equal(`${harness().accrue.url}/xapi/`);
    expect(u.searchParams.get('auth')).to.match(/^Basic /);
    expect(page.text).to.contain('opens a new window');
  });

  it('when the content is text with unsafe markup, then only the safe subset reaches the learner', async () => {
    const { page } = await contentPage({ kind: 'text', url: '', html: '<h1>Title</h1><p onclick="x()">Hi <a href="javascript:alert(1)">bad</a> <a href="https://ok.example.org">ok</a></p><iframe src="https://evil.example"></iframe><img src=x onerror=alert(1)>' });
    expect(page.text).to.contain('<h2>Title</h2>').and.contain('<a href="https://ok.example.org" rel="noopener noreferrer" target="_blank">ok</a>');
    expect(page.text).to.not.match(/onclick|javascript:|evil\.example|onerror/);
  });

  it('when the builder gives an embed without a web address, then the content form refuses it', async () => {
    const { token } = await instructorIn();
    const id = await buildActivity(token, { publish: false });
    const res = await post(`/builder/activities/${id}/content`, { s: token, kind: 'embed', url: 'ftp://files.example.org/x', html: '' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('href="#f-content-url"');
  });
});
