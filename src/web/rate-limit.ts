/**
 * In-process rate limiting: a generic cell rate algorithm (GCRA) per key, so `limit` events may come in a burst and
 * then one more every `windowMs / limit`; a key that has been quiet for `windowMs` is back to a full burst. One
 * timestamp per key; keys that have recovered are dropped, and the table never holds more than `maxKeys` (the
 * oldest go first), so a client that invents keys cannot grow memory.
 *
 * The counts live in this process: behind a load balancer with N Accrue processes a client gets at most N times
 * the limit, still a bound. Only the clock is injected; there is no I/O here.
 */
import type { Request } from 'express';

export interface Verdict {
  allowed: boolean;
  /** Whole seconds until the next event would be allowed (0 when allowed): the Retry-After value. */
  retryAfterSeconds: number;
}

export class RateLimiter {
  private readonly tat = new Map<string, number>(); // "theoretical arrival time" per key, epoch ms
  private readonly interval: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: { limit: number; windowMs: number; maxKeys?: number; now?: () => number }) {
    if (!(options.limit >= 1) || !(options.windowMs > 0)) throw new Error('RateLimiter: limit >= 1 and windowMs > 0');
    this.windowMs = options.windowMs;
    this.interval = options.windowMs / options.limit;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether one more event for `key` would be allowed, without counting it. */
  check(key: string): Verdict {
    return this.verdict(this.next(key), this.now());
  }

  /** Counts one event for `key` if it is allowed; a refused event is not counted. */
  hit(key: string): Verdict {
    const now = this.now();
    const next = this.next(key);
    const verdict = this.verdict(next, now);
    if (verdict.allowed) this.store(key, next);
    return verdict;
  }

  /** Gives back one counted event (it turned out not to be one that should count, e.g. a login that succeeded). */
  undo(key: string): void {
    const tat = this.tat.get(key);
    if (tat === undefined) return;
    const back = tat - this.interval;
    if (back <= this.now()) this.tat.delete(key);
    else this.tat.set(key, back);
  }

  /** Keys currently tracked (for tests and health figures). */
  get size(): number {
    return this.tat.size;
  }

  private next(key: string): number {
    return Math.max(this.tat.get(key) ?? 0, this.now()) + this.interval;
  }

  private verdict(next: number, now: number): Verdict {
    // Allowed while the debt stays within the window; rounded so a float interval never refuses the limit-th event.
    const over = next - now - this.windowMs;
    if (over <= 1e-6) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(over / 1000)) };
  }

  private store(key: string, tat: number): void {
    this.tat.delete(key); // re-inserted last: Map order is then oldest-touched first
    if (this.tat.size >= this.maxKeys) this.sweep();
    this.tat.set(key, tat);
  }

  /** Drops recovered keys, then the oldest-touched down to 90% of maxKeys, so a full table is swept once per many inserts. */
  private sweep(): void {
    const now = this.now();
    for (const [k, t] of this.tat) if (t <= now) this.tat.delete(k);
    const target = Math.floor(this.maxKeys * 0.9);
    for (const k of this.tat.keys()) {
      if (this.tat.size <= target) break;
      this.tat.delete(k);
    }
  }
}

/**
 * The client a request comes from, as a rate-limit key: Express's `req.ip` (X-Forwarded-For only from the proxies
 * app.ts trusts). An IPv6 client usually holds a whole /64, so IPv6 addresses count by their /64 prefix.
 */
export function clientAddress(req: Request): string {
  const ip = (req.ip ?? req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (!ip.includes(':')) return ip;
  return `${ipv6Prefix64(ip)}::/64`;
}

function ipv6Prefix64(ip: string): string {
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':');
}
