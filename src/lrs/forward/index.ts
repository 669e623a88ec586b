/**
 * Forwarding: every statement stored in Accrue's LRS is sent at least once to each external LRS of
 * LRS_FORWARD_TARGETS. The outbox rows are written in the statement's own transaction (StatementService.onStore),
 * so a crash or an outage loses nothing; workers deliver them (worker.ts) and `status()` shows the backlog.
 *
 * Glossary: target = one external LRS; outbox row = one statement owed to one target (deleted once delivered);
 * failing = its last attempt failed (the target was down, or refused that statement).
 */
import type { Config } from '../../config';
import type { Db } from '../../db';
import type { Logger } from '../../log';
import type { StatementService } from '../statements';
import { ForwardClient } from './client';
import type { ForwardTarget } from './rules';
import { ForwardStore, type TargetStatus } from './store';
import { ForwardWorker, type ForwardWorkerOptions } from './worker';

export type { ForwardTarget } from './rules';
export type { TargetStatus } from './store';
export type { ForwardWorkerOptions, RoundSummary } from './worker';
export { ForwardStore } from './store';
export { ForwardWorker } from './worker';

export function forwardOptionsFromConfig(config: Config): ForwardWorkerOptions {
  return {
    concurrency: config.lrsForwardConcurrency, pollMs: config.lrsForwardPollMs, httpTimeoutMs: config.lrsForwardHttpTimeoutMs,
    backoff: { baseSeconds: config.lrsForwardBackoffBaseSeconds, maxSeconds: config.lrsForwardBackoffMaxSeconds },
  };
}

export function createForwarding(o: { db: Db; config: Config; log: Logger; statements: StatementService }) {
  const targets: ForwardTarget[] = o.config.lrsForwardTargets;
  const names = targets.map((t) => t.name);
  const store = new ForwardStore(o.db);
  const log = o.log.child({ feature: 'lrs-forward' });
  if (targets.length) o.statements.onStore((q, ids) => store.enqueue(q, names, ids));
  const workers = new Set<ForwardWorker>();
  let synced: Promise<void> | undefined;
  const sync = () => (synced ??= store.syncTargets(targets));

  /** A worker on this instance's targets; options default to the configuration. It runs once started. */
  const createWorker = (overrides: Partial<ForwardWorkerOptions> = {}) => {
    const options = { ...forwardOptionsFromConfig(o.config), ...overrides };
    const worker = new ForwardWorker({ store, client: new ForwardClient({ timeoutMs: options.httpTimeoutMs }), targets, log }, options);
    workers.add(worker);
    return worker;
  };

  return {
    targets: names,
    store,
    createWorker,
    /** Records the targets (their health is shared through the database) and, when asked, starts a worker. */
    async start(options: { worker: boolean }): Promise<void> {
      await sync();
      if (options.worker && targets.length) createWorker().start();
    },
    /** Waits for the targets to be recorded (a worker created by hand claims nothing before). */
    ready: () => sync(),
    status: (): Promise<TargetStatus[]> => store.status(names),
    /** Counts only, for /healthz: statements waiting and failing over all targets. */
    async health(): Promise<{ targets: number; pending: number; failing: number }> {
      if (!targets.length) return { targets: 0, pending: 0, failing: 0 };
      const list = (await store.status(names)).filter((t) => t.configured);
      return { targets: list.length, pending: list.reduce((n, t) => n + t.pending, 0), failing: list.reduce((n, t) => n + t.failing, 0) };
    },
    async close(): Promise<void> {
      await Promise.all([...workers].map((w) => w.close()));
    },
  };
}

export type Forwarding = ReturnType<typeof createForwarding>;
