/** SQL of the learner path: profiles, enrollments (where the learner stands), append-only evidence, credit claims. */
import crypto from 'node:crypto';
import type { Db, Queryable } from '../db';
import type { BoardId, Enrollment, Evidence, EvidenceKind, Profession, Degree, StateLicense, Step } from './model';

type ProfileRow = { profession: Profession; degree: Degree; board_ids: BoardId[]; state_licenses: StateLicense[]; pars_consent: boolean; protected: string | null };
type EnrollmentRow = {
  id: string; activity_id: string; platform_id: string; sub: string; registration: string; context_id: string | null; context_title: string | null;
  step: Step; measured_seconds: string; last_heartbeat_at: Date | null; registered_at: Date; completed_at: Date | null;
};

const toEnrollment = (r: EnrollmentRow): Enrollment => ({
  id: r.id, activityId: r.activity_id, platformId: r.platform_id, sub: r.sub, registration: r.registration, contextId: r.context_id,
  contextTitle: r.context_title, step: r.step, measuredSeconds: Number(r.measured_seconds), lastHeartbeatAt: r.last_heartbeat_at,
  registeredAt: r.registered_at, completedAt: r.completed_at,
});

export interface StoredProfile { profession: Profession; degree: Degree; boardIds: BoardId[]; stateLicenses: StateLicense[]; parsConsent: boolean; protectedValue: string | null }

export interface ClaimRow {
  creditType: string; claimedMinutes: number; attestedTextVersion: string; attestedAt: Date; computedAmount: number; awardedAmount: number;
  unit: string; ruleVersion: string; completionDate: string;
}

