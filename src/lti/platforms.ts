/**
 * The platform registry: platforms (in ltijs's storage, with a tool key pair for each) and their deployments.
 * Used by the CLI, dynamic registration and the sandbox.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { Db } from '../db';
import type { PlatformRecord } from './model';
import type { LtiCore } from './provider';
import type { LtiStore } from './store';
import { storeToolRegistration, type ToolRegistration } from './tool-keys';

/** What registering a platform takes: the tool registration ltijs stores, plus its known deployments. */
export interface NewPlatform extends ToolRegistration {
  deploymentIds: string[];
}

const isUrl = (s: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
};

/**
 * Registrations under way in this process, by issuer and client id: a second registration of the same platform while
 * one is under way (a double-submitted dynamic registration) is refused at once, as the duplicate it is, before it
 * makes a key. Across processes the unique index on the platform document decides (tool-keys.ts).
 */
const registering = new Set<string>();

const exists = (p: NewPlatform) => new ConflictError(`A platform with issuer ${p.issuer} and client id ${p.clientId} is already registered.`, 'PLATFORM_EXISTS');

export class PlatformRegistry {
  constructor(private readonly db: Db, private readonly core: LtiCore, private readonly store: LtiStore, private readonly onChange: () => void = () => undefined) {}

  async register(p: NewPlatform): Promise<PlatformRecord> {
    for (const [field, value] of [['issuer', p.issuer], ['authEndpoint', p.authEndpoint], ['tokenEndpoint', p.tokenEndpoint]] as const) {
      if (!isUrl(value)) throw new ValidationError(`${field} must be an http(s) URL`);
    }
    if (!p.clientId) throw new ValidationError('clientId is required');
    if (!p.name) throw new ValidationError('name is required');
    if (!['JWK_SET', 'JWK_KEY', 'RSA_KEY'].includes(p.authConfig.method) || !p.authConfig.key) throw new ValidationError('authConfig needs a method (JWK_SET, JWK_KEY or RSA_KEY) and a key');
    if (p.authConfig.method === 'JWK_SET' && !isUrl(p.authConfig.key)) throw new ValidationError('the keyset URL must be an http(s) URL');
    const key = `${p.issuer}\n${p.clientId}`;
    if (registering.has(key)) throw exists(p);
    registering.add(key);
    try {
      if ((await this.store.platformsByIssuer(p.issuer, p.clientId)).length > 0) throw exists(p);
      let id: string;
      try {
        // Not ltijs's registerPlatform: its synchronous 4096-bit key generation blocks the event loop (tool-keys.ts).
        id = await storeToolRegistration(this.core, {
          issuer: p.issuer, clientId: p.clientId, name: p.name, authEndpoint: p.authEndpoint,
          tokenEndpoint: p.tokenEndpoint, authorizationServer: p.authorizationServer, authConfig: p.authConfig, active: p.active,
        });
      } catch (err) {
        // Another process registered it meanwhile: the unique index refused ours (PostgreSQL unique_violation).
        if ((err as { code?: string }).code === '23505') throw exists(p);
        throw err;
      }
      for (const d of p.deploymentIds) await this.store.addDeployment(id, d);
      const record = await this.store.platformById(id);
      if (!record) throw exists(p); // replaced by a concurrent registration in another process
      this.onChange();
      return record;
    } finally {
      registering.delete(key);
    }
  }

  list(): Promise<PlatformRecord[]> {
    return this.store.allPlatforms();
  }

  async get(id: string): Promise<PlatformRecord> {
    const p = await this.store.platformById(id);
    if (!p) throw new NotFoundError(`No platform with id ${id}.`);
    return p;
  }

  async setActive(id: string, active: boolean): Promise<void> {
    await this.get(id);
    const platform = await this.core.provider.getPlatformById(id);
    if (platform) await platform.platformActive(active);
    this.onChange();
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.core.provider.deletePlatformById(id);
    await this.db.tx((q) => this.store.removePlatformData(q, id));
    this.onChange();
  }

  async addDeployment(id: string, deploymentId: string): Promise<void> {
    await this.get(id);
    if (!deploymentId || deploymentId.length > 255) throw new ValidationError('deployment id must be 1-255 characters');
    await this.store.addDeployment(id, deploymentId);
    this.onChange();
  }

  async removeDeployment(id: string, deploymentId: string): Promise<boolean> {
    const removed = await this.store.removeDeployment(id, deploymentId);
    this.onChange();
    return removed;
  }

  deployments(id: string) {
    return this.store.deployments(id);
  }

  /**
   * The tool's public keys, one per platform (ltijs makes a key pair per registration), as a JWKS. Read key by key:
   * a row this secret cannot decrypt (written by a process with another ACCRUE_SECRET) is left out instead of
   * failing the keyset of every other platform.
   */
  async toolJwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const { createPublicKey } = await import('node:crypto');
    const kids = ((await this.core.storage.Get(false, 'publickey')) || []).map((r) => String(r.kid));
    const keys: Record<string, unknown>[] = [];
    for (const kid of kids) {
      try {
        const [row] = (await this.core.storage.Get(this.core.encryptionKey, 'publickey', { kid })) || [];
        if (row) keys.push({ ...createPublicKey(String(row.key)).export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' });
      } catch {
        /* undecryptable under this secret: not ours to publish */
      }
    }
    return { keys };
  }
}
