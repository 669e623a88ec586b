/**
 * LTI Assignment and Grade Services 2.0 client: OAuth 2.0 client-credentials tokens (LTI Security Framework 1.0
 * §4.1, RFC 7523 client assertion), line items (AGS 2.0 §3.2) and scores (AGS 2.0 §3.4).
 *
 * Why not ltijs's Grade service: it calls the platform through `got` with no timeout, for the token request as for
 * the score POST, so a stalled LMS would hang the caller forever. Here every call is `fetch` under
 * `AbortSignal.timeout`, and a caller's signal (a worker shutting down) can cut it short too. ltijs still holds the
 * tool's key for each platform; we read it through ltijs and sign the assertion ourselves with jose.
 *
 * Access tokens are cached per platform and scope in ltijs's encrypted `accesstoken` collection (our PostgreSQL
 * storage plugin, so every Accrue process on one database shares them), in the same shape ltijs writes, plus our
 * own `expiresAt`; a small per-process copy saves a database read per score.
 */
import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import type { LtiCore } from './provider';

export const AGS_SCOPE = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
} as const;

const MEDIA = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
};

export type AgsStage = 'token' | 'lineitems' | 'lineitem-create' | 'score';

/** Why a call to the platform failed. `message` is safe to store and show: it never holds a token. */
export class AgsError extends Error {
  readonly kind: 'timeout' | 'network' | 'http' | 'aborted' | 'platform';
  readonly stage: AgsStage;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  constructor(o: { kind: AgsError['kind']; stage: AgsStage; message: string; status?: number; retryAfterSeconds?: number }) {
    super(o.message);
    this.name = 'AgsError';
    this.kind = o.kind;
    this.stage = o.stage;
    this.status = o.status;
    this.retryAfterSeconds = o.retryAfterSeconds;
  }
}

export interface LineItem {
  id: string;
  label: string;
  scoreMaximum: number;
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
}

export interface AgsScore {
  userId: string;
  scoreGiven?: number;
  scoreMaximum?: number;
  comment?: string;
  timestamp: string;
  activityProgress: 'Initialized' | 'Started' | 'InProgress' | 'Submitted' | 'Completed';
  gradingProgress: 'FullyGraded' | 'Pending' | 'PendingManual' | 'Failed' | 'NotReady';
  [extension: string]: unknown;
}

export interface AgsClientOptions {
  core: LtiCore;
  /** Limit of each HTTP call (connect, headers and body), token requests included. */
  timeoutMs: number;
  /** A token is renewed this long before the platform says it expires. */
  tokenMarginSeconds?: number;
}

interface CachedToken { accessToken: string; expiresAt: number }

