/**
 * SQL of reports: the read side (rosters, transcripts, candidates for PARS and CPE Monitor, outcomes) and the export
 * record. Scope filters take `($n::text IS NULL OR (a.platform_id = $n AND a.context_id = $n+1))`, so a course-scoped
 * registrar's query cannot return another course's rows. Large reads go through a cursor (Db.stream / TxQueryable.stream).
 */
import type { Db, TxQueryable } from '../db';
import type { BoardId, StateLicense } from '../learning';
import type { ExportKind, ExportMode, ExportRecord, Submission } from './model';
import { scopeParams, type LearnerRef, type Scope } from './scope';

export const CLAIM_COLUMNS = `c.id AS claim_id, c.credit_type, c.awarded_amount::float8 AS amount, c.unit, c.completion_date::text AS completion_date,
  c.claimed_minutes, a.id AS activity_id, a.title AS activity_title, a.learning_format, e.platform_id, e.sub,
  p.name, p.given_name, p.family_name`;

export interface ClaimRowDb {
  claim_id: string; credit_type: string; amount: number; unit: string; completion_date: string; claimed_minutes: number;
  activity_id: string; activity_title: string; learning_format: string; platform_id: string; sub: string;
  name: string | null; given_name: string | null; family_name: string | null;
}

export interface SubmissionRowDb extends ClaimRowDb {
  pars_consent: boolean; board_ids: BoardId[]; state_licenses: StateLicense[]; protected: string | null; profession: string;
  acpe_uan: string | null; acpe_activity_type: string | null; acpe_audience: string | null; last_export_id: string | null;
}

const SCOPE = (n: number) => `($${n}::text IS NULL OR (a.platform_id = $${n} AND a.context_id = $${n + 1}))`;

/** The claims a submission considers: awarded, of the target's credit types, in scope, not yet sent unless correcting. */
function submissionFrom(target: Submission, options: { designation: boolean; correction: boolean }): string {
  const types = target === 'PARS_LEARNER'
    // MOC points go to the board; AMA PRA Category 1 credit goes for licensure when the learner named a state licence.
    ? `(c.credit_type LIKE 'MOC\\_%' OR (c.credit_type = 'AMA_PRA_1' AND jsonb_array_length(lp.state_licenses) > 0)) AND lp.pars_consent`
    : `c.credit_type = 'ACPE'`;
  // The UAN of the learner's audience: T for a pharmacy technician, else P (cme-credit.md 1.3).
  const designation = options.designation ? `LEFT JOIN LATERAL (
      SELECT acpe_uan, acpe_activity_type, acpe_audience FROM activity_designation d
       WHERE d.activity_id = a.id AND d.credit_type = 'ACPE'
       ORDER BY (d.acpe_audience = CASE WHEN lp.profession = 'pharmacy_technician' THEN 'T' ELSE 'P' END) DESC LIMIT 1) d ON true` : '';
  return `FROM credit_claim c
    JOIN enrollment e ON e.id = c.enrollment_id
    JOIN activity a ON a.id = e.activity_id
    JOIN learner_profile lp ON lp.platform_id = e.platform_id AND lp.sub = e.sub
    LEFT JOIN lms_person p ON p.platform_id = e.platform_id AND p.sub = e.sub
    ${designation}
    WHERE c.status = 'awarded' AND ${types} AND ${SCOPE(1)}
      AND ($3::uuid IS NULL OR a.id = $3)${options.correction ? '' : `
      AND NOT EXISTS (SELECT 1 FROM report_export_claim x WHERE x.claim_id = c.id AND x.target = '${target}')`}`;
}

/** Only CPE Monitor needs the UAN, and only a correction the export it corrects: per-row lookups cost at 100k rows. */
const SUBMISSION_SELECT = (target: Submission, correction: boolean) => `SELECT ${CLAIM_COLUMNS}, lp.pars_consent, lp.board_ids, lp.state_licenses, lp.protected, lp.profession,
    ${target === 'CPE_MONITOR' ? 'd.acpe_uan, d.acpe_activity_type, d.acpe_audience' : 'NULL AS acpe_uan, NULL AS acpe_activity_type, NULL AS acpe_audience'},
    ${correction ? `(SELECT x.export_id FROM report_export_claim x JOIN report_export r ON r.id = x.export_id
      WHERE x.claim_id = c.id AND x.target = '${target}' ORDER BY r.created_at DESC LIMIT 1)` : 'NULL::uuid'} AS last_export_id
  ${submissionFrom(target, { designation: target === 'CPE_MONITOR', correction })}
  ORDER BY c.completion_date, e.platform_id, e.sub, c.id`;

