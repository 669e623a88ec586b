/**
 * The Open Badges 3.0 credential of one credit type on a certificate (no I/O): an OpenBadgeCredential in the W3C
 * VC 2.0 data model (cme-credit.md 4). One credential per credit type, because `creditsEarned` is one unlabelled
 * number (4, "known modelling gap"): the credit type is the achievement. Signed as a VC-JWT by ./keys.ts.
 *
 * Proof format (OB 3.0 section 8.2, "JSON Web Token Proof Format", VC 2.0 revision): the JWT payload IS the
 * credential, with the registered claims iss = issuer.id, jti = id, nbf = validFrom, sub = credentialSubject.id;
 * the JOSE header is {alg, kid, typ: "JWT"} where kid is a URL that dereferences to the public JWK.
 */
import type { CreditType } from '../credit';
import type { CertificateAward, ValidCertificateInput } from './model';
import { creditMark } from './present';

export const CONTEXTS = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'] as const;

export interface IssuerProfile {
  id: string;
  name: string;
  url?: string;
}

/** The issuer's public profile, as served at PUBLIC_URL/issuer. */
export function issuerProfileDocument(issuer: IssuerProfile, options: { jwksUrl: string }) {
  return {
    '@context': [...CONTEXTS],
    id: issuer.id,
    type: ['Profile'],
    name: issuer.name,
    ...(issuer.url ? { url: issuer.url } : {}),
    // Not an OB 3.0 term: where a verifier finds the keys that sign this issuer's credentials.
    jwksUri: options.jwksUrl,
  };
}

const RESULT_ID = 'post-test';

function criteria(input: ValidCertificateInput): string {
  const parts = [`Complete the ${input.activity.formatLabel} "${input.activity.title}"`];
  if (input.postTest) parts.push(`score at least ${Math.round(input.postTest.passMark * 1000) / 10}% on the post-test`);
  parts.push('and claim credit for the time spent; credit is awarded for the time claimed, up to the designated maximum.');
  return `${parts.slice(0, -1).join(', ')} ${parts[parts.length - 1]}`;
}

/** Accreditation and designation statements, verbatim, as the achievement's description (cme-credit.md 4). */
function description(input: ValidCertificateInput, type: CreditType): string {
  const s = input.activity.statements;
  const designation = s.designations.find((d) => d.type === type)?.statement;
  return [s.accreditation, designation, s.jointAccreditation].filter((t): t is string => Boolean(t)).join('\n\n');
}

const dateTime = (isoDate: string) => `${isoDate}T00:00:00Z`;

export interface CredentialFacts {
  input: ValidCertificateInput;
  award: CertificateAward;
  issuer: IssuerProfile;
  /** urn:uuid:… of this credential. */
  credentialId: string;
  /** The learner's pseudonymous id (urn:uuid:…), the same on all their credentials. */
  subjectId: string;
  issuedAt: Date;
  verifyUrl: string;
  /** The achievement's id: a stable URI per activity and credit type. */
  achievementId: string;
  /** URL of one xAPI statement in Accrue's LRS, for evidence. */
  statementUrl: (statementId: string) => string;
}

export function buildCredential(facts: CredentialFacts) {
  const { input, award } = facts;
  const designation = input.activity.statements.designations.find((d) => d.type === award.type)!;
  const uan = award.uan ?? designation.uan;
  const validFrom = new Date(Math.floor(facts.issuedAt.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const achievement = {
    id: facts.achievementId,
    type: ['Achievement'],
    achievementType: 'CertificateOfCompletion',
    name: input.activity.title,
    description: description(input, award.type),
    criteria: { narrative: criteria(input) },
    creditsAvailable: designation.max,
    ...(uan ? { humanCode: uan } : {}),
    tag: [creditMark(award.type, 2), input.activity.formatLabel],
    ...(input.postTest
      ? {
          resultDescription: [{
            id: `${facts.achievementId}#${RESULT_ID}`, type: ['ResultDescription'], name: 'Post-test score', resultType: 'Percent',
            valueMin: '0', valueMax: '100', requiredValue: String(Math.round(input.postTest.passMark * 1000) / 10),
          }],
        }
      : {}),
  };
  return {
    '@context': [...CONTEXTS],
    id: facts.credentialId,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: facts.issuer.id, type: ['Profile'], name: facts.issuer.name, ...(facts.issuer.url ? { url: facts.issuer.url } : {}) },
    validFrom,
    awardedDate: validFrom,
    name: `${input.activity.title}: ${creditMark(award.type, award.amount)}`,
    credentialSubject: {
      id: facts.subjectId,
      type: ['AchievementSubject'],
      identifier: [{ type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: input.learner.name }],
      achievement,
      creditsEarned: award.amount,
      activityStartDate: dateTime(input.activity.startDate),
      activityEndDate: dateTime(input.activity.endDate ?? input.completionDate),
      ...(input.postTest
        ? {
            result: [{
              type: ['Result'], resultDescription: `${facts.achievementId}#${RESULT_ID}`,
              value: String(Math.round(input.postTest.score * 1000) / 10), status: 'Completed',
            }],
          }
        : {}),
    },
    evidence: [
      { id: facts.verifyUrl, type: ['Evidence'], name: 'Certificate', description: 'The certificate this credential belongs to, and whether it is still valid.', genre: 'Certificate' },
      ...input.evidenceStatementIds.map((statementId) => ({
        id: facts.statementUrl(statementId), type: ['Evidence'], name: 'xAPI statement', genre: 'xAPI statement',
        description: `Learning record ${statementId} in the provider's learning record store.`,
      })),
    ],
  };
}

export type OpenBadgeCredential = ReturnType<typeof buildCredential>;

/** The JWT claims that OB 3.0 8.2 derives from the credential; the payload is the credential plus these. */
export function jwtClaims(credential: OpenBadgeCredential) {
  return {
    ...credential,
    iss: credential.issuer.id,
    jti: credential.id,
    nbf: Math.floor(Date.parse(credential.validFrom) / 1000),
    sub: credential.credentialSubject.id,
  };
}
