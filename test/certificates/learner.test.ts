import { expect } from 'chai';
import { agent, issue, launchedLearner, pageCount, parseBinary, physicianInput } from './fixtures';

describe('Certificates: a learner\'s own certificates', () => {
  it('when a learner opens their certificates page, then it lists theirs with PDF and credential downloads, and no one else\'s', async () => {
    const ada = await launchedLearner({ name: 'Ada Okafor' });
    const ben = await launchedLearner({ name: 'Ben Ortiz' });
    const mine = await issue(physicianInput({ platformId: ada.platformId, sub: ada.sub }));
    const theirs = await issue(physicianInput({ platformId: ben.platformId, sub: ben.sub }));
    const page = await agent().get(`/learner/certificates?s=${ada.token}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(mine.code).and.contain(`/learner/certificates/${mine.code}/pdf?s=`).and.contain(`/learner/certificates/${mine.code}/credentials/AMA_PRA_1?s=`)
      .and.contain('1.5 AMA PRA Category 1 Credits™');
    expect(page.text).to.not.contain(theirs.code);
  });

  it('when a learner downloads their PDF, then it is a one-page PDF attachment', async () => {
    const ada = await launchedLearner();
    const mine = await issue(physicianInput({ platformId: ada.platformId, sub: ada.sub }));
    const res = await agent().get(`/learner/certificates/${mine.code}/pdf?s=${ada.token}`).buffer(true).parse(parseBinary);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/pdf');
    expect(res.headers['content-disposition']).to.match(/^attachment; filename="certificate-[2-9A-HJ-NP-Z]{15}\.pdf"$/);
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    expect(pageCount(pdf)).to.equal(1);
  });

  it('when a learner asks for another learner\'s PDF or credential, then it is not found, as if it did not exist', async () => {
    const ada = await launchedLearner();
    const ben = await launchedLearner();
    const adas = await issue(physicianInput({ platformId: ada.platformId, sub: ada.sub }));
    for (const path of [`/learner/certificates/${adas.code}/pdf`, `/learner/certificates/${adas.code}/credentials/AMA_PRA_1`]) {
      const res = await agent().get(`${path}?s=${ben.token}`);
      expect(res.status, path).to.equal(404);
      expect(res.text).to.not.contain('%PDF').and.not.contain('eyJ');
      expect((await agent().get(`${path}?s=${ada.token}`)).status, path).to.equal(200);
    }
  });

  it('when a certificate has the learner\'s sub but another platform, then the learner cannot fetch it', async () => {
    const ada = await launchedLearner();
    const elsewhere = await issue(physicianInput({ platformId: `${ada.platformId}-other`, sub: ada.sub }));
    expect((await agent().get(`/learner/certificates/${elsewhere.code}/pdf?s=${ada.token}`)).status).to.equal(404);
    expect((await agent().get(`/learner/certificates?s=${ada.token}`)).text).to.not.contain(elsewhere.code);
  });

  it('when there is no session, then the certificates and downloads answer 401', async () => {
    const ada = await launchedLearner();
    const mine = await issue(physicianInput({ platformId: ada.platformId, sub: ada.sub }));
    for (const path of ['/learner/certificates', `/learner/certificates/${mine.code}/pdf`, `/learner/certificates/${mine.code}/credentials/AMA_PRA_1`]) {
      expect((await agent().get(path)).status, path).to.equal(401);
    }
  });
});
