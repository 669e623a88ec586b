/**
 * The passback worker: claims due outbox entries (leased, FOR UPDATE SKIP LOCKED), delivers up to `concurrency` at
 * once, and records each outcome under its lease. Any number of workers, in any number of processes on one
 * database, share the outbox. `runOnce()` claims one batch and waits for it (tests, the CLI); `start()` keeps
 * `concurrency` deliveries in flight, refilling a slot as soon as one frees; `close()` stops claiming, lets the
 * deliveries in flight finish (every HTTP call has a timeout), then cancels what is left and releases its leases.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Logger } from '../log';
import { Deliverer } from './deliver';
import type { ClaimedEntry, FailureFacts } from './model';
import { backoffSeconds, classifyFailure, type BackoffOptions } from './rules';
import type { PassbackStore } from './store';
import type { AgsClient } from '../lti';

/** Tags this process's leases: on an embedded database any other tag is a dead process's. */
export const PROCESS_TAG = `/${crypto.randomBytes(6).toString('hex')}/`;
let workerCounter = 0;

export interface WorkerOptions {
  concurrency: number;
  pollMs: number;
  /** The lease on a claimed entry, in seconds; raised to cover a whole delivery (4 HTTP calls at the timeout) if lower. */
  leaseSeconds: number;
  httpTimeoutMs: number;
  backoff: BackoffOptions;
  /** Retried this long (from enqueue or from a retry by hand), an entry is marked failed. */
  maxAgeSeconds: number;
  circuit: { threshold: number; probeSeconds: number };
  /** Only these platforms' entries (default: all). */
  platformIds?: string[];
  /** How long close() waits for deliveries in flight before cancelling them. */
  drainMs?: number;
}

export interface RunSummary {
  claimed: number;
  probes: number;
  delivered: number;
  retrying: number;
  failed: number;
  superseded: number;
  released: number;
}

export class PassbackWorker {
  readonly id = `${os.hostname()}/${process.pid}${PROCESS_TAG}${++workerCounter}`;
  private readonly deliverer: Deliverer;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly leaseSeconds: number;
  private timer?: NodeJS.Timeout;
  private running = false;
  private closing = false;
  private pumping = false;
  private pumpAgain = false;

  constructor(private readonly deps: { store: PassbackStore; ags: AgsClient; log: Logger }, readonly options: WorkerOptions) {
    // A delivery makes at most 4 calls (token, search, create, score), each limited by the timeout; the lease covers them.
    this.leaseSeconds = Math.max(options.leaseSeconds, Math.ceil((4 * options.httpTimeoutMs) / 1000) + 2);
    this.deliverer = new Deliverer({ ags: deps.ags, store: deps.store, lineItemLeaseSeconds: Math.ceil((2 * options.httpTimeoutMs) / 1000) + 5 });
  }

  /** Claims one batch (up to `concurrency`, probes first), delivers it and waits; returns what happened. */
  async runOnce(): Promise<RunSummary> {
    const summary: RunSummary = { claimed: 0, probes: 0, delivered: 0, retrying: 0, failed: 0, superseded: 0, released: 0 };
    if (this.closing) return summary;
    const entries = await this.claim(this.options.concurrency);
    summary.claimed = entries.length;
    summary.probes = entries.filter((e) => e.probe).length;
    await Promise.all(entries.map((e) => this.track(this.handle(e, summary))));
    return summary;
  }

  start(): void {
    if (this.running || this.closing) return;
    this.running = true;
    this.kick(0);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    const drain = Promise.allSettled([...this.inFlight]);
    const drained = await Promise.race([drain.then(() => true), sleep(this.options.drainMs ?? this.options.httpTimeoutMs + 1000).then(() => false)]);
    if (!drained) {
      this.abort.abort();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private kick(delayMs: number) {
    if (!this.running || this.closing) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pump();
    }, delayMs);
    this.timer.unref?.();
  }

