/**
 * The learner's path, step by step. Every state comes from the session's launch (platform + sub + resource link),
 * so a learner can only ever reach their own enrollment. Each step writes its evidence, its xAPI statements and
 * the next step in one transaction, after re-reading the step under a row lock (a double submit cannot count twice).
 */
import crypto from 'node:crypto';
import type { Activity, ActivityService } from '../activities';
import type { Queryable } from '../db';
import { ConflictError, NotFoundError } from '../errors';
import type { LaunchContext } from '../lti';
import { previewClaim } from './credit';
import type { ProfileInput } from './forms';
import { DEFAULT_ATTESTATION, STEP_LABELS, type ClaimPreview, type Enrollment, type EvaluationAnswers, type Profile, type Step } from './model';
import type { PiiCipher } from './pii';
import { creditWindowClosed, heartbeatCredit, nextStep, normaliseStep, scoreAnswers, scorePosttest, stepsFor, TIMED_STEPS, type AnswersScore, type PosttestResult } from './rules';
import type { StatementSink } from './sink';
import * as xapi from './statements';
import type { LearningStore } from './store';

export interface PathState {
  launch: LaunchContext;
  activity: Activity;
  profile: Profile | null;
  enrollment: Enrollment;
  steps: Step[];
  step: Step;
}

/**
 * Called inside the claim's transaction when credit is awarded, so whatever it owes (the LMS score, the certificate)
 * exists exactly when the award does.
 */
export type AwardHook = (q: Queryable, award: {
  launch: LaunchContext; activity: Activity; enrollmentId: string; awarded: string[]; bestScoreScaled: number | null; completionDate: string;
}) => Promise<void>;

export interface LearningOptions {
  onAward?: AwardHook;
  store: LearningStore;
  activities: ActivityService;
  sink: StatementSink;
  cipher: PiiCipher;
  publicUrl: string;
  heartbeatCapSeconds: number;
}

export class LearningService {
  constructor(private readonly o: LearningOptions) {}

  async profile(launch: LaunchContext): Promise<Profile | null> {
    const p = await this.o.store.profile(launch.platform.id, launch.user.sub);
    if (!p) return null;
    const owner = { platformId: launch.platform.id, sub: launch.user.sub };
    return { ...owner, profession: p.profession, degree: p.degree, boardIds: p.boardIds, stateLicenses: p.stateLicenses, parsConsent: p.parsConsent,
      protectedIds: p.protectedValue ? this.readProtected(p.protectedValue, owner) : null };
  }

  /** A value that does not decrypt (another secret, another learner's row) counts as absent: the learner types it again. */
  private readProtected(value: string, owner: { platformId: string; sub: string }) {
    try {
      return this.o.cipher.decrypt(value, owner);
    } catch {
      return null;
    }
  }

  async saveProfile(launch: LaunchContext, input: ProfileInput): Promise<void> {
    const owner = { platformId: launch.platform.id, sub: launch.user.sub };
    await this.o.store.saveProfile({ ...owner, ...input, protectedValue: input.protectedIds ? this.o.cipher.encrypt(input.protectedIds, owner) : null });
  }

  /** The activity of this launch, or null when the link was never placed with Accrue. */
  activityOf(launch: LaunchContext): Promise<Activity | null> {
    return this.o.activities.forLaunch(launch);
  }

  /**
   * Opens the path for a launch: enrolls the learner at the first visit (which freezes the activity's designations)
   * and records one "launched" per launch session.
   */
  async enter(launch: LaunchContext, activity: Activity, sessionId: string): Promise<PathState> {
    const steps = stepsFor(activity);
    const existing = await this.o.store.enrollment(activity.id, launch.platform.id, launch.user.sub);
    if (!existing || !(await this.o.store.launchRecorded(existing.id, sessionId))) {
      await this.o.store.tx(async (q) => {
        const { enrollment } = await this.o.store.enroll(q, {
          activityId: activity.id, platformId: launch.platform.id, sub: launch.user.sub, contextId: launch.context?.id,
          contextTitle: launch.context?.title, resourceLinkId: launch.resourceLink?.id, step: steps[0]!,
        });
        await this.o.activities.markLearnerStarted(q, activity.id);
        await this.record(q, { launch, activity, enrollment }, 'launch', [xapi.launched], { detail: { session: sessionId } });
      });
    }
    return this.state(launch, activity);
  }

