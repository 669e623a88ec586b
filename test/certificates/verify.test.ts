import { expect } from 'chai';
import { harness } from '../helpers/harness';
import { agent, issue, physicianInput } from './fixtures';

describe('Certificates: issue and the public verification page', () => {
  it('when a certificate is issued, then its verification page says valid and shows what it certifies, without login', async () => {
    const input = physicianInput({ name: 'Grace Mbeki, MD' });
    const issued = await issue(input);
    expect(issued.code).to.match(/^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$/);
    expect(issued.verifyUrl).to.equal(`${harness().accrue.url}/verify/${issued.code.replace(/-/g, '')}`);
    const page = await agent().get(new URL(issued.verifyUrl).pathname);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Valid.').and.contain('Grace Mbeki, MD').and.contain('Sepsis Update: Recognition and Early Management')
      .and.contain('1.5 AMA PRA Category 1 Credits™').and.contain('1.5 ABIM MOC points').and.contain('Riverside School of Medicine');
    expect(page.text).to.not.contain(input.learner.sub).and.not.contain(input.learner.platformId);
    expect(page.headers['cache-control']).to.equal('no-store');
  });

  it('when the code is typed in lower case or with spaces, then it is the same certificate', async () => {
    const issued = await issue(physicianInput());
    const json = await agent().get(`/verify/${issued.code.toLowerCase()}`).set('Accept', 'application/json');
    expect(json.status).to.equal(200);
    expect(json.body).to.include({ status: 'valid', code: issued.code });
    const form = await agent().get(`/verify?code=${encodeURIComponent(` ${issued.code.toLowerCase().replace(/-/g, ' ')} `)}`);
    expect(form.status).to.equal(303);
    expect(form.headers.location).to.equal(`/verify/${issued.code.replace(/-/g, '')}`);
  });

  it('when a code is unknown, then the page says unknown with a 404 status, in HTML and in JSON', async () => {
    const page = await agent().get('/verify/22222-22222-22222');
    expect(page.status).to.equal(404);
    expect(page.text).to.contain('Unknown.').and.contain('22222-22222-22222');
    const json = await agent().get('/verify/not-a-code-at-all').set('Accept', 'application/json');
    expect(json.status).to.equal(404);
    expect(json.body.status).to.equal('unknown');
  });

  it('when a certificate is revoked, then the page says revoked on its date and never shows the reason', async () => {
    const issued = await issue(physicianInput());
    await harness().accrue.accrue.certificates.service.revoke({ code: issued.code, reason: 'Learner Ada Okafor (DOB 1980-02-03) asked: wrong activity', actor: 'test' });
    const page = await agent().get(`/verify/${issued.code}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.match(/Revoked on [A-Z][a-z]+ \d{1,2}, \d{4}\./);
    expect(page.text).to.not.contain('DOB').and.not.contain('wrong activity').and.not.contain('Valid.');
    const json = await agent().get(`/verify/${issued.code}`).set('Accept', 'application/json');
    expect(json.body.status).to.equal('revoked');
    expect(JSON.stringify(json.body)).to.not.contain('wrong activity');
  });

  it('when a certificate is reissued, then the old code reads replaced and links to the new one, which is valid', async () => {
    const issued = await issue(physicianInput({ name: 'Ada Okafr' }));
    const again = await harness().accrue.accrue.certificates.service.reissue({ code: issued.code, reason: 'name misspelt', actor: 'test', learnerName: 'Ada Okafor' });
    const old = await agent().get(`/verify/${issued.code}`).set('Accept', 'application/json');
    expect(old.body).to.include({ status: 'replaced' });
    expect(old.body.replacement.code).to.equal(again.code);
    const current = await agent().get(`/verify/${again.code}`).set('Accept', 'application/json');
    expect(current.body).to.include({ status: 'valid', learnerName: 'Ada Okafor' });
  });

  it('when issuing fails inside the caller\'s transaction, then nothing of it stays, not even an earlier certificate of that transaction', async () => {
    const { accrue } = harness();
    const good = physicianInput();
    const bad = physicianInput();
    bad.activity.statements.designations[0]!.statement = 'Physicians may claim 1.5 credits.';
    let first: { code: string } | undefined;
    const failure = await accrue.accrue.db.tx(async (q) => {
      first = await accrue.accrue.certificates.issue(q, good);
      await accrue.accrue.certificates.issue(q, bad);
    }).then(() => undefined, (err: Error) => err);
    expect(failure?.message).to.match(/lack required elements: AMA_PRA_1 accredited provider name, AMA_PRA_1 designates/);
    expect((await agent().get(`/verify/${first!.code}`)).status).to.equal(404);
  });

  it('when the input is invalid, then issue says which field, and no certificate is made', async () => {
    const input = physicianInput();
    input.awards = [{ type: 'AMA_PRA_1', amount: 2, unit: 'credit' }];
    input.completionDate = '2026-02-30';
    const err = await issue(input).then(() => undefined, (e: Error & { httpStatus?: number }) => e);
    expect(err?.httpStatus).to.equal(400);
    expect(err?.message).to.contain('awards[0].amount: 2 is above the designated maximum 1.5').and.contain('completionDate: is not a calendar date');
  });
});
