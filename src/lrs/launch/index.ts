/**
 * Launch credentials: what Accrue hands to content it launches (the xAPI launch parameters), and how the LRS
 * recognises them. `issue()` makes a short-lived Basic credential limited to one learner and one activity (see
 * rules.ts); `authenticate` is registered with the CredentialService so the LRS accepts it.
 *
 * Glossary: launch parameters = endpoint, auth, actor, registration (and activity_id), as query parameters of the
 * content's URL (the "Tin Can launch" convention TinCanJS reads); grant = what one launch credential may do.
 */
import crypto from 'node:crypto';
import { ValidationError } from '../../errors';
import type { Credential } from '../credentials';
import { agentKey, type JsonObject } from '../model';
import { validateAgent } from '../validate/agent';
import { isIri, isUuid } from '../validate/primitives';
import { contentParamsOf, LAUNCH_SCOPES, launchLimits, type LaunchGrant } from './rules';
import { LaunchCredentialStore } from './store';

export type { LaunchGrant } from './rules';
export { isUnder } from './rules';

export interface IssuedLaunch {
  /** The LRS endpoint, with its trailing slash (clients append "statements", "activities/state"). */
  endpoint: string;
  /** The Authorization header value: "Basic base64(key:secret)". */
  auth: string;
  actor: JsonObject;
  registration: string | null;
  expiresAt: string;
}

const KEY_PREFIX = 'launch-';
const MAX_TTL_SECONDS = 24 * 3600;
const ORIGIN_CACHE_MS = 60_000;
const ORIGIN_CACHE_MAX = 10_000;
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest();

/** The origin of an http(s) content URL; 400 for anything else. */
function originOf(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ValidationError('The launch contentUrl must be an absolute http(s) URL.');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ValidationError('The launch contentUrl must be an absolute http(s) URL.');
  return u.origin;
}

export class LaunchCredentials {
  /** Origin -> epoch ms until which it is known to hold a live launch credential. */
  private readonly origins = new Map<string, number>();

  constructor(private readonly o: { store: LaunchCredentialStore; endpoint: string; publicUrl: string }) {}

  /**
   * Issues a credential for one learner (`actor`, an Agent) and one activity (an IRI) that lives `ttlSeconds`;
   * `contentUrl` is where the content runs (its origin may then call the LRS with CORS while the credential lives).
   * 400 on bad input.
   */
  async issue(input: { actor: unknown; activityId: string; registration?: string | null; ttlSeconds?: number; contentUrl?: string }): Promise<IssuedLaunch> {
    let actor: JsonObject;
    try {
      actor = validateAgent(input.actor, 'actor');
    } catch (err) {
      throw new ValidationError(`The launch actor is not a valid Agent: ${(err as Error).message}`);
    }
    if (!isIri(input.activityId)) throw new ValidationError('The launch activityId must be an absolute IRI.');
    const registration = input.registration ?? null;
    if (registration !== null && !isUuid(registration)) throw new ValidationError('The launch registration must be a UUID.');
    const ttl = input.ttlSeconds ?? 3600;
    if (!Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_TTL_SECONDS) throw new ValidationError(`ttlSeconds must be between 0 and ${MAX_TTL_SECONDS}.`);
    const contentUrl = input.contentUrl ?? null;
    const contentOrigin = contentUrl === null ? null : originOf(contentUrl);
    const key = KEY_PREFIX + crypto.randomBytes(12).toString('base64url');
    const secret = crypto.randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + ttl * 1000);
    await this.o.store.sweep();
    await this.o.store.insert({
      key, secretHash: sha256(secret).toString('hex'), actor, agentKey: agentKey(actor)!, activityId: input.activityId,
      registration: registration?.toLowerCase() ?? null, expiresAt, contentUrl, contentOrigin,
    });
    if (contentOrigin) this.remember(contentOrigin, Math.max(this.origins.get(contentOrigin) ?? 0, Math.min(expiresAt.getTime(), Date.now() + ORIGIN_CACHE_MS)));
    return {
      endpoint: this.o.endpoint, auth: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`, actor,
      registration: registration?.toLowerCase() ?? null, expiresAt: expiresAt.toISOString(),
    };
  }

  /**
   * Whether content at `origin` holds a live launch credential, so the LRS may answer its cross-origin requests.
   * A preflight carries no credential, hence the check by origin; a stale "yes" (at most ORIGIN_CACHE_MS) opens
   * nothing: every request still needs a live credential.
   */
  async allowsOrigin(origin: string): Promise<boolean> {
    const cached = this.origins.get(origin);
    if (cached !== undefined && cached > Date.now()) return true;
    const until = await this.o.store.originLiveUntil(origin);
    if (!until) {
      this.origins.delete(origin);
      return false;
    }
    this.remember(origin, Math.min(until.getTime(), Date.now() + ORIGIN_CACHE_MS));
    return true;
  }

  private remember(origin: string, until: number): void {
    if (this.origins.size >= ORIGIN_CACHE_MAX && !this.origins.has(origin)) this.origins.clear();
    this.origins.set(origin, until);
  }

  /** The LRS's view of a launch key and secret (for CredentialService.addAuthenticator); undefined if not one. */
  readonly authenticate = async (key: string, secret: string): Promise<Credential | undefined> => {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    const row = await this.o.store.findLive(key);
    if (!row || !crypto.timingSafeEqual(sha256(secret), Buffer.from(row.secretHash, 'hex'))) return undefined;
    const grant: LaunchGrant = {
      agentKey: row.agentKey, activityId: row.activityId, registration: row.registration, expiresAt: row.expiresAt.getTime(),
      contentParams: row.contentUrl ? contentParamsOf(row.contentUrl) : [],
    };
    return {
      key, name: 'launch', scopes: [...LAUNCH_SCOPES],
      authority: { objectType: 'Agent', name: 'Accrue launch', account: { homePage: this.o.publicUrl, name: key } },
      limits: launchLimits(grant),
    };
  };
}

export function createLaunchCredentials(o: { db: ConstructorParameters<typeof LaunchCredentialStore>[0]; endpoint: string; publicUrl: string }): LaunchCredentials {
  return new LaunchCredentials({ store: new LaunchCredentialStore(o.db), endpoint: o.endpoint, publicUrl: o.publicUrl });
}
