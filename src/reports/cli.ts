/**
 * CLI: `npm run accrue -- export <command>` for scheduled jobs. The CLI works with the whole provider's records
 * (whoever runs it can read the database); every file it writes is recorded like one downloaded from the pages,
 * requested by `cli:<--user or the OS user>`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { CliUsageError, type CliCommand, type CliContext } from '../cli/types';
import { csvRecord } from './csv';
import { createExporterFor, outcomesFor } from './cli-support';
import { SUBMISSION_LABELS, type Submission } from './model';
import { outcomeRecords } from './outcomes';
import { progressReporter } from './progress-bar';
import type { Scope } from './scope';
import { fileSink } from './sink';
import { ReportStore } from './store';

const PROVIDER: Scope = { kind: 'provider' };
const TARGET: Record<string, Submission> = { pars: 'PARS_LEARNER', cpe: 'CPE_MONITOR' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const flag = (ctx: CliContext, name: string): string | undefined => {
  const v = ctx.flags[name];
  if (v === true) throw new CliUsageError(`--${name} needs a value`);
  return v;
};
const requester = (ctx: CliContext) => ({ id: `cli:${flag(ctx, 'user') ?? safeUser()}`, name: flag(ctx, 'user') ?? null });
function safeUser() {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
const outFile = (ctx: CliContext) => {
  const out = flag(ctx, 'out');
  if (!out) throw new CliUsageError('--out FILE is required');
  return out;
};
const activityFlag = (ctx: CliContext) => {
  const a = flag(ctx, 'activity');
  if (a !== undefined && !UUID.test(a)) throw new CliUsageError('--activity must be an activity id (a UUID)');
  return a;
};
const dateFlag = (ctx: CliContext, name: string) => {
  const v = flag(ctx, name);
  if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new CliUsageError(`--${name} must be a date written YYYY-MM-DD`);
  return v;
};

/** Writes one export to --out (a temporary name until complete) with the progress bar on stderr. */
async function toFile(ctx: CliContext, run: (o: { id: string; sink: ReturnType<typeof fileSink>['sink']; progress: (p: { done: number; total: number }) => void }) => Promise<{ id: string; rowCount: number; sha256: string; bytes: number }>) {
  const out = outFile(ctx);
  const file = fileSink(out);
  const tty = !!process.stderr.isTTY && ctx.flags.progress !== 'plain';
  const reporter = progressReporter({ tty, write: (s) => process.stderr.write(s), line: (s) => ctx.io.err(s) });
  try {
    const r = await run({ id: crypto.randomUUID(), sink: file.sink, progress: (p) => reporter.update(p) });
    reporter.done();
    await file.finish();
    ctx.io.out(`export ${r.id}: ${r.rowCount} rows, ${r.bytes} bytes, sha256 ${r.sha256} -> ${out}`);
    return 0;
  } catch (err) {
    reporter.done();
    await file.abort();
    throw err;
  }
}

const submission = (name: 'pars' | 'cpe'): CliCommand => ({
  group: 'export', name, usage: `${name} --out FILE [--activity ID] [--include-reported] [--user NAME] [--progress plain]`,
  summary: `${SUBMISSION_LABELS[TARGET[name]!]} file of the claims not yet sent (--include-reported: a recorded correction)`,
  async run(ctx) {
    const exporter = await createExporterFor(ctx);
    const filter = { scope: PROVIDER, activityId: activityFlag(ctx), includeReported: ctx.flags['include-reported'] === true };
    const target = TARGET[name]!;
    const layout = exporter.layout(target === 'PARS_LEARNER' ? 'pars_learner' : 'cpe_monitor');
    const total = await exporter.candidates(target, filter);
    return toFile(ctx, ({ id, sink, progress }) => exporter.submission({ id, target, filter, requester: requester(ctx), sink, progress, layout, total }));
  },
});

