/**
 * One delivery: find the learner's line item (the launch's, a cached one, one found by resource link, or one made
 * through the line-items service, AGS 2.0 §3.2) and post the score to it (AGS 2.0 §3.4). No retry policy here:
 * the outcome goes back to the worker, which applies the rules.
 */
import { AGS_SCOPE, AgsError, type AgsClient, type AgsScore } from '../lti';
import type { FailureFacts, OutboxEntry } from './model';
import { buildScore } from './rules';
import type { PassbackStore } from './store';

export type DeliveryOutcome = { ok: true; lineItemUrl: string } | { ok: false; failure: FailureFacts; lineItemUrl?: string };

class DeliveryStop extends Error {
  constructor(readonly facts: FailureFacts) {
    super(facts.message);
  }
}

export interface DeliveryDeps {
  ags: AgsClient;
  store: PassbackStore;
  /** Seconds a worker may hold a line item's creation lease (covers a search and a create). */
  lineItemLeaseSeconds: number;
}

export class Deliverer {
  /** In-process single flight of line item resolution, so 5,000 scores of one resource link search it once. */
  private readonly resolving = new Map<string, Promise<string>>();

  constructor(private readonly deps: DeliveryDeps) {}

  async deliver(e: OutboxEntry, o: { signal: AbortSignal; deadline: number }): Promise<DeliveryOutcome> {
    let lineItemUrl: string | undefined;
    try {
      lineItemUrl = await this.lineItem(e, o);
      this.checkTime(o);
      await this.deps.ags.postScore({
        platformId: e.platformId, lineItemUrl, signal: o.signal,
        score: buildScore({ payload: e.payload, userSub: e.userSub, timestamp: e.scoreTimestamp }) as AgsScore,
      });
      return { ok: true, lineItemUrl };
    } catch (err) {
      return { ok: false, failure: toFacts(err), lineItemUrl };
    }
  }

  private checkTime(o: { signal: AbortSignal; deadline: number }) {
    // Past the lease another worker may take the entry over: stop before sending anything more.
    if (o.signal.aborted || Date.now() > o.deadline) throw new DeliveryStop({ kind: 'aborted', message: 'Stopped before the lease ran out.' });
  }

  private async lineItem(e: OutboxEntry, o: { signal: AbortSignal; deadline: number }): Promise<string> {
    if (e.lineItemUrl) return e.lineItemUrl;
    const cached = await this.deps.store.cachedLineItem(e.platformId, e.targetKey);
    if (cached) return cached;
    const key = `${e.platformId} ${e.targetKey}`;
    let pending = this.resolving.get(key);
    if (!pending) {
      pending = this.resolve(e, o).finally(() => this.resolving.delete(key));
      this.resolving.set(key, pending);
    }
    return pending;
  }

  private async resolve(e: OutboxEntry, o: { signal: AbortSignal; deadline: number }): Promise<string> {
    const { store, ags } = this.deps;
    if (!e.lineItemsUrl) throw new DeliveryStop({ kind: 'permanent', message: 'The launch gave neither a line item nor a line items service URL.' });
    // Several processes: only the holder of the lease searches and creates, so a resource link never gets two.
    const lease = await store.acquireLineItemLease({ platformId: e.platformId, key: e.targetKey, seconds: this.deps.lineItemLeaseSeconds });
    if (!lease.acquired) {
      if (lease.url) return lease.url;
      throw new DeliveryStop({ kind: 'busy', message: 'Another worker is creating this line item.' });
    }
    let url: string | null = null;
    try {
      const scopes = e.payload.scopes;
      const readScope = scopes.length === 0 || scopes.includes(AGS_SCOPE.lineItem) ? AGS_SCOPE.lineItem
        : scopes.includes(AGS_SCOPE.lineItemReadonly) ? AGS_SCOPE.lineItemReadonly : null;
      const tag = e.payload.tag;
      if (readScope) {
        this.checkTime(o);
        const found = await ags.findLineItems({ platformId: e.platformId, lineItemsUrl: e.lineItemsUrl, resourceLinkId: e.resourceLinkId ?? undefined, tag, scope: readScope, signal: o.signal });
        // Some platforms ignore the filters: check them here too.
        const match = found.find((li) => (!e.resourceLinkId || li.resourceLinkId === e.resourceLinkId) && (!tag || li.tag === tag));
        if (match) url = match.id;
      }
      if (!url) {
        if (scopes.length > 0 && !scopes.includes(AGS_SCOPE.lineItem)) {
          throw new DeliveryStop({ kind: 'permanent', message: 'The launch carried no line item and the platform did not grant the line item scope to create one.' });
        }
        this.checkTime(o);
        const spec = e.payload.lineItem ?? { label: 'Accrue activity', scoreMaximum: e.payload.score.scoreMaximum ?? 100 };
        const created = await ags.createLineItem({
          platformId: e.platformId, lineItemsUrl: e.lineItemsUrl, signal: o.signal,
          lineItem: {
            label: spec.label, scoreMaximum: spec.scoreMaximum,
            ...(e.resourceLinkId ? { resourceLinkId: e.resourceLinkId } : {}),
            ...(spec.resourceId ? { resourceId: spec.resourceId } : {}),
            ...(spec.tag ? { tag: spec.tag } : {}),
          },
        });
        url = created.id;
      }
      return url;
    } finally {
      await store.saveLineItem({ platformId: e.platformId, key: e.targetKey, url });
    }
  }
}

function toFacts(err: unknown): FailureFacts {
  if (err instanceof DeliveryStop) return err.facts;
  if (err instanceof AgsError) return { kind: err.kind, stage: err.stage, status: err.status, retryAfterSeconds: err.retryAfterSeconds, message: err.message };
  return { kind: 'internal', message: `Internal error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500) };
}