/** `<lineitem>/scores`, keeping a query string the line item URL may carry (AGS 2.0 §3.4: Moodle, Canvas do). */
export function scoresUrl(lineItemUrl: string): string {
  const u = new URL(lineItemUrl);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/scores`;
  return u.toString();
}

/** The line items container URL with filters added to any query string it already has (AGS 2.0 §3.2.5). */
export function lineItemsQueryUrl(lineItemsUrl: string, filters: { resourceLinkId?: string; tag?: string }): string {
  const u = new URL(lineItemsUrl);
  if (filters.resourceLinkId) u.searchParams.set('resource_link_id', filters.resourceLinkId);
  if (filters.tag) u.searchParams.set('tag', filters.tag);
  return u.toString();
}

const snippet = async (res: Response) => {
  try {
    return (await res.text()).replace(/\s+/g, ' ').slice(0, 200);
  } catch {
    return '';
  }
};

export class AgsClient {
  private readonly memory = new Map<string, CachedToken>();
  private readonly pendingTokens = new Map<string, Promise<CachedToken>>();
  private readonly margin: number;

  constructor(private readonly options: AgsClientOptions) {
    this.margin = options.tokenMarginSeconds ?? 60;
  }

  /** A valid access token for one platform and scope: per-process copy, then the shared cache, then the platform. */
  async accessToken(platformId: string, scope: string, signal?: AbortSignal): Promise<string> {
    const key = `${platformId} ${scope}`;
    const now = Date.now();
    const mem = this.memory.get(key);
    if (mem && mem.expiresAt > now) return mem.accessToken;
    let pending = this.pendingTokens.get(key);
    if (!pending) {
      // One request per platform+scope at a time in this process, however many deliveries need it.
      pending = this.loadOrRequest(platformId, scope, signal).finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    const token = await pending;
    this.memory.set(key, token);
    return token.accessToken;
  }

  /** Forgets a token the platform refused (revoked or expired early), here and in the shared cache. */
  async invalidateToken(platformId: string, scope: string): Promise<void> {
    this.memory.delete(`${platformId} ${scope}`);
    const platform = await this.platform(platformId);
    await this.options.core.storage.Delete('accesstoken', { platformUrl: platform.url, clientId: platform.clientId, scopes: scope });
  }

  /** Line items of a container, filtered by resource link and tag (first page). */
  async findLineItems(o: { platformId: string; lineItemsUrl: string; resourceLinkId?: string; tag?: string; scope: string; signal?: AbortSignal }): Promise<LineItem[]> {
    const url = lineItemsQueryUrl(o.lineItemsUrl, o);
    const res = await this.authorized({ platformId: o.platformId, scope: o.scope, stage: 'lineitems', signal: o.signal }, (token, signal) =>
      fetch(url, { headers: { accept: MEDIA.lineItemContainer, authorization: `Bearer ${token}` }, signal }));
    const body = await this.json(res, 'lineitems', o.signal);
    if (!Array.isArray(body)) throw new AgsError({ kind: 'http', stage: 'lineitems', status: res.status, message: 'The platform answered the line items request with something other than a list.' });
    return body.filter((x): x is LineItem => !!x && typeof x === 'object' && typeof (x as LineItem).id === 'string');
  }

  async createLineItem(o: { platformId: string; lineItemsUrl: string; lineItem: Omit<LineItem, 'id'>; signal?: AbortSignal }): Promise<LineItem> {
    const res = await this.authorized({ platformId: o.platformId, scope: AGS_SCOPE.lineItem, stage: 'lineitem-create', signal: o.signal }, (token, signal) =>
      fetch(o.lineItemsUrl, {
        method: 'POST', signal,
        headers: { 'content-type': MEDIA.lineItem, accept: MEDIA.lineItem, authorization: `Bearer ${token}` },
        body: JSON.stringify(o.lineItem),
      }));
    const body = (await this.json(res, 'lineitem-create', o.signal)) as LineItem | null;
    if (!body || typeof body.id !== 'string') throw new AgsError({ kind: 'http', stage: 'lineitem-create', status: res.status, message: 'The platform created a line item but did not return its id.' });
    return body;
  }

  async postScore(o: { platformId: string; lineItemUrl: string; score: AgsScore; signal?: AbortSignal }): Promise<void> {
    const url = scoresUrl(o.lineItemUrl);
    const res = await this.authorized({ platformId: o.platformId, scope: AGS_SCOPE.score, stage: 'score', signal: o.signal }, (token, signal) =>
      fetch(url, { method: 'POST', signal, headers: { 'content-type': MEDIA.score, authorization: `Bearer ${token}` }, body: JSON.stringify(o.score) }));
    await res.arrayBuffer().catch(() => undefined);
  }

  /** Runs a call with a token; on 401 forgets the token and tries once more with a fresh one (LTI Security 4.1). */
  private async authorized(o: { platformId: string; scope: string; stage: AgsStage; signal?: AbortSignal }, call: (token: string, signal: AbortSignal) => Promise<Response>): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(o.platformId, o.scope, o.signal);
      const res = await this.send(o.stage, o.signal, (signal) => call(token, signal));
      if (res.status === 401 && attempt === 0) {
        await res.arrayBuffer().catch(() => undefined);
        await this.invalidateToken(o.platformId, o.scope);
        continue;
      }
      if (!res.ok) throw await this.httpError(o.stage, res);
      return res;
    }
  }

  /** One HTTP exchange under the timeout; network failures and timeouts become AgsErrors. */
  private async send(stage: AgsStage, outer: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<Response>): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = outer ? AbortSignal.any([timeout, outer]) : timeout;
    try {
      return await call(signal);
    } catch (err) {
      throw this.transportError(stage, err, timeout, outer);
    }
  }

  private async json(res: Response, stage: AgsStage, outer: AbortSignal | undefined): Promise<unknown> {
    // The body is read under the same signal as the headers were; a platform that stalls mid-body times out too.
    try {
      const text = await res.text();
      return text ? (JSON.parse(text) as unknown) : null;
    } catch (err) {
      if (err instanceof SyntaxError) throw new AgsError({ kind: 'http', stage, status: res.status, message: `The platform answered ${stage} with invalid JSON.` });
      throw this.transportError(stage, err, undefined, outer);
    }
  }

  private transportError(stage: AgsStage, err: unknown, timeout: AbortSignal | undefined, outer: AbortSignal | undefined): AgsError {
    if (err instanceof AgsError) return err;
    if (outer?.aborted) return new AgsError({ kind: 'aborted', stage, message: `The ${stage} request was cancelled (worker stopping).` });
    const name = (err as Error)?.name;
    if (timeout?.aborted || name === 'TimeoutError') {
      return new AgsError({ kind: 'timeout', stage, message: `The platform did not answer the ${stage} request within ${this.options.timeoutMs} ms.` });
    }
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    return new AgsError({ kind: 'network', stage, message: `Could not reach the platform for ${stage}: ${cause?.code ?? cause?.message ?? (err as Error)?.message ?? 'network error'}.` });
  }

  private async httpError(stage: AgsStage, res: Response): Promise<AgsError> {
    const ra = Number(res.headers.get('retry-after'));
    return new AgsError({
      kind: 'http', stage, status: res.status, retryAfterSeconds: Number.isFinite(ra) && ra > 0 ? ra : undefined,
      message: `The platform answered the ${stage} request with HTTP ${res.status}${(await snippet(res)).replace(/^(.)/, ': $1')}`,
    });
  }

  private async platform(platformId: string) {
    const p = await this.options.core.provider.getPlatformById(platformId);
    if (!p) throw new AgsError({ kind: 'platform', stage: 'token', message: `Platform ${platformId} is not registered with Accrue.` });
    return { handle: p, url: await p.platformUrl(), clientId: await p.platformClientId() };
  }

  private async loadOrRequest(platformId: string, scope: string, signal?: AbortSignal): Promise<CachedToken> {
    const { core } = this.options;
    const platform = await this.platform(platformId);
    const index = { platformUrl: platform.url, clientId: platform.clientId, scopes: scope };
    const stored = await core.storage.Get(core.encryptionKey, 'accesstoken', index);
    const hit = stored ? stored[0] : undefined;
    const token = hit?.token as { access_token?: string } | undefined;
    if (token?.access_token && typeof hit?.expiresAt === 'number' && hit.expiresAt - this.margin * 1000 > Date.now()) {
      return { accessToken: token.access_token, expiresAt: hit.expiresAt - this.margin * 1000 };
    }
    const fresh = await this.requestToken(platform, scope, signal);
    const expiresAt = Date.now() + fresh.expiresIn * 1000;
    // ltijs's shape ({ token }) so its own services could read it; expiresAt is ours (ltijs uses createdAt + expires_in).
    try {
      await core.storage.Replace(core.encryptionKey, 'accesstoken', index, { token: fresh.raw, expiresAt }, index);
    } catch {
      // Another process stored its token for the same key at the same moment (unique key): ours is just as good.
    }
    return { accessToken: fresh.accessToken, expiresAt: expiresAt - Math.min(this.margin, fresh.expiresIn / 2) * 1000 };
  }

  /** client_credentials grant with a private_key_jwt assertion (RFC 7523 §2.2; LTI Security Framework 1.0 §4.1.1). */
  private async requestToken(platform: Awaited<ReturnType<AgsClient['platform']>>, scope: string, signal?: AbortSignal) {
    const p = platform.handle;
    const [privatePem, kid, tokenUrl, audience] = await Promise.all([p.platformPrivateKey(), p.platformKid(), p.platformAccessTokenEndpoint(), p.platformAuthorizationServer()]);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(platform.clientId).setSubject(platform.clientId).setAudience(audience)
      .setIssuedAt().setExpirationTime('60s').setJti(crypto.randomUUID())
      .sign(crypto.createPrivateKey(privatePem));
    const res = await this.send('token', signal, (s) => fetch(tokenUrl, {
      method: 'POST', signal: s,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope,
      }).toString(),
    }));
    if (!res.ok) throw await this.httpError('token', res);
    const body = (await this.json(res, 'token', signal)) as Record<string, unknown> | null;
    const accessToken = typeof body?.access_token === 'string' ? body.access_token : '';
    if (!accessToken) throw new AgsError({ kind: 'http', stage: 'token', status: res.status, message: 'The platform answered the token request without an access_token.' });
    const expiresIn = typeof body!.expires_in === 'number' && body!.expires_in > 0 ? Math.min(body!.expires_in, 3600) : 3600;
    return { accessToken, expiresIn, raw: { access_token: accessToken, token_type: String(body!.token_type ?? 'Bearer'), expires_in: expiresIn, scope: String(body!.scope ?? scope) } };
  }
}
