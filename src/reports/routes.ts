/**
 * Registrar pages (/reports...): activities in scope, each activity's roster (synchronised with the LMS by NRPS) and
 * outcomes, learners' transcripts, and the PARS / CPE Monitor exports with their deadlines. Course instructors and
 * administrators see their course; provider administrators (configuration) see everything. The learner's own
 * transcript is /reports/me. Files stream (files.ts); pages poll /reports/progress/:id while a file downloads.
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { hasPretest } from '../activities/model';
import { ValidationError } from '../errors';
import type { AppRole, LaunchContext } from '../lti';
import type { ViewEngine } from '../web/views';
import { csvRecord } from './csv';
import { deadlinesFor, todayIso } from './deadlines';
import type { Exporter } from './exporter';
import { streamDownload } from './files';
import { creditLabel, formatLabel, stepLabel, unitLabel } from './labels';
import { SUBMISSION_LABELS, type Requester, type Submission } from './model';
import { outcomeRecords, outcomeSections } from './outcomes';
import { ProgressBoard } from './progress';
import { learnerKey, parseLearnerKey, type LearnerRef, type Scope } from './scope';
import type { ReportService } from './service';
import type { TranscriptFilter } from './store';

export interface ReportRouteOptions {
  service: ReportService;
  exporter: Exporter;
  views: ViewEngine;
  requireSession: (roles?: AppRole[]) => RequestHandler;
  requireToken?: () => RequestHandler;
}

const TARGETS: Record<string, Submission> = { pars: 'PARS_LEARNER', cpe: 'CPE_MONITOR' };
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** An optional YYYY-MM-DD query value; anything else is the client's mistake (400). */
function dateParam(v: unknown, name: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !ISO_DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
    throw new ValidationError(`"${name}" must be a date written YYYY-MM-DD.`, undefined, 'INVALID_DATE');
  }
  return v;
}

const requesterOf = (launch: LaunchContext): Requester => ({ id: `lti:${launch.platform.issuer}|${launch.user.sub}`, name: launch.user.name ?? null });
const ownerOf = (launch: LaunchContext) => `${launch.platform.id}\n${launch.user.sub}`;
const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '');

