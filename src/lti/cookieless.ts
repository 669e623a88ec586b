/**
 * The two ways a launch completes when the browser keeps no cookie for Accrue inside the LMS iframe:
 * - platform storage (LTI OIDC Login with LTI Client Side postMessages): the launch POST arrives without the state cookie for a login that asked
 *   for platform storage; Accrue answers a page that reads the login's values back from the platform and posts
 *   them, with the id_token, to /lti/launch (OidcService.launch checks them);
 * - a new window: the same login restarted from its stored parameters in a top-level window, where the state
 *   cookie is first-party. The restart is a complete new login (new state, nonce and cookie) and takes nothing
 *   from the old one, so anyone able to ask for it gains no more than replaying the platform's login initiation.
 */
import { LaunchError } from '../errors';
import { nonceKey, platformStorageOrigin, stateKey, type StorageLaunchPage } from './client-storage';
import { STATE_SHAPE, unknownState, type LoginResult, type OidcService } from './oidc';
import type { LtiStore } from './store';

export class CookielessLaunch {
  constructor(private readonly store: LtiStore, private readonly oidc: OidcService) {}

  /**
   * For a launch POST that carries no state cookie: the platform-storage page when the login asked for platform
   * storage and is still pending, else null (the caller then refuses it as the cookie path does).
   */
  async launchPage(input: { idToken?: unknown; state?: unknown }): Promise<StorageLaunchPage | null> {
    const { idToken, state } = this.oidc.checkLaunchShape(input);
    const pending = await this.store.peekLoginState(state);
    if (!pending || pending.expired || !pending.storageTarget) return null;
    const platform = await this.store.platformById(pending.platformId);
    if (!platform) return null;
    return {
      target: pending.storageTarget, platformOrigin: platformStorageOrigin(platform.authEndpoint),
      stateKey: stateKey(state), nonceKey: nonceKey(pending.nonce), state, idToken,
    };
  }

  /** Restarts a pending login for a new window: a first-party login that relies on the state cookie alone. */
  async restart(state: unknown): Promise<LoginResult> {
    if (typeof state !== 'string' || !STATE_SHAPE.test(state)) throw unknownState();
    const pending = await this.store.peekLoginState(state);
    if (!pending?.loginParams) throw unknownState();
    if (pending.expired) throw new LaunchError('STATE_EXPIRED', 'The login took too long. Launch again from your course.', 401);
    // No lti_storage_target: the new window is top-level, has no platform frame to talk to, and keeps its cookie.
    return this.oidc.login({ ...pending.loginParams });
  }
}
