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
import { LAUNCH_SCOPES, launchLimits, type LaunchGrant } from './rules';
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
const MAX_TTL_MINUTES = 24 * 60;
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest();

export class LaunchCredentials {
  constructor(private readonly o: { store: LaunchCredentialStore; endpoint: string; publicUrl: string }) {}

  /** Issues a credential for one learner (`actor`, an Agent) and one activity (an IRI); 400 on bad input. */
  async issue(input: { actor: unknown; activityId: string; registration?: string | null; ttlMinutes?: number }): Promise<IssuedLaunch> {
    let actor: JsonObject;
    try {
      actor = validateAgent(input.actor, 'actor');
    } catch (err) {
      throw new ValidationError(`The launch actor is not a valid Agent: ${(err as Error).message}`);
    }
    if (!isIri(input.activityId)) throw new ValidationError('The launch activityId must be an absolute IRI.');
    const registration = input.registration ?? null;
    if (registration !== null && !isUuid(registration)) throw new ValidationError('The launch registration must be a UUID.');
    const ttl = input.ttlMinutes ?? 60;
    if (!Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_TTL_MINUTES) throw new ValidationError(`ttlMinutes must be between 0 and ${MAX_TTL_MINUTES}.`);
    const key = KEY_PREFIX + crypto.randomBytes(12).toString('base64url');
    const secret = crypto.randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + ttl * 60_000);
    await this.o.store.sweep();
    await this.o.store.insert({
      key, secretHash: sha256(secret).toString('hex'), actor, agentKey: agentKey(actor)!, activityId: input.activityId,
      registration: registration?.toLowerCase() ?? null, expiresAt,
    });
    return {
      endpoint: this.o.endpoint, auth: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`, actor,
      registration: registration?.toLowerCase() ?? null, expiresAt: expiresAt.toISOString(),
    };
  }

  /** The query string content reads its launch parameters from (TinCanJS: `new TinCan({ url })`). */
  static launchQuery(issued: IssuedLaunch, activityId: string): URLSearchParams {
    const q = new URLSearchParams({ endpoint: issued.endpoint, auth: issued.auth, actor: JSON.stringify(issued.actor), activity_id: activityId });
    if (issued.registration) q.set('registration', issued.registration);
    return q;
  }

  /** The LRS's view of a launch key and secret (for CredentialService.addAuthenticator); undefined if not one. */
  readonly authenticate = async (key: string, secret: string): Promise<Credential | undefined> => {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    const row = await this.o.store.findLive(key);
    if (!row || !crypto.timingSafeEqual(sha256(secret), Buffer.from(row.secretHash, 'hex'))) return undefined;
    const grant: LaunchGrant = { agentKey: row.agentKey, activityId: row.activityId, registration: row.registration, expiresAt: row.expiresAt.getTime() };
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
