/**
 * Passback feature face: the durable outbox of scores owed to the LMS.
 * Glossary: a Score (AGS) is what the LMS gradebook shows for a learner on a LineItem; it is not credit (credit is
 * the accredited hours in the claim ledger). `completion` and `award` are the kinds of score Accrue sends: when the
 * learner completes the activity, and when a claim is awarded (with the certificate link).
 *
 * Contract (docs/passback.md): call `enqueue(q, item)` inside the transaction that records the completion or award;
 * the score is then owed durably and the worker delivers it, retrying for days, exactly once per idempotency key.
 */
import type { RequestHandler } from 'express';
import type { Config } from '../config';
import type { Db, Queryable } from '../db';
import { ValidationError } from '../errors';
import type { Logger } from '../log';
import { AGS_SCOPE, type AppRole, type LaunchContext, type Lti } from '../lti';
import type { ViewEngine } from '../web/views';
import { PassbackAdmin } from './admin';
import { passbackItemSchema, type PassbackItem, type PassbackTarget } from './model';
import { passbackRoutes } from './routes';
import { targetKey, toPayload } from './rules';
import { insertEntry, PassbackStore } from './store';
import { PassbackWorker, PROCESS_TAG, type WorkerOptions } from './worker';

export type { PassbackItem, PassbackTarget, OutboxEntry, DisplayStatus } from './model';
export type { RunSummary, WorkerOptions } from './worker';
export { PassbackWorker } from './worker';
export { PassbackAdmin } from './admin';
export { PassbackStore } from './store';
export { passbackCommands } from './cli';

/**
 * Records a score owed to the LMS, in the caller's transaction `q` (so it exists if and only if the award does).
 * Idempotent by `item.idempotencyKey`: a second call returns the first entry (`created: false`). A newer score for
 * the same learner and line item supersedes an older undelivered one. Throws ValidationError on a bad item.
 */
export async function enqueue(q: Queryable, item: PassbackItem): Promise<{ id: string; created: boolean; status: string }> {
  const parsed = passbackItemSchema.safeParse(item);
  if (!parsed.success) {
    throw new ValidationError(`Invalid passback item: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; ')}`, undefined, 'INVALID_PASSBACK_ITEM');
  }
  const it = parsed.data;
  if (it.target.scopes.length > 0 && !it.target.scopes.includes(AGS_SCOPE.score)) {
    throw new ValidationError('The launch did not grant the AGS score scope: this platform does not accept scores from Accrue.', undefined, 'NO_SCORE_SCOPE');
  }
  return insertEntry(q, {
    idempotencyKey: it.idempotencyKey, kind: it.kind, platformId: it.target.platformId, userSub: it.target.userSub,
    targetKey: targetKey({ ...it.target, tag: it.target.lineItem?.tag }),
    lineItemsUrl: it.target.lineItemsUrl, lineItemUrl: it.target.lineItemUrl, resourceLinkId: it.target.resourceLinkId,
    payload: toPayload(it), scoreTimestamp: it.score.timestamp ?? new Date(),
  });
}

/**
 * Where a launch's scores go: null when the launch carried no AGS claim with the score scope (the platform takes
 * no scores from us: nothing to enqueue). `lineItem` is used only when the platform gave no line item and none exists.
 */
export function targetFromLaunch(launch: LaunchContext, lineItem?: PassbackTarget['lineItem']): PassbackTarget | null {
  const ags = launch.ags;
  if (!ags || (!ags.lineItem && !ags.lineItems) || !ags.scope.includes(AGS_SCOPE.score)) return null;
  return {
    platformId: launch.platform.id,
    userSub: launch.user.sub,
    lineItemsUrl: ags.lineItems,
    lineItemUrl: ags.lineItem,
    resourceLinkId: launch.resourceLink?.id,
    scopes: ags.scope,
    canvas: launch.toolPlatform?.productFamilyCode?.toLowerCase() === 'canvas',
    lineItem: lineItem ?? { label: launch.resourceLink?.title ?? 'Accrue activity', scoreMaximum: 100, ...(launch.resourceLink?.id ? { resourceId: launch.resourceLink.id } : {}) },
  };
}

export function workerOptionsFromConfig(config: Config): WorkerOptions {
  return {
    concurrency: config.passbackConcurrency,
    pollMs: config.passbackPollMs,
    leaseSeconds: config.passbackLeaseSeconds,
    httpTimeoutMs: config.passbackHttpTimeoutMs,
    backoff: { baseSeconds: config.passbackBackoffBaseSeconds, maxSeconds: config.passbackBackoffMaxSeconds },
    maxAgeSeconds: config.passbackMaxAgeHours * 3600,
    circuit: { threshold: config.passbackCircuitThreshold, probeSeconds: config.passbackProbeSeconds },
  };
}

export async function createPassback(o: { db: Db; lti: Lti; config: Config; log: Logger; views: ViewEngine; requireSession: (roles?: AppRole[]) => RequestHandler }) {
  const store = new PassbackStore(o.db);
  const admin = new PassbackAdmin(store);
  const log = o.log.child({ feature: 'passback' });
  const defaults = workerOptionsFromConfig(o.config);
  const workers = new Set<PassbackWorker>();
  if (o.db.kind === 'embedded') {
    // Only one process can open an embedded database: leases of any other process are a dead one's. Take them over now.
    const released = await store.releaseForeignLeases(PROCESS_TAG);
    if (released > 0) log.info('passback took over entries leased by a previous process', { entries: released });
  }
  /** A worker on this instance's database; options default to the configuration. It runs when start() is called. */
  const createWorker = (overrides: Partial<WorkerOptions> = {}) => {
    const options = { ...defaults, ...overrides };
    const worker = new PassbackWorker({ store, ags: o.lti.agsClient({ timeoutMs: options.httpTimeoutMs }), log }, options);
    workers.add(worker);
    return worker;
  };
  const worker = createWorker();
  if (o.config.passbackWorker) worker.start();

  return {
    enqueue, targetFromLaunch, admin, store, worker, createWorker,
    router: passbackRoutes({ admin, views: o.views, requireSession: o.requireSession }),
    async close() {
      await Promise.all([...workers].map((w) => w.close()));
    },
  };
}

export type Passback = Awaited<ReturnType<typeof createPassback>>;
