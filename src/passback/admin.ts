/** What administrators do with the outbox (admin page and CLI): list entries by status, and re-deliver one by hand. */
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { DISPLAY_STATUSES, type DisplayStatus, type OutboxEntry } from './model';
import type { PassbackStore } from './store';

export class PassbackAdmin {
  constructor(private readonly store: PassbackStore) {}

  parseStatus(value: unknown): DisplayStatus | undefined {
    if (value === undefined || value === '' || value === 'all') return undefined;
    if (typeof value === 'string' && (DISPLAY_STATUSES as string[]).includes(value)) return value as DisplayStatus;
    throw new ValidationError(`Unknown status. Use one of: ${DISPLAY_STATUSES.join(', ')}.`, undefined, 'INVALID_STATUS');
  }

  list(o: { status?: DisplayStatus; platformId?: string; limit?: number } = {}): Promise<OutboxEntry[]> {
    return this.store.list({ ...o, limit: Math.min(Math.max(o.limit ?? 200, 1), 1000) });
  }

  counts() {
    return this.store.counts();
  }

  /** Makes one entry due now (failed, failing, pending or delivered); refuses a superseded one or one in flight. */
  async retry(id: string): Promise<OutboxEntry> {
    const entry = await this.store.get(id);
    if (!entry) throw new NotFoundError(`No passback entry with id ${id}.`, 'PASSBACK_NOT_FOUND');
    if (entry.status === 'superseded') {
      throw new ConflictError(`Entry ${id} was superseded by a newer score for the same learner and line item${entry.supersededBy ? ` (entry ${entry.supersededBy})` : ''}; retry that one instead.`, 'PASSBACK_SUPERSEDED');
    }
    if (await this.store.hasNewer(entry)) {
      throw new ConflictError(`A newer score exists for the same learner and line item; re-sending entry ${id} would overwrite it.`, 'PASSBACK_STALE');
    }
    if (!(await this.store.retryNow(entry))) {
      throw new ConflictError(`Entry ${id} is being delivered right now; look again in a minute.`, 'PASSBACK_IN_FLIGHT');
    }
    return (await this.store.get(id))!;
  }
}
