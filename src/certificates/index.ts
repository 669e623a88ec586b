/**
 * Certificates feature face: other features import from here only.
 *
 * Glossary (words easy to confuse):
 * - Certificate: the one-page PDF record of an award (and its row), with a verification code; it is evidence of
 *   the credit, not the credit (which lives in the claim ledger).
 * - Credential: an Open Badges 3.0 OpenBadgeCredential (a W3C verifiable credential), one per credit type on the
 *   certificate, signed by the provider's key as a VC-JWT; the learner downloads and shares it.
 * - Verification code: the short code printed under the QR code; /verify/<code> says valid, revoked or unknown.
 * - Revoke vs reissue: revoking withdraws a certificate; reissuing replaces it by a new one (new code, same facts,
 *   a corrected name if needed), and the old one reads "replaced".
 * - Statements: the accreditation, designation, JA and MOC statements exactly as the office typed them;
 *   checkStatementElements says which required element (cme-credit.md 1.8) a set of statements lacks.
 */
import type { RequestHandler } from 'express';
import type { Config } from '../config';
import type { Db } from '../db';
import type { AppRole } from '../lti';
import type { ViewEngine } from '../web/views';
import { KeyRing } from './keys';
import { certificateInputSchema } from './model';
import { templateContext } from './present';
import { certificateRoutes } from './routes';
import { SAMPLE_INPUT, SAMPLE_NURSE_INPUT } from './sample';
import { CertificateService } from './service';
import { loadTemplate } from './template';

export { checkStatementElements, type MissingElement, type StatementElementsInput, type ElementScope } from './elements';
export type { CertificateInput, ValidCertificateInput } from './model';
export { certificateInputOfAward, type AwardFacts, type CertificateStatements } from './award';
export type { IssuedCertificate, Actor } from './service';
export { CertificateService } from './service';
export { KeyRing } from './keys';
export { TemplateError } from './template';
export { CertificateLayoutError } from './pdf';
export { CODE_ALPHABET, CODE_BITS, normaliseCode } from './code';

/** Sample contexts a template must render before it is used (see template.ts). */
export function sampleContexts() {
  return [SAMPLE_INPUT, SAMPLE_NURSE_INPUT].map((input) => templateContext({
    input: certificateInputSchema.parse(input), code: '7KQ4M-WX2RD-HN9TB', verifyUrl: 'https://accrue.example.edu/verify/7KQ4MWX2RDHN9TB', issuedAt: new Date('2026-03-02T12:00:00Z'),
  }));
}

export interface CertificatesOptions {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'providerName' | 'issuerUrl'>;
  secret: string;
  /** Another template file (tests, template-check); default views/certificates/certificate.hbs. */
  templateFile?: string;
}

/** Everything but HTTP: what the CLI needs. */
export async function createCertificateCore(options: CertificatesOptions) {
  const { db, config } = options;
  const template = loadTemplate({ file: options.templateFile, samples: sampleContexts() });
  const issuer = { id: `${config.publicUrl}/issuer`, name: config.providerName, ...(config.issuerUrl ? { url: config.issuerUrl } : {}) };
  const keys = new KeyRing(db, options.secret, (kid) => `${config.publicUrl}/issuer/keys/${kid}`);
  await keys.ensureSigningKey();
  const service = new CertificateService({ db, keys, template, publicUrl: config.publicUrl, issuer, secret: options.secret });
  return { service, keys, issuer, template };
}

export async function createCertificates(options: CertificatesOptions & { views: ViewEngine; requireSession: (roles?: AppRole[]) => RequestHandler }) {
  const core = await createCertificateCore(options);
  const router = certificateRoutes({ ...core, views: options.views, publicUrl: options.config.publicUrl, requireSession: options.requireSession });
  return {
    ...core,
    router,
    /** Issues the certificate of an award inside the caller's transaction `q`; returns {id, code, verifyUrl}. */
    issue: core.service.issue.bind(core.service),
  };
}

export type Certificates = Awaited<ReturnType<typeof createCertificates>>;
