/**
 * OIDC third-party login and launch (LTI 1.3 Core 5.1, OIDC Core 3.1.2-3.1.3.7, IMS Security Framework 5.1.1).
 * Ours rather than ltijs's, to refuse what ltijs lets through: unregistered deployments, a missing azp with
 * several audiences, tokens from the future, unknown issuers and client ids, unbound state.
 */
import crypto from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, importJWK, importSPKI, jwtVerify, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import { LaunchError } from '../errors';
import { checkLtiClaims, checkStandardClaims, checkStorableStrings } from './claims';
import type { LaunchContext, PlatformRecord } from './model';
import type { LtiStore } from './store';

export interface OidcOptions {
  publicUrl: string;
  stateTtlSeconds: number;
  clockSkewSeconds: number;
  idTokenMaxAgeSeconds: number;
  maxIdTokenBytes: number;
}

export interface LoginRequest {
  iss?: string;
  login_hint?: string;
  target_link_uri?: string;
  lti_message_hint?: string;
  client_id?: string;
  lti_deployment_id?: string;
  lti_storage_target?: string;
}

export const LAUNCH_PATH = '/lti/launch';
// Three base64url parts; the signature may be empty so that an unsigned (`alg: none`) token is named as such below.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
// Our states are 32 random bytes in base64url; anything else cannot be ours and never reaches the database.
const STATE_SHAPE = /^[A-Za-z0-9_-]{16,200}$/;
// Login parameters that reach the database or our own checks: PostgreSQL text cannot hold U+0000 (a 500 otherwise),
// and control characters have no place in them. login_hint and lti_message_hint are opaque to us and only forwarded.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const CHECKED_LOGIN_PARAMS = ['iss', 'client_id', 'lti_deployment_id', 'target_link_uri', 'lti_storage_target'] as const;
const random = () => crypto.randomBytes(32).toString('base64url');
export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('base64url');

export class OidcService {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();
  /** Imported static keys (RSA_KEY / JWK_KEY), by their text: importing costs more than verifying. */
  private readonly staticKeys = new Map<string, Promise<unknown>>();

  constructor(private readonly store: LtiStore, private readonly options: OidcOptions) {}

  get redirectUri(): string {
    return this.options.publicUrl + LAUNCH_PATH;
  }

  /** Step 1: the platform's login initiation. Returns where to send the browser and the cookie binding it. */
  async login(req: LoginRequest): Promise<{ redirect: string; state: string; browserBinding: string; storageTarget?: string }> {
    for (const name of CHECKED_LOGIN_PARAMS) {
      if (CONTROL_CHARS.test(req[name] ?? '')) {
        throw new LaunchError('INVALID_LOGIN_REQUEST', `The login initiation parameter ${name} contains control characters.`);
      }
    }
    const iss = req.iss?.trim();
    if (!iss) throw new LaunchError('MISSING_ISS', 'Login initiation without an issuer (iss).');
    if (!req.login_hint) throw new LaunchError('MISSING_LOGIN_HINT', 'Login initiation without a login_hint.');
    if (!req.target_link_uri) throw new LaunchError('MISSING_TARGET_LINK_URI', 'Login initiation without a target_link_uri.');
    if (!this.isOurs(req.target_link_uri)) throw new LaunchError('FOREIGN_TARGET_LINK_URI', 'The target_link_uri does not point at this tool.');
    const platform = await this.findPlatform(iss, req.client_id);
    if (!platform.active) throw new LaunchError('PLATFORM_NOT_ACTIVE', 'This platform is registered but not yet activated by an administrator.', 403);
    if (req.lti_deployment_id && !(await this.store.isDeploymentActive(platform.id, req.lti_deployment_id))) {
      throw new LaunchError('UNKNOWN_DEPLOYMENT', 'This deployment of the tool is not registered with Accrue.', 403);
    }
    const state = random();
    const nonce = random();
    const binding = random();
    await this.store.saveLoginState({
      state, nonce, platformId: platform.id, browserBinding: sha256(binding), targetLinkUri: req.target_link_uri,
      storageTarget: req.lti_storage_target, ttlSeconds: this.options.stateTtlSeconds,
    });
    const url = new URL(platform.authEndpoint);
    const params: Record<string, string | undefined> = {
      scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none',
      client_id: platform.clientId, redirect_uri: this.redirectUri, login_hint: req.login_hint,
      lti_message_hint: req.lti_message_hint, state, nonce,
    };
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    return { redirect: url.toString(), state, browserBinding: binding, storageTarget: req.lti_storage_target };
  }

