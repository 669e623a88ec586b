/**
 * Progress of the exports this process is writing, for the page that started one (it polls while the browser
 * downloads). Keyed by the requester and an id the page chose, so one user cannot read another's progress; kept
 * in memory for a few minutes (an export runs in the process that serves its download).
 */
import type { Progress } from './model';

export interface ProgressState extends Progress { status: 'running' | 'complete' | 'failed'; exportId?: string; message?: string; updatedAt: number }

const TTL_MS = 10 * 60_000;
const MAX = 1000;

export class ProgressBoard {
  private readonly entries = new Map<string, ProgressState>();

  static validId(id: unknown): id is string {
    return typeof id === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(id);
  }

  private key(owner: string, id: string) {
    return `${owner}\n${id}`;
  }

  set(owner: string, id: string, state: Omit<ProgressState, 'updatedAt'>): void {
    const now = Date.now();
    if (this.entries.size >= MAX) {
      for (const [k, v] of this.entries) if (now - v.updatedAt > TTL_MS || this.entries.size >= MAX) this.entries.delete(k);
    }
    this.entries.set(this.key(owner, id), { ...state, updatedAt: now });
  }

  get(owner: string, id: string): ProgressState | null {
    const e = this.entries.get(this.key(owner, id));
    return e && Date.now() - e.updatedAt < TTL_MS ? e : null;
  }
}