  /** Where this learner stands in this activity; 404 before their first visit (the landing page enrolls). */
  async state(launch: LaunchContext, activity?: Activity): Promise<PathState> {
    const a = activity ?? (await this.activityOf(launch));
    if (!a || a.status !== 'published') throw new NotFoundError('This link has no activity open for learners. Launch it again from your course.', 'NO_ACTIVITY');
    const enrollment = await this.o.store.enrollment(a.id, launch.platform.id, launch.user.sub);
    if (!enrollment) throw new NotFoundError('Open this activity from your course first.', 'NOT_ENROLLED');
    const steps = stepsFor(a);
    return { launch, activity: a, profile: await this.profile(launch), enrollment, steps, step: normaliseStep(steps, enrollment.step) };
  }

  private ctx(s: Pick<PathState, 'launch' | 'activity' | 'enrollment'>, now: Date): xapi.StatementContext {
    return {
      publicUrl: this.o.publicUrl, platform: { id: s.launch.platform.id, issuer: s.launch.platform.issuer },
      learner: { sub: s.launch.user.sub, name: s.launch.user.name }, activity: { id: s.activity.id, title: s.activity.title },
      registration: s.enrollment.registration, course: { id: s.enrollment.contextId, title: s.enrollment.contextTitle },
      timestamp: now, newId: () => crypto.randomUUID(),
    };
  }

  /** Writes one piece of evidence with its statements (same transaction); returns the statements. */
  private async record(
    q: Queryable, s: Pick<PathState, 'launch' | 'activity' | 'enrollment'>, kind: Parameters<LearningStore['addEvidence']>[1]['kind'],
    build: ((c: xapi.StatementContext) => object)[], extra: { durationSeconds?: number; scoreScaled?: number; success?: boolean; detail?: Record<string, unknown> } = {},
  ): Promise<object[]> {
    const c = this.ctx(s, new Date());
    const statements = build.map((b) => b(c));
    await this.o.sink.store(q, statements);
    await this.o.store.addEvidence(q, { enrollmentId: s.enrollment.id, kind, ...extra, statementIds: statements.map((x) => String((x as { id: string }).id)), recordedBy: 'learner' });
    return statements;
  }

  /** Locks the enrollment and checks it is still at `step` (409 otherwise: the page was stale or the post repeated). */
  private async atStep(q: Queryable, s: PathState, step: Step): Promise<void> {
    const locked = await this.o.store.enrollment(s.activity.id, s.launch.platform.id, s.launch.user.sub, q, { lock: true });
    const current = normaliseStep(s.steps, locked!.step);
    if (current !== step) throw new ConflictError(`This step is not open now; continue with “${STEP_LABELS[current]}”.`, 'STEP_NOT_OPEN');
  }

  private advance(q: Queryable, s: PathState, from: Step): Promise<void> {
    return this.o.store.setStep(q, s.enrollment.id, nextStep(s.steps, from));
  }

  async acknowledgeDisclosures(s: PathState): Promise<void> {
    await this.o.store.tx(async (q) => {
      await this.atStep(q, s, 'disclosures');
      await this.record(q, s, 'disclosure_viewed', [xapi.acknowledgedDisclosures], { detail: { people: s.activity.people.length } });
      await this.advance(q, s, 'disclosures');
    });
  }

  /**
   * The pre-test, taken once (the step lock refuses a second submit): scored for the outcomes report, never graded for
   * passing and never a condition of credit; the path moves on to the content whatever the score.
   */
  async submitPretest(s: PathState, answers: Record<string, number>): Promise<AnswersScore> {
    return this.o.store.tx(async (q) => {
      await this.atStep(q, s, 'pretest');
      const score = scoreAnswers(s.activity.posttest, answers);
      const questions = new Map(s.activity.posttest.map((x) => [x.id, x]));
      await this.record(q, s, 'pretest', [
        ...score.perQuestion.map((pq) => (c: xapi.StatementContext) => xapi.answered(c, { ...pq, options: questions.get(pq.id)!.options, pretest: true })),
        (c) => xapi.pretestAttempted(c, score),
      ], { scoreScaled: score.scaled, detail: { answers, correct: score.correct, total: score.total } });
      await this.advance(q, s, 'pretest');
      return score;
    });
  }

