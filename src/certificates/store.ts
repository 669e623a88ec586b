/** Certificates' SQL: signing keys, certificates, credentials, the audit trail and the outbox (migration 006). */
import type { Queryable } from '../db';
import type { CertificateStatus, ValidCertificateInput } from './model';
import type { PrintedStatements } from './present';

export interface KeyRow {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown>;
  private_jwk_enc: string;
  created_at: Date;
  retired_at: Date | null;
  revoked_at: Date | null;
}

export interface CertificateRow {
  id: string;
  code: string;
  status: CertificateStatus;
  platform_id: string;
  learner_sub: string;
  learner_name: string;
  activity_id: string;
  activity_title: string;
  completion_date: string;
  input: ValidCertificateInput;
  issued_at: Date;
  revoked_at: Date | null;
  replaced_at: Date | null;
  replaced_by_code: string | null;
}

export interface AuditRow {
  id: string;
  code: string;
  action: 'issue' | 'revoke' | 'reissue';
  actor: string;
  reason: string | null;
  details: Record<string, unknown>;
  at: Date;
}

export const keyStore = {
  async insert(q: Queryable, key: { kid: string; alg: string; publicJwk: object; privateJwkEnc: string }): Promise<void> {
    await q.query('INSERT INTO certificate_signing_key (kid, alg, public_jwk, private_jwk_enc) VALUES ($1, $2, $3, $4)', [key.kid, key.alg, JSON.stringify(key.publicJwk), key.privateJwkEnc]);
  },

  /** The key that signs: the newest that is neither retired nor revoked. */
  async newestActiveKid(q: Queryable): Promise<string | undefined> {
    const res = await q.query<{ kid: string }>(
      'SELECT kid FROM certificate_signing_key WHERE retired_at IS NULL AND revoked_at IS NULL ORDER BY created_at DESC, kid DESC LIMIT 1',
    );
    return res.rows[0]?.kid;
  },

  async get(q: Queryable, kid: string): Promise<KeyRow | undefined> {
    return (await q.query<KeyRow>('SELECT * FROM certificate_signing_key WHERE kid = $1', [kid])).rows[0];
  },

  async all(q: Queryable): Promise<KeyRow[]> {
    return (await q.query<KeyRow>('SELECT * FROM certificate_signing_key ORDER BY created_at, kid')).rows;
  },

  /** Published keys: all but the revoked, oldest first. */
  async published(q: Queryable): Promise<Pick<KeyRow, 'kid' | 'alg' | 'public_jwk'>[]> {
    return (await q.query<KeyRow>('SELECT kid, alg, public_jwk FROM certificate_signing_key WHERE revoked_at IS NULL ORDER BY created_at, kid')).rows;
  },

  async retireAllBut(q: Queryable, kid: string): Promise<void> {
    await q.query('UPDATE certificate_signing_key SET retired_at = clock_timestamp() WHERE kid <> $1 AND retired_at IS NULL', [kid]);
  },

  async revoke(q: Queryable, kid: string): Promise<boolean> {
    const res = await q.query('UPDATE certificate_signing_key SET revoked_at = clock_timestamp() WHERE kid = $1 AND revoked_at IS NULL', [kid]);
    return (res.rowCount ?? 0) > 0;
  },

  /** Serialises key creation between processes (two first starts on one database make one key). */
  async lock(q: Queryable): Promise<void> {
    await q.query('SELECT pg_advisory_xact_lock($1)', [7_345_006]);
  },
};

const CERTIFICATE_COLUMNS = `c.id, c.code, c.status, c.platform_id, c.learner_sub, c.learner_name, c.activity_id, c.activity_title,
  to_char(c.completion_date, 'YYYY-MM-DD') AS completion_date, c.input, c.issued_at, c.revoked_at, c.replaced_at,
  (SELECT r.code FROM certificate r WHERE r.id = c.replaced_by) AS replaced_by_code`;

export interface NewCertificate {
  id: string;
  code: string;
  input: ValidCertificateInput;
  statements: PrintedStatements;
  pdf: Buffer;
  templateSha256: string;
  issuedAt: Date;
  replaces?: string;
  /** The award it was issued for (`enrollment:<id>`): one certificate per award (migration 010). */
  awardKey?: string;
  credentials: { type: string; id: string; kid: string; jwt: string }[];
  audit: { actor: string; reason?: string; details: Record<string, unknown> };
  outbox: { kind: string; payload: Record<string, unknown> };
}

