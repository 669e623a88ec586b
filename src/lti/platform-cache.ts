/**
 * A short-lived, per-process cache of platform and deployment lookups for the launch hot path. A change made in this
 * process (registration, activation, removal) clears it at once; a change made by another process behind the same
 * load balancer is seen within `ttlMs` (default 5 s). Login state, nonces and sessions are never cached: they live
 * in the database so that any instance can finish a launch another started.
 */
import type { Db } from '../db';
import type { PlatformRecord } from './model';
import { LtiStore } from './store';

type Entry<T> = { value: T; at: number };

export class CachedLtiStore extends LtiStore {
  private readonly byIssuer = new Map<string, Entry<PlatformRecord[]>>();
  private readonly byId = new Map<string, Entry<PlatformRecord | null>>();
  private readonly deploymentCache = new Map<string, Entry<boolean>>();

  constructor(db: Db, private readonly ttlMs = 5000) {
    super(db);
  }

  private async cached<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const hit = map.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    if (map.size > 10_000) map.clear(); // bounded: a flood of unknown issuers cannot grow memory
    map.set(key, { value, at: Date.now() });
    return value;
  }

  override platformsByIssuer(issuer: string, clientId?: string): Promise<PlatformRecord[]> {
    return this.cached(this.byIssuer, `${issuer}\n${clientId ?? ''}`, () => super.platformsByIssuer(issuer, clientId));
  }

  override platformById(id: string): Promise<PlatformRecord | null> {
    return this.cached(this.byId, id, () => super.platformById(id));
  }

  override isDeploymentActive(platformId: string, deploymentId: string): Promise<boolean> {
    return this.cached(this.deploymentCache, `${platformId}\n${deploymentId}`, () => super.isDeploymentActive(platformId, deploymentId));
  }

  clear(): void {
    this.byIssuer.clear();
    this.byId.clear();
    this.deploymentCache.clear();
  }
}