export function reportRouter(o: ReportRouteOptions): Router {
  const r = Router();
  const board = new ProgressBoard();
  const anyone = o.requireSession();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });

  const render = (res: Response, view: string, title: string, locals: Record<string, unknown> = {}) => {
    res.type('html').send(o.views.render(view, { title, heading: title, launch: res.locals.launch, s: res.locals.sessionToken, ...locals }));
  };
  const scope = (res: Response): Scope => o.service.scope(res.locals.launch!);
  const launch = (res: Response) => res.locals.launch!;

  r.get('/reports', anyone, async (_req, res) => {
    const s = scope(res);
    const activities = await o.service.activities(s);
    render(res, 'reports/home', 'Reports', { provider: s.kind === 'provider', activities: activities.map((a) => ({ ...a, format: formatLabel(a.learning_format) })) });
  });

  r.get('/reports/activities/:id', anyone, async (req, res) => {
    const a = await o.service.activity(scope(res), String(req.params.id));
    const sync = await o.service.syncRoster(a, launch(res), { force: false });
    const roster = await o.service.roster(a);
    render(res, 'reports/roster', `Roster: ${a.title}`, {
      activity: a, syncedAt: when(sync.syncedAt), syncError: sync.error, hasPretest: hasPretest(a), hasPosttest: a.posttest.length > 0, hasEvaluation: a.requiresEvaluation,
      counts: { total: roster.length, launched: roster.filter((x) => x.launched).length, claimed: roster.filter((x) => x.claimed).length },
      roster: roster.map((x) => ({
        ...x, key: learnerKey(x), notLaunched: !x.launched, registeredAt: when(x.registeredAt),
        best: x.posttest.best === null ? '' : `${Math.round(x.posttest.best * 100)}%`,
        pretestScore: x.pretest === null ? null : `${Math.round(x.pretest * 100)}%`,
        credits: x.claims.map((c) => `${c.amount.toFixed(2)} ${creditLabel(c.creditType)}`).join('; '),
      })),
    });
  });

  r.post('/reports/activities/:id/sync', form, anyone, async (req, res) => {
    const a = await o.service.activity(scope(res), String(req.params.id));
    await o.service.syncRoster(a, launch(res), { force: true });
    res.redirect(303, `/reports/activities/${a.id}?s=${encodeURIComponent(res.locals.sessionToken!)}`);
  });

  r.get('/reports/activities/:id/roster.csv', anyone, async (req, res) => {
    const a = await o.service.activity(scope(res), String(req.params.id));
    const roster = await o.service.roster(a);
    let out = csvRecord(['Learner', 'Learner ID', 'In LMS course', 'Launched', 'Step', 'Minutes', 'Disclosures', 'Content', 'Post-test attempts', 'Post-test best', 'Post-test passed', 'Evaluation', 'Claimed', 'Credits', 'Pre-test score']);
    for (const x of roster) {
      out += csvRecord([x.name, x.sub, x.lmsStatus ?? '', x.launched ? 'yes' : 'no', x.step ? stepLabel(x.step) : '', x.minutes, x.disclosures ? 'yes' : 'no', x.content ? 'yes' : 'no',
        x.posttest.attempts, x.posttest.best ?? '', x.posttest.passed ? 'yes' : 'no', x.evaluation ? 'yes' : 'no', x.claimed ? 'yes' : 'no',
        x.claims.map((c) => `${c.creditType} ${c.amount}`).join('; '), x.pretest ?? '']);
    }
    res.type('text/csv').attachment(`roster-${a.id}.csv`).send(out);
  });

  r.get('/reports/activities/:id/outcomes', anyone, async (req, res) => {
    const a = await o.service.activity(scope(res), String(req.params.id));
    const facts = await o.service.outcomes(a);
    render(res, 'reports/outcomes', `Outcomes: ${a.title}`, { activity: a, ...outcomeSections(facts), evaluation: facts.evaluation });
  });

  r.get('/reports/activities/:id/outcomes.csv', anyone, async (req, res) => {
    const a = await o.service.activity(scope(res), String(req.params.id));
    res.type('text/csv').attachment(`outcomes-${a.id}.csv`).send(outcomeRecords(await o.service.outcomes(a)).map((x) => csvRecord(x)).join(''));
  });

  r.get('/reports/activities/:id/transcript.csv', anyone, async (req, res) => {
    const a = await o.service.activity(scope(res), String(req.params.id));
    const filter: TranscriptFilter = { scope: scope(res), activityId: a.id, from: dateParam(req.query.from, 'from'), to: dateParam(req.query.to, 'to') };
    await streamDownload({
      res, filename: `transcript-activity-${a.id}.csv`, contentType: 'text/csv; charset=utf-8', board, owner: ownerOf(launch(res)), progressId: req.query.progress,
      run: ({ id, sink, progress }) => o.exporter.transcriptCsv({ id, kind: 'transcript_activity', filter, requester: requesterOf(launch(res)), sink, progress }),
    });
  });

  // ---- transcripts of one learner: the registrar's view (/reports/learners/:key) and the learner's own (/reports/me)

  const transcriptPage = async (req: Request, res: Response, o2: { learner: LearnerRef; scope: Scope; base: string; self: boolean }) => {
    const from = dateParam(req.query.from, 'from');
    const to = dateParam(req.query.to, 'to');
    const filter: TranscriptFilter = { scope: o2.scope, learner: o2.learner, from, to };
    const [person, { totals, rows }] = await Promise.all([o.service.person(o2.learner), o.service.transcript(filter, 2000)]);
    const query = new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) }).toString();
    render(res, 'reports/transcript', o2.self ? 'Your transcript' : `Transcript: ${person.name ?? o2.learner.sub}`, {
      base: o2.base, from, to, query: query ? `&${query}` : '', self: o2.self,
      totals: totals.map((t) => ({ ...t, label: creditLabel(t.creditType), unitLabel: unitLabel(t.unit), amount: t.amount.toFixed(2) })),
      rows: rows.map((x) => ({ date: x.completion_date, activity: x.activity_title, format: formatLabel(x.learning_format), credit: creditLabel(x.credit_type), amount: x.amount.toFixed(2), unit: unitLabel(x.unit) })),
    });
  };

  const transcriptFile = async (req: Request, res: Response, o2: { learner: LearnerRef; scope: Scope; format: 'csv' | 'pdf' }) => {
    const filter: TranscriptFilter = { scope: o2.scope, learner: o2.learner, from: dateParam(req.query.from, 'from'), to: dateParam(req.query.to, 'to') };
    const requester = requesterOf(launch(res));
    await streamDownload({
      res, filename: `transcript.${o2.format}`, contentType: o2.format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8', board, owner: ownerOf(launch(res)), progressId: req.query.progress,
      run: ({ id, sink, progress }) => (o2.format === 'pdf'
        ? o.exporter.transcriptPdf({ id, learner: o2.learner, filter, requester, sink })
        : o.exporter.transcriptCsv({ id, kind: 'transcript_learner', filter, requester, sink, progress })),
    });
  };

  const registrarLearner = async (req: Request, res: Response) => ({ scope: scope(res), learner: await o.service.learner(scope(res), parseLearnerKey(req.params.key)) });
  r.get('/reports/learners/:key', anyone, async (req, res) => {
    const x = await registrarLearner(req, res);
    await transcriptPage(req, res, { ...x, base: `/reports/learners/${learnerKey(x.learner)}`, self: false });
  });
  r.get('/reports/learners/:key/transcript.csv', anyone, async (req, res) => transcriptFile(req, res, { ...(await registrarLearner(req, res)), format: 'csv' }));
  r.get('/reports/learners/:key/transcript.pdf', anyone, async (req, res) => transcriptFile(req, res, { ...(await registrarLearner(req, res)), format: 'pdf' }));

  // The learner's own records: identity from the session only, every activity of theirs.
  const self = (res: Response) => ({ scope: { kind: 'provider' } as Scope, learner: { platformId: launch(res).platform.id, sub: launch(res).user.sub } });
  r.get('/reports/me', anyone, async (req, res) => transcriptPage(req, res, { ...self(res), base: '/reports/me', self: true }));
  r.get('/reports/me/transcript.csv', anyone, async (req, res) => transcriptFile(req, res, { ...self(res), format: 'csv' }));
  r.get('/reports/me/transcript.pdf', anyone, async (req, res) => transcriptFile(req, res, { ...self(res), format: 'pdf' }));

  // ---- PARS and CPE Monitor

  r.get('/reports/exports', anyone, async (_req, res) => {
    const s = scope(res);
    const today = todayIso();
    const [pars, cpe, exports] = await Promise.all([
      o.exporter.problems('PARS_LEARNER', s, { limit: 200, today }), o.exporter.problems('CPE_MONITOR', s, { limit: 200, today }), o.service.exports(s, 100),
    ]);
    const problems = (p: typeof pars) => ({ total: p.total, rows: p.rows.map((x) => ({ ...x, credit: creditLabel(x.creditType), problem: x.problems.join('; '), closes: x.flags.closes, daysLeft: x.flags.daysLeft, urgency: x.flags.urgency, next: x.flags.deadlines.filter((d) => !d.passed).map((d) => `${d.label}: ${d.date}`).join('; ') })) });
    render(res, 'reports/exports', 'PARS and CPE Monitor', {
      pars: problems(pars), cpe: problems(cpe), today, cpeDeadline: deadlinesFor('CPE_MONITOR', today, today).closes,
      exports: exports.map((e) => ({ ...e, created: when(e.createdAt), target: e.target ? SUBMISSION_LABELS[e.target] : e.kind })),
    });
  });

  r.post('/reports/exports/:target', form, anyone, async (req, res) => {
    const target = TARGETS[String(req.params.target)];
    if (!target) throw new ValidationError('Unknown export target; use pars or cpe.', undefined, 'UNKNOWN_TARGET');
    const body = req.body as Record<string, unknown>;
    const mode = body.mode === 'correction' ? 'correction' : body.mode === undefined || body.mode === 'new' ? 'new' : null;
    if (!mode) throw new ValidationError('mode must be "new" or "correction".', undefined, 'INVALID_MODE');
    const s = scope(res);
    const activityId = typeof body.activityId === 'string' && body.activityId ? (await o.service.activity(s, body.activityId)).id : undefined;
    const filter = { scope: s, activityId, includeReported: mode === 'correction' };
    const layout = o.exporter.layout(target === 'PARS_LEARNER' ? 'pars_learner' : 'cpe_monitor');
    const total = await o.exporter.candidates(target, filter);
    await streamDownload({
      res, filename: `${target === 'PARS_LEARNER' ? 'pars-learners' : 'cpe-monitor'}-${todayIso()}.${layout.fileExtension}`,
      contentType: `${layout.delimiter === '\t' ? 'text/tab-separated-values' : 'text/csv'}; charset=utf-8`, board, owner: ownerOf(launch(res)), progressId: body.progress,
      run: ({ id, sink, progress }) => o.exporter.submission({ id, target, filter, requester: requesterOf(launch(res)), sink, progress, layout, total }),
    });
  });

  r.get('/reports/exports/:id', anyone, async (req, res) => {
    const { export: e, claims } = await o.service.export(scope(res), String(req.params.id));
    render(res, 'reports/export', `Export ${e.id}`, { e: { ...e, created: when(e.createdAt), completed: when(e.completedAt) }, claims: claims.map((c) => ({ ...c, credit: creditLabel(c.credit_type) })) });
  });

  // The poll reads only this process's memory and checks only the token (no database read): on embedded PGlite the
  // single connection is the export's until its last row, and a poll queued behind it showed progress only at the end.
  r.get('/reports/progress/:id', o.requireToken?.() ?? anyone, (req, res) => {
    const who = res.locals.tokenUser ?? { platformId: launch(res).platform.id, sub: launch(res).user.sub };
    const state = ProgressBoard.validId(req.params.id) ? board.get(`${who.platformId}\n${who.sub}`, String(req.params.id)) : null;
    res.json(state ?? { status: 'unknown', done: 0, total: 0 });
  });

  return r;
}
