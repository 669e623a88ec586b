import { expect } from 'chai';
import { harness, ROLES } from '../helpers/harness';
import { agent, issue, launchedLearner, physicianInput } from './fixtures';

async function adminAndCertificate() {
  const admin = await launchedLearner({ roles: ROLES.admin, name: 'Rita Registrar' });
  const learner = await launchedLearner();
  const issued = await issue(physicianInput({ platformId: learner.platformId, sub: learner.sub }));
  return { admin, learner, issued };
}

function form(path: string, fields: Record<string, string>) {
  return agent().post(path).type('form').send(fields);
}

describe('Certificates: administrators revoke and reissue, with an audit trail', () => {
  it('when an administrator revokes with a reason, then the certificate reads revoked and the trail names who, when and why', async () => {
    const { admin, issued } = await adminAndCertificate();
    const list = await agent().get(`/admin/certificates?s=${admin.token}`);
    expect(list.status).to.equal(200);
    expect(list.text).to.contain(issued.code);
    const res = await form(`/admin/certificates/${issued.code}/revoke`, { s: admin.token, reason: 'Attendance record was wrong' });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.match(/\/admin\/certificates\/[2-9A-HJ-NP-Z]{15}\?done=revoked&s=/);
    expect((await agent().get(`/verify/${issued.code}`).set('Accept', 'application/json')).body.status).to.equal('revoked');
    const detail = await agent().get(res.headers.location!);
    expect(detail.status).to.equal(200);
    expect(detail.text).to.contain('revoke').and.contain('Attendance record was wrong').and.contain('Rita Registrar').and.contain(`lti:${admin.platformId}:${admin.sub}`);
    const trail = await harness().accrue.accrue.certificates.service.auditTrail(issued.code);
    expect(trail.map((a) => a.action)).to.deep.equal(['issue', 'revoke']);
    expect(trail[1]).to.include({ reason: 'Attendance record was wrong', actor: `lti:${admin.platformId}:${admin.sub} (Rita Registrar)` });
  });

  it('when an administrator reissues with a corrected name, then a new certificate replaces the old and the trail links both', async () => {
    const { admin, issued } = await adminAndCertificate();
    const res = await form(`/admin/certificates/${issued.code}/reissue`, { s: admin.token, reason: 'Name misspelt', name: 'Ada N. Okafor, MD' });
    expect(res.status).to.equal(303);
    const newCode = /\/admin\/certificates\/([2-9A-HJ-NP-Z]{15})\?/.exec(res.headers.location!)![1]!;
    expect(newCode).to.not.equal(issued.code.replace(/-/g, ''));
    const current = await agent().get(`/verify/${newCode}`).set('Accept', 'application/json');
    expect(current.body).to.include({ status: 'valid', learnerName: 'Ada N. Okafor, MD' });
    const trail = await harness().accrue.accrue.certificates.service.auditTrail(newCode);
    expect(trail.map((a) => [a.code.replace(/-/g, ''), a.action])).to.deep.equal([
      [issued.code.replace(/-/g, ''), 'issue'], [newCode, 'issue'], [issued.code.replace(/-/g, ''), 'reissue'],
    ]);
    expect(trail[2]).to.include({ reason: 'Name misspelt' });
    const again = await form(`/admin/certificates/${issued.code}/revoke`, { s: admin.token, reason: 'too late' });
    expect(again.status).to.equal(409);
    expect(again.text).to.contain('was replaced by');
  });

  it('when the reason is missing, then nothing changes and the answer says a reason is required', async () => {
    const { admin, issued } = await adminAndCertificate();
    for (const action of ['revoke', 'reissue']) {
      const res = await form(`/admin/certificates/${issued.code}/${action}`, { s: admin.token, reason: '   ' });
      expect(res.status, action).to.equal(400);
      expect(res.text).to.contain('A reason is required');
    }
    expect((await agent().get(`/verify/${issued.code}`).set('Accept', 'application/json')).body.status).to.equal('valid');
  });

  it('when a learner opens the admin pages, then they are refused with 403', async () => {
    const { learner, issued } = await adminAndCertificate();
    expect((await agent().get(`/admin/certificates?s=${learner.token}`)).status).to.equal(403);
    expect((await form(`/admin/certificates/${issued.code}/revoke`, { s: learner.token, reason: 'mine' })).status).to.equal(403);
    expect((await agent().get(`/verify/${issued.code}`).set('Accept', 'application/json')).body.status).to.equal('valid');
  });

  it('when an administrator acts on a certificate of another platform, then it is not found for them', async () => {
    const admin = await launchedLearner({ roles: ROLES.admin });
    const elsewhere = await issue(physicianInput({ platformId: 'another-lms' }));
    expect((await agent().get(`/admin/certificates/${elsewhere.code}?s=${admin.token}`)).status).to.equal(404);
    expect((await form(`/admin/certificates/${elsewhere.code}/revoke`, { s: admin.token, reason: 'no' })).status).to.equal(404);
    expect((await agent().get(`/admin/certificates?s=${admin.token}`)).text).to.not.contain(elsewhere.code);
  });

  it('when anyone tries to change or delete the audit trail in the database, then the database refuses', async () => {
    const { issued } = await adminAndCertificate();
    const db = harness().accrue.accrue.db;
    for (const sql of ["UPDATE certificate_audit SET reason = 'x'", 'DELETE FROM certificate_audit', 'TRUNCATE certificate_audit']) {
      // In a transaction: on embedded PGlite a failed statement outside one breaks the next query (see the report).
      const err = await db.tx((q) => q.query(sql)).then(() => undefined, (e: Error) => e);
      expect(err?.message, sql).to.match(/certificate_audit is append-only/);
    }
    expect((await harness().accrue.accrue.certificates.service.auditTrail(issued.code)).map((a) => a.action)).to.deep.equal(['issue']);
  });
});
