/**
 * The platform registry: platforms (in ltijs, with the tool key pair ltijs makes for each) and their deployments.
 * Used by the CLI, dynamic registration and the sandbox.
 */
import type { AuthConfig, LtijsPlatform } from 'ltijs';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { Db } from '../db';
import type { PlatformRecord } from './model';
import type { LtiCore } from './provider';
import type { LtiStore } from './store';

export interface NewPlatform {
  issuer: string;
  clientId: string;
  name: string;
  authEndpoint: string;
  tokenEndpoint: string;
  authorizationServer?: string;
  authConfig: AuthConfig;
  deploymentIds: string[];
  active: boolean;
}

const isUrl = (s: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
};

export class PlatformRegistry {
  constructor(private readonly db: Db, private readonly core: LtiCore, private readonly store: LtiStore, private readonly onChange: () => void = () => undefined) {}

  async register(p: NewPlatform): Promise<PlatformRecord> {
    for (const [field, value] of [['issuer', p.issuer], ['authEndpoint', p.authEndpoint], ['tokenEndpoint', p.tokenEndpoint]] as const) {
      if (!isUrl(value)) throw new ValidationError(`${field} must be an http(s) URL`);
    }
    if (!p.clientId) throw new ValidationError('clientId is required');
    if (p.authConfig.method === 'JWK_SET' && !isUrl(p.authConfig.key)) throw new ValidationError('the keyset URL must be an http(s) URL');
    if ((await this.store.platformsByIssuer(p.issuer, p.clientId)).length > 0) {
      throw new ConflictError(`A platform with issuer ${p.issuer} and client id ${p.clientId} is already registered.`, 'PLATFORM_EXISTS');
    }
    const created: LtijsPlatform = await this.core.provider.registerPlatform({
      url: p.issuer, clientId: p.clientId, name: p.name, authenticationEndpoint: p.authEndpoint,
      accesstokenEndpoint: p.tokenEndpoint, authorizationServer: p.authorizationServer, authConfig: p.authConfig,
    });
    const id = await created.platformId();
    await created.platformActive(p.active);
    for (const d of p.deploymentIds) await this.store.addDeployment(id, d);
    this.onChange();
    return (await this.store.platformById(id))!;
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

  /** The tool's public keys, one per platform (ltijs makes a key pair per registration), as a JWKS. */
  async toolJwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const { createPublicKey } = await import('node:crypto');
    const rows = (await this.core.storage.Get(this.core.encryptionKey, 'publickey')) || [];
    return {
      keys: rows.map((r) => ({ ...createPublicKey(String(r.key)).export({ format: 'jwk' }), kid: String(r.kid), alg: 'RS256', use: 'sig' })),
    };
  }
}