  /** Fills free slots with claimed entries; comes back at the poll interval, or as soon as a slot frees. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true; // a slot freed while claiming: claim again right after
      return;
    }
    this.pumping = true;
    this.pumpAgain = false;
    try {
      while (this.running && this.inFlight.size < this.options.concurrency) {
        const entries = await this.claim(this.options.concurrency - this.inFlight.size);
        if (entries.length === 0) break;
        for (const e of entries) void this.track(this.handle(e)).then(() => this.kick(0));
      }
    } catch (err) {
      this.deps.log.error('passback claim failed', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.pumping = false;
    }
    if (this.pumpAgain) this.kick(0);
    else if (!this.timer) this.kick(this.options.pollMs);
  }

  private claim(limit: number): Promise<ClaimedEntry[]> {
    return this.deps.store.claim({
      workerId: this.id, limit, leaseSeconds: this.leaseSeconds, probeSeconds: this.options.circuit.probeSeconds, platformIds: this.options.platformIds,
    });
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  /** Delivers one entry and records the outcome; never throws (a lost record is retried after the lease). */
  private async handle(e: ClaimedEntry, summary?: RunSummary): Promise<void> {
    const { store, log } = this.deps;
    // No call starts after this, so the last one ends (at the latest) a second before the lease does.
    const deadline = Date.now() + this.leaseSeconds * 1000 - this.options.httpTimeoutMs - 1000;
    try {
      const outcome = await this.deliverer.deliver(e, { signal: this.abort.signal, deadline });
      if (outcome.ok) {
        if (!(await store.markDelivered({ id: e.id, workerId: this.id, lineItemUrl: outcome.lineItemUrl }))) {
          log.warn('passback lease lost before the delivery was recorded', { entry: e.id });
        }
        if (summary) summary.delivered++;
        await this.platformAnswered(e);
        return;
      }
      await this.recordFailure(e, outcome.failure, outcome.lineItemUrl, summary);
    } catch (err) {
      log.error('passback delivery could not be recorded', { entry: e.id, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async recordFailure(e: ClaimedEntry, failure: FailureFacts, lineItemUrl: string | undefined, summary?: RunSummary) {
    const { store, log } = this.deps;
    const decision = classifyFailure(failure);
    if (decision.action === 'release') {
      await store.release({ id: e.id, workerId: this.id, delaySeconds: decision.delaySeconds });
      if (summary) summary.released++;
      return;
    }
    if (decision.action === 'fail') {
      await store.markFailed({ id: e.id, workerId: this.id, error: failure.message });
      if (summary) summary.failed++;
      log.warn('passback failed permanently', { entry: e.id, platform: e.platformId, error: failure.message });
      if (failure.kind !== 'platform') await this.platformAnswered(e); // it answered, with a refusal
      return;
    }
    const delay = Math.min(this.options.backoff.maxSeconds, Math.max(backoffSeconds(e.attempts, this.options.backoff), decision.minDelaySeconds ?? 0));
    const status = await store.markRetry({ id: e.id, workerId: this.id, delaySeconds: delay, maxAgeSeconds: this.options.maxAgeSeconds, error: failure.message, lineItemUrl });
    if (summary) {
      if (status === 'failed') summary.failed++;
      else if (status === 'superseded') summary.superseded++;
      else summary.retrying++;
    }
    if (status === 'failed') log.warn('passback gave up after the maximum age', { entry: e.id, platform: e.platformId, error: failure.message });
    else log.info('passback attempt failed', { entry: e.id, platform: e.platformId, attempts: e.attempts, retryInSeconds: Math.round(delay), error: failure.message });
    if (decision.platformDown) {
      const open = await store.platformFailure({ platformId: e.platformId, threshold: this.options.circuit.threshold, probeSeconds: this.options.circuit.probeSeconds, error: failure.message });
      if (open && !e.probe) log.debug('passback circuit open', { platform: e.platformId });
    } else if (failure.kind === 'http') {
      await this.platformAnswered(e); // it answered, just not with success
    }
  }

  private async platformAnswered(e: ClaimedEntry) {
    const madeDue = await this.deps.store.platformAnswered(e.platformId);
    if (madeDue > 0) {
      this.deps.log.info('passback platform recovered: its waiting scores are due now', { platform: e.platformId, entries: madeDue });
      this.kick(0);
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