export interface SubmissionFilter { scope: Scope; activityId?: string; includeReported: boolean }

// "Not yet sent" is written into the SQL rather than passed as `$n OR NOT EXISTS (...)`: behind an OR the planner
// cannot turn it into an anti-join and costs a per-row subplan (EXPLAIN on 100k claims: an estimate of 45 million,
// which also switched on JIT compilation, a second of the export's time).
const submissionParams = (f: SubmissionFilter) => [...scopeParams(f.scope), f.activityId ?? null];

export interface TranscriptFilter { scope: Scope; activityId?: string; learner?: LearnerRef; from?: string; to?: string }

function transcriptWhere(f: TranscriptFilter): { sql: string; params: unknown[] } {
  return {
    sql: `FROM credit_claim c JOIN enrollment e ON e.id = c.enrollment_id JOIN activity a ON a.id = e.activity_id
      LEFT JOIN lms_person p ON p.platform_id = e.platform_id AND p.sub = e.sub
      WHERE c.status = 'awarded' AND ${SCOPE(1)} AND ($3::uuid IS NULL OR a.id = $3)
        AND ($4::text IS NULL OR (e.platform_id = $4 AND e.sub = $5))
        AND ($6::date IS NULL OR c.completion_date >= $6) AND ($7::date IS NULL OR c.completion_date <= $7)`,
    params: [...scopeParams(f.scope), f.activityId ?? null, f.learner?.platformId ?? null, f.learner?.sub ?? null, f.from ?? null, f.to ?? null],
  };
}

type ExportRow = {
  id: string; kind: ExportKind; target: Submission | null; mode: ExportMode; format: 'csv' | 'pdf'; scope: Record<string, unknown>;
  requested_by: string; requested_name: string | null; status: 'complete' | 'failed'; row_count: number; claim_count: number; bytes: string;
  file_sha256: string | null; error: string | null; created_at: Date; completed_at: Date | null;
};

const toExport = (r: ExportRow): ExportRecord => ({
  id: r.id, kind: r.kind, target: r.target, mode: r.mode, format: r.format, scope: r.scope, requestedBy: r.requested_by,
  requestedName: r.requested_name, status: r.status, rowCount: r.row_count, claimCount: r.claim_count, bytes: Number(r.bytes),
  sha256: r.file_sha256, error: r.error, createdAt: r.created_at, completedAt: r.completed_at,
});

/** Serialises exports to one target (two registrars at once would otherwise both take the same unsent claims). */
const TARGET_LOCK: Record<Submission, number> = { PARS_LEARNER: 1, CPE_MONITOR: 2 };
const LOCK_CLASS = 7_345_009;

export class ReportStore {
  constructor(readonly db: Db) {}

  // ---- activities and rosters -------------------------------------------------------------------------------

  async activities(scope: Scope) {
    const r = await this.db.query<{ id: string; title: string; learning_format: string; status: string; platform_id: string; context_id: string; context_title: string | null; enrolled: string; claimed: string }>(
      `SELECT a.id, a.title, a.learning_format, a.status, a.platform_id, a.context_id, ctx.title AS context_title,
              (SELECT count(*) FROM enrollment e WHERE e.activity_id = a.id) AS enrolled,
              (SELECT count(*) FROM enrollment e WHERE e.activity_id = a.id AND e.step = 'done') AS claimed
         FROM activity a LEFT JOIN lms_context ctx ON ctx.platform_id = a.platform_id AND ctx.context_id = a.context_id
        WHERE ${SCOPE(1)} ORDER BY a.created_at DESC LIMIT 1000`, scopeParams(scope));
    return r.rows.map((x) => ({ ...x, enrolled: Number(x.enrolled), claimed: Number(x.claimed) }));
  }