export const certificateStore = {
  /** The certificate, its credentials, its audit entry and its outbox row, in one statement (one round trip). */
  async insert(q: Queryable, c: NewCertificate): Promise<void> {
    const { learner, activity } = c.input;
    await q.query(
      `WITH cert AS (
         INSERT INTO certificate (id, code, platform_id, learner_sub, learner_name, activity_id, activity_title, completion_date,
                                  input, statements, pdf, template_sha256, issued_at, replaces, award_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $21)
         RETURNING id
       ), creds AS (
         INSERT INTO certificate_credential (certificate_id, credit_type, credential_id, kid, jwt)
         SELECT $1, e->>'type', e->>'id', e->>'kid', e->>'jwt' FROM jsonb_array_elements($15::jsonb) AS e
       ), audit AS (
         INSERT INTO certificate_audit (certificate_id, action, actor, reason, details) VALUES ($1, 'issue', $16, $17, $18)
       )
       INSERT INTO certificate_outbox (certificate_id, kind, payload) SELECT id, $19, $20 FROM cert`,
      [
        c.id, c.code, learner.platformId, learner.sub, learner.name, activity.id, activity.title, c.input.completionDate,
        JSON.stringify(c.input), JSON.stringify(c.statements), c.pdf, c.templateSha256, c.issuedAt, c.replaces ?? null,
        JSON.stringify(c.credentials), c.audit.actor, c.audit.reason ?? null, JSON.stringify(c.audit.details),
        c.outbox.kind, JSON.stringify(c.outbox.payload), c.awardKey ?? null,
      ],
    );
  },

  /** The certificate already issued for an award, whatever became of it since (revoked, replaced). */
  async byAwardKey(q: Queryable, awardKey: string): Promise<{ id: string; code: string } | undefined> {
    return (await q.query<{ id: string; code: string }>('SELECT id, code FROM certificate WHERE award_key = $1', [awardKey])).rows[0];
  },

  async byCode(q: Queryable, code: string, options: { forUpdate?: boolean } = {}): Promise<CertificateRow | undefined> {
    const res = await q.query<CertificateRow>(`SELECT ${CERTIFICATE_COLUMNS} FROM certificate c WHERE c.code = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [code]);
    return res.rows[0];
  },

  async ofLearner(q: Queryable, owner: { platformId: string; sub: string }): Promise<(CertificateRow & { credit_types: string[] })[]> {
    const res = await q.query<CertificateRow & { credit_types: string[] }>(
      `SELECT ${CERTIFICATE_COLUMNS},
              COALESCE((SELECT array_agg(k.credit_type ORDER BY k.credit_type) FROM certificate_credential k WHERE k.certificate_id = c.id), '{}') AS credit_types
         FROM certificate c WHERE c.platform_id = $1 AND c.learner_sub = $2 ORDER BY c.issued_at DESC, c.code`,
      [owner.platformId, owner.sub],
    );
    return res.rows;
  },

  async recent(q: Queryable, options: { platformId: string; limit: number }): Promise<CertificateRow[]> {
    const res = await q.query<CertificateRow>(
      `SELECT ${CERTIFICATE_COLUMNS} FROM certificate c WHERE c.platform_id = $1 ORDER BY c.issued_at DESC, c.code LIMIT $2`,
      [options.platformId, options.limit],
    );
    return res.rows;
  },

  /** The PDF, only for its owner. */
  async pdf(q: Queryable, owner: { platformId: string; sub: string; code: string }): Promise<Buffer | undefined> {
    const res = await q.query<{ pdf: Buffer }>('SELECT pdf FROM certificate WHERE code = $1 AND platform_id = $2 AND learner_sub = $3', [owner.code, owner.platformId, owner.sub]);
    return res.rows[0]?.pdf;
  },

  /** One signed credential, only for its owner. */
  async credential(q: Queryable, owner: { platformId: string; sub: string; code: string; type: string }): Promise<string | undefined> {
    const res = await q.query<{ jwt: string }>(
      `SELECT k.jwt FROM certificate_credential k JOIN certificate c ON c.id = k.certificate_id
        WHERE c.code = $1 AND c.platform_id = $2 AND c.learner_sub = $3 AND k.credit_type = $4`,
      [owner.code, owner.platformId, owner.sub, owner.type],
    );
    return res.rows[0]?.jwt;
  },

  async revoke(q: Queryable, options: { id: string; reason: string }): Promise<void> {
    await q.query("UPDATE certificate SET status = 'revoked', revoked_at = clock_timestamp(), revoked_reason = $2 WHERE id = $1", [options.id, options.reason]);
  },

  async markReplaced(q: Queryable, options: { id: string; by: string }): Promise<void> {
    await q.query("UPDATE certificate SET status = 'replaced', replaced_by = $2, replaced_at = clock_timestamp() WHERE id = $1", [options.id, options.by]);
  },

  async audit(q: Queryable, entry: { certificateId: string; action: 'revoke' | 'reissue'; actor: string; reason: string; details: Record<string, unknown> }): Promise<void> {
    await q.query('INSERT INTO certificate_audit (certificate_id, action, actor, reason, details) VALUES ($1, $2, $3, $4, $5)', [
      entry.certificateId, entry.action, entry.actor, entry.reason, JSON.stringify(entry.details),
    ]);
  },

  async outbox(q: Queryable, entry: { certificateId: string; kind: string; payload: Record<string, unknown> }): Promise<void> {
    await q.query('INSERT INTO certificate_outbox (certificate_id, kind, payload) VALUES ($1, $2, $3)', [entry.certificateId, entry.kind, JSON.stringify(entry.payload)]);
  },

  /** The trail of one certificate and of those it replaced or that replaced it, oldest first. */
  async auditTrail(q: Queryable, code: string): Promise<AuditRow[]> {
    const res = await q.query<AuditRow>(
      `WITH RECURSIVE chain(id) AS (
         SELECT id FROM certificate WHERE code = $1
         UNION SELECT c.id FROM certificate c JOIN chain ON c.replaces = chain.id OR c.replaced_by = chain.id
       )
       SELECT a.id, c.code, a.action, a.actor, a.reason, a.details, a.at
         FROM certificate_audit a JOIN certificate c ON c.id = a.certificate_id
        WHERE a.certificate_id IN (SELECT id FROM chain) ORDER BY a.id`,
      [code],
    );
    return res.rows;
  },
};