  /**
   * Step 2: the id_token POST. `browserBinding` is what the browser proves it holds for this state (the state
   * cookie); the caller passes undefined when the browser sent none, and the launch is refused.
   */
  async launch(input: { idToken?: unknown; state?: unknown; browserBinding?: string }): Promise<LaunchContext> {
    const { idToken, state } = input;
    if (typeof idToken !== 'string' || idToken.length === 0) throw new LaunchError('MISSING_ID_TOKEN', 'The launch carried no id_token.');
    if (Buffer.byteLength(idToken) > this.options.maxIdTokenBytes) throw new LaunchError('ID_TOKEN_TOO_LARGE', 'The id_token is larger than this tool accepts.', 413);
    if (!JWT_SHAPE.test(idToken)) throw new LaunchError('MALFORMED_ID_TOKEN', 'The id_token is not a signed JWT.');
    let header;
    try {
      header = decodeProtectedHeader(idToken);
    } catch {
      throw new LaunchError('MALFORMED_ID_TOKEN', 'The id_token header cannot be read.');
    }
    // IMS Security Framework 5.1.3 item 6: RS256 only. Refuses `none` and HS256 (an HMAC keyed with a public value).
    if (header.alg !== 'RS256') throw new LaunchError('UNSUPPORTED_ALG', 'The id_token must be signed with RS256.');
    if (typeof state !== 'string' || state.length === 0) throw new LaunchError('MISSING_STATE', 'The launch carried no state.');
    const unknownState = () => new LaunchError('UNKNOWN_STATE', 'This launch does not answer a login started here, or was already used. Launch again from your course.', 401);
    if (!STATE_SHAPE.test(state)) throw unknownState();

    // The state is taken only by the browser holding its cookie (OIDC Core 3.1.2.1, state bound to the user agent):
    // another browser presenting an intercepted state is refused and leaves it for the rightful one.
    const saved = await this.store.consumeLoginState(state, input.browserBinding ? sha256(input.browserBinding) : undefined);
    if (saved === 'unknown') throw unknownState();
    if (saved === 'other-browser') {
      throw new LaunchError('STATE_MISMATCH', 'This launch was started in another browser or the browser blocked the login cookie.', 401);
    }
    if (saved.expired) throw new LaunchError('STATE_EXPIRED', 'The login took too long. Launch again from your course.', 401);

    const platform = await this.store.platformById(saved.platformId);
    if (!platform) throw new LaunchError('UNKNOWN_PLATFORM', 'The platform of this login is no longer registered.');
    if (!platform.active) throw new LaunchError('PLATFORM_NOT_ACTIVE', 'This platform is registered but not yet activated by an administrator.', 403);

    const claims = await this.verifySignature(idToken, platform);
    checkStorableStrings(claims);
    checkStandardClaims(claims, {
      platform, expectedNonce: saved.nonce, nowSeconds: Math.floor(Date.now() / 1000),
      clockSkewSeconds: this.options.clockSkewSeconds, maxAgeSeconds: this.options.idTokenMaxAgeSeconds,
    });
    const launch = checkLtiClaims(claims, platform);
    if (launch.targetLinkUri && !this.isOurs(launch.targetLinkUri)) throw new LaunchError('FOREIGN_TARGET_LINK_URI', 'The target_link_uri does not point at this tool.');
    // LTI 1.3 Core 3.1.3 and 5.3.3: the deployment must be registered for THIS platform; ltijs would accept any.
    if (!(await this.store.isDeploymentActive(platform.id, launch.deploymentId))) {
      throw new LaunchError('UNKNOWN_DEPLOYMENT', 'This deployment of the tool is not registered with Accrue.', 403);
    }
    // OIDC Core 3.1.3.7 item 11 and 15.5.2: the nonce answered this login (checkStandardClaims) and is accepted once;
    // the state is single-use too, so this catches a platform that reuses a nonce across logins.
    const keepSeconds = this.options.idTokenMaxAgeSeconds + 2 * this.options.clockSkewSeconds;
    if (!(await this.store.recordNonce(platform.id, String(claims.nonce), keepSeconds))) {
      throw new LaunchError('NONCE_REPLAYED', 'This launch token was already used.', 401);
    }
    return launch;
  }