  /** Enrolled learners with where they stand, then course learners (NRPS) who never launched. New columns go last: the ORDER BY is positional. */
  rosterSql(): string {
    return `WITH enrolled AS (
      SELECT e.id, e.platform_id, e.sub, e.step, e.registered_at, e.measured_seconds::float8 AS measured_seconds,
        bool_or(ev.kind = 'disclosure_viewed') AS disclosures, bool_or(ev.kind = 'time_on_task') AS content,
        count(ev.id) FILTER (WHERE ev.kind = 'posttest') AS posttest_attempts,
        (max(ev.score_scaled) FILTER (WHERE ev.kind = 'posttest'))::float8 AS posttest_best,
        COALESCE(bool_or(ev.success) FILTER (WHERE ev.kind = 'posttest'), false) AS posttest_passed,
        bool_or(ev.kind = 'evaluation') AS evaluation, bool_or(ev.kind = 'claim') AS claimed,
        -- The pre-test is taken once (docs/outcomes.md); the first row is the one the outcomes compare.
        ((array_agg(ev.score_scaled ORDER BY ev.id) FILTER (WHERE ev.kind = 'pretest'))[1])::float8 AS pretest_score
      FROM enrollment e LEFT JOIN completion_evidence ev ON ev.enrollment_id = e.id
      WHERE e.activity_id = $1 GROUP BY e.id)
    SELECT en.id AS enrollment_id, en.platform_id, en.sub, en.step, en.registered_at, en.measured_seconds, en.disclosures, en.content,
      en.posttest_attempts::int AS posttest_attempts, en.posttest_best, en.posttest_passed, en.evaluation, en.claimed,
      p.name, p.given_name, p.family_name, m.status AS lms_status,
      (SELECT COALESCE(json_agg(json_build_object('creditType', c.credit_type, 'amount', c.awarded_amount::float8, 'unit', c.unit) ORDER BY c.credit_type), '[]')
         FROM credit_claim c WHERE c.enrollment_id = en.id AND c.status = 'awarded') AS claims,
      en.pretest_score
      FROM enrolled en
      LEFT JOIN lms_person p ON p.platform_id = en.platform_id AND p.sub = en.sub
      LEFT JOIN roster_member m ON m.platform_id = $2 AND m.context_id = $3 AND m.sub = en.sub AND m.platform_id = en.platform_id
    UNION ALL
    SELECT NULL, m.platform_id, m.sub, NULL, NULL, 0, false, false, 0, NULL, false, false, false, p.name, p.given_name, p.family_name, m.status, '[]'::json, NULL
      FROM roster_member m LEFT JOIN lms_person p ON p.platform_id = m.platform_id AND p.sub = m.sub
     WHERE m.platform_id = $2 AND m.context_id = $3 AND m.is_learner AND m.status = 'Active'
       AND NOT EXISTS (SELECT 1 FROM enrollment e WHERE e.activity_id = $1 AND e.platform_id = m.platform_id AND e.sub = m.sub)
    ORDER BY 16 NULLS LAST, 14 NULLS LAST, 3`;
  }

  async context(platformId: string, contextId: string) {
    const r = await this.db.query<{ title: string | null; memberships_url: string | null; roster_synced_at: Date | null; roster_error: string | null }>(
      'SELECT title, memberships_url, roster_synced_at, roster_error FROM lms_context WHERE platform_id = $1 AND context_id = $2', [platformId, contextId]);
    return r.rows[0] ?? null;
  }

