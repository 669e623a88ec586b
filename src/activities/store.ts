/** SQL of the activities feature: activities, their people, designations, MOC registrations, statements, placements. */
import crypto from 'node:crypto';
import type { Db, Queryable } from '../db';
import { ConflictError } from '../errors';
import { sameQuestions } from './model';
import type {
  Activity, CommercialSupport, Content, Designation, LearningFormat, MocRegistration, Person, StatementKind, StatementText,
} from './model';
import type { DetailsInput } from './forms';
import type { DesignationInput, MocInput, RequirementsInput } from './credit-forms';

type ActivityRow = {
  id: string; platform_id: string; context_id: string; title: string; description: string; learning_format: LearningFormat;
  start_date: string | null; end_date: string | null; release_date: string | null; last_review_date: string | null; termination_date: string | null;
  objectives: string[]; expected_results: Activity['expectedResults']; commercial_support: CommercialSupport[]; content: Content;
  pass_mark_pct: number | null; posttest: Activity['posttest']; pretest: boolean; requires_evaluation: boolean; evaluation_questions: Activity['evaluationQuestions'];
  min_minutes: number; status: Activity['status']; published_at: Date | null; learner_started_at: Date | null;
  created_by: string; created_at: Date; updated_at: Date;
};

// Dates as text: a `date` column must not travel through a JS Date (time zones would shift it by a day).
const SELECT = `SELECT id, platform_id, context_id, title, description, learning_format,
  start_date::text, end_date::text, release_date::text, last_review_date::text, termination_date::text,
  objectives, expected_results, commercial_support, content, pass_mark_pct, posttest, pretest, requires_evaluation,
  evaluation_questions, min_minutes, status, published_at, learner_started_at, created_by, created_at, updated_at
  FROM activity`;

const toActivity = (r: ActivityRow): Activity => ({
  id: r.id, platformId: r.platform_id, contextId: r.context_id, title: r.title, description: r.description, learningFormat: r.learning_format,
  startDate: r.start_date, endDate: r.end_date, releaseDate: r.release_date, lastReviewDate: r.last_review_date, terminationDate: r.termination_date,
  objectives: r.objectives, expectedResults: r.expected_results, commercialSupport: r.commercial_support, content: r.content,
  passMarkPct: r.pass_mark_pct, posttest: r.posttest, pretest: r.pretest, requiresEvaluation: r.requires_evaluation, evaluationQuestions: r.evaluation_questions,
  minMinutes: r.min_minutes, status: r.status, publishedAt: r.published_at, learnerStartedAt: r.learner_started_at,
  createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at, people: [], designations: [], moc: [], statements: [],
});

export class ActivityStore {
  constructor(private readonly db: Db) {}

  async create(input: { platformId: string; contextId: string; title: string; learningFormat: LearningFormat; createdBy: string }): Promise<string> {
    const id = crypto.randomUUID();
    await this.db.query(
      'INSERT INTO activity (id, platform_id, context_id, title, learning_format, created_by) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, input.platformId, input.contextId, input.title, input.learningFormat, input.createdBy]);
    return id;
  }

  async get(id: string, q: Queryable = this.db): Promise<Activity | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = (await q.query<ActivityRow>(`${SELECT} WHERE id = $1`, [id])).rows[0];
    if (!row) return null;
    const a = toActivity(row);
    const [people, designations, moc, statements] = await Promise.all([
      q.query<{ id: string; name: string; credentials: string; role: Person['role']; none_declared: boolean; relationships: Person['relationships']; mitigation: string }>(
        'SELECT id, name, credentials, role, none_declared, relationships, mitigation FROM activity_person WHERE activity_id = $1 ORDER BY position', [id]),
      q.query<{ id: string; credit_type: Designation['creditType']; max_amount: string; acpe_uan: string | null; acpe_activity_type: string | null; acpe_audience: string | null }>(
        'SELECT id, credit_type, max_amount, acpe_uan, acpe_activity_type, acpe_audience FROM activity_designation WHERE activity_id = $1 ORDER BY credit_type, acpe_audience', [id]),
      q.query<{ id: string; board: string; max_points: string; partial_allowed: boolean }>(
        'SELECT id, board, max_points, partial_allowed FROM activity_moc WHERE activity_id = $1 ORDER BY board', [id]),
      q.query<{ kind: StatementKind; version: number; text: string }>(
        `SELECT DISTINCT ON (kind) kind, version, text FROM activity_statement WHERE activity_id = $1 ORDER BY kind, version DESC`, [id]),
    ]);
    a.people = people.rows.map((p) => ({ id: p.id, name: p.name, credentials: p.credentials, role: p.role, noneDeclared: p.none_declared, relationships: p.relationships, mitigation: p.mitigation }));
    a.designations = designations.rows.map((d) => ({
      id: d.id, creditType: d.credit_type, maxAmount: Number(d.max_amount),
      ...(d.credit_type === 'ACPE' && d.acpe_uan ? { acpe: { uan: d.acpe_uan, activityType: d.acpe_activity_type as 'knowledge', audience: d.acpe_audience as 'P' } } : {}),
    }));
    a.moc = moc.rows.map((m): MocRegistration => ({ id: m.id, board: m.board, maxPoints: Number(m.max_points), partialAllowed: m.partial_allowed }));
    a.statements = statements.rows.map((s): StatementText => ({ kind: s.kind, version: s.version, text: s.text }));
    return a;
  }

