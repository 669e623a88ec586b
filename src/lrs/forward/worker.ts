/**
 * The forwarding worker: claims due outbox rows of each target (leased, FOR UPDATE SKIP LOCKED), keeps up to
 * `concurrency` deliveries in flight, and records each outcome under its lease. Any number of workers in any number
 * of processes share one outbox. `runOnce()` claims one round and waits for it (tests, the CLI); `start()` runs until
 * `close()`, which stops claiming, lets deliveries in flight end (each HTTP call has a timeout), cancels what is
 * left after `drainMs` and gives its leases back.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Logger } from '../../log';
import { attachmentHashes } from '../attachments';
import { sameStatement } from '../model';
import type { ForwardClient } from './client';
import { backoffSeconds, classifyPut, classifyStatus, errorText, outgoing, type Failure, type ForwardTarget } from './rules';
import type { Claimed, ForwardStore } from './store';

export interface ForwardWorkerOptions {
  concurrency: number;
  pollMs: number;
  httpTimeoutMs: number;
  backoff: { baseSeconds: number; maxSeconds: number };
  /** How long close() waits for deliveries in flight before cancelling them (default: one HTTP timeout). */
  drainMs?: number;
}

export interface RoundSummary {
  claimed: number;
  delivered: number;
  failed: number;
}

let counter = 0;

export class ForwardWorker {
  readonly id = `${os.hostname()}/${process.pid}/${crypto.randomBytes(4).toString('hex')}/${++counter}`;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly leaseSeconds: number;
  private running = false;
  private closing = false;
  /** Ends the current wait early when a delivery frees a slot (set only while there is work). */
  private wake?: () => void;
  /** Ends the current wait at once (close()). */
  private interrupt?: () => void;
  private loop?: Promise<void>;
  private turn = 0;

  constructor(
    private readonly deps: { store: ForwardStore; client: ForwardClient; targets: ForwardTarget[]; log: Logger },
    readonly options: ForwardWorkerOptions,
  ) {
    // A delivery makes at most 3 calls (PUT, then GET statementId and voidedStatementId after a 409).
    this.leaseSeconds = Math.ceil((3 * options.httpTimeoutMs) / 1000) + 5;
  }

  /** Claims one round (up to `concurrency` rows) and delivers it; resolves when every delivery is recorded. */
  async runOnce(): Promise<RoundSummary> {
    const summary: RoundSummary = { claimed: 0, delivered: 0, failed: 0 };
    if (this.closing) return summary;
    const rows = await this.claim(this.options.concurrency);
    summary.claimed = rows.length;
    await Promise.all(rows.map((r) => this.track(this.handle(r, summary))));
    return summary;
  }

  start(): void {
    if (this.running || this.closing || this.deps.targets.length === 0) return;
    this.running = true;
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.running = false;
    this.interrupt?.();
    await this.loop;
    const drained = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => true),
      sleep(this.options.drainMs ?? this.options.httpTimeoutMs).then(() => false),
    ]);
    if (!drained) {
      this.abort.abort();
      await Promise.allSettled([...this.inFlight]);
    }
    await this.deps.store.release({ workerId: this.id }).catch(() => 0);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        const free = this.options.concurrency - this.inFlight.size;
        if (free > 0) {
          const rows = await this.claim(free);
          claimed = rows.length;
          for (const r of rows) void this.track(this.handle(r)).then(() => this.wake?.());
        }
      } catch (err) {
        this.deps.log.error('lrs forward claim failed', { error: err instanceof Error ? err.message : String(err) });
      }
      if (!this.running) break;
      // Claim again as soon as a slot frees while there is work; otherwise wait for the poll interval.
      const full = this.inFlight.size >= this.options.concurrency;
      if (claimed > 0 && !full) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.pollMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = full || claimed > 0 ? done : undefined;
        this.interrupt = done;
        if (!this.running) done();
      });
      this.wake = undefined;
      this.interrupt = undefined;
    }
  }

  /** Shares `limit` slots among the targets, starting with a different one each round. */
  private async claim(limit: number): Promise<Claimed[]> {
    const { targets } = this.deps;
    const out: Claimed[] = [];
    const start = this.turn++ % Math.max(1, targets.length);
    for (let i = 0; i < targets.length && out.length < limit; i++) {
      const t = targets[(start + i) % targets.length]!;
      out.push(...(await this.deps.store.claim({ target: t.name, workerId: this.id, limit: limit - out.length, leaseSeconds: this.leaseSeconds })));
    }
    return out;
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  /** Delivers one row and records the outcome; never throws (an unrecorded outcome is retried after the lease). */
  private async handle(row: Claimed, summary?: RoundSummary): Promise<void> {
    const { store, log } = this.deps;
    const target = this.deps.targets.find((t) => t.name === row.target);
    try {
      if (!target) return;
      const outcome = await this.deliver(target, row);
      if (outcome === 'cancelled') {
        await store.release({ workerId: this.id, ids: [row.id] });
        return;
      }
      if (outcome === 'delivered') {
        if (!(await store.delivered({ id: row.id, target: row.target, workerId: this.id }))) {
          log.warn('lrs forward lease lost before the delivery was recorded', { target: row.target, outbox: row.id });
        }
        if (summary) summary.delivered++;
        return;
      }
      if (summary) summary.failed++;
      const error = errorText(outcome.message);
      if (outcome.scope === 'statement') {
        const delay = backoffSeconds(row.attempts, { ...this.options.backoff, random: Math.random() });
        await store.statementFailed({ id: row.id, target: row.target, workerId: this.id, delaySeconds: delay, error });
        log.warn('lrs forward refused a statement', { target: row.target, statementId: row.statementId, attempts: row.attempts, retryInSeconds: Math.round(delay), error });
      } else {
        const failures = await store.targetFailed({
          id: row.id, target: row.target, workerId: this.id, error,
          pauseSeconds: (n) => backoffSeconds(n, { ...this.options.backoff, random: Math.random() }),
        });
        if (failures > 0) log.warn('lrs forward target failing', { target: row.target, failures, error });
      }
    } catch (err) {
      log.error('lrs forward outcome could not be recorded', { target: row.target, outbox: row.id, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async deliver(target: ForwardTarget, row: Claimed): Promise<'delivered' | 'cancelled' | Failure> {
    const { client, store } = this.deps;
    const statement = outgoing(row.statement, target.version);
    const attachments = await store.attachments(attachmentHashes([row.statement]));
    const put = await client.put(target, statement, attachments, this.abort.signal);
    if ('error' in put) return put.error === 'cancelled' ? 'cancelled' : { scope: 'target', message: put.error };
    const read = classifyPut(put.status);
    if (read !== 'check') return read;
    // 409: that id is stored there. Delivered if it is this statement (our earlier attempt whose answer was lost).
    const there = await client.get(target, row.statementId, this.abort.signal);
    if ('statement' in there) {
      return sameStatement(statement, there.statement)
        ? 'delivered'
        : { scope: 'statement', message: 'HTTP 409: a different statement with this id is stored there' };
    }
    if ('error' in there) return there.error === 'cancelled' ? 'cancelled' : { scope: 'target', message: there.error };
    return classifyStatus(there.status);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());
