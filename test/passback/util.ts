/** Shared steps of the passback tests: a real launch's context, workers of the harness instance, outbox reads. */
import crypto from 'node:crypto';
import type { LaunchContext } from '../../src/lti';
import type { OutboxEntry, PassbackItem, PassbackWorker, WorkerOptions } from '../../src/passback';
import type { LaunchScenario, SandboxPlatform } from '../../src/sandbox';
import { harness } from '../helpers/harness';
import { launch, learner } from '../helpers/launch';

/** Launches as a learner from the platform and returns the LaunchContext Accrue recorded. */
export async function launchAs(platform: SandboxPlatform, overrides: Partial<LaunchScenario> = {}): Promise<LaunchContext> {
  const { accrue } = harness();
  const { token } = await launch(accrue.url, platform, learner({ resourceLinkId: `link-${crypto.randomUUID()}`, resourceLinkTitle: 'Sepsis update', ...overrides }));
  return (await accrue.accrue.lti.sessions.resolve(token)).launch;
}

/** A passback worker of the harness instance limited to the given platforms, with test-sized timings. */
export function workerFor(platformIds: string[], overrides: Partial<WorkerOptions> = {}): PassbackWorker {
  return harness().accrue.accrue.passback.createWorker({
    platformIds, concurrency: 4, pollMs: 50, httpTimeoutMs: 1500, leaseSeconds: 30,
    backoff: { baseSeconds: 60, maxSeconds: 600 }, circuit: { threshold: 3, probeSeconds: 60 }, ...overrides,
  });
}

/** Enqueues in its own transaction (as an award would, inside its own). */
export async function enqueue(item: PassbackItem) {
  const { accrue } = harness();
  return accrue.accrue.db.tx((q) => accrue.accrue.passback.enqueue(q, item));
}

export function scoreItem(launchCtx: LaunchContext, o: { key?: string; kind?: string; scoreGiven?: number; certificateUrl?: string; timestamp?: Date; comment?: string } = {}): PassbackItem {
  const { accrue } = harness();
  const target = accrue.accrue.passback.targetFromLaunch(launchCtx);
  if (!target) throw new Error('the launch carries no AGS score scope');
  return {
    idempotencyKey: o.key ?? `test:${crypto.randomUUID()}`, kind: o.kind ?? 'award', target,
    score: { scoreGiven: o.scoreGiven ?? 87, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: o.timestamp, comment: o.comment },
    certificateUrl: o.certificateUrl,
  };
}

export async function entry(id: string): Promise<OutboxEntry> {
  const e = await harness().accrue.accrue.passback.store.get(id);
  if (!e) throw new Error(`no entry ${id}`);
  return e;
}

/** Makes an entry due now (as time passing would), without touching anything else. */
export async function makeDue(id: string): Promise<void> {
  await harness().accrue.accrue.db.query('UPDATE passback_outbox SET next_attempt_at = now() WHERE id = $1', [id]);
}
