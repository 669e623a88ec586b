/** CLI: `passback list [--status S] [--limit N]` and `passback retry ID`. */
import { CliUsageError, type CliCommand, type CliContext } from '../cli/types';
import { PassbackAdmin } from './admin';
import type { OutboxEntry } from './model';
import { PassbackStore } from './store';

const admin = async (ctx: CliContext) => new PassbackAdmin(new PassbackStore(await ctx.db()));
const when = (d: Date | null) => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '-');

function line(e: OutboxEntry): string {
  const score = e.payload.score.scoreGiven !== undefined ? `${e.payload.score.scoreGiven}/${e.payload.score.scoreMaximum}` : e.payload.score.activityProgress;
  const next = e.status === 'pending' ? `next ${when(e.nextAttemptAt)}` : e.status === 'delivered' ? `delivered ${when(e.deliveredAt)}` : '';
  return [String(e.id).padEnd(8), e.displayStatus.padEnd(11), String(e.attempts).padEnd(4), e.kind.padEnd(11), score.padEnd(10),
    e.platformId.padEnd(18), e.userSub.padEnd(24), next, e.lastError ? `| ${e.lastError}` : ''].join(' ').trimEnd();
}

export const passbackCommands: CliCommand[] = [
  {
    group: 'passback', name: 'list', usage: 'list [--status pending|failing|delivered|failed|superseded] [--limit N]',
    summary: 'Scores owed to the LMS, newest first, with their last error',
    async run(ctx) {
      const a = await admin(ctx);
      const status = a.parseStatus(ctx.flags.status === true ? '' : ctx.flags.status);
      const limit = ctx.flags.limit === undefined ? 100 : Number(ctx.flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliUsageError('--limit must be a positive whole number');
      const [entries, counts] = await Promise.all([a.list({ status, limit }), a.counts()]);
      ctx.io.out(Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join('  '));
      ctx.io.out(['id'.padEnd(8), 'status'.padEnd(11), 'try'.padEnd(4), 'kind'.padEnd(11), 'score'.padEnd(10), 'platform'.padEnd(18), 'learner'.padEnd(24), 'when | last error'].join(' '));
      for (const e of entries) ctx.io.out(line(e));
      return 0;
    },
  },
  {
    group: 'passback', name: 'retry', usage: 'retry ID',
    summary: 'Send one score again now (a failed one, or a pending one without waiting)',
    async run(ctx) {
      const id = ctx.args[0];
      if (!id || !/^\d+$/.test(id)) throw new CliUsageError('ID must be the number shown by `passback list`');
      const entry = await (await admin(ctx)).retry(id);
      ctx.io.out(`Entry ${entry.id} is due now; the passback worker of a running Accrue (or the next one to start) delivers it.`);
      return 0;
    },
  },
];