export const reportCommands: CliCommand[] = [
  submission('pars'),
  submission('cpe'),
  {
    group: 'export', name: 'transcript', usage: 'transcript --out FILE (--activity ID | --platform ID --sub SUB) [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format csv|pdf]',
    summary: 'A transcript: one learner\'s (CSV or PDF) or one activity\'s learners (CSV)',
    async run(ctx) {
      const activityId = activityFlag(ctx);
      const platformId = flag(ctx, 'platform');
      const sub = flag(ctx, 'sub');
      const format = flag(ctx, 'format') ?? 'csv';
      if (format !== 'csv' && format !== 'pdf') throw new CliUsageError('--format must be csv or pdf');
      if (!activityId === !(platformId && sub)) throw new CliUsageError('give either --activity, or --platform and --sub');
      if (activityId && format === 'pdf') throw new CliUsageError('an activity\'s transcript is CSV only');
      const exporter = await createExporterFor(ctx);
      const learner = platformId && sub ? { platformId, sub } : undefined;
      const filter = { scope: PROVIDER, activityId, learner, from: dateFlag(ctx, 'from'), to: dateFlag(ctx, 'to') };
      return toFile(ctx, ({ id, sink, progress }) => (format === 'pdf'
        ? exporter.transcriptPdf({ id, learner: learner!, filter, requester: requester(ctx), sink })
        : exporter.transcriptCsv({ id, kind: activityId ? 'transcript_activity' : 'transcript_learner', filter, requester: requester(ctx), sink, progress })));
    },
  },
  {
    group: 'export', name: 'outcomes', usage: 'outcomes --activity ID --out FILE',
    summary: 'An activity\'s outcomes (funnel, post-test, evaluation) as CSV',
    async run(ctx) {
      const activityId = activityFlag(ctx);
      if (!activityId) throw new CliUsageError('--activity is required');
      const facts = await outcomesFor(ctx, activityId);
      fs.writeFileSync(outFile(ctx), outcomeRecords(facts).map((x) => csvRecord(x)).join(''));
      ctx.io.out(`outcomes of ${activityId} -> ${outFile(ctx)}`);
      return 0;
    },
  },
  {
    group: 'export', name: 'problems', usage: 'problems [--target pars|cpe]',
    summary: 'Claims not yet sent that cannot be (missing e-Profile id, birth date, board id...), with their deadlines',
    async run(ctx) {
      const exporter = await createExporterFor(ctx);
      const t = flag(ctx, 'target');
      if (t !== undefined && !TARGET[t]) throw new CliUsageError('--target must be pars or cpe');
      for (const target of t ? [TARGET[t]!] : (['PARS_LEARNER', 'CPE_MONITOR'] as Submission[])) {
        const p = await exporter.problems(target, PROVIDER, { limit: 1000 });
        ctx.io.out(`${SUBMISSION_LABELS[target]}: ${p.total} claim(s) need attention`);
        for (const x of p.rows) {
          ctx.io.out(`  ${x.flags.urgency.padEnd(8)} closes ${x.flags.closes} (${x.flags.daysLeft} days)  ${x.completionDate}  ${x.creditType.padEnd(10)} ${x.learnerId}  ${x.activityTitle}: ${x.problems.join('; ')}`);
        }
      }
      return 0;
    },
  },
  {
    group: 'export', name: 'list', usage: 'list [--limit N]',
    summary: 'Recorded exports, newest first: what was sent, when, by whom, how many claims',
    async run(ctx) {
      const limit = Number(flag(ctx, 'limit') ?? 50);
      if (!Number.isInteger(limit) || limit < 1) throw new CliUsageError('--limit must be a positive whole number');
      const store = new ReportStore(await ctx.db());
      for (const e of await store.exports({ scope: PROVIDER, limit })) {
        ctx.io.out([e.id, e.createdAt.toISOString(), e.kind.padEnd(19), e.mode.padEnd(10), e.status.padEnd(8), `${e.claimCount} claims`, e.requestedBy, e.sha256 ?? e.error ?? ''].join('  '));
      }
      return 0;
    },
  },
];