  /** One page-visible heartbeat (or a pause when the page is hidden); returns the measured seconds so far. */
  async heartbeat(s: PathState, options: { pause: boolean }): Promise<number> {
    if (!TIMED_STEPS.includes(s.step)) return s.enrollment.measuredSeconds;
    return this.o.store.tx(async (q) => {
      const cur = await this.o.store.lockForHeartbeat(q, s.enrollment.id);
      const now = new Date();
      const add = heartbeatCredit({ last: cur.lastHeartbeatAt, now, capSeconds: this.o.heartbeatCapSeconds });
      return this.o.store.recordHeartbeat(q, s.enrollment.id, { addSeconds: add, at: options.pause ? null : now });
    });
  }

  /** Ends the content step; refused (409) while the measured time is below the activity's minimum. */
  async finishContent(s: PathState): Promise<void> {
    await this.o.store.tx(async (q) => {
      await this.atStep(q, s, 'content');
      const { measuredSeconds } = await this.o.store.lockForHeartbeat(q, s.enrollment.id);
      if (measuredSeconds < s.activity.minMinutes * 60) {
        throw new ConflictError(`This activity asks for at least ${s.activity.minMinutes} minutes on the content; Accrue has recorded ${Math.floor(measuredSeconds / 60)} so far. Keep this page open while you work.`, 'MINIMUM_TIME_NOT_MET');
      }
      await this.record(q, s, 'time_on_task', [(c) => xapi.experienced(c, measuredSeconds)], { durationSeconds: measuredSeconds });
      await this.advance(q, s, 'content');
    });
  }

  async submitPosttest(s: PathState, answers: Record<string, number>): Promise<PosttestResult & { attempt: number }> {
    return this.o.store.tx(async (q) => {
      await this.atStep(q, s, 'posttest');
      const attempt = (await this.o.store.evidence(s.enrollment.id, 'posttest', q)).length + 1;
      const passMarkPct = s.activity.passMarkPct ?? 100;
      const result = scorePosttest(s.activity.posttest, answers, passMarkPct);
      const questions = new Map(s.activity.posttest.map((x) => [x.id, x]));
      await this.record(q, s, 'posttest', [
        ...result.perQuestion.map((pq) => (c: xapi.StatementContext) => xapi.answered(c, { ...pq, options: questions.get(pq.id)!.options })),
        (c) => xapi.posttestResult(c, { ...result, attempt, passMarkPct }),
      ], { scoreScaled: result.scaled, success: result.passed, detail: { attempt, answers, passMarkPct } });
      if (result.passed) await this.advance(q, s, 'posttest');
      return { ...result, attempt };
    });
  }

  async submitEvaluation(s: PathState, answers: EvaluationAnswers): Promise<void> {
    await this.o.store.tx(async (q) => {
      await this.atStep(q, s, 'evaluation');
      await this.record(q, s, 'evaluation', [xapi.evaluationCompleted], { detail: { answers } });
      await this.advance(q, s, 'evaluation');
    });
  }

  attestationText(a: Activity): { version: string; text: string } {
    const office = a.statements.find((x) => x.kind === 'attestation' && x.text.trim());
    return office ? { version: `office-${office.version}`, text: office.text } : DEFAULT_ATTESTATION;
  }

  async attest(s: PathState, minutes: number): Promise<void> {
    const wording = this.attestationText(s.activity);
    await this.o.store.tx(async (q) => {
      await this.atStep(q, s, 'attestation');
      await this.record(q, s, 'attestation', [(c) => xapi.attested(c, { minutes, textVersion: wording.version })], {
        durationSeconds: minutes * 60, detail: { minutes, textVersion: wording.version, text: wording.text },
      });
      await this.advance(q, s, 'attestation');
    });
  }