  async listForContext(platformId: string, contextId: string): Promise<Pick<Activity, 'id' | 'title' | 'learningFormat' | 'status' | 'updatedAt'>[]> {
    const res = await this.db.query<{ id: string; title: string; learning_format: LearningFormat; status: Activity['status']; updated_at: Date }>(
      'SELECT id, title, learning_format, status, updated_at FROM activity WHERE platform_id = $1 AND context_id = $2 ORDER BY created_at DESC LIMIT 500',
      [platformId, contextId]);
    return res.rows.map((r) => ({ id: r.id, title: r.title, learningFormat: r.learning_format, status: r.status, updatedAt: r.updated_at }));
  }

  async updateDetails(id: string, d: DetailsInput): Promise<void> {
    await this.db.query(
      `UPDATE activity SET title = $2, description = $3, learning_format = $4, start_date = $5, end_date = $6, release_date = $7,
         last_review_date = $8, termination_date = $9, objectives = $10, expected_results = $11, updated_at = now() WHERE id = $1`,
      [id, d.title, d.description, d.learningFormat, d.startDate, d.endDate, d.releaseDate, d.lastReviewDate, d.terminationDate,
        JSON.stringify(d.objectives), JSON.stringify(d.expectedResults)]);
  }

  async replaceDisclosures(id: string, people: Omit<Person, 'id'>[], support: CommercialSupport[]): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query('DELETE FROM activity_person WHERE activity_id = $1', [id]);
      for (const [i, p] of people.entries()) {
        await q.query(
          `INSERT INTO activity_person (id, activity_id, position, name, credentials, role, none_declared, relationships, mitigation)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [crypto.randomUUID(), id, i, p.name, p.credentials, p.role, p.noneDeclared, JSON.stringify(p.relationships), p.mitigation]);
      }
      await q.query('UPDATE activity SET commercial_support = $2, updated_at = now() WHERE id = $1', [id, JSON.stringify(support)]);
    });
  }

  /** Replaces designations and MOC registrations unless a learner has started (the row lock orders us against enrollments). */
  async replaceCredit(id: string, designations: DesignationInput[], moc: MocInput[]): Promise<void> {
    await this.db.tx(async (q) => {
      const row = (await q.query<{ learner_started_at: Date | null }>('SELECT learner_started_at FROM activity WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (row?.learner_started_at) throw new ConflictError('Learners have started this activity, so its credit designations are frozen (credit is designated in advance).', 'DESIGNATIONS_FROZEN');
      await q.query('DELETE FROM activity_designation WHERE activity_id = $1', [id]);
      await q.query('DELETE FROM activity_moc WHERE activity_id = $1', [id]);
      for (const d of designations) {
        await q.query(
          `INSERT INTO activity_designation (id, activity_id, credit_type, max_amount, acpe_uan, acpe_activity_type, acpe_audience)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [crypto.randomUUID(), id, d.creditType, d.maxAmount, d.acpe?.uan ?? null, d.acpe?.activityType ?? null, d.acpe?.audience ?? null]);
      }
      for (const m of moc) {
        await q.query('INSERT INTO activity_moc (id, activity_id, board, max_points, partial_allowed) VALUES ($1, $2, $3, $4, $5)',
          [crypto.randomUUID(), id, m.board, m.maxPoints, m.partialAllowed]);
      }
      await q.query('UPDATE activity SET updated_at = now() WHERE id = $1', [id]);
    });
  }

  /**
   * Saves the requirements. Once a learner has started (the row lock orders us against enrollments), the pre-test
   * setting is frozen, and so are the questions of an activity with a pre-test: learners' pre-test answers were
   * given to those questions, and the pre/post comparison is only meaningful on the same ones.
   */
  async updateRequirements(id: string, r: RequirementsInput): Promise<void> {
    await this.db.tx(async (q) => {
      const row = (await q.query<{ learner_started_at: Date | null; pretest: boolean; posttest: Activity['posttest'] }>(
        'SELECT learner_started_at, pretest, posttest FROM activity WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (row?.learner_started_at) {
        if (row.pretest !== r.pretest) {
          throw new ConflictError('Learners have started this activity, so whether it has a pre-test can no longer change.', 'PRETEST_FROZEN');
        }
        if (row.pretest && !sameQuestions(row.posttest, r.posttest)) {
          throw new ConflictError('Learners have started this activity and its pre-test, so its questions are frozen: pre-test and post-test must compare the same questions.', 'PRETEST_QUESTIONS_FROZEN');
        }
      }
      await q.query(
        `UPDATE activity SET pass_mark_pct = $2, min_minutes = $3, requires_evaluation = $4, posttest = $5, evaluation_questions = $6,
           pretest = $7, updated_at = now() WHERE id = $1`,
        [id, r.passMarkPct, r.minMinutes, r.requiresEvaluation, JSON.stringify(r.posttest), JSON.stringify(r.evaluationQuestions), r.pretest]);
    });
  }

  async updateContent(id: string, content: Content): Promise<void> {
    await this.db.query('UPDATE activity SET content = $2, updated_at = now() WHERE id = $1', [id, JSON.stringify(content)]);
  }

  /** A new version of each statement whose text changed; unchanged ones keep their version. */
  async saveStatements(id: string, texts: Partial<Record<StatementKind, string>>, by: string): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query('SELECT 1 FROM activity WHERE id = $1 FOR UPDATE', [id]);
      for (const [kind, text] of Object.entries(texts)) {
        const cur = (await q.query<{ version: number; text: string }>(
          'SELECT version, text FROM activity_statement WHERE activity_id = $1 AND kind = $2 ORDER BY version DESC LIMIT 1', [id, kind])).rows[0];
        if ((cur?.text ?? '') === text) continue;
        await q.query('INSERT INTO activity_statement (activity_id, kind, version, text, created_by) VALUES ($1, $2, $3, $4, $5)',
          [id, kind, (cur?.version ?? 0) + 1, text, by]);
      }
      await q.query('UPDATE activity SET updated_at = now() WHERE id = $1', [id]);
    });
  }

  async setStatus(id: string, status: Activity['status']): Promise<void> {
    await this.db.query(
      `UPDATE activity SET status = $2, published_at = CASE WHEN $2 = 'published' THEN COALESCE(published_at, now()) ELSE published_at END,
         updated_at = now() WHERE id = $1`, [id, status]);
  }

  /** Freezes the designations: called in the transaction that creates an activity's first enrollment. */
  async markLearnerStarted(q: Queryable, id: string): Promise<void> {
    await q.query('UPDATE activity SET learner_started_at = now() WHERE id = $1 AND learner_started_at IS NULL', [id]);
  }

  async activityForResourceLink(platformId: string, resourceLinkId: string): Promise<string | null> {
    const res = await this.db.query<{ activity_id: string }>(
      'SELECT activity_id FROM resource_link_activity WHERE platform_id = $1 AND resource_link_id = $2', [platformId, resourceLinkId]);
    return res.rows[0]?.activity_id ?? null;
  }

  /** Records which activity a resource link opens, at its first launch: the fallback for launches that arrive without custom.activity_id. */
  async linkResource(input: { platformId: string; resourceLinkId: string; deploymentId: string; contextId?: string; activityId: string }): Promise<string> {
    await this.db.query(
      `INSERT INTO resource_link_activity (platform_id, resource_link_id, deployment_id, context_id, activity_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (platform_id, resource_link_id) DO NOTHING`,
      [input.platformId, input.resourceLinkId, input.deploymentId, input.contextId ?? null, input.activityId]);
    return (await this.activityForResourceLink(input.platformId, input.resourceLinkId))!;
  }
}
