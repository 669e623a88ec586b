import { expect } from 'chai';
import { compactVerify, createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { createCertificateCore } from '../../src/certificates';
import { harness } from '../helpers/harness';
import { agent, issue, launchedLearner, pharmacistInput, physicianInput } from './fixtures';

/** An outside verifier: it knows only the issuer's URL, reads the profile, fetches the published keys over HTTP. */
async function verifyAsOutsider(jwt: string) {
  const issuerUrl = `${harness().accrue.url}/issuer`;
  const profile = (await (await fetch(issuerUrl)).json()) as { id: string; jwksUri: string };
  expect(profile.id).to.equal(issuerUrl);
  const keys = createRemoteJWKSet(new URL(profile.jwksUri));
  return jwtVerify(jwt, keys, { issuer: issuerUrl, algorithms: ['EdDSA'], typ: 'JWT' });
}

async function downloadCredential(learner: { token: string }, code: string, type: string): Promise<string> {
  const res = await agent().get(`/learner/certificates/${code}/credentials/${type}?s=${learner.token}`);
  expect(res.status, res.text).to.equal(200);
  expect(res.headers['content-type']).to.match(/^application\/jwt/);
  return res.text;
}

describe('Certificates: Open Badges 3.0 credentials', () => {
  it('when a learner downloads their credential, then an outside verifier checks it with the published keys and reads an OpenBadgeCredential', async () => {
    const learner = await launchedLearner();
    const input = physicianInput({ platformId: learner.platformId, sub: learner.sub, name: 'Ada Okafor, MD' });
    const issued = await issue(input);
    const jwt = await downloadCredential(learner, issued.code, 'AMA_PRA_1');
    const { payload, protectedHeader } = await verifyAsOutsider(jwt);
    const url = harness().accrue.url;
    expect(protectedHeader).to.deep.equal({ alg: 'EdDSA', kid: protectedHeader.kid, typ: 'JWT' });
    expect(protectedHeader.kid).to.match(new RegExp(`^${url}/issuer/keys/`));
    const vc = payload as Record<string, any>;
    expect(vc['@context']).to.deep.equal(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    expect(vc.type).to.deep.equal(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(vc.issuer).to.include({ id: `${url}/issuer` });
    expect(vc.issuer.type).to.deep.equal(['Profile']);
    // OB 3.0 8.2: the registered claims mirror the credential.
    expect(vc.iss).to.equal(vc.issuer.id);
    expect(vc.jti).to.equal(vc.id).and.match(/^urn:uuid:/);
    expect(vc.sub).to.equal(vc.credentialSubject.id).and.match(/^urn:uuid:/);
    expect(vc.nbf).to.equal(Date.parse(vc.validFrom) / 1000);
    const subject = vc.credentialSubject;
    expect(subject.type).to.deep.equal(['AchievementSubject']);
    expect(subject.creditsEarned).to.equal(1.5);
    expect(subject.identifier[0]).to.include({ identityType: 'name', hashed: false, identityHash: 'Ada Okafor, MD' });
    expect(subject.achievement).to.include({ achievementType: 'CertificateOfCompletion', name: input.activity.title, creditsAvailable: 1.5 });
    expect(subject.achievement.description).to.contain('designates this live activity for a maximum of 1.5 AMA PRA Category 1 Credits™');
    expect(subject.result[0]).to.include({ value: '85', status: 'Completed' });
    expect(subject.achievement.resultDescription[0]).to.include({ resultType: 'Percent', requiredValue: '70' });
    const evidence = vc.evidence.map((e: { id: string }) => e.id);
    expect(evidence).to.include(issued.verifyUrl);
    for (const id of input.evidenceStatementIds!) expect(evidence).to.include(`${url}/xapi/statements?statementId=${id}`);
    // The learner's LMS identity is not in the credential.
    expect(jwt.split('.').map((p) => Buffer.from(p, 'base64url').toString()).join('')).to.not.contain(learner.sub);
  });

  it('when a certificate has several credit types, then there is one credential per type, and the kid URL dereferences to the key', async () => {
    const learner = await launchedLearner();
    const issued = await issue(pharmacistInput({ platformId: learner.platformId, sub: learner.sub }));
    const acpe = await downloadCredential(learner, issued.code, 'ACPE');
    const ipce = await downloadCredential(learner, issued.code, 'IPCE');
    const acpeVc = (await verifyAsOutsider(acpe)).payload as Record<string, any>;
    expect(acpeVc.credentialSubject.achievement).to.include({ humanCode: 'JA0006235-9999-26-014-L01-P', creditsAvailable: 2 });
    expect(acpeVc.credentialSubject.creditsEarned).to.equal(2);
    expect(((await verifyAsOutsider(ipce)).payload as Record<string, any>).credentialSubject.achievement.tag).to.include('IPCE credits');
    expect((await agent().get(`/learner/certificates/${issued.code}/credentials/AMA_PRA_1?s=${learner.token}`)).status, 'participation has no credential').to.equal(404);
    const { kid } = decodeProtectedHeader(acpe);
    const jwk = (await (await fetch(kid!)).json()) as JWK;
    expect(jwk).to.not.have.property('d');
    const key = await importJWK(jwk, 'EdDSA');
    await compactVerify(acpe, key); // throws if the signature does not hold
  });

  it('when the keys are rotated, then old credentials still verify, new ones are signed by the new key, and a revoked key stops verifying', async () => {
    const { keys } = harness().accrue.accrue.certificates;
    const learner = await launchedLearner();
    const before = await issue(physicianInput({ platformId: learner.platformId, sub: learner.sub }));
    const oldJwt = await downloadCredential(learner, before.code, 'AMA_PRA_1');
    const oldKid = decodeProtectedHeader(oldJwt).kid!;

    const rotated = await keys.rotate();
    const after = await issue(physicianInput({ platformId: learner.platformId, sub: learner.sub }));
    const newJwt = await downloadCredential(learner, after.code, 'AMA_PRA_1');
    const newKid = decodeProtectedHeader(newJwt).kid!;
    expect(newKid).to.not.equal(oldKid);
    expect(newKid).to.match(new RegExp(`/issuer/keys/${rotated}$`));
    const published = ((await agent().get('/.well-known/jwks.json')).body as { keys: JWK[] }).keys.map((k) => k.kid);
    expect(published).to.include.members([oldKid, newKid]);
    await verifyAsOutsider(oldJwt);
    await verifyAsOutsider(newJwt);

    await keys.revoke(oldKid.split('/').pop()!);
    const afterRevoke = ((await agent().get('/issuer/keys')).body as { keys: JWK[] }).keys.map((k) => k.kid);
    expect(afterRevoke).to.not.include(oldKid);
    expect((await agent().get(new URL(oldKid).pathname)).status).to.equal(404);
    const refused = await verifyAsOutsider(oldJwt).then(() => undefined, (err: Error & { code?: string }) => err.code);
    expect(refused).to.equal('ERR_JWKS_NO_MATCHING_KEY');
    await verifyAsOutsider(newJwt);
  });

  it('when a credential is tampered with, then the signature no longer verifies', async () => {
    const learner = await launchedLearner();
    const issued = await issue(physicianInput({ platformId: learner.platformId, sub: learner.sub }));
    const jwt = await downloadCredential(learner, issued.code, 'AMA_PRA_1');
    const [h, p, s] = jwt.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.credentialSubject.creditsEarned = 15;
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    const refused = await verifyAsOutsider(forged).then(() => undefined, (err: Error & { code?: string }) => err.code);
    expect(refused).to.equal('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('when the keys are read from the database, then no private key is in clear, and another secret cannot sign with them', async () => {
    const { accrue } = harness();
    const rows = (await accrue.accrue.db.query<{ public_jwk: JWK; private_jwk_enc: string }>('SELECT public_jwk, private_jwk_enc FROM certificate_signing_key')).rows;
    expect(rows.length).to.be.above(0);
    for (const r of rows) {
      expect(r.public_jwk).to.not.have.property('d');
      expect(r.private_jwk_enc).to.match(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/).and.not.contain('"d"');
    }
    const stranger = await createCertificateCore({ db: accrue.accrue.db, config: accrue.accrue.config, secret: 'another-secret-that-is-at-least-32-characters' });
    const err = await accrue.accrue.db.tx((q) => stranger.service.issue(q, physicianInput())).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(err?.code).to.equal('SIGNING_KEY_LOCKED');
  });
});