  /** What the learner would receive now: the very computation the claim writes. Needs the profile and an attestation. */
  async preview(s: PathState, q?: Queryable): Promise<ClaimPreview & { attestedMinutes: number; textVersion: string; attestedAt: Date; bestScoreScaled: number | null }> {
    if (!s.profile) throw new ConflictError('Fill in your profile first: credit depends on your profession.', 'NO_PROFILE');
    const evidence = await this.o.store.evidence(s.enrollment.id, undefined, q);
    const attestation = [...evidence].reverse().find((e) => e.kind === 'attestation');
    if (!attestation) throw new ConflictError('Attest your time before claiming credit.', 'NOT_ATTESTED');
    const scores = evidence.filter((e) => e.kind === 'posttest' && e.scoreScaled !== null).map((e) => e.scoreScaled!);
    const measured = evidence.filter((e) => e.kind === 'time_on_task').reduce((m, e) => Math.max(m, e.durationSeconds ?? 0), 0);
    const attestedMinutes = Number(attestation.detail.minutes);
    const closed = creditWindowClosed(s.activity, new Date().toISOString().slice(0, 10));
    const computed = previewClaim({
      activity: s.activity, profession: s.profile.profession, boards: s.profile.boardIds.map((b) => b.board),
      measuredSeconds: Math.max(measured, s.enrollment.measuredSeconds), bestScoreScaled: scores.length ? Math.max(...scores) : null,
      evaluationDone: evidence.some((e) => e.kind === 'evaluation'), attestedMinutes,
    });
    const outcome = closed ? { ...computed, eligible: false, reasons: [closed], awards: [], moc: [] } : computed;
    return { ...outcome, attestedMinutes, textVersion: String(attestation.detail.textVersion), attestedAt: attestation.occurredAt,
      bestScoreScaled: scores.length ? Math.max(...scores) : null };
  }

  /**
   * Submits the claim: one credit_claim row per award (and per MOC board), the claim evidence and the "earned"
   * statements, in one transaction. A second submit finds the step done and writes nothing; the unique
   * (enrollment, credit type) constraint holds even against two submits racing.
   */
  async claim(s: PathState): Promise<{ awarded: string[] }> {
    return this.o.store.tx(async (q) => {
      const locked = await this.o.store.enrollment(s.activity.id, s.launch.platform.id, s.launch.user.sub, q, { lock: true });
      if (normaliseStep(s.steps, locked!.step) === 'done') return { awarded: [] };
      await this.atStep(q, s, 'claim');
      const p = await this.preview({ ...s, enrollment: locked! }, q);
      if (!p.eligible) throw new ConflictError(`No credit can be awarded: ${p.reasons.join(' ')}`, 'NOT_ELIGIBLE');
      const today = new Date().toISOString().slice(0, 10);
      const base = { claimedMinutes: p.claimableMinutes, attestedTextVersion: p.textVersion, attestedAt: p.attestedAt, ruleVersion: p.ruleVersion, completionDate: today };
      const rows = [
        ...p.awards.map((a) => ({ ...base, creditType: a.creditType, computedAmount: a.amount, awardedAmount: a.amount, unit: a.unit })),
        ...p.moc.map((m) => ({ ...base, creditType: `MOC_${m.board}`, computedAmount: m.points, awardedAmount: m.points, unit: 'moc-point' })),
      ];
      const awarded = await this.o.store.insertClaims(q, s.enrollment.id, rows);
      const earned = rows.filter((r) => awarded.includes(r.creditType));
      await this.record(q, s, 'claim', earned.map((r) => (c: xapi.StatementContext) => xapi.earned(c, { creditType: r.creditType, amount: r.awardedAmount, unit: r.unit })), {
        detail: { awarded, ruleVersion: p.ruleVersion },
      });
      await this.o.store.setStep(q, s.enrollment.id, 'done');
      if (awarded.length > 0 && this.o.onAward) {
        await this.o.onAward(q, { launch: s.launch, activity: s.activity, enrollmentId: s.enrollment.id, awarded, bestScoreScaled: p.bestScoreScaled, completionDate: today });
      }
      return { awarded };
    });
  }

  claims(enrollmentId: string) {
    return this.o.store.claims(enrollmentId);
  }

  /** An enrollment by id, only for its own learner (anyone else gets 404: ids of others are not revealed). */
  async ownEnrollment(launch: LaunchContext, id: string): Promise<Enrollment> {
    const e = await this.o.store.enrollmentById(id);
    if (!e || e.platformId !== launch.platform.id || e.sub !== launch.user.sub) throw new NotFoundError('There is no such record of yours.', 'ENROLLMENT_NOT_FOUND');
    return e;
  }
}