  async rememberContext(c: { platformId: string; contextId: string; title?: string; membershipsUrl?: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO lms_context (platform_id, context_id, title, memberships_url) VALUES ($1, $2, $3, $4)
       ON CONFLICT (platform_id, context_id) DO UPDATE SET title = COALESCE($3, lms_context.title),
         memberships_url = COALESCE($4, lms_context.memberships_url), updated_at = now()`,
      [c.platformId, c.contextId, c.title ?? null, c.membershipsUrl ?? null]);
  }

  async rosterFailed(platformId: string, contextId: string, error: string): Promise<void> {
    await this.db.query('UPDATE lms_context SET roster_error = $3 WHERE platform_id = $1 AND context_id = $2', [platformId, contextId, error.slice(0, 500)]);
  }

  /** Replaces the course's roster with NRPS's latest list in one transaction; members no longer listed become Inactive. */
  async saveRoster(o: { platformId: string; contextId: string; members: { sub: string; roles: string[]; status: string; isLearner: boolean; name?: string; givenName?: string; familyName?: string }[] }): Promise<void> {
    await this.db.tx(async (q) => {
      const now = (await q.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
      const m = o.members;
      await q.query(
        `INSERT INTO roster_member (platform_id, context_id, sub, roles, status, is_learner, synced_at)
         SELECT $1, $2, x.sub, x.roles::jsonb, x.status, x.is_learner, $3
           FROM unnest($4::text[], $5::text[], $6::text[], $7::boolean[]) AS x(sub, roles, status, is_learner)
         ON CONFLICT (platform_id, context_id, sub) DO UPDATE SET roles = EXCLUDED.roles, status = EXCLUDED.status,
           is_learner = EXCLUDED.is_learner, synced_at = EXCLUDED.synced_at`,
        [o.platformId, o.contextId, now, m.map((x) => x.sub), m.map((x) => JSON.stringify(x.roles)), m.map((x) => x.status), m.map((x) => x.isLearner)]);
      await q.query(`UPDATE roster_member SET status = 'Inactive', synced_at = $3 WHERE platform_id = $1 AND context_id = $2 AND synced_at < $3`, [o.platformId, o.contextId, now]);
      const named = m.filter((x) => x.name || x.givenName || x.familyName);
      await q.query(
        `INSERT INTO lms_person (platform_id, sub, name, given_name, family_name, source)
         SELECT $1, x.sub, x.name, x.given, x.family, 'nrps' FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(sub, name, given, family)
         ON CONFLICT (platform_id, sub) DO UPDATE SET name = COALESCE(EXCLUDED.name, lms_person.name),
           given_name = COALESCE(EXCLUDED.given_name, lms_person.given_name), family_name = COALESCE(EXCLUDED.family_name, lms_person.family_name),
           source = 'nrps', updated_at = now()`,
        [o.platformId, named.map((x) => x.sub), named.map((x) => x.name ?? null), named.map((x) => x.givenName ?? null), named.map((x) => x.familyName ?? null)]);
      await q.query(
        `INSERT INTO lms_context (platform_id, context_id, roster_synced_at, roster_error) VALUES ($1, $2, $3, NULL)
         ON CONFLICT (platform_id, context_id) DO UPDATE SET roster_synced_at = $3, roster_error = NULL`, [o.platformId, o.contextId, now]);
    });
  }

  /** Whether the learner has any record in the scope (a course registrar may only open their own course's learners). */
  async learnerInScope(scope: Scope, learner: LearnerRef): Promise<boolean> {
    const r = await this.db.query(
      `SELECT 1 FROM enrollment e JOIN activity a ON a.id = e.activity_id WHERE e.platform_id = $3 AND e.sub = $4 AND ${SCOPE(1)} LIMIT 1`,
      [...scopeParams(scope), learner.platformId, learner.sub]);
    return r.rows.length > 0;
  }

  async person(learner: LearnerRef) {
    const r = await this.db.query<{ name: string | null; given_name: string | null; family_name: string | null }>(
      'SELECT name, given_name, family_name FROM lms_person WHERE platform_id = $1 AND sub = $2', [learner.platformId, learner.sub]);
    const p = r.rows[0];
    return { name: p?.name ?? null, givenName: p?.given_name ?? null, familyName: p?.family_name ?? null };
  }

  // ---- transcripts ------------------------------------------------------------------------------------------

  transcriptQuery(f: TranscriptFilter): { sql: string; countSql: string; totalsSql: string; params: unknown[] } {
    const w = transcriptWhere(f);
    return {
      sql: `SELECT ${CLAIM_COLUMNS} ${w.sql} ORDER BY c.completion_date, a.title, e.sub, c.credit_type, c.id`,
      countSql: `SELECT count(*)::int AS n ${w.sql}`,
      totalsSql: `SELECT c.credit_type, c.unit, sum(c.awarded_amount)::float8 AS amount, count(*)::int AS claims ${w.sql} GROUP BY 1, 2 ORDER BY 1, 2`,
      params: w.params,
    };
  }

  async transcriptTotals(f: TranscriptFilter) {
    const q = this.transcriptQuery(f);
    return (await this.db.query<{ credit_type: string; unit: string; amount: number; claims: number }>(q.totalsSql, q.params)).rows
      .map((r) => ({ creditType: r.credit_type, unit: r.unit, amount: Math.round(r.amount * 100) / 100, claims: r.claims }));
  }

  async transcriptRows(f: TranscriptFilter, limit: number): Promise<ClaimRowDb[]> {
    const q = this.transcriptQuery(f);
    return (await this.db.query<ClaimRowDb>(`${q.sql} LIMIT ${Math.max(1, Math.floor(limit))}`, q.params)).rows;
  }

  // ---- submissions (PARS, CPE Monitor) ----------------------------------------------------------------------

  submissionQuery(target: Submission, f: SubmissionFilter) {
    return { sql: SUBMISSION_SELECT(target, f.includeReported), countSql: `SELECT count(*)::int AS n ${submissionFrom(target, { designation: false, correction: f.includeReported })}`, params: submissionParams(f) };
  }

  async lockTarget(q: TxQueryable, target: Submission): Promise<void> {
    await q.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, TARGET_LOCK[target]]);
  }

  // ---- the export record ------------------------------------------------------------------------------------

  async insertExport(q: TxQueryable, e: { id: string; kind: ExportKind; target: Submission | null; mode: ExportMode; format: 'csv' | 'pdf'; scope: object; layout: object | null; requestedBy: string; requestedName: string | null }): Promise<void> {
    await q.query(
      `INSERT INTO report_export (id, kind, target, mode, format, scope, layout, requested_by, requested_name, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'complete')`,
      [e.id, e.kind, e.target, e.mode, e.format, JSON.stringify(e.scope), e.layout ? JSON.stringify(e.layout) : null, e.requestedBy, e.requestedName]);
  }

  /** Records a batch of included claims; a claim already sent to the target (not as a correction) makes the insert fail. */
  async addExportClaims(q: TxQueryable, o: { exportId: string; target: Submission | null; correction: boolean; claims: { id: string; correctsExportId: string | null }[] }): Promise<void> {
    if (o.claims.length === 0) return;
    await q.query(
      `INSERT INTO report_export_claim (export_id, claim_id, target, correction, corrects_export_id)
       SELECT $1, x.claim_id, $2, $3 AND x.corrects IS NOT NULL, x.corrects FROM unnest($4::uuid[], $5::uuid[]) AS x(claim_id, corrects)`,
      [o.exportId, o.target, o.correction, o.claims.map((c) => c.id), o.claims.map((c) => c.correctsExportId)]);
  }

  async completeExport(q: TxQueryable, o: { id: string; rowCount: number; claimCount: number; bytes: number; sha256: string }): Promise<void> {
    await q.query('UPDATE report_export SET row_count = $2, claim_count = $3, bytes = $4, file_sha256 = $5, completed_at = now() WHERE id = $1',
      [o.id, o.rowCount, o.claimCount, o.bytes, o.sha256]);
  }

  /** A run that did not produce its file whole: recorded (with no claims) so the attempt can be traced. */
  async recordFailure(e: { id: string; kind: ExportKind; target: Submission | null; mode: ExportMode; format: 'csv' | 'pdf'; scope: object; requestedBy: string; requestedName: string | null; error: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO report_export (id, kind, target, mode, format, scope, requested_by, requested_name, status, error, completed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'failed', $9, now()) ON CONFLICT (id) DO NOTHING`,
      [e.id, e.kind, e.target, e.mode, e.format, JSON.stringify(e.scope), e.requestedBy, e.requestedName, e.error.slice(0, 500)]);
  }