  private isOurs(uri: string): boolean {
    try {
      const u = new URL(uri);
      const base = new URL(this.options.publicUrl);
      return u.origin === base.origin && u.pathname.startsWith(base.pathname.replace(/\/$/, '') + '/');
    } catch {
      return false;
    }
  }

  private async findPlatform(iss: string, clientId?: string): Promise<PlatformRecord> {
    const found = await this.store.platformsByIssuer(iss, clientId || undefined);
    if (found.length === 0) {
      // Saying which half is wrong tells an administrator whether the platform or only this client id is missing.
      if (clientId && (await this.store.platformsByIssuer(iss)).length > 0) {
        throw new LaunchError('UNKNOWN_CLIENT_ID', 'This issuer is registered, but not with this client id.');
      }
      throw new LaunchError('UNKNOWN_PLATFORM', 'No platform is registered with this issuer.');
    }
    // Canvas cloud shares one issuer across tenants: without client_id we cannot tell them apart.
    if (found.length > 1) throw new LaunchError('AMBIGUOUS_PLATFORM', 'Several registrations share this issuer; the login initiation must carry client_id.');
    return found[0]!;
  }

  private async verifySignature(idToken: string, platform: PlatformRecord): Promise<Record<string, unknown>> {
    try {
      const key = await this.keyFor(platform);
      // The configured skew applies to exp and nbf here too (jose's default tolerance is 0, which refused tokens
      // that checkStandardClaims would accept: OIDC Core 3.1.3.7 item 9 allows for clock skew).
      const { payload } = await jwtVerify(idToken, key as never, { algorithms: ['RS256'], clockTolerance: this.options.clockSkewSeconds });
      return payload as Record<string, unknown>;
    } catch (err) {
      if (err instanceof LaunchError) throw err;
      if (err instanceof joseErrors.JWKSNoMatchingKey) throw new LaunchError('UNKNOWN_KID', 'The id_token is signed with a key the platform does not publish (unknown kid).');
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw new LaunchError('BAD_SIGNATURE', 'The id_token signature is not valid.');
      if (err instanceof joseErrors.JWTExpired) throw new LaunchError('TOKEN_EXPIRED', 'The launch token has expired. Launch again from your course.');
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') throw new LaunchError('TOKEN_NOT_YET_VALID', 'The launch token is not valid yet.');
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw new LaunchError('INVALID_CLAIMS', `The launch token is not valid yet or malformed (${err.claim}).`);
      if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid) {
        throw new LaunchError('PLATFORM_KEYS_UNAVAILABLE', 'The platform\'s signing keys could not be fetched.', 424);
      }
      if (err instanceof joseErrors.JOSEError) throw new LaunchError('BAD_SIGNATURE', 'The id_token could not be verified.');
      throw new LaunchError('PLATFORM_KEYS_UNAVAILABLE', 'The platform\'s signing keys could not be fetched.', 424);
    }
  }

  private async keyFor(platform: PlatformRecord): Promise<unknown> {
    const { method, key } = platform.authConfig;
    if (method === 'JWK_SET') {
      let set = this.keySets.get(key);
      if (!set) {
        set = createRemoteJWKSet(new URL(key), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
        this.keySets.set(key, set);
      }
      return set;
    }
    let imported = this.staticKeys.get(key);
    if (!imported) {
      imported = method === 'JWK_KEY' ? importJWK(typeof key === 'string' ? JSON.parse(key) : key, 'RS256') : importSPKI(key, 'RS256');
      imported.catch(() => this.staticKeys.delete(key));
      if (this.staticKeys.size > 1000) this.staticKeys.clear();
      this.staticKeys.set(key, imported);
    }
    return imported;
  }
}
