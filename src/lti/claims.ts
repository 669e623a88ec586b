/**
 * Checks of a signature-verified id_token's claims (no I/O): OIDC Core 3.1.3.7 and LTI 1.3 Core 5.1.2-5.1.3 and
 * 5.3, Deep Linking 2.0 4.4. Each refusal has its own code so the page and the log say which rule failed.
 */
import { LaunchError } from '../errors';
import { appRoleOf, CLAIM, type LaunchContext, type MessageType, type PlatformRecord } from './model';

type Claims = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

// U+0000 and unpaired surrogates: PostgreSQL text and jsonb refuse them, so a signed token carrying one would fail
// at insert time as a 500. They have no meaning in any LTI claim.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Refuses claims holding strings (keys or values, at any depth) that cannot be stored; iterative, so depth is no risk. */
export function checkStorableStrings(c: Claims): void {
  const pending: unknown[] = [c];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) throw new LaunchError('INVALID_CHARACTERS', 'The launch token contains characters that cannot be stored (NUL or broken Unicode).');
    } else if (Array.isArray(v)) {
      pending.push(...v);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) pending.push(k, x);
    }
  }
}

export interface ClaimCheckOptions {
  platform: PlatformRecord;
  expectedNonce: string;
  nowSeconds: number;
  clockSkewSeconds: number;
  maxAgeSeconds: number;
}

/** Time, issuer and audience (OIDC Core 3.1.3.7 items 2-4, 9-10). */
export function checkStandardClaims(c: Claims, o: ClaimCheckOptions): void {
  if (c.iss !== o.platform.issuer) throw new LaunchError('WRONG_ISSUER', 'The launch came from an issuer that does not match the platform that started the login.');
  const aud = Array.isArray(c.aud) ? c.aud : typeof c.aud === 'string' ? [c.aud] : [];
  if (!aud.includes(o.platform.clientId)) throw new LaunchError('WRONG_AUDIENCE', 'The launch was not addressed to this tool (aud does not contain our client id).');
  if (aud.length > 1 && c.azp === undefined) throw new LaunchError('MISSING_AZP', 'The launch names several audiences but no authorized party (azp).');
  if (c.azp !== undefined && c.azp !== o.platform.clientId) throw new LaunchError('WRONG_AZP', 'The launch was authorized for another client (azp does not match our client id).');
  if (typeof c.exp !== 'number' || typeof c.iat !== 'number') throw new LaunchError('MISSING_TIME_CLAIMS', 'The launch token has no exp or iat.');
  if (c.exp + o.clockSkewSeconds <= o.nowSeconds) throw new LaunchError('TOKEN_EXPIRED', 'The launch token has expired. Launch again from your course.');
  if (c.iat - o.clockSkewSeconds > o.nowSeconds) throw new LaunchError('TOKEN_FROM_FUTURE', 'The launch token was issued in the future; check the platform clock.');
  if (o.nowSeconds - c.iat > o.maxAgeSeconds + o.clockSkewSeconds) throw new LaunchError('TOKEN_TOO_OLD', 'The launch token is too old. Launch again from your course.');
  if (typeof c.nbf === 'number' && c.nbf - o.clockSkewSeconds > o.nowSeconds) throw new LaunchError('TOKEN_NOT_YET_VALID', 'The launch token is not valid yet.');
  if (typeof c.nonce !== 'string' || c.nonce.length === 0) throw new LaunchError('MISSING_NONCE', 'The launch token carries no nonce.');
  if (c.nonce !== o.expectedNonce) throw new LaunchError('NONCE_MISMATCH', 'The launch token does not answer the login this browser started (nonce mismatch).');
}

