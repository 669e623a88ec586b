/**
 * Issuing, verifying, revoking and reissuing certificates. `issue` runs in the caller's transaction, so an award
 * and its certificate commit together or not at all; revoke and reissue run in their own, with their audit entry.
 */
import crypto from 'node:crypto';
import type { Db, Queryable } from '../db';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { displayCode, newCode, normaliseCode } from './code';
import { buildCredential, jwtClaims, type IssuerProfile } from './credential';
import { checkStatementElements } from './elements';
import type { KeyRing } from './keys';
import { certificateInputSchema, issueLines, type CertificateInput, type ValidCertificateInput } from './model';
import { renderCertificatePdf } from './pdf';
import { printedStatements, templateContext, verificationView, type VerificationView } from './present';
import { certificateStore, type AuditRow, type CertificateRow } from './store';
import type { CertificateTemplate } from './template';

export interface IssuedCertificate {
  id: string;
  /** As printed: groups of five letters and digits joined by dashes. */
  code: string;
  verifyUrl: string;
  /** False when the award already had its certificate (`awardKey`), which is returned instead of a new one. */
  created: boolean;
}

/** Who did it, for the audit trail: "cli:<os user>", "lti:<platform>:<sub>", "system". */
export type Actor = string;

/** Limits an administrator's reach to the certificates of their own platform. */
export interface Scope {
  platformId?: string;
}

export interface CertificateServiceOptions {
  db: Db;
  keys: KeyRing;
  template: CertificateTemplate;
  publicUrl: string;
  issuer: IssuerProfile;
  /** The learner's pseudonymous credential subject id: a stable urn:uuid per platform + sub, keyed by the secret. */
  secret: string;
}

const MAX_REASON = 500;

function reasonOf(reason: string | undefined): string {
  const r = (reason ?? '').trim();
  if (!r) throw new ValidationError('A reason is required: say why, for the audit trail.', undefined, 'REASON_REQUIRED');
  if (r.length > MAX_REASON) throw new ValidationError(`The reason must be at most ${MAX_REASON} characters.`, undefined, 'REASON_TOO_LONG');
  return r;
}

export class CertificateService {
  private readonly subjectKey: Buffer;

  constructor(private readonly options: CertificateServiceOptions) {
    this.subjectKey = Buffer.from(crypto.hkdfSync('sha256', options.secret, 'accrue', 'credential subject ids v1', 32));
  }

  verifyUrl(code: string): string {
    return `${this.options.publicUrl}/verify/${code}`;
  }

  /** Validates a CertificateInput; throws ValidationError listing every problem, required statement elements too. */
  parse(input: CertificateInput): ValidCertificateInput {
    const parsed = certificateInputSchema.safeParse(input);
    if (!parsed.success) throw new ValidationError(`Invalid certificate input: ${issueLines(parsed.error).join('; ')}`, { issues: issueLines(parsed.error) });
    const missing = checkStatementElements(parsed.data.activity);
    if (missing.length > 0) {
      throw new ValidationError(`The activity's statements lack required elements: ${missing.map((m) => `${m.creditType} ${m.element}`).join(', ')}`, { missing }, 'STATEMENT_ELEMENTS_MISSING');
    }
    return parsed.data;
  }

  /**
   * Issues the certificate of an award, in the caller's transaction `q`. With `awardKey` (e.g. `enrollment:<id>`),
   * an award that already has its certificate gets that one back and nothing new is issued; the caller holds the
   * award's row lock, and a unique index backs it against any other path.
   */
  async issue(q: Queryable, input: CertificateInput, options: { actor?: Actor; awardKey?: string } = {}): Promise<IssuedCertificate> {
    if (options.awardKey) {
      const existing = await certificateStore.byAwardKey(q, options.awardKey);
      if (existing) return { id: existing.id, code: displayCode(existing.code), verifyUrl: this.verifyUrl(existing.code), created: false };
    }
    return this.issueValid(q, this.parse(input), { actor: options.actor ?? 'system', awardKey: options.awardKey });
  }