export class LearningStore {
  constructor(private readonly db: Db) {}

  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.db.tx(fn);
  }

  async profile(platformId: string, sub: string): Promise<StoredProfile | null> {
    const r = (await this.db.query<ProfileRow>(
      'SELECT profession, degree, board_ids, state_licenses, pars_consent, protected FROM learner_profile WHERE platform_id = $1 AND sub = $2', [platformId, sub])).rows[0];
    return r ? { profession: r.profession, degree: r.degree, boardIds: r.board_ids, stateLicenses: r.state_licenses, parsConsent: r.pars_consent, protectedValue: r.protected } : null;
  }

  async saveProfile(p: { platformId: string; sub: string } & StoredProfile): Promise<void> {
    await this.db.query(
      `INSERT INTO learner_profile (platform_id, sub, profession, degree, board_ids, state_licenses, pars_consent, protected)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (platform_id, sub) DO UPDATE SET profession = $3, degree = $4, board_ids = $5, state_licenses = $6, pars_consent = $7,
         protected = $8, updated_at = now()`,
      [p.platformId, p.sub, p.profession, p.degree, JSON.stringify(p.boardIds), JSON.stringify(p.stateLicenses), p.parsConsent, p.protectedValue]);
  }

  async enrollment(activityId: string, platformId: string, sub: string, q: Queryable = this.db, forUpdate = { lock: false }): Promise<Enrollment | null> {
    const r = (await q.query<EnrollmentRow>(
      `SELECT * FROM enrollment WHERE activity_id = $1 AND platform_id = $2 AND sub = $3${forUpdate.lock ? ' FOR UPDATE' : ''}`, [activityId, platformId, sub])).rows[0];
    return r ? toEnrollment(r) : null;
  }

  async enrollmentById(id: string): Promise<Enrollment | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const r = (await this.db.query<EnrollmentRow>('SELECT * FROM enrollment WHERE id = $1', [id])).rows[0];
    return r ? toEnrollment(r) : null;
  }

  /** Creates the enrollment if absent (two first launches at once make one). Returns it and whether it is new. */
  async enroll(q: Queryable, e: { activityId: string; platformId: string; sub: string; contextId?: string; contextTitle?: string; resourceLinkId?: string; step: Step }): Promise<{ enrollment: Enrollment; created: boolean }> {
    const inserted = await q.query<EnrollmentRow>(
      `INSERT INTO enrollment (id, activity_id, platform_id, sub, registration, context_id, context_title, resource_link_id, step)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (activity_id, platform_id, sub) DO NOTHING RETURNING *`,
      [crypto.randomUUID(), e.activityId, e.platformId, e.sub, crypto.randomUUID(), e.contextId ?? null, e.contextTitle ?? null, e.resourceLinkId ?? null, e.step]);
    if (inserted.rows[0]) return { enrollment: toEnrollment(inserted.rows[0]), created: true };
    return { enrollment: (await this.enrollment(e.activityId, e.platformId, e.sub, q))!, created: false };
  }

  async setStep(q: Queryable, id: string, step: Step): Promise<void> {
    await q.query(`UPDATE enrollment SET step = $2, completed_at = CASE WHEN $2 = 'done' THEN COALESCE(completed_at, now()) ELSE completed_at END WHERE id = $1`, [id, step]);
  }

  /** Locks the enrollment row so concurrent heartbeats of two tabs are counted one after the other. */
  async lockForHeartbeat(q: Queryable, id: string): Promise<{ measuredSeconds: number; lastHeartbeatAt: Date | null; step: Step }> {
    const r = (await q.query<{ measured_seconds: string; last_heartbeat_at: Date | null; step: Step }>(
      'SELECT measured_seconds, last_heartbeat_at, step FROM enrollment WHERE id = $1 FOR UPDATE', [id])).rows[0]!;
    return { measuredSeconds: Number(r.measured_seconds), lastHeartbeatAt: r.last_heartbeat_at, step: r.step };
  }

  async recordHeartbeat(q: Queryable, id: string, h: { addSeconds: number; at: Date | null }): Promise<number> {
    const r = await q.query<{ measured_seconds: string }>(
      'UPDATE enrollment SET measured_seconds = measured_seconds + $2, last_heartbeat_at = $3 WHERE id = $1 RETURNING measured_seconds', [id, h.addSeconds, h.at]);
    return Number(r.rows[0]!.measured_seconds);
  }

  async addEvidence(q: Queryable, e: { enrollmentId: string; kind: EvidenceKind; durationSeconds?: number; scoreScaled?: number; success?: boolean; detail?: Record<string, unknown>; statementIds: string[]; recordedBy: string }): Promise<void> {
    await q.query(
      `INSERT INTO completion_evidence (enrollment_id, kind, duration_seconds, score_scaled, success, detail, statement_ids, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [e.enrollmentId, e.kind, e.durationSeconds ?? null, e.scoreScaled ?? null, e.success ?? null, JSON.stringify(e.detail ?? {}), e.statementIds, e.recordedBy]);
  }

  async evidence(enrollmentId: string, kind?: EvidenceKind, q: Queryable = this.db): Promise<Evidence[]> {
    const r = await q.query<{ kind: EvidenceKind; occurred_at: Date; duration_seconds: string | null; score_scaled: string | null; success: boolean | null; detail: Record<string, unknown>; statement_ids: string[] | null }>(
      `SELECT kind, occurred_at, duration_seconds, score_scaled, success, detail, statement_ids FROM completion_evidence
        WHERE enrollment_id = $1 ${kind ? 'AND kind = $2' : ''} ORDER BY id`, kind ? [enrollmentId, kind] : [enrollmentId]);
    return r.rows.map((x) => ({
      kind: x.kind, occurredAt: x.occurred_at, durationSeconds: x.duration_seconds === null ? null : Number(x.duration_seconds),
      scoreScaled: x.score_scaled === null ? null : Number(x.score_scaled), success: x.success, detail: x.detail, statementIds: x.statement_ids ?? [],
    }));
  }

  async launchRecorded(enrollmentId: string, sessionId: string): Promise<boolean> {
    const r = await this.db.query("SELECT 1 FROM completion_evidence WHERE enrollment_id = $1 AND kind = 'launch' AND detail->>'session' = $2", [enrollmentId, sessionId]);
    return r.rows.length > 0;
  }

  /** Inserts each award unless that credit type was already awarded; returns the credit types newly written. */
  async insertClaims(q: Queryable, enrollmentId: string, claims: ClaimRow[]): Promise<string[]> {
    const written: string[] = [];
    for (const c of claims) {
      const r = await q.query(
        `INSERT INTO credit_claim (id, enrollment_id, credit_type, claimed_minutes, attested_text_version, attested_at, computed_amount,
           awarded_amount, unit, status, rule_version, completion_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'awarded', $10, $11) ON CONFLICT (enrollment_id, credit_type) DO NOTHING RETURNING id`,
        [crypto.randomUUID(), enrollmentId, c.creditType, c.claimedMinutes, c.attestedTextVersion, c.attestedAt, c.computedAmount, c.awardedAmount,
          c.unit, c.ruleVersion, c.completionDate]);
      if (r.rows.length) written.push(c.creditType);
    }
    return written;
  }

  async claims(enrollmentId: string): Promise<(ClaimRow & { status: string })[]> {
    const r = await this.db.query<{ credit_type: string; claimed_minutes: number; attested_text_version: string; attested_at: Date; computed_amount: string; awarded_amount: string; unit: string; status: string; rule_version: string; completion_date: string }>(
      `SELECT credit_type, claimed_minutes, attested_text_version, attested_at, computed_amount, awarded_amount, unit, status, rule_version,
              completion_date::text FROM credit_claim WHERE enrollment_id = $1 ORDER BY credit_type`, [enrollmentId]);
    return r.rows.map((c) => ({
      creditType: c.credit_type, claimedMinutes: c.claimed_minutes, attestedTextVersion: c.attested_text_version, attestedAt: c.attested_at,
      computedAmount: Number(c.computed_amount), awardedAmount: Number(c.awarded_amount), unit: c.unit, status: c.status, ruleVersion: c.rule_version,
      completionDate: c.completion_date,
    }));
  }
}