/** LTI claims; returns the LaunchContext. The deployment's registration is checked by the caller (needs the DB). */
export function checkLtiClaims(c: Claims, platform: PlatformRecord): LaunchContext {
  const messageType = c[CLAIM.messageType];
  if (messageType === undefined) throw new LaunchError('MISSING_MESSAGE_TYPE', 'The launch has no LTI message type.');
  if (messageType !== 'LtiResourceLinkRequest' && messageType !== 'LtiDeepLinkingRequest') {
    throw new LaunchError('UNSUPPORTED_MESSAGE_TYPE', 'This tool does not support that kind of LTI message.');
  }
  if (c[CLAIM.version] !== '1.3.0') throw new LaunchError('WRONG_LTI_VERSION', 'Only LTI version 1.3.0 launches are accepted.');
  const deploymentId = str(c[CLAIM.deploymentId]);
  if (!deploymentId || deploymentId.length > 255) throw new LaunchError('MISSING_DEPLOYMENT_ID', 'The launch has no valid deployment id.');
  const sub = str(c.sub);
  if (!sub || sub.length > 255) throw new LaunchError('MISSING_SUB', 'The launch does not identify the user (no sub). Anonymous launches are not supported.');
  if (!Array.isArray(c[CLAIM.roles])) throw new LaunchError('MISSING_ROLES', 'The launch has no roles claim.');
  const roles = strs(c[CLAIM.roles]);

  const rl = obj(c[CLAIM.resourceLink]);
  const dl = obj(c[CLAIM.deepLinkingSettings]);
  if (messageType === 'LtiResourceLinkRequest') {
    if (!rl || !str(rl.id)) throw new LaunchError('MISSING_RESOURCE_LINK_ID', 'The launch has no resource link id.');
    // LTI 1.3 Core 5.3.5: the id MUST NOT exceed 255 ASCII characters.
    if (String(rl.id).length > 255) throw new LaunchError('INVALID_RESOURCE_LINK_ID', 'The resource link id is longer than 255 characters.');
    if (!str(c[CLAIM.targetLinkUri])) throw new LaunchError('MISSING_TARGET_LINK_URI', 'The launch has no target link URI.');
  } else if (!dl || !str(dl.deep_link_return_url) || !Array.isArray(dl.accept_types)) {
    throw new LaunchError('MISSING_DEEP_LINKING_SETTINGS', 'The deep-linking request has no valid deep-linking settings.');
  }

  const ctx = obj(c[CLAIM.context]);
  // LTI 1.3 Core 5.4.1: a context claim MUST carry an id of at most 255 ASCII characters.
  if (ctx && (!str(ctx.id) || String(ctx.id).length > 255)) throw new LaunchError('INVALID_CONTEXT', 'The launch context has no valid id.');
  const ags = obj(c[CLAIM.ags]);
  const nrps = obj(c[CLAIM.nrps]);
  const lp = obj(c[CLAIM.launchPresentation]);
  const tp = obj(c[CLAIM.toolPlatform]);
  const customRaw = obj(c[CLAIM.custom]) ?? {};
  const custom: Record<string, string> = {};
  for (const [k, v] of Object.entries(customRaw)) if (typeof v === 'string') custom[k] = v;

  return {
    platform: { id: platform.id, issuer: platform.issuer, clientId: platform.clientId, name: platform.name },
    deploymentId,
    messageType: messageType as MessageType,
    user: { sub, name: str(c.name), givenName: str(c.given_name), familyName: str(c.family_name), email: str(c.email) },
    roles,
    appRole: appRoleOf(roles),
    context: ctx ? { id: String(ctx.id), label: str(ctx.label), title: str(ctx.title), type: strs(ctx.type) } : undefined,
    resourceLink: rl && str(rl.id) ? { id: String(rl.id), title: str(rl.title), description: str(rl.description) } : undefined,
    targetLinkUri: str(c[CLAIM.targetLinkUri]),
    custom,
    launchPresentation: lp ? { documentTarget: str(lp.document_target), returnUrl: str(lp.return_url), locale: str(lp.locale) } : undefined,
    ags: ags ? { scope: strs(ags.scope), lineItems: str(ags.lineitems), lineItem: str(ags.lineitem) } : undefined,
    nrps: nrps && str(nrps.context_memberships_url) ? { contextMembershipsUrl: String(nrps.context_memberships_url), serviceVersions: strs(nrps.service_versions) } : undefined,
    deepLinking: dl && str(dl.deep_link_return_url)
      ? { returnUrl: String(dl.deep_link_return_url), acceptTypes: strs(dl.accept_types), acceptMultiple: dl.accept_multiple === true, data: str(dl.data) }
      : undefined,
    toolPlatform: tp ? { productFamilyCode: str(tp.product_family_code), name: str(tp.name), guid: str(tp.guid) } : undefined,
  };
}