  async exports(o: { scope: Scope; limit: number }): Promise<ExportRecord[]> {
    // A course registrar sees the exports made within that very course scope; a provider admin sees all.
    const [platformId, contextId] = scopeParams(o.scope);
    const r = await this.db.query<ExportRow>(
      `SELECT * FROM report_export WHERE ($1::text IS NULL OR (scope->>'platformId' = $1 AND scope->>'contextId' = $2))
        ORDER BY created_at DESC LIMIT $3`, [platformId, contextId, o.limit]);
    return r.rows.map(toExport);
  }

  async export(id: string): Promise<ExportRecord | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const r = await this.db.query<ExportRow>('SELECT * FROM report_export WHERE id = $1', [id]);
    return r.rows[0] ? toExport(r.rows[0]) : null;
  }

  async exportClaims(id: string, limit: number) {
    const r = await this.db.query<{ claim_id: string; credit_type: string; amount: number; completion_date: string; activity_title: string; sub: string; correction: boolean; corrects_export_id: string | null }>(
      `SELECT x.claim_id, c.credit_type, c.awarded_amount::float8 AS amount, c.completion_date::text AS completion_date, a.title AS activity_title, e.sub,
              x.correction, x.corrects_export_id
         FROM report_export_claim x JOIN credit_claim c ON c.id = x.claim_id JOIN enrollment e ON e.id = c.enrollment_id
         JOIN activity a ON a.id = e.activity_id WHERE x.export_id = $1 ORDER BY c.completion_date, x.claim_id LIMIT $2`, [id, limit]);
    return r.rows;
  }
}
