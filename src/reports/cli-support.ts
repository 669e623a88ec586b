/** What the CLI commands need built from a CLI context: the exporter (with the PII key) and an activity's outcomes. */
import type { PosttestQuestion } from '../activities';
import { NotFoundError } from '../errors';
import type { CliContext } from '../cli/types';
import { resolveSecret } from '../secret';
import { createExporter } from './factory';
import { outcomeFacts } from './outcome-store';

export async function createExporterFor(ctx: CliContext) {
  const db = await ctx.db();
  return createExporter({ db, config: ctx.config, secret: await resolveSecret(db, ctx.config) });
}

export async function outcomesFor(ctx: CliContext, activityId: string) {
  const db = await ctx.db();
  const r = await db.query<{ posttest: PosttestQuestion[]; pretest: boolean; requires_evaluation: boolean }>(
    'SELECT posttest, pretest, requires_evaluation FROM activity WHERE id = $1', [activityId]);
  const a = r.rows[0];
  if (!a) throw new NotFoundError(`No activity with id ${activityId}.`, 'ACTIVITY_NOT_FOUND');
  return outcomeFacts(db, { id: activityId, posttest: a.posttest, pretest: a.pretest, requiresEvaluation: a.requires_evaluation });
}