  private subjectId(input: ValidCertificateInput): string {
    const h = crypto.createHmac('sha256', this.subjectKey).update(`${input.learner.platformId}\n${input.learner.sub}`).digest();
    h[6] = (h[6]! & 0x0f) | 0x80; // RFC 9562 UUIDv8: a name-derived id of our own
    h[8] = (h[8]! & 0x3f) | 0x80;
    const hex = h.subarray(0, 16).toString('hex');
    return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  private async issueValid(q: Queryable, input: ValidCertificateInput, options: { actor: Actor; replaces?: CertificateRow; reason?: string; awardKey?: string }): Promise<IssuedCertificate> {
    const { publicUrl, issuer, template, keys } = this.options;
    const id = crypto.randomUUID();
    const code = newCode();
    const printed = displayCode(code);
    const verifyUrl = this.verifyUrl(code);
    const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const markup = template.render(templateContext({ input, code: printed, verifyUrl, issuedAt }));
    const pdf = renderCertificatePdf({
      markup, qrText: verifyUrl,
      info: { title: `Certificate: ${input.activity.title}`, author: input.activity.provider.name, subject: `${input.learner.name}, certificate ${printed}`, createdAt: issuedAt },
    });
    const subjectId = this.subjectId(input);
    const credentials = [];
    for (const award of input.awards) {
      const credential = buildCredential({
        input, award, issuer, subjectId, issuedAt, verifyUrl,
        credentialId: `urn:uuid:${crypto.randomUUID()}`,
        achievementId: `${publicUrl}/activities/${encodeURIComponent(input.activity.id)}/achievements/${award.type}`,
        statementUrl: (statementId) => `${publicUrl}/xapi/statements?statementId=${statementId}`,
      });
      const { kid, jwt } = await keys.sign(q, jwtClaims(credential));
      credentials.push({ type: award.type, id: credential.id, kid, jwt });
    }
    await certificateStore.insert(q, {
      id, code, input, statements: printedStatements(input), pdf, templateSha256: template.sha256, issuedAt, replaces: options.replaces?.id, awardKey: options.awardKey, credentials,
      audit: { actor: options.actor, reason: options.reason, details: options.replaces ? { replaces: displayCode(options.replaces.code) } : {} },
      outbox: {
        kind: 'certificate.issued',
        payload: { certificateId: id, code: printed, verifyUrl, platformId: input.learner.platformId, sub: input.learner.sub, activityId: input.activity.id, claimIds: input.claimIds },
      },
    });
    return { id, code: printed, verifyUrl, created: true };
  }

  /** The public view of a code; undefined when no certificate has it (or it cannot be a code). */
  async verify(typed: string): Promise<VerificationView | undefined> {
    const code = normaliseCode(typed);
    const row = code ? await certificateStore.byCode(this.options.db, code) : undefined;
    if (!row) return undefined;
    const replacement = row.replaced_by_code ? { code: displayCode(row.replaced_by_code), url: this.verifyUrl(row.replaced_by_code) } : undefined;
    return verificationView({
      status: row.status, code: displayCode(row.code), issuedAt: row.issued_at, revokedAt: row.revoked_at, replacedAt: row.replaced_at, replacement, input: row.input,
    });
  }

  private async lockForChange(q: Queryable, typed: string, scope: Scope): Promise<CertificateRow> {
    const code = normaliseCode(typed);
    const row = code ? await certificateStore.byCode(q, code, { forUpdate: true }) : undefined;
    // Another platform's certificate is "not found" for this administrator, as if it did not exist.
    if (!row || (scope.platformId !== undefined && row.platform_id !== scope.platformId)) throw new NotFoundError(`No certificate has the code ${typed}.`, 'CERTIFICATE_NOT_FOUND');
    if (row.status === 'replaced') {
      throw new ConflictError(`Certificate ${displayCode(row.code)} was replaced by ${displayCode(row.replaced_by_code ?? '')}; act on the replacement.`, 'CERTIFICATE_REPLACED');
    }
    return row;
  }

  async revoke(options: { code: string; reason: string; actor: Actor; scope?: Scope }): Promise<{ code: string; revokedAt: Date }> {
    const reason = reasonOf(options.reason);
    return this.options.db.tx(async (q) => {
      const row = await this.lockForChange(q, options.code, options.scope ?? {});
      if (row.status === 'revoked') throw new ConflictError(`Certificate ${displayCode(row.code)} is already revoked.`, 'CERTIFICATE_REVOKED');
      await certificateStore.revoke(q, { id: row.id, reason });
      await certificateStore.audit(q, { certificateId: row.id, action: 'revoke', actor: options.actor, reason, details: {} });
      await certificateStore.outbox(q, { certificateId: row.id, kind: 'certificate.revoked', payload: { certificateId: row.id, code: displayCode(row.code), platformId: row.platform_id, sub: row.learner_sub } });
      const after = (await certificateStore.byCode(q, row.code))!;
      return { code: displayCode(row.code), revokedAt: after.revoked_at! };
    });
  }

  /**
   * Issues a new certificate with the same facts (a corrected name, if given), rendered with today's template and
   * signed with today's key; the old one becomes "replaced" and points to the new one. A revoked certificate may be
   * reissued (a revocation made in error). The statements were checked when the original was issued.
   */
  async reissue(options: { code: string; reason: string; actor: Actor; learnerName?: string; scope?: Scope }): Promise<IssuedCertificate & { replaced: string }> {
    const reason = reasonOf(options.reason);
    return this.options.db.tx(async (q) => {
      const old = await this.lockForChange(q, options.code, options.scope ?? {});
      let input = old.input;
      if (options.learnerName !== undefined) {
        const parsed = certificateInputSchema.safeParse({ ...old.input, learner: { ...old.input.learner, name: options.learnerName } });
        if (!parsed.success) throw new ValidationError(`Invalid learner name: ${issueLines(parsed.error).join('; ')}`);
        input = parsed.data;
      }
      const issued = await this.issueValid(q, input, { actor: options.actor, replaces: old, reason });
      await certificateStore.markReplaced(q, { id: old.id, by: issued.id });
      await certificateStore.audit(q, { certificateId: old.id, action: 'reissue', actor: options.actor, reason, details: { replacedBy: issued.code } });
      return { ...issued, replaced: displayCode(old.code) };
    });
  }

  async auditTrail(typed: string, scope: Scope = {}): Promise<AuditRow[]> {
    const code = normaliseCode(typed);
    const row = code ? await certificateStore.byCode(this.options.db, code) : undefined;
    if (!row || (scope.platformId !== undefined && row.platform_id !== scope.platformId)) throw new NotFoundError(`No certificate has the code ${typed}.`, 'CERTIFICATE_NOT_FOUND');
    return certificateStore.auditTrail(this.options.db, row.code);
  }

  async ofLearner(owner: { platformId: string; sub: string }) {
    return certificateStore.ofLearner(this.options.db, owner);
  }

  async recent(options: { platformId: string; limit: number }) {
    return certificateStore.recent(this.options.db, options);
  }

  /** The learner's own PDF; another learner's code is "not found". */
  async pdfOf(owner: { platformId: string; sub: string; code: string }): Promise<Buffer> {
    const code = normaliseCode(owner.code);
    const pdf = code ? await certificateStore.pdf(this.options.db, { ...owner, code }) : undefined;
    if (!pdf) throw new NotFoundError('You have no certificate with this code.', 'CERTIFICATE_NOT_FOUND');
    return pdf;
  }

  /** The learner's own credential (VC-JWT) of one credit type. */
  async credentialOf(owner: { platformId: string; sub: string; code: string; type: string }): Promise<string> {
    const code = normaliseCode(owner.code);
    const jwt = code ? await certificateStore.credential(this.options.db, { ...owner, code }) : undefined;
    if (!jwt) throw new NotFoundError('You have no credential with this code and credit type.', 'CREDENTIAL_NOT_FOUND');
    return jwt;
  }
}
